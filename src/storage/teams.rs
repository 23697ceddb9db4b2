//! Teams, users and memberships.

use super::plan_cache::PlanChange;
use crate::domain::ids::{ChatId, UserId};
use sqlx::AssertSqlSafe;

use super::jobs::insert_job;
use super::{
    Channel, Goal, Job, NewJob, NewTeam, Store, StoreResult, Team, TeamSetting, User, on_pool,
    on_reader,
};
use crate::domain::jobs::{JobKind, JobState};

impl Store {
    /// Creates the team on first sight (keeping its first detected language), refreshes its title
    /// afterwards, and returns it. A known team under the same title (nearly every message) is
    /// only read.
    pub async fn ensure_team(&self, new: &NewTeam<'_>, now: i64) -> StoreResult<Team> {
        if let Some(team) = self.team(new.chat_id).await?
            && team.title == new.title
        {
            return Ok(team);
        }
        let plan = self.plan_changing(PlanChange::Team(new.chat_id));
        // A team inserted here has no channels or goals (theirs reference it): known without
        // reading them, and kept unless one is written from now on (issue 13: a new team's
        // first check-in reads no plan).
        let generation = self.plan_cache.generation();
        let insert = "INSERT INTO teams (chat_id, title, detected_lang, tz, created_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (chat_id) DO NOTHING";
        let inserted = on_pool!(self, |pool| sqlx::query(insert)
            .bind(new.chat_id)
            .bind(new.title)
            .bind(new.detected_lang)
            .bind(new.tz)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        if inserted == 1 {
            self.plan_cache
                .put(new.chat_id, &Vec::<Channel>::new(), generation);
            self.plan_cache
                .put(new.chat_id, &Vec::<Goal>::new(), generation);
        } else {
            let rename = "UPDATE teams SET title = $2, updated_at = $3 \
                          WHERE chat_id = $1 AND title <> $2";
            on_pool!(self, |pool| sqlx::query(rename)
                .bind(new.chat_id)
                .bind(new.title)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected());
        }
        drop(plan);
        self.team(new.chat_id)
            .await?
            .ok_or(super::StoreError::NotFound)
    }

    pub async fn team(&self, chat_id: ChatId) -> StoreResult<Option<Team>> {
        let sql = "SELECT * FROM teams WHERE chat_id = $1";
        self.read_through(chat_id, async {
            Ok(on_reader!(self, |conn| sqlx::query_as::<_, Team>(sql)
                .bind(chat_id)
                .fetch_optional(conn)
                .await?))
        })
        .await
    }

    /// Teams the user belongs to (for private-chat views across teams).
    pub async fn teams_of_user(&self, user_id: UserId) -> StoreResult<Vec<Team>> {
        let sql = "SELECT t.* FROM teams t JOIN members m ON m.chat_id = t.chat_id \
                   WHERE m.user_id = $1 AND t.active = 1 ORDER BY t.chat_id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Team>(sql)
            .bind(user_id)
            .fetch_all(pool)
            .await?))
    }

    pub async fn update_team(
        &self,
        chat_id: ChatId,
        setting: &TeamSetting,
        now: i64,
    ) -> StoreResult<()> {
        match setting {
            TeamSetting::Lang(v) => self.set_team_text("lang", v, chat_id, now).await,
            TeamSetting::Tz(v) => self.set_team_text("tz", v, chat_id, now).await,
            TeamSetting::Currency(v) => self.set_team_text("currency", v, chat_id, now).await,
            TeamSetting::Title(v) => self.set_team_text("title", v, chat_id, now).await,
            TeamSetting::Active(on) => {
                self.set_team_ints(&[("active", i64::from(*on))], chat_id, now)
                    .await
            }
            TeamSetting::Review { weekday, minute } => {
                let cols = [("review_weekday", *weekday), ("review_minute", *minute)];
                self.set_team_ints(&cols, chat_id, now).await
            }
            TeamSetting::CheckinTime(m) => {
                self.set_team_ints(&[("checkin_minute", *m)], chat_id, now)
                    .await
            }
            TeamSetting::Quiet { start, end } => {
                let cols = [("quiet_start", *start), ("quiet_end", *end)];
                self.set_team_ints(&cols, chat_id, now).await
            }
        }
    }

    /// Sets the zone in one transaction with its consequences for pending jobs: `fire_at`
    /// re-times jobs whose moment stays (quiet hours are local), and `wall_clock` replaces
    /// every pending job of the wall-clock kinds (nudge, agenda, summary), which move to the
    /// same local time in the new zone.
    pub async fn set_team_tz_replanning_jobs(
        &self,
        chat_id: ChatId,
        tz: &str,
        fire_at: &[(i64, i64)],
        wall_clock: &[NewJob],
        now: i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
        let team = "UPDATE teams SET tz = $1, updated_at = $2 WHERE chat_id = $3";
        let job =
            "UPDATE jobs SET fire_at = $2 WHERE id = $1 AND chat_id = $3 AND state = 'pending'";
        let pending = "SELECT * FROM jobs WHERE chat_id = $1 AND state = 'pending' \
                       AND kind IN ($2, $3, $4)";
        let drop =
            "UPDATE jobs SET state = $2, done_at = $3, last_error = 'replaced' WHERE id = $1";
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(team)
                .bind(tz)
                .bind(now)
                .bind(chat_id)
                .execute(&mut *tx)
                .await?;
            for (id, at) in fire_at {
                sqlx::query(job)
                    .bind(*id)
                    .bind(*at)
                    .bind(chat_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let old = sqlx::query_as::<_, Job>(pending)
                .bind(chat_id)
                .bind(JobKind::CheckinNudge.code())
                .bind(JobKind::ReviewAgenda.code())
                .bind(JobKind::ReviewSummary.code())
                .fetch_all(&mut *tx)
                .await?;
            for old in old {
                let kept = wall_clock
                    .iter()
                    .any(|n| n.kind == old.kind && n.mark == old.mark && n.due_at == old.due_at);
                if !kept {
                    sqlx::query(drop)
                        .bind(old.id)
                        .bind(JobState::Dropped.code())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for new in wall_clock {
                insert_job!(super::jobs::REPLAN_JOB_SQL, new)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// `column` is always one of the fixed names above, never user input.
    async fn set_team_text(
        &self,
        column: &str,
        value: &str,
        chat_id: ChatId,
        now: i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
        let sql = format!("UPDATE teams SET {column} = $1, updated_at = $2 WHERE chat_id = $3");
        on_pool!(self, |pool| sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(value)
            .bind(now)
            .bind(chat_id)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn set_team_ints(
        &self,
        columns: &[(&str, i64)],
        chat_id: ChatId,
        now: i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
        let n = columns.len();
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE teams SET {}, updated_at = ${} WHERE chat_id = ${}",
            sets.join(", "),
            n + 1,
            n + 2
        );
        on_pool!(self, |pool| {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
            for (_, v) in columns {
                q = q.bind(*v);
            }
            q.bind(now)
                .bind(chat_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Telegram upgraded a group to a supergroup: the team keeps everything under its new id.
    pub async fn move_team(&self, from_chat: ChatId, to_chat: ChatId, now: i64) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::All);
        let sql = "UPDATE teams SET chat_id = $1, updated_at = $2 WHERE chat_id = $3";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(to_chat)
            .bind(now)
            .bind(from_chat)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn upsert_user(&self, user: &User) -> StoreResult<()> {
        let sql = "INSERT INTO users (user_id, username, username_lower, display_name, lang_code, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6) \
                   ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, \
                   username_lower = excluded.username_lower, display_name = excluded.display_name, \
                   lang_code = COALESCE(excluded.lang_code, users.lang_code), updated_at = excluded.updated_at";
        let lower = user.username.as_deref().map(str::to_lowercase);
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(user.user_id)
            .bind(user.username.as_deref())
            .bind(lower.as_deref())
            .bind(&user.display_name)
            .bind(user.lang_code.as_deref())
            .bind(user.updated_at)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn add_member(&self, chat_id: ChatId, user_id: UserId, now: i64) -> StoreResult<()> {
        let sql = "INSERT INTO members (chat_id, user_id, first_seen, last_seen) VALUES ($1, $2, $3, $3) \
                   ON CONFLICT (chat_id, user_id) DO UPDATE SET last_seen = excluded.last_seen";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn user(&self, user_id: UserId) -> StoreResult<Option<User>> {
        let sql = "SELECT user_id, username, display_name, lang_code, updated_at FROM users WHERE user_id = $1";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await?))
    }

    /// Case-insensitive, without the leading `@`.
    pub async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = "SELECT user_id, username, display_name, lang_code, updated_at FROM users \
                   WHERE username_lower = $1 ORDER BY updated_at DESC LIMIT 1";
        let lower = username.trim_start_matches('@').to_lowercase();
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(sql)
            .bind(lower)
            .fetch_optional(pool)
            .await?))
    }

    pub async fn members(&self, chat_id: ChatId) -> StoreResult<Vec<User>> {
        let sql = "SELECT u.user_id, u.username, u.display_name, u.lang_code, u.updated_at \
                   FROM users u JOIN members m ON m.user_id = u.user_id WHERE m.chat_id = $1 ORDER BY u.user_id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(sql)
            .bind(chat_id)
            .fetch_all(pool)
            .await?))
    }
}
