//! The load data set, shared by `benches/load.rs` (the big one) and `tests/load_short.rs` (its
//! CI-sized version): teams, tasks with the largest team holding `big_tasks`, and a daily
//! check-in per channel for the check-in teams. Filled with set-based SQL (SQLite), not through
//! the bot, so a million rows take seconds.

use campaign_bot::console::emulator::SentMessage;
use campaign_bot::storage::Store;

/// The largest team's chat id; the others are -2, -3, …
pub const BIG: i64 = -1;

#[derive(Clone, Copy, Debug)]
pub struct LoadSize {
    pub teams: i64,
    pub tasks: i64,
    pub big_tasks: i64,
    pub checkin_teams: i64,
    pub days: i64,
    /// Pending jobs planned for the tasks, most of them far in the future.
    pub jobs: i64,
}

impl LoadSize {
    pub fn checkins(&self) -> i64 {
        self.checkin_teams * 4 * self.days
    }
}

pub async fn fill(store: &Store, now: i64, size: LoadSize) {
    let LoadSize {
        teams,
        tasks,
        big_tasks,
        checkin_teams,
        days,
        jobs,
    } = size;
    let series = |n: i64| {
        format!("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n})")
    };
    let sql = [
        format!(
            "{} INSERT INTO teams (chat_id, title, detected_lang, tz, created_at, updated_at, next_task_no) SELECT -x, 'team ' || x, 'en', 'Asia/Shanghai', {now}, {now}, 1 FROM c",
            series(teams)
        ),
        format!(
            "{} INSERT INTO users (user_id, username, username_lower, display_name, lang_code, updated_at) SELECT x, 'user' || x, 'user' || x, 'User ' || x, 'en', {now} FROM c",
            series(teams)
        ),
        format!(
            "{} INSERT INTO members (chat_id, user_id, first_seen, last_seen) SELECT -x, x, {now}, {now} FROM c",
            series(teams)
        ),
        // `big_tasks` in the largest team, the rest spread over the others.
        format!(
            "{} INSERT INTO tasks (chat_id, number, title, owner_id, creator_id, due_at, created_at, updated_at) \
                 SELECT CASE WHEN x <= {big_tasks} THEN {BIG} ELSE -(2 + x % ({teams} - 1)) END, x, 'Publish note batch ' || x, \
                 CASE WHEN x <= {big_tasks} THEN 1 + x % 7 ELSE 2 + x % ({teams} - 1) END, 1, {now} + (x % 500) * 3600 - 86400, {now}, {now} FROM c",
            series(tasks)
        ),
        format!("UPDATE teams SET next_task_no = {tasks} + 1"),
        format!(
            "{} INSERT INTO jobs (chat_id, kind, subject_id, mark, due_at, fire_at) \
                 SELECT chat_id, 'task_ping', id, 'due', due_at, due_at + 86400 * 30 FROM tasks, c WHERE tasks.id = c.x",
            series(jobs.min(tasks))
        ),
        format!(
            "{} INSERT INTO channels (chat_id, name, tier, monthly_budget, owner_id, created_at, updated_at) \
                 SELECT -x, ch.name, ch.tier, 3000000, x, {now}, {now} FROM c, \
                 (SELECT 'taobao' AS name, 'core' AS tier UNION ALL SELECT 'douyin', 'core' UNION ALL SELECT 'xhs', 'test' UNION ALL SELECT 'wechat', 'reserve') ch",
            series(checkin_teams)
        ),
        format!(
            "{} INSERT INTO checkins (chat_id, channel, day, creative, spend, impressions, clicks, orders, gmv, author_id, created_at, updated_at) \
                 SELECT -(1 + (x - 1) % {checkin_teams}), ch.name, date({now}, 'unixepoch', '-' || ((x - 1) / {checkin_teams}) || ' days'), '', \
                 50000, 40000, 1200, 30, 600000, 1, {now}, {now} FROM c, \
                 (SELECT 'taobao' AS name UNION ALL SELECT 'douyin' UNION ALL SELECT 'xhs' UNION ALL SELECT 'wechat') ch",
            series(checkin_teams * days)
        ),
        "ANALYZE".to_string(),
    ];
    for statement in sql {
        store.execute_raw(&statement).await.expect("fill");
    }
}

/// The `/tasks` listings sent to the largest team (their task titles say so).
pub fn big_team_task_lists(replies: &[SentMessage]) -> Vec<&SentMessage> {
    replies
        .iter()
        .filter(|m| m.chat_id == BIG && m.text.contains("Publish note batch"))
        .collect()
}

/// The longest of these messages, in Telegram's characters (UTF-16 units).
pub fn longest(messages: &[&SentMessage]) -> usize {
    messages
        .iter()
        .map(|m| m.text.encode_utf16().count())
        .max()
        .unwrap_or(0)
}
