-- Missing is not zero (issue 14): a check-in may name any subset of its numbers, so every
-- number is nullable (NULL = nobody reported it), and leads (线索/留资/私信进线) join them.
ALTER TABLE checkins ALTER COLUMN spend DROP NOT NULL;
ALTER TABLE checkins ALTER COLUMN impressions DROP NOT NULL;
ALTER TABLE checkins ALTER COLUMN clicks DROP NOT NULL;
ALTER TABLE checkins ALTER COLUMN orders DROP NOT NULL;
ALTER TABLE checkins ALTER COLUMN gmv DROP NOT NULL;
ALTER TABLE checkins ADD COLUMN leads BIGINT;
