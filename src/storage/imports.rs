//! Imports waiting for confirmation, and confirming one: the pending row is taken and every
//! day written in one transaction, so a double press or a crash stores a report once or not
//! at all.

use super::checkins::upsert_checkins;
use super::{NewCheckin, PendingImport, Store, StoreResult, on_pool};
use crate::domain::ids::ChatId;

impl Store {
    /// Keeps a preview until `expires_at`; forgets previews that expired before `now` (nobody
    /// can press them any more). Returns the new id.
    pub async fn put_pending_import(&self, p: &PendingImport, now: i64) -> StoreResult<i64> {
        let sql = "INSERT INTO pending_imports (chat_id, requester_id, channel, file_name, report, \
                   created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        Ok(on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM pending_imports WHERE expires_at < $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let id = sqlx::query_scalar::<_, i64>(sql)
                .bind(p.chat_id)
                .bind(p.requester_id)
                .bind(&p.channel)
                .bind(&p.file_name)
                .bind(&p.report)
                .bind(p.created_at)
                .bind(p.expires_at)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        }))
    }

    /// A pending import of this team, if it is still there.
    pub async fn pending_import(
        &self,
        id: i64,
        chat_id: ChatId,
    ) -> StoreResult<Option<PendingImport>> {
        let sql = "SELECT * FROM pending_imports WHERE id = $1 AND chat_id = $2";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, PendingImport>(
            sql
        )
        .bind(id)
        .bind(chat_id)
        .fetch_optional(pool)
        .await?))
    }

    /// Drops a pending import (cancelled or expired); false if it was already gone.
    pub async fn drop_pending_import(&self, id: i64) -> StoreResult<bool> {
        let sql = "DELETE FROM pending_imports WHERE id = $1";
        let n = on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Takes the pending import and writes its rows, in one transaction. None (and nothing
    /// written) when it was already taken: a second press, or another process's.
    pub async fn confirm_import(
        &self,
        id: i64,
        rows: &[NewCheckin<'_>],
        now: i64,
    ) -> StoreResult<Option<u64>> {
        Ok(on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let taken = sqlx::query("DELETE FROM pending_imports WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if taken == 1 {
                let written = upsert_checkins!(tx, rows, now);
                tx.commit().await?;
                Some(written)
            } else {
                tx.rollback().await?;
                None
            }
        }))
    }
}
