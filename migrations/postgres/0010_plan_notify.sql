-- Issue 13: each instance keeps teams, channels and goals as last read, and drops what a peer
-- changed when told so. Every write to them (the bot's, a raw statement's, a cascade's) says
-- "<table> <chat_id> <application_name>" on the plan_changed channel, delivered at commit; the
-- application name tells an instance its own writes, which it has dropped already. SQLite
-- needs none: one process owns the file and drops what it wrote itself.
CREATE FUNCTION notify_plan_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('plan_changed', TG_TABLE_NAME || ' ' || OLD.chat_id || ' '
            || COALESCE(current_setting('application_name', true), ''));
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('plan_changed', TG_TABLE_NAME || ' ' || NEW.chat_id || ' '
            || COALESCE(current_setting('application_name', true), ''));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER teams_plan_changed AFTER INSERT OR UPDATE OR DELETE ON teams
    FOR EACH ROW EXECUTE FUNCTION notify_plan_changed();
CREATE TRIGGER channels_plan_changed AFTER INSERT OR UPDATE OR DELETE ON channels
    FOR EACH ROW EXECUTE FUNCTION notify_plan_changed();
CREATE TRIGGER goals_plan_changed AFTER INSERT OR UPDATE OR DELETE ON goals
    FOR EACH ROW EXECUTE FUNCTION notify_plan_changed();
