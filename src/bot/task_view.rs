//! How tasks read in messages: mentions, relative due times, pings with their buttons.
//! Shared by the command handlers and the scheduler.

use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::reply::escape;
use crate::domain::lang::Lang;
use crate::domain::when::format_local;
use crate::i18n::tr;
use crate::storage::{Store, StoreResult, Task};

/// A clickable mention of a user by id (works without a username), HTML-escaped.
pub fn mention(user_id: i64, name: &str) -> String {
    format!("<a href=\"tg://user?id={user_id}\">{}</a>", escape(name))
}

/// The owner as a mention, or `@username` while they have not been seen.
pub async fn owner_mention(store: &Store, task: &Task) -> StoreResult<String> {
    person(store, task.owner_id, task.owner_username.as_deref()).await
}

pub async fn person(
    store: &Store,
    user_id: Option<i64>,
    username: Option<&str>,
) -> StoreResult<String> {
    if let Some(id) = user_id {
        let name = store
            .user(id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| id.to_string());
        return Ok(mention(id, &name));
    }
    Ok(format!("@{}", escape(username.unwrap_or("?"))))
}

/// Plain name (no link) for lists.
pub async fn person_name(
    store: &Store,
    user_id: Option<i64>,
    username: Option<&str>,
) -> StoreResult<String> {
    if let Some(id) = user_id {
        return Ok(store
            .user(id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| id.to_string()));
    }
    Ok(format!("@{}", username.unwrap_or("?")))
}

/// "in 3 h", "2 d overdue" (localized) for a due time seen from `now`.
pub fn relative(lang: Lang, due_at: i64, now: i64) -> String {
    let delta = due_at - now;
    let abs = delta.abs();
    let (unit, n) = if abs < 3600 {
        ("min", (abs / 60).max(1))
    } else if abs < 2 * 86_400 {
        ("h", abs / 3600)
    } else {
        ("d", abs / 86_400)
    };
    let key = if delta >= 0 {
        format!("rel.in_{unit}")
    } else {
        format!("rel.overdue_{unit}")
    };
    tr(lang, &key, &[("n", &n.to_string())])
}

pub fn due_text(due_at: i64, tz: Tz) -> String {
    format_local(due_at, tz)
}

pub fn status_text(lang: Lang, status: &str) -> String {
    tr(lang, &format!("status.{status}"), &[])
}

/// Callback data of the ping buttons: `t:<action>:<task id>` (well under Telegram's 64 bytes).
pub fn ping_keyboard(lang: Lang, task_id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![
        InlineKeyboardButton::callback(tr(lang, "button.done", &[]), format!("t:done:{task_id}")),
        InlineKeyboardButton::callback(
            tr(lang, "button.snooze", &[]),
            format!("t:snooze:{task_id}"),
        ),
        InlineKeyboardButton::callback(tr(lang, "button.block", &[]), format!("t:block:{task_id}")),
    ]])
}

/// Parses callback data made by `ping_keyboard`.
pub fn parse_callback(data: &str) -> Option<(&str, i64)> {
    let mut parts = data.split(':');
    if parts.next()? != "t" {
        return None;
    }
    let action = parts.next()?;
    let id = parts.next()?.parse().ok()?;
    matches!(action, "done" | "snooze" | "block").then_some((action, id))
}
