//! Creative A/B tests (issue 7): per-creative sums of one channel's check-ins over a range of
//! days, the days the test has data for, and how many times the team asked about a test (the
//! peeking warning). Check-ins without a creative label ('') are never part of a test.
//! Days are local `YYYY-MM-DD` strings, so ranges compare as text on both backends.

use crate::domain::ids::ChatId;
use sqlx::FromRow;

use super::{Store, StoreResult, on_pool};

/// One creative's summed numbers over a range of days.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct CreativeSums {
    /// The label from `/checkin … creative=<label>`.
    pub creative: String,
    /// Distinct days with a check-in for this creative.
    pub days: i64,
    /// The first and last such day (`YYYY-MM-DD`).
    pub first_day: String,
    pub last_day: String,
    /// Minor units.
    pub spend: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub orders: i64,
    /// Clicks on the rows that reported orders: CVR's denominator, so a row with unknown orders
    /// is not read as clicks that converted to nothing.
    pub cvr_clicks: i64,
    /// Minor units.
    pub gmv: i64,
}

/// The days a channel's creative test has data for within a range.
#[derive(Clone, Debug, Default, PartialEq, Eq, FromRow)]
pub struct CreativeSpan {
    /// Distinct days with at least one creative check-in.
    pub days: i64,
    /// The first and last such day; `None` without any.
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

impl Store {
    /// Per-creative sums of `channel`'s check-ins with `from <= day <= to` (inclusive), by label.
    /// Check-ins without a creative are left out; creatives without check-ins have no row.
    pub async fn creative_sums(
        &self,
        chat_id: ChatId,
        channel: &str,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<CreativeSums>> {
        // SUM over BIGINT is NUMERIC in PostgreSQL: cast back so both backends decode i64.
        // Numbers may be unreported (NULL): CTR's impressions and clicks are summed over the rows
        // that have both; CVR's orders and clicks over the rows that have both of those.
        let sql = "SELECT creative, CAST(COUNT(DISTINCT day) AS BIGINT) AS days, \
                   MIN(day) AS first_day, MAX(day) AS last_day, \
                   CAST(COALESCE(SUM(spend), 0) AS BIGINT) AS spend, \
                   CAST(COALESCE(SUM(CASE WHEN clicks IS NOT NULL THEN impressions END), 0) AS BIGINT) \
                   AS impressions, \
                   CAST(COALESCE(SUM(CASE WHEN impressions IS NOT NULL THEN clicks END), 0) AS BIGINT) \
                   AS clicks, \
                   CAST(COALESCE(SUM(CASE WHEN clicks IS NOT NULL THEN orders END), 0) AS BIGINT) AS orders, \
                   CAST(COALESCE(SUM(CASE WHEN orders IS NOT NULL THEN clicks END), 0) AS BIGINT) \
                   AS cvr_clicks, \
                   CAST(COALESCE(SUM(gmv), 0) AS BIGINT) AS gmv \
                   FROM checkins WHERE chat_id = $1 AND channel = $2 AND day >= $3 AND day <= $4 \
                   AND creative <> '' GROUP BY creative ORDER BY creative";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, CreativeSums>(
            sql
        )
        .bind(chat_id)
        .bind(channel)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(pool)
        .await?))
    }

    /// How many distinct days `channel` has creative check-ins for within `from <= day <= to`,
    /// and the first and last of them.
    pub async fn creative_span(
        &self,
        chat_id: ChatId,
        channel: &str,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<CreativeSpan> {
        let sql = "SELECT CAST(COUNT(DISTINCT day) AS BIGINT) AS days, \
                   MIN(day) AS first_day, MAX(day) AS last_day \
                   FROM checkins WHERE chat_id = $1 AND channel = $2 AND day >= $3 AND day <= $4 \
                   AND creative <> ''";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, CreativeSpan>(
            sql
        )
        .bind(chat_id)
        .bind(channel)
        .bind(from_day)
        .bind(to_day)
        .fetch_one(pool)
        .await?))
    }

    /// Channels with creative check-ins within `from <= day <= to`, by name.
    pub async fn channels_with_creatives(
        &self,
        chat_id: ChatId,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<String>> {
        let sql = "SELECT DISTINCT channel FROM checkins WHERE chat_id = $1 AND day >= $2 \
                   AND day <= $3 AND creative <> '' ORDER BY channel";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, String>(sql)
            .bind(chat_id)
            .bind(from_day)
            .bind(to_day)
            .fetch_all(pool)
            .await?))
    }

    /// Counts one more `/abtest` look at a test (`test_key` names it: the sorted creative
    /// labels) and returns how many times it has been asked, this time included. Atomic: two
    /// concurrent asks count two.
    pub async fn count_abtest_ask(
        &self,
        chat_id: ChatId,
        channel: &str,
        test_key: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO abtest_asks (chat_id, channel, test_key, asks, first_at, last_at) \
                   VALUES ($1, $2, $3, 1, $4, $4) \
                   ON CONFLICT (chat_id, channel, test_key) DO UPDATE SET \
                   asks = abtest_asks.asks + 1, last_at = excluded.last_at \
                   RETURNING asks";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(chat_id)
            .bind(channel)
            .bind(test_key)
            .bind(now)
            .fetch_one(pool)
            .await?))
    }

    /// How many times a test has been asked about (0 when never).
    pub async fn abtest_asks(
        &self,
        chat_id: ChatId,
        channel: &str,
        test_key: &str,
    ) -> StoreResult<i64> {
        let sql =
            "SELECT asks FROM abtest_asks WHERE chat_id = $1 AND channel = $2 AND test_key = $3";
        let asks = on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(chat_id)
            .bind(channel)
            .bind(test_key)
            .fetch_optional(pool)
            .await?);
        Ok(asks.unwrap_or(0))
    }
}
