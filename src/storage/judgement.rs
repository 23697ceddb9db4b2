//! What the judgement remembers per team (issue 15): the causes the last summary or agenda
//! showed (written with the job's "sent" mark, in one transaction) and the team's own festivals.

use crate::domain::ids::ChatId;
use chrono::NaiveDate;

use crate::domain::bottleneck::Severity;
use crate::domain::checkins::{day_key, parse_day_key};
use crate::domain::jobs::JobState;
use crate::domain::judgement::festivals::TeamFestival;
use crate::domain::judgement::repeats::{Cause, Shown, parse_subject_key, subject_key};

use super::{Store, StoreResult, on_pool};

fn severity_code(s: Severity) -> i64 {
    match s {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
    }
}

fn severity_of(code: i64) -> Severity {
    match code {
        0 => Severity::Low,
        1 => Severity::Medium,
        _ => Severity::High,
    }
}

impl Store {
    /// The causes the team's last summary or agenda showed. A row this version cannot read
    /// (a subject or day it does not know) is left out rather than guessed.
    pub async fn shown_flags(&self, chat_id: ChatId) -> StoreResult<Vec<Shown>> {
        let sql = "SELECT cause, subject, severity, first_seen FROM shown_flags \
                   WHERE chat_id = $1 ORDER BY cause, subject";
        let rows: Vec<(String, String, i64, String)> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(chat_id)
            .fetch_all(pool)
            .await?);
        Ok(rows
            .into_iter()
            .filter_map(|(code, subject, severity, first_seen)| {
                Some(Shown {
                    cause: Cause {
                        code,
                        subject: parse_subject_key(&subject)?,
                    },
                    severity: severity_of(severity),
                    first_seen: parse_day_key(&first_seen)?,
                })
            })
            .collect())
    }

    /// A claimed summary or agenda job was delivered showing `shown`: in one transaction, the
    /// team's remembered causes become `shown` and the job is marked sent. A job retried
    /// before this commits still compares with the summary before it, so "first seen" never
    /// shifts.
    pub async fn job_sent_remembering(
        &self,
        job_id: i64,
        chat_id: ChatId,
        now: i64,
        shown: &[Shown],
    ) -> StoreResult<()> {
        let clear = "DELETE FROM shown_flags WHERE chat_id = $1";
        let insert = "INSERT INTO shown_flags (chat_id, cause, subject, severity, first_seen) \
                      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chat_id, cause, subject) DO NOTHING";
        let sent = "UPDATE jobs SET state = $2, done_at = $3, last_error = NULL WHERE id = $1";
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(clear).bind(chat_id).execute(&mut *tx).await?;
            for s in shown {
                sqlx::query(insert)
                    .bind(chat_id)
                    .bind(&s.cause.code)
                    .bind(subject_key(&s.cause.subject))
                    .bind(severity_code(s.severity))
                    .bind(day_key(s.first_seen))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(sent)
                .bind(job_id)
                .bind(JobState::Sent.code())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The team's own festivals, by day.
    pub async fn team_festivals(&self, chat_id: ChatId) -> StoreResult<Vec<TeamFestival>> {
        let sql = "SELECT day, name FROM team_festivals WHERE chat_id = $1 ORDER BY day";
        let rows: Vec<(String, String)> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(chat_id)
            .fetch_all(pool)
            .await?);
        Ok(rows
            .into_iter()
            .filter_map(|(day, name)| {
                Some(TeamFestival {
                    day: parse_day_key(&day)?,
                    name,
                })
            })
            .collect())
    }

    /// Adds a festival day (or renames the one on that day). Returns the name it replaced.
    pub async fn add_team_festival(
        &self,
        chat_id: ChatId,
        day: NaiveDate,
        name: &str,
        now: i64,
    ) -> StoreResult<Option<String>> {
        let before = "SELECT name FROM team_festivals WHERE chat_id = $1 AND day = $2";
        let upsert = "INSERT INTO team_festivals (chat_id, day, name, created_at) \
                      VALUES ($1, $2, $3, $4) ON CONFLICT (chat_id, day) DO UPDATE \
                      SET name = excluded.name";
        let key = day_key(day);
        let replaced: Option<(String,)> = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let old: Option<(String,)> = sqlx::query_as(before)
                .bind(chat_id)
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(upsert)
                .bind(chat_id)
                .bind(&key)
                .bind(name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            old
        });
        Ok(replaced.map(|(n,)| n))
    }

    /// Removes the festival on a day. Returns its name, or `None` when there was none.
    pub async fn remove_team_festival(
        &self,
        chat_id: ChatId,
        day: NaiveDate,
    ) -> StoreResult<Option<String>> {
        let sql = "DELETE FROM team_festivals WHERE chat_id = $1 AND day = $2 RETURNING name";
        let removed: Option<(String,)> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(chat_id)
            .bind(day_key(day))
            .fetch_optional(pool)
            .await?);
        Ok(removed.map(|(n,)| n))
    }
}
