//! Queries of the weekly review (issue 6).

use super::{Store, StoreResult, on_pool};

impl Store {
    /// Turns the weekly review off (`/review off`).
    pub async fn clear_review(&self, chat_id: i64, now: i64) -> StoreResult<()> {
        let sql = "UPDATE teams SET review_weekday = NULL, review_minute = NULL, updated_at = $2 \
                   WHERE chat_id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(chat_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }
}
