//! Task commands: `/task` (create, or show one), `/tasks`, `/mytasks`, `/quiet`. The commands
//! that change a task and the ping buttons are in task_actions.rs. Parse → service → view →
//! reply.

use crate::domain::ids::UserId;
use teloxide::prelude::*;
use teloxide::types::{MessageEntityKind, User as TgUser};

use super::{HandlerResult, Turn, people};
use crate::domain::schedule::parse_quiet_window;
use crate::domain::tasks::{TaskArgError, parse_filter, parse_task, parse_task_number};
use crate::service::tasks::{OwnerRef, TaskError};
use crate::storage::Team;
use crate::tr;
use crate::views::tasks::{
    render_created, render_detail, render_list, render_my_tasks, render_numbered_refusal,
    render_quiet_current, render_quiet_set, render_task_error, render_unknown_channel,
};

pub use super::task_actions::{block, cancel, done, due, on_callback, reassign, unblock};

pub async fn task(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let args = args.trim();
    if args.is_empty() {
        return turn.reply(tr!(turn.lang, "task.usage").as_str()).await;
    }
    if let Some(number) = parse_task_number(args) {
        return detail(turn, team, number).await;
    }
    let (context_owner, args) = owner_from_context(&turn.msg, args);
    let draft = match parse_task(&args, context_owner.is_some(), turn.ctx.now(), turn.tz) {
        Ok(draft) => draft,
        Err(err) => return refuse(turn, &err).await,
    };
    let owner = match (&draft.owner_username, context_owner) {
        (Some(username), _) => OwnerRef::Username(username.clone()),
        (None, Some(user)) => {
            people::remember(&turn.ctx, &user, Some(team.chat_id)).await?;
            OwnerRef::Id(UserId::from(user.id))
        }
        (None, None) => return refuse(turn, &TaskArgError::NoOwner).await,
    };
    let Some(creator_id) = turn.user_id() else {
        return Ok(());
    };
    let source = Some(turn.msg.id.0.into());
    let created = match turn
        .ctx
        .create_task(team, draft, owner, creator_id, source)
        .await
    {
        Ok(created) => created,
        Err(TaskError::UnknownChannel { input, known }) => {
            let text = render_unknown_channel(&input, &known, turn.lang);
            return turn.reply(text.as_str()).await;
        }
        Err(TaskError::Store(err)) => return Err(err.into()),
    };
    let text = render_created(&created, turn.lang, turn.tz, turn.ctx.now());
    turn.reply(text.as_str()).await
}

async fn refuse(turn: &Turn, err: &TaskArgError) -> HandlerResult {
    turn.reply(render_task_error(err, turn.lang, turn.tz).as_str())
        .await
}

/// The owner given by replying to someone's message, or by a text mention (a user without a
/// username), with the mention's text taken out of the arguments.
pub(super) fn owner_from_context(msg: &Message, args: &str) -> (Option<TgUser>, String) {
    for entity in msg.parse_entities().unwrap_or_default() {
        if let MessageEntityKind::TextMention { user } = entity.kind() {
            let rest = args.replacen(entity.text(), "", 1);
            return (Some(user.clone()), rest);
        }
    }
    let replied = msg
        .reply_to_message()
        .and_then(|m| m.from.clone())
        .filter(|u| !u.is_bot);
    (replied, args.to_string())
}

async fn detail(turn: &Turn, team: &Team, number: i64) -> HandlerResult {
    let Some(detail) = turn.ctx.task_detail(team.chat_id, number).await? else {
        let text = render_numbered_refusal("task.err.not_found", number, turn.lang);
        return turn.reply(text.as_str()).await;
    };
    let text = render_detail(&detail, turn.lang, turn.tz, turn.ctx.now());
    turn.reply(text.as_str()).await
}

pub async fn tasks(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(filter) = parse_filter(args) else {
        let text = tr!(turn.lang, "tasks.usage", input = args.trim());
        return turn.reply(text.as_str()).await;
    };
    let list = turn.ctx.task_list(team, &filter, turn.user_id()).await?;
    let text = render_list(&list, turn.lang, turn.ctx.now(), team.tz(), "tasks.header");
    turn.reply(text.as_str()).await
}

pub async fn mytasks(turn: &Turn) -> HandlerResult {
    let Some(user_id) = turn.user_id() else {
        return Ok(());
    };
    let now = turn.ctx.now();
    let text = match &turn.team {
        Some(team) => {
            let list = turn.ctx.my_tasks_in(team, user_id).await?;
            render_list(&list, turn.lang, now, team.tz(), "mytasks.header")
        }
        None => {
            let mine = turn.ctx.my_tasks_everywhere(user_id).await?;
            render_my_tasks(&mine, turn.lang, now)
        }
    };
    turn.reply(text.as_str()).await
}

/// `/quiet 22:00-08:00` (or `off`): pings that fall inside wait until the window ends.
pub async fn quiet(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    if input.is_empty() {
        let window = team.quiet_start.zip(team.quiet_end);
        return turn
            .reply(render_quiet_current(window, turn.lang).as_str())
            .await;
    }
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    let Some(window) = parse_quiet_window(input) else {
        let text = tr!(turn.lang, "quiet.usage", input = input);
        return turn.reply(text.as_str()).await;
    };
    turn.ctx.set_quiet_hours(team, window).await?;
    turn.reply(render_quiet_set(window, turn.lang).as_str())
        .await
}
