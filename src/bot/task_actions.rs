//! Changing a task, the same way from a command or a ping's button: who may (owner, creator or
//! admin — admin status is Telegram's to tell), then the service's change, then the reply.

use crate::domain::ids::{ChatId, UserId};
use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, ParseMode};

use super::{BotError, Ctx, HandlerResult, TgBot, Turn, people};
use crate::domain::tasks::{
    PingAction, TaskStatus, may_change, parse_callback, parse_note, parse_task_number, split_number,
};
use crate::domain::when::parse_when;
use crate::i18n::tr as tr_plain;
use crate::service::tasks::person;
use crate::storage::{Task, TaskChange};
use crate::tr;
use crate::views::tasks::{
    mention, render_bad_number, render_blocked, render_closed, render_done, render_note_too_long,
    render_numbered_refusal, render_ping_acted, render_ping_edited, render_reassigned,
    render_rescheduled, render_task_reply, render_when_error,
};

/// Who is acting, and where.
struct Actor<'a> {
    user_id: UserId,
    /// An anonymous admin posting as the group.
    as_group: bool,
    bot: &'a TgBot,
    ctx: &'a Ctx,
}

impl Actor<'_> {
    /// Owner, creator or admin (SPEC §2). Admin status costs an API call, so it is asked last.
    async fn may_change(&self, task: &Task) -> Result<bool, BotError> {
        if self.as_group || may_change(self.user_id, task.owner_id, task.creator_id, false) {
            return Ok(true);
        }
        let admins = people::admins(self.bot, self.ctx, task.chat_id).await?;
        Ok(admins.iter().any(|a| a.user_id == self.user_id))
    }
}

/// The task a numbered command is about, if it exists in this team and the speaker may change
/// it, with the rest of the arguments; otherwise replies with why and returns None.
async fn changeable(
    turn: &Turn,
    args: &str,
    command: &str,
) -> Result<Option<(Task, String)>, BotError> {
    let Some(team) = turn.require_team().await? else {
        return Ok(None);
    };
    let (first, rest) = split_number(args);
    let Some(number) = parse_task_number(first) else {
        turn.reply(render_bad_number(first, command, turn.lang).as_str())
            .await?;
        return Ok(None);
    };
    let Some(task) = turn.ctx.find_task(team.chat_id, number).await? else {
        let text = render_numbered_refusal("task.err.not_found", number, turn.lang);
        turn.reply(text.as_str()).await?;
        return Ok(None);
    };
    let Some(user_id) = turn.user_id() else {
        return Ok(None);
    };
    let as_group = turn
        .msg
        .sender_chat
        .as_ref()
        .is_some_and(|c| c.id == turn.msg.chat.id);
    let actor = Actor {
        user_id,
        as_group,
        bot: &turn.bot,
        ctx: &turn.ctx,
    };
    if !actor.may_change(&task).await? {
        let text = render_numbered_refusal("task.err.not_allowed", number, turn.lang);
        turn.reply(text.as_str()).await?;
        return Ok(None);
    }
    if !task.is_open() {
        let text = render_closed("task.err.closed", &task, turn.lang);
        turn.reply(text.as_str()).await?;
        return Ok(None);
    }
    Ok(Some((task, rest.to_string())))
}

/// A note or reason, or the reply saying it is too long.
async fn note(turn: &Turn, text: &str) -> Result<Result<Option<String>, ()>, BotError> {
    match parse_note(text) {
        Ok(note) => Ok(Ok(note)),
        Err(crate::domain::tasks::TaskArgError::NoteTooLong { len, max }) => {
            let text = render_note_too_long(turn.lang, len, max);
            turn.reply(text.as_str()).await?;
            Ok(Err(()))
        }
        Err(_) => Ok(Err(())),
    }
}

pub async fn done(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, rest)) = changeable(turn, args, "done").await? else {
        return Ok(());
    };
    let Ok(note) = note(turn, &rest).await? else {
        return Ok(());
    };
    let changed = turn
        .ctx
        .change_task(&task, TaskChange::Done { note }, turn.user_id())
        .await?;
    let text = render_done(&task, changed.next.as_ref(), turn.lang, turn.tz);
    turn.reply(text.as_str()).await
}

pub async fn block(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, reason)) = changeable(turn, args, "block").await? else {
        return Ok(());
    };
    let reason = match note(turn, &reason).await? {
        Ok(Some(reason)) => reason,
        Ok(None) => {
            let usage = tr!(turn.lang, "usage.block");
            let text = tr!(turn.lang, "task.err.reason", usage = usage);
            return turn.reply(text.as_str()).await;
        }
        Err(()) => return Ok(()),
    };
    let change = TaskChange::Block {
        reason: reason.clone(),
    };
    turn.ctx.change_task(&task, change, turn.user_id()).await?;
    turn.reply(render_blocked(&task, &reason, turn.lang).as_str())
        .await
}

pub async fn unblock(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, _)) = changeable(turn, args, "unblock").await? else {
        return Ok(());
    };
    if task.status != TaskStatus::Blocked {
        let text = render_numbered_refusal("task.err.not_blocked", task.number, turn.lang);
        return turn.reply(text.as_str()).await;
    }
    turn.ctx
        .change_task(&task, TaskChange::Unblock, turn.user_id())
        .await?;
    turn.reply(render_task_reply("task.unblocked", &task, turn.lang).as_str())
        .await
}

pub async fn due(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, when)) = changeable(turn, args, "due").await? else {
        return Ok(());
    };
    if when.is_empty() {
        return turn.reply(tr!(turn.lang, "task.err.no_due").as_str()).await;
    }
    let due_at = match parse_when(&when, turn.ctx.now(), turn.tz) {
        Ok(at) => at,
        Err(err) => {
            return turn
                .reply(render_when_error(&err, turn.lang, turn.tz).as_str())
                .await;
        }
    };
    let changed = turn
        .ctx
        .change_task(&task, TaskChange::Due { due_at }, turn.user_id())
        .await?;
    turn.reply(render_rescheduled(&changed.task, turn.lang, turn.tz).as_str())
        .await
}

pub async fn reassign(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, who)) = changeable(turn, args, "reassign").await? else {
        return Ok(());
    };
    let (context_owner, who) = super::tasks::owner_from_context(&turn.msg, &who);
    let owner_id = match (who.trim().strip_prefix('@'), context_owner) {
        (Some(username), _) if !username.is_empty() => {
            match turn.ctx.user_id_by_username(username).await? {
                Some(id) => id,
                None => {
                    let text = tr!(turn.lang, "task.err.owner_unseen", username = username);
                    return turn.reply(text.as_str()).await;
                }
            }
        }
        (_, Some(user)) => {
            people::remember(&turn.ctx, &user, Some(task.chat_id)).await?;
            UserId::from(user.id)
        }
        _ => {
            let text = render_bad_number(who.trim(), "reassign", turn.lang);
            return turn.reply(text.as_str()).await;
        }
    };
    let changed = turn
        .ctx
        .change_task(&task, TaskChange::Reassign { owner_id }, turn.user_id())
        .await?;
    let owner = person(&turn.ctx.store, changed.task.owner_id, None).await?;
    turn.reply(render_reassigned(&task, &owner, turn.lang).as_str())
        .await
}

pub async fn cancel(turn: &Turn, args: &str) -> HandlerResult {
    let Some((task, _)) = changeable(turn, args, "cancel").await? else {
        return Ok(());
    };
    turn.ctx
        .change_task(&task, TaskChange::Cancel, turn.user_id())
        .await?;
    turn.reply(render_task_reply("task.cancelled", &task, turn.lang).as_str())
        .await
}

/// A button on a deadline ping: ✅ Done · ⏰ +1 day · 🚧 Blocked. A button this version did not
/// make (or for another chat's task) changes nothing.
pub async fn on_callback(bot: TgBot, q: CallbackQuery, ctx: Ctx) -> HandlerResult {
    let message = q.message.as_ref().and_then(|m| m.regular_message());
    let Some(message) = message else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let lang_of_chat = match ctx.store.team(ChatId::from(message.chat.id)).await? {
        Some(team) => ctx.team_lang(&team),
        None => ctx.settings.default_lang,
    };
    let Some((action, task_id)) = q.data.as_deref().and_then(parse_callback) else {
        let text = tr_plain(lang_of_chat, "callback.unknown", &[]);
        bot.answer_callback_query(q.id.clone()).text(text).await?;
        return Ok(());
    };
    let Some((task, team)) = ctx
        .task_in_chat(task_id, ChatId::from(message.chat.id))
        .await?
    else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let lang = ctx.team_lang(&team);
    let tz = team.tz();
    people::remember(&ctx, &q.from, Some(team.chat_id)).await?;
    // The presser may just have become the owner (they were known only by @username).
    let task = ctx.store.task_by_id(task.id).await?.unwrap_or(task);
    if !task.is_open() {
        // Answers to a callback are plain text.
        let status = tr_plain(lang, &format!("status.{}", task.status.code()), &[]);
        let number = task.number.to_string();
        let text = tr_plain(
            lang,
            "callback.closed",
            &[("number", &number), ("status", &status)],
        );
        bot.answer_callback_query(q.id.clone()).text(text).await?;
        return Ok(());
    }
    let actor = Actor {
        user_id: UserId::from(q.from.id),
        as_group: false,
        bot: &bot,
        ctx: &ctx,
    };
    if !actor.may_change(&task).await? {
        let text = tr_plain(lang, "callback.not_allowed", &[]);
        bot.answer_callback_query(q.id.clone())
            .text(text)
            .show_alert(true)
            .await?;
        return Ok(());
    }
    let (change, due_at) = match action {
        PingAction::Done => (TaskChange::Done { note: None }, task.due_at),
        PingAction::Snooze => {
            let due_at = ctx.snoozed_due(&task);
            (TaskChange::Due { due_at }, due_at)
        }
        PingAction::Block => {
            // Stored as the reason, in the team's language.
            let reason = tr_plain(lang, "ping.block_reason", &[]);
            (TaskChange::Block { reason }, task.due_at)
        }
    };
    ctx.change_task(&task, change, Some(UserId::from(q.from.id)))
        .await?;
    bot.answer_callback_query(q.id.clone()).await?;
    let who = mention(UserId::from(q.from.id), &people::display_name(&q.from));
    let outcome = render_ping_acted(action, &who, due_at, tz, lang);
    let original = message.text().unwrap_or_default();
    bot.edit_message_text(
        message.chat.id,
        message.id,
        render_ping_edited(original, &outcome).into_string(),
    )
    .parse_mode(ParseMode::Html)
    .await?;
    Ok(())
}
