//! The campaign plan: `/goal`, `/goals`, `/channel`, `/channels`, `/budget`, `/plan`.
//! Admins change it; every change is answered with the playbook check (DOMAIN.md §2).
//! Parse (`domain::plan_args`) → use-case (`service::plan`, `service::goals`) → render
//! (`views::plan`) → reply; only who `/channel owner` names is read from the message here.

use crate::domain::ids::UserId;
use teloxide::types::MessageEntityKind;

use super::{HandlerResult, Turn};
use crate::domain::goal::Scope;
use crate::domain::plan_args::{
    ChannelArgs, GoalArgs, OwnerArg, parse_channel_args, parse_goal_args,
};
use crate::service::plan::{ChannelEdit, OwnerPick};
use crate::views::plan as view;

pub async fn goal(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let lang = turn.lang;
    if args.trim().is_empty() {
        return turn.reply(&turn.t("plan.goal.usage", &[])).await;
    }
    if !turn.require_admin("perm.action_plan").await? {
        return Ok(());
    }
    let parsed = match parse_goal_args(args) {
        Ok(p) => p,
        Err(e) => return turn.reply(view::goal_error(lang, &e).as_str()).await,
    };
    // The check that follows is over the channels as they were when the goal was set.
    let channels = turn.ctx.store.channels(team.chat_id).await?;
    let change = match parsed {
        GoalArgs::Set(goal) => turn.ctx.set_goal(team, goal).await?,
        GoalArgs::Clear { metric, channel } => {
            turn.ctx
                .clear_goal(team, metric, Scope::from_channel(channel))
                .await?
        }
    };
    let html = view::render_goal_change(lang, &team.currency, &change, &channels);
    turn.reply(html.as_str()).await
}

pub async fn goals(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let goals = turn.ctx.goal_statuses(team).await?;
    let html = view::render_goals(turn.lang, &team.currency, &goals);
    turn.reply(html.as_str()).await
}

/// Who `/channel owner` names, as far as the message tells: the sender for `me`, a text
/// mention for a name without @, an @username for the service to look up.
fn owner_pick(turn: &Turn, owner: &OwnerArg) -> Result<OwnerPick, String> {
    match owner {
        OwnerArg::Nobody => Ok(OwnerPick::Nobody),
        OwnerArg::Me => turn
            .msg
            .from
            .as_ref()
            .filter(|u| !u.is_bot && turn.msg.sender_chat.is_none())
            .map(|u| OwnerPick::User {
                id: UserId::from(u.id),
                username: u.username.clone(),
            })
            .ok_or_else(|| view::unknown_owner(turn.lang, "me").into_string()),
        OwnerArg::Username(name) => Ok(OwnerPick::Username(name.clone())),
        OwnerArg::Text(text) => turn
            .msg
            .entities()
            .unwrap_or_default()
            .iter()
            .find_map(|e| match &e.kind {
                MessageEntityKind::TextMention { user } => Some(OwnerPick::User {
                    id: UserId::from(user.id),
                    username: user.username.clone(),
                }),
                _ => None,
            })
            .ok_or_else(|| view::unknown_owner(turn.lang, text).into_string()),
    }
}

pub async fn channel(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let lang = turn.lang;
    let parsed = parse_channel_args(args);
    if matches!(parsed, Ok(ChannelArgs::List)) {
        return channels(turn, "").await;
    }
    if !turn.require_admin("perm.action_plan").await? {
        return Ok(());
    }
    let edit = match parsed {
        Ok(ChannelArgs::List) => return Ok(()),
        Ok(ChannelArgs::Add { name, tier, budget }) => ChannelEdit::Add { name, tier, budget },
        Ok(ChannelArgs::Owner { name, owner }) => match owner_pick(turn, &owner) {
            Ok(owner) => ChannelEdit::Owner { name, owner },
            Err(refusal) => return turn.reply(&refusal).await,
        },
        Ok(ChannelArgs::Budget { name, budget }) => ChannelEdit::Budget { name, budget },
        Ok(ChannelArgs::Tier { name, tier }) => ChannelEdit::Tier { name, tier },
        Ok(ChannelArgs::Remove { name }) => ChannelEdit::Remove { name },
        Err(e) => return turn.reply(view::channel_error(lang, &e).as_str()).await,
    };
    let change = turn.ctx.change_channel(team, edit).await?;
    let after = if change.changed() {
        turn.ctx.live_channels(team.chat_id).await?
    } else {
        Vec::new()
    };
    let html = view::render_channel_change(lang, &team.currency, &change, &after);
    turn.reply(html.as_str()).await
}

pub async fn channels(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let data = turn.ctx.channels_view(team.chat_id).await?;
    let html = view::render_channels(turn.lang, &team.currency, &data);
    turn.reply(html.as_str()).await
}

pub async fn budget(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let data = turn.ctx.budget_view(team).await?;
    let html = view::render_budget(turn.lang, &team.currency, &data);
    turn.reply(html.as_str()).await
}

pub async fn plan(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let data = turn.ctx.plan_view(team).await?;
    let html = view::render_plan(turn.lang, team, &data);
    turn.reply(html.as_str()).await
}
