//! Temporary: bot/numbers.rs still names people through these until its area moves to the
//! service layer. Task views live in `crate::views::tasks`, names in `crate::service::tasks`.

use crate::service::tasks::person;
use crate::storage::{Store, StoreResult};
use crate::views::tasks as views;

/// A clickable mention of a user by id (works without a username), HTML-escaped.
pub fn mention(user_id: i64, name: &str) -> String {
    views::mention(user_id, name).into_string()
}

/// Plain name (no link) for lists.
pub async fn person_name(
    store: &Store,
    user_id: Option<i64>,
    username: Option<&str>,
) -> StoreResult<String> {
    Ok(views::person_name(&person(store, user_id, username).await?))
}
