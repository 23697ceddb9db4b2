//! Daily check-ins: one row per team × channel × local day × creative. Writing the same key again
//! replaces the numbers; the caller gets the previous row back to say what changed.
//! Days are local `YYYY-MM-DD` strings, so ranges compare as text on both backends.

use super::jobs::insert_job;
use super::plan_cache::PlanChange;
use super::{
    Checkin, NewCheckin, NewJob, Store, StoreError, StoreResult, on_pool, on_reader,
    on_unflushed_writer,
};
use crate::domain::ids::ChatId;
use crate::domain::jobs::{JobKind, JobState};
use crate::domain::metrics::Totals;

/// Rows per multi-row INSERT in [`Store::import_checkins`]: 15 parameters each stays far under
/// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
pub(crate) const IMPORT_CHUNK: usize = 500;

/// The merge every check-in write uses: a number a row does not carry (NULL) keeps the stored
/// one, so a later check-in of the same key replaces only the fields it names (issue 14). A
/// macro so that `concat!` can build the one-row statement from the same text.
macro_rules! merge_on_conflict {
    () => {
        " ON CONFLICT (chat_id, channel, day, creative) DO UPDATE SET \
         spend = COALESCE(excluded.spend, checkins.spend), \
         impressions = COALESCE(excluded.impressions, checkins.impressions), \
         clicks = COALESCE(excluded.clicks, checkins.clicks), \
         orders = COALESCE(excluded.orders, checkins.orders), \
         gmv = COALESCE(excluded.gmv, checkins.gmv), \
         leads = COALESCE(excluded.leads, checkins.leads), \
         new_customers = COALESCE(excluded.new_customers, checkins.new_customers), \
         interactions = COALESCE(excluded.interactions, checkins.interactions), \
         author_id = excluded.author_id, updated_at = excluded.updated_at"
    };
}
pub(crate) use merge_on_conflict;

/// Writes `rows` inside the open transaction `$tx` in chunks of [`IMPORT_CHUNK`], merging into rows
/// with the same key; evaluates to the rows written. A macro, because the transaction's type
/// differs per backend and `on_pool!` type-checks the same text for both.
macro_rules! upsert_checkins {
    ($tx:ident, $rows:expr, $now:expr) => {{
        let mut written: u64 = 0;
        for chunk in $rows.chunks($crate::storage::checkins::IMPORT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO checkins (chat_id, channel, day, creative, spend, impressions, clicks, \
                 orders, gmv, leads, new_customers, interactions, author_id, created_at, updated_at) ",
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
                    .push_bind(r.leads)
                    .push_bind(r.new_customers)
                    .push_bind(r.interactions)
                    .push_bind(r.author_id)
                    .push_bind($now)
                    .push_bind($now);
            });
            qb.push($crate::storage::checkins::merge_on_conflict!());
            written += qb.build().execute(&mut *$tx).await?.rows_affected();
        }
        written
    }};
}
pub(crate) use upsert_checkins;

/// The insert of one check-in's row, the start of both insert-based writes. The one-row writes
/// share one parameter order: the eight numbers ($1 … $8), the author ($9), `now` ($10), the
/// key ($11 … $14), and for [`MERGE_OVER_SQL`] the numbers expected stored ($15 … $22). Each
/// first appears in that order in the text, because SQLite numbers `$n` parameters by first
/// appearance and the inline statements bind by position.
macro_rules! insert_one {
    () => {
        "INSERT INTO checkins (spend, impressions, clicks, orders, gmv, leads, new_customers, \
         interactions, author_id, created_at, updated_at, chat_id, channel, day, creative) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14)"
    };
}

/// The upsert of one check-in (see [`merge_on_conflict`]), returning the stored row.
const MERGE_SQL: &str = concat!(insert_one!(), merge_on_conflict!(), " RETURNING *");

/// One check-in stored only when its key has no row yet, returning the row; no row when the
/// key has one (and then nothing is written).
const INSERT_NEW_SQL: &str = concat!(
    insert_one!(),
    " ON CONFLICT (chat_id, channel, day, creative) DO NOTHING RETURNING *"
);

/// A merge into the row with $11 … $14's key that writes only while the row's numbers are still
/// $15 … $22 (the ones the merged day was checked with); no row when they are not, or the row
/// is gone. The same merge as [`merge_on_conflict`], for a row known to exist.
const MERGE_OVER_SQL: &str = "UPDATE checkins SET spend = COALESCE($1, spend), \
     impressions = COALESCE($2, impressions), clicks = COALESCE($3, clicks), \
     orders = COALESCE($4, orders), gmv = COALESCE($5, gmv), leads = COALESCE($6, leads), \
     new_customers = COALESCE($7, new_customers), \
     interactions = COALESCE($8, interactions), author_id = $9, updated_at = $10 \
     WHERE chat_id = $11 AND channel = $12 AND day = $13 AND creative = $14 \
     AND spend IS NOT DISTINCT FROM $15 AND impressions IS NOT DISTINCT FROM $16 \
     AND clicks IS NOT DISTINCT FROM $17 AND orders IS NOT DISTINCT FROM $18 \
     AND gmv IS NOT DISTINCT FROM $19 AND leads IS NOT DISTINCT FROM $20 \
     AND new_customers IS NOT DISTINCT FROM $21 AND interactions IS NOT DISTINCT FROM $22 \
     RETURNING *";

/// A one-row write ([`MERGE_SQL`], [`INSERT_NEW_SQL`], [`MERGE_OVER_SQL`]) bound to one
/// check-in's $1 … $14 (see [`insert_one`]); a macro because the query's type differs per backend and `on_pool!`
/// type-checks the same text for both.
macro_rules! one_row_query {
    ($sql:expr, $new:expr, $now:expr) => {
        sqlx::query_as::<_, Checkin>($sql)
            .bind($new.spend)
            .bind($new.impressions)
            .bind($new.clicks)
            .bind($new.orders)
            .bind($new.gmv)
            .bind($new.leads)
            .bind($new.new_customers)
            .bind($new.interactions)
            .bind($new.author_id)
            .bind($now)
            .bind($new.chat_id)
            .bind($new.channel)
            .bind($new.day)
            .bind($new.creative)
    };
}

const KEY_SQL: &str =
    "SELECT * FROM checkins WHERE chat_id = $1 AND channel = $2 AND day = $3 AND creative = $4";

impl Store {
    /// Writes a check-in, merging into the one with the same team, channel, day and creative
    /// (only the numbers it carries change). Returns the stored row and the row before, if any.
    pub async fn put_checkin(
        &self,
        new: &NewCheckin<'_>,
        now: i64,
    ) -> StoreResult<(Checkin, Option<Checkin>)> {
        let before = self
            .checkin(new.chat_id, new.channel, new.day, new.creative)
            .await?;
        Ok((self.merge_checkin(new, now).await?, before))
    }

    /// Merges one check-in into the row with its key and returns the stored row: one statement,
    /// atomic by itself, so no transaction around it (each would cost two more round trips).
    pub async fn merge_checkin(&self, new: &NewCheckin<'_>, now: i64) -> StoreResult<Checkin> {
        self.write_one_checkin(MERGE_SQL, new, None, now)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Stores a check-in whose key has no row yet and returns it; None, writing nothing, when
    /// the key has a row (the caller then reads it and merges). A day's first check-in is
    /// then one statement instead of a read and a merge: a round trip less on PostgreSQL.
    pub async fn insert_new_checkin(
        &self,
        new: &NewCheckin<'_>,
        now: i64,
    ) -> StoreResult<Option<Checkin>> {
        self.write_one_checkin(INSERT_NEW_SQL, new, None, now).await
    }

    /// Merges a check-in into `known`, the stored row it was checked against, in one statement
    /// that writes only while the row's numbers are still `known`'s: None, writing nothing,
    /// when they changed or the row is gone (the caller then reads it and checks again).
    pub async fn merge_checkin_over(
        &self,
        new: &NewCheckin<'_>,
        known: &Checkin,
        now: i64,
    ) -> StoreResult<Option<Checkin>> {
        self.write_one_checkin(MERGE_OVER_SQL, new, Some(known), now)
            .await
    }

    /// The row this process last saw stored under `new`'s key, if it remembers one. Only a
    /// guess at what is stored (another instance may have changed it since): the writes above
    /// check it, and a wrong guess costs a round trip, never a wrong number.
    pub fn known_checkin(&self, new: &NewCheckin<'_>) -> Option<Checkin> {
        self.known_checkins.get(new)
    }

    /// One of the one-row writes, bound to `new` (and to `expected`'s numbers for
    /// [`MERGE_OVER_SQL`]); the row it returns is remembered.
    async fn write_one_checkin(
        &self,
        sql: &'static str,
        new: &NewCheckin<'_>,
        expected: Option<&Checkin>,
        now: i64,
    ) -> StoreResult<Option<Checkin>> {
        let expected = expected.map(expected_numbers);
        let inline = self.on_inline(|inline| {
            let mut params: Vec<&dyn rusqlite::ToSql> = vec![
                &new.spend,
                &new.impressions,
                &new.clicks,
                &new.orders,
                &new.gmv,
                &new.leads,
                &new.new_customers,
                &new.interactions,
                &new.author_id,
                &now,
                &new.chat_id,
                &new.channel,
                &new.day,
                &new.creative,
            ];
            for n in expected.iter().flatten() {
                params.push(n);
            }
            inline.first(sql, params.as_slice())
        })?;
        let written = match inline {
            Some(row) => row,
            // Before its update's marks, on their connection (see `UNFLUSHED_SESSION`).
            None => on_unflushed_writer!(self, |conn| {
                let mut query = one_row_query!(sql, new, now);
                for n in expected.iter().flatten() {
                    query = query.bind(*n);
                }
                query.fetch_optional(conn).await?
            }),
        };
        if let Some(row) = &written {
            self.known_checkins.remember(row);
        }
        Ok(written)
    }

    /// Writes several check-ins in one transaction (all or none), each merged as in
    /// [`Store::put_checkin`]: `/checkin` with one line per channel, and imported days.
    /// Returns, in order, each stored row and the row it merged into.
    ///
    /// The rows merged into are read before the transaction, not inside it: on SQLite a
    /// transaction that reads before it writes cannot wait for a concurrent writer (it fails
    /// with "database is locked" at once), while one that starts by writing waits its turn.
    /// A concurrent check-in of the same key can only make the "what changed" note stale,
    /// never the stored numbers (each upsert is atomic), and so can the same key twice in one
    /// batch (the second note compares with the numbers before the batch).
    pub async fn put_checkins(
        &self,
        rows: &[NewCheckin<'_>],
        now: i64,
    ) -> StoreResult<Vec<(Checkin, Option<Checkin>)>> {
        let mut before = Vec::with_capacity(rows.len());
        for new in rows {
            before.push(
                self.checkin(new.chat_id, new.channel, new.day, new.creative)
                    .await?,
            );
        }
        let mut stored = Vec::with_capacity(rows.len());
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for new in rows {
                let row = one_row_query!(MERGE_SQL, new, now)
                    .fetch_one(&mut *tx)
                    .await?;
                stored.push(row);
            }
            tx.commit().await?;
        });
        for row in &stored {
            self.known_checkins.remember(row);
        }
        Ok(stored.into_iter().zip(before).collect())
    }

    /// The check-in for one key, if there is one.
    pub async fn checkin(
        &self,
        chat_id: ChatId,
        channel: &str,
        day: &str,
        creative: &str,
    ) -> StoreResult<Option<Checkin>> {
        let read = self.on_inline(|inline| {
            inline.first(KEY_SQL, rusqlite::params![chat_id, channel, day, creative])
        })?;
        let row = match read {
            Some(row) => row,
            None => on_reader!(self, |conn| sqlx::query_as::<_, Checkin>(KEY_SQL)
                .bind(chat_id)
                .bind(channel)
                .bind(day)
                .bind(creative)
                .fetch_optional(conn)
                .await?),
        };
        if let Some(row) = &row {
            self.known_checkins.remember(row);
        }
        Ok(row)
    }

    /// A team's check-ins with `from <= day <= to` (inclusive), by day, channel, creative.
    pub async fn checkins_between(
        &self,
        chat_id: ChatId,
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

    /// A team's check-ins with `from <= day <= to` of one channel (`channel` = "" for every
    /// channel), by channel, day, creative. Summed by `domain::totals::window_totals`, not SQL:
    /// each metric counts only the days its inputs were known, which a plain `SUM` cannot say.
    pub async fn channel_checkins(
        &self,
        chat_id: ChatId,
        from_day: &str,
        to_day: &str,
        channel: &str,
    ) -> StoreResult<Vec<Checkin>> {
        let sql = "SELECT * FROM checkins WHERE chat_id = $1 AND day >= $2 AND day <= $3 \
                   AND ($4 = '' OR channel = $4) ORDER BY channel, day, creative";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Checkin>(sql)
            .bind(chat_id)
            .bind(from_day)
            .bind(to_day)
            .bind(channel)
            .fetch_all(pool)
            .await?))
    }

    /// Spend per channel over `from <= day <= to` (minor units), for budget pacing: the sum of
    /// the spend reported; a channel that reported none has no row (unknown, not 0).
    pub async fn spend_by_channel(
        &self,
        chat_id: ChatId,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<(String, i64)>> {
        let sql = "SELECT channel, CAST(SUM(spend) AS BIGINT) FROM checkins \
                   WHERE chat_id = $1 AND day >= $2 AND day <= $3 AND spend IS NOT NULL \
                   GROUP BY channel ORDER BY channel";
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
    pub async fn channels_checked_in(
        &self,
        chat_id: ChatId,
        day: &str,
    ) -> StoreResult<Vec<String>> {
        let sql = "SELECT DISTINCT channel FROM checkins WHERE chat_id = $1 AND day = $2 ORDER BY channel";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, String>(sql)
            .bind(chat_id)
            .bind(day)
            .fetch_all(pool)
            .await?))
    }

    /// The last day each channel was checked in (for "no numbers for N days" checks).
    pub async fn last_checkin_days(&self, chat_id: ChatId) -> StoreResult<Vec<(String, String)>> {
        let sql = "SELECT channel, MAX(day) FROM checkins WHERE chat_id = $1 GROUP BY channel ORDER BY channel";
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, (String, String)>(sql)
                .bind(chat_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// How many check-in rows a team has.
    pub async fn count_checkins(&self, chat_id: ChatId) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM checkins WHERE chat_id = $1";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(chat_id)
            .fetch_one(pool)
            .await?))
    }

    /// Inserts many check-ins at once (demo data, benchmarks), merging into rows with the same
    /// key like [`Store::put_checkin`], in one transaction. Returns the rows written.
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
        chat_id: ChatId,
        minute: Option<Option<i64>>,
        next: Option<&NewJob>,
        now: i64,
    ) -> StoreResult<bool> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
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
                .bind(JobState::Dropped.code())
                .bind(now)
                .bind(JobState::Pending.code())
                .bind(kind);
            if let Some(job) = next {
                dropped = dropped.bind(&job.mark).bind(job.due_at);
            }
            dropped.execute(&mut *tx).await?;
            let mut written = 0;
            if let Some(job) = next {
                written = insert_job!(super::jobs::REPLAN_JOB_SQL, job)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            written
        });
        Ok(written == 1)
    }

    /// Turns the daily check-in nudge off (`/checkin_time off`). Lives here rather than in
    /// `TeamSetting` because that enum sets values and this clears one.
    pub async fn clear_checkin_time(&self, chat_id: ChatId, now: i64) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
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
        Totals::of(&c.numbers())
    }
}

/// The numbers [`MERGE_OVER_SQL`] expects stored, in its order ($15 … $22).
fn expected_numbers(row: &Checkin) -> [Option<i64>; 8] {
    [
        row.spend,
        row.impressions,
        row.clicks,
        row.orders,
        row.gmv,
        row.leads,
        row.new_customers,
        row.interactions,
    ]
}
