//! Daily check-ins: one row per team × channel × local day × creative. Writing the same key again
//! replaces the numbers; the caller gets the previous row back to say what changed.
//! Days are local `YYYY-MM-DD` strings, so ranges compare as text on both backends.

use super::jobs::insert_job;
use super::{
    ChannelSums, Checkin, JOB_DROPPED, JOB_PENDING, NewCheckin, NewJob, Store, StoreResult, on_pool,
};
use crate::domain::jobs::JobKind;
use crate::domain::metrics::Totals;

/// Rows per multi-row INSERT in [`Store::import_checkins`]: 14 parameters each stays far under
/// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
pub(crate) const IMPORT_CHUNK: usize = 500;

/// Writes `rows` inside the open transaction `$tx` in chunks of [`IMPORT_CHUNK`], replacing rows
/// with the same key; evaluates to the rows written. A macro, because the transaction's type
/// differs per backend and `on_pool!` type-checks the same text for both.
macro_rules! upsert_checkins {
    ($tx:ident, $rows:expr, $now:expr) => {{
        let mut written: u64 = 0;
        for chunk in $rows.chunks($crate::storage::checkins::IMPORT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO checkins (chat_id, channel, day, creative, spend, impressions, clicks, \
                 orders, gmv, new_customers, interactions, author_id, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.chat_id)
                    .push_bind(r.channel)
                    .push_bind(r.day)
                    .push_bind(r.creative)
                    .push_bind(r.spend)
                    .push_bind(r.impressions)
                    .push_bind(r.clicks)
                    .push_bind(r.orders)
                    .push_bind(r.gmv)
                    .push_bind(r.new_customers)
                    .push_bind(r.interactions)
                    .push_bind(r.author_id)
                    .push_bind($now)
                    .push_bind($now);
            });
            qb.push(
                " ON CONFLICT (chat_id, channel, day, creative) DO UPDATE SET \
                 spend = excluded.spend, impressions = excluded.impressions, clicks = excluded.clicks, \
                 orders = excluded.orders, gmv = excluded.gmv, new_customers = excluded.new_customers, \
                 interactions = excluded.interactions, author_id = excluded.author_id, \
                 updated_at = excluded.updated_at",
            );
            written += qb.build().execute(&mut *$tx).await?.rows_affected();
        }
        written
    }};
}
pub(crate) use upsert_checkins;

impl Store {
    /// Writes a check-in, replacing the one with the same team, channel, day and creative.
    /// Returns the stored row and the row it replaced, if any.
    ///
    /// Two statements, not one transaction: a concurrent check-in of the same key can only make
    /// the "what changed" note stale, never the stored numbers (the upsert is atomic).
    pub async fn put_checkin(
        &self,
        new: &NewCheckin<'_>,
        now: i64,
    ) -> StoreResult<(Checkin, Option<Checkin>)> {
        let before = self
            .checkin(new.chat_id, new.channel, new.day, new.creative)
            .await?;
        let sql = "INSERT INTO checkins (chat_id, channel, day, creative, spend, impressions, clicks, \
                   orders, gmv, new_customers, interactions, author_id, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                   ON CONFLICT (chat_id, channel, day, creative) DO UPDATE SET \
                   spend = excluded.spend, impressions = excluded.impressions, clicks = excluded.clicks, \
                   orders = excluded.orders, gmv = excluded.gmv, new_customers = excluded.new_customers, \
                   interactions = excluded.interactions, author_id = excluded.author_id, \
                   updated_at = excluded.updated_at \
                   RETURNING *";
        let row = on_pool!(self, |pool| sqlx::query_as::<_, Checkin>(sql)
            .bind(new.chat_id)
            .bind(new.channel)
            .bind(new.day)
            .bind(new.creative)
            .bind(new.spend)
            .bind(new.impressions)
            .bind(new.clicks)
            .bind(new.orders)
            .bind(new.gmv)
            .bind(new.new_customers)
            .bind(new.interactions)
            .bind(new.author_id)
            .bind(now)
            .fetch_one(pool)
            .await?);
        Ok((row, before))
    }

    /// The check-in for one key, if there is one.
    pub async fn checkin(
        &self,
        chat_id: i64,
        channel: &str,
        day: &str,
        creative: &str,
    ) -> StoreResult<Option<Checkin>> {
        let sql = "SELECT * FROM checkins WHERE chat_id = $1 AND channel = $2 AND day = $3 AND creative = $4";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Checkin>(sql)
            .bind(chat_id)
            .bind(channel)
            .bind(day)
            .bind(creative)
            .fetch_optional(pool)
            .await?))
    }

    /// A team's check-ins with `from <= day <= to` (inclusive), by day, channel, creative.
    pub async fn checkins_between(
        &self,
        chat_id: i64,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<Checkin>> {
        let sql = "SELECT * FROM checkins WHERE chat_id = $1 AND day >= $2 AND day <= $3 \
                   ORDER BY day, channel, creative";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Checkin>(sql)
            .bind(chat_id)
            .bind(from_day)
            .bind(to_day)
            .fetch_all(pool)
            .await?))
    }

    /// Per-channel sums over `from <= day <= to`; `channel` = "" for every channel.
    /// Channels without check-ins in the range have no row.
    pub async fn channel_sums(
        &self,
        chat_id: i64,
        from_day: &str,
        to_day: &str,
        channel: &str,
    ) -> StoreResult<Vec<ChannelSums>> {
        // SUM over BIGINT is NUMERIC in PostgreSQL: cast back so both backends decode i64.
        let sql = "SELECT channel, CAST(COUNT(DISTINCT day) AS BIGINT) AS days, \
                   CAST(SUM(spend) AS BIGINT) AS spend, CAST(SUM(impressions) AS BIGINT) AS impressions, \
                   CAST(SUM(clicks) AS BIGINT) AS clicks, CAST(SUM(orders) AS BIGINT) AS orders, \
                   CAST(SUM(gmv) AS BIGINT) AS gmv, CAST(SUM(new_customers) AS BIGINT) AS new_customers, \
                   CAST(SUM(interactions) AS BIGINT) AS interactions \
                   FROM checkins WHERE chat_id = $1 AND day >= $2 AND day <= $3 \
                   AND ($4 = '' OR channel = $4) GROUP BY channel ORDER BY channel";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, ChannelSums>(sql)
            .bind(chat_id)
            .bind(from_day)
            .bind(to_day)
            .bind(channel)
            .fetch_all(pool)
            .await?))
    }

    /// Spend per channel over `from <= day <= to` (minor units), for budget pacing.
    pub async fn spend_by_channel(
        &self,
        chat_id: i64,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<(String, i64)>> {
        let sql = "SELECT channel, CAST(SUM(spend) AS BIGINT) FROM checkins \
                   WHERE chat_id = $1 AND day >= $2 AND day <= $3 GROUP BY channel ORDER BY channel";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, (String, i64)>(
            sql
        )
        .bind(chat_id)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(pool)
        .await?))
    }

    /// Channels with at least one check-in on `day`.
    pub async fn channels_checked_in(&self, chat_id: i64, day: &str) -> StoreResult<Vec<String>> {
        let sql = "SELECT DISTINCT channel FROM checkins WHERE chat_id = $1 AND day = $2 ORDER BY channel";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, String>(sql)
            .bind(chat_id)
            .bind(day)
            .fetch_all(pool)
            .await?))
    }

    /// The last day each channel was checked in (for "no numbers for N days" checks).
    pub async fn last_checkin_days(&self, chat_id: i64) -> StoreResult<Vec<(String, String)>> {
        let sql = "SELECT channel, MAX(day) FROM checkins WHERE chat_id = $1 GROUP BY channel ORDER BY channel";
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, (String, String)>(sql)
                .bind(chat_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// How many check-in rows a team has.
    pub async fn count_checkins(&self, chat_id: i64) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM checkins WHERE chat_id = $1";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(chat_id)
            .fetch_one(pool)
            .await?))
    }

    /// Inserts many check-ins at once (demo data, benchmarks, imports), replacing rows with the
    /// same key, in one transaction. Returns the rows written.
    pub async fn import_checkins(&self, rows: &[NewCheckin<'_>], now: i64) -> StoreResult<u64> {
        let written = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let written = upsert_checkins!(tx, rows, now);
            tx.commit().await?;
            written
        });
        Ok(written)
    }

    /// Replaces the team's pending check-in nudge with `next` (None: no nudge stays planned),
    /// first writing the check-in time when `minute` is given (`Some(None)` turns it off). One
    /// transaction: a crash never leaves a new time with the old time's nudge still planned.
    /// Returns whether `next` was newly written (false: that very nudge was already pending).
    pub async fn replan_nudge(
        &self,
        chat_id: i64,
        minute: Option<Option<i64>>,
        next: Option<&NewJob>,
        now: i64,
    ) -> StoreResult<bool> {
        let kind = JobKind::CheckinNudge.code();
        // The pending nudge that equals `next` stays; every other one of this chat is dropped.
        let drop_sql = match next {
            Some(_) => {
                "UPDATE jobs SET state = $2, done_at = $3, last_error = 'replaced' \
                 WHERE chat_id = $1 AND state = $4 AND kind = $5 AND NOT (mark = $6 AND due_at = $7)"
            }
            None => {
                "UPDATE jobs SET state = $2, done_at = $3, last_error = 'replaced' \
                 WHERE chat_id = $1 AND state = $4 AND kind = $5"
            }
        };
        let written = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(minute) = minute {
                sqlx::query(
                    "UPDATE teams SET checkin_minute = $2, updated_at = $3 WHERE chat_id = $1",
                )
                .bind(chat_id)
                .bind(minute)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let mut dropped = sqlx::query(drop_sql)
                .bind(chat_id)
                .bind(JOB_DROPPED)
                .bind(now)
                .bind(JOB_PENDING)
                .bind(kind);
            if let Some(job) = next {
                dropped = dropped.bind(&job.mark).bind(job.due_at);
            }
            dropped.execute(&mut *tx).await?;
            let mut written = 0;
            if let Some(job) = next {
                written = insert_job!(job).execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            written
        });
        Ok(written == 1)
    }

    /// Turns the daily check-in nudge off (`/checkin_time off`). Lives here rather than in
    /// `TeamSetting` because that enum sets values and this clears one.
    pub async fn clear_checkin_time(&self, chat_id: i64, now: i64) -> StoreResult<()> {
        let sql = "UPDATE teams SET checkin_minute = NULL, updated_at = $2 WHERE chat_id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }
}

impl From<&Checkin> for Totals {
    fn from(c: &Checkin) -> Totals {
        Totals {
            spend: c.spend,
            impressions: c.impressions,
            clicks: c.clicks,
            orders: c.orders,
            gmv: c.gmv,
            new_customers: c.new_customers,
            interactions: c.interactions,
        }
    }
}

impl From<&ChannelSums> for Totals {
    fn from(s: &ChannelSums) -> Totals {
        Totals {
            spend: s.spend,
            impressions: s.impressions,
            clicks: s.clicks,
            orders: s.orders,
            gmv: s.gmv,
            new_customers: s.new_customers,
            interactions: s.interactions,
        }
    }
}
