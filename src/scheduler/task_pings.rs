//! Deadline pings and recurring-task occurrences as durable jobs: the service decides what a
//! claimed job comes to, the view says it, and it goes out through telegram::send.

use teloxide::types::ReplyMarkup;

use super::{JobError, Outcome};
use crate::service::Service;
use crate::service::tasks::{PingDue, RecurDue};
use crate::storage::Job;
use crate::telegram::keyboards::ping_keyboard;
use crate::telegram::{TgBot, send};
use crate::views::tasks::render_ping;

pub async fn fire_ping(ctx: &Service, bot: &TgBot, job: &Job) -> Result<Outcome, JobError> {
    let ping = match ctx.ping_due(job).await? {
        PingDue::Send(ping) => ping,
        PingDue::Dropped(why) => return Ok(Outcome::Dropped(why)),
    };
    let text = render_ping(&ping);
    let keyboard = ReplyMarkup::InlineKeyboard(ping_keyboard(ping.lang, ping.task.id));
    send::send_html(bot, ping.task.chat_id, text.as_str(), Some(keyboard)).await?;
    ctx.ping_sent(&ping, job).await?;
    Ok(Outcome::Sent)
}

/// The period of a recurring task ended: open its next occurrence (once).
pub async fn fire_recurrence(ctx: &Service, job: &Job) -> Result<Outcome, JobError> {
    match ctx.recurrence_due(job).await? {
        RecurDue::Opened => Ok(Outcome::Sent),
        RecurDue::Dropped(why) => Ok(Outcome::Dropped(why)),
    }
}
