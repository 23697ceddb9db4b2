//! `/start`, `/help`, `/lang`, `/timezone`, `/currency`.

use teloxide::prelude::*;

use super::commands::help_for;
use super::reply::escape;
use super::{HandlerResult, TgBot, Turn};
use crate::domain::lang::{Lang, parse_time_zone};
use crate::domain::when::format_local;
use crate::storage::TeamSetting;

pub async fn start(turn: &Turn) -> HandlerResult {
    let Some(team) = &turn.team else {
        let me = turn.bot.get_me().await?;
        return turn
            .reply(&turn.t("start.private", &[("bot", &escape(me.username()))]))
            .await;
    };
    let next = turn.t(next_step(turn, team).await?, &[]);
    let lang_name = match turn.lang {
        Lang::En => "English",
        Lang::Zh => "中文",
    };
    let text = turn.t(
        "start.group",
        &[
            ("title", &escape(&team.title)),
            ("lang", lang_name),
            ("tz", &escape(team.tz.name())),
            ("currency", &escape(&team.currency)),
            ("next", &next),
        ],
    );
    turn.reply(&text).await
}

/// The first part of the plan that is still missing, in the order a team lead sets it up.
async fn next_step(
    turn: &Turn,
    team: &crate::storage::Team,
) -> Result<&'static str, super::BotError> {
    let store = &turn.ctx.store;
    Ok(if store.channels(team.chat_id).await?.is_empty() {
        "start.next_setup"
    } else if store.goals(team.chat_id).await?.is_empty() {
        "start.next_goal"
    } else if team.review_weekday.is_none() {
        "start.next_review"
    } else if team.checkin_minute.is_none() {
        "start.next_checkin_time"
    } else {
        "start.next_ready"
    })
}

pub async fn help(turn: &Turn, args: &str) -> HandlerResult {
    let args = args.trim();
    if args.is_empty() {
        return turn.reply(&turn.t("help.overview", &[])).await;
    }
    match help_for(turn.lang, args) {
        Some(text) => turn.reply(&text).await,
        None => {
            turn.reply(&turn.t("help.unknown", &[("command", &escape(args))]))
                .await
        }
    }
}

pub async fn lang(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    if args.trim().is_empty() {
        return turn.reply(&turn.t("lang.current", &[])).await;
    }
    let Some(lang) = Lang::parse(args.trim()) else {
        return turn
            .reply(&turn.t("lang.usage", &[("input", &escape(args.trim()))]))
            .await;
    };
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    turn.ctx
        .store
        .update_team(
            team.chat_id,
            &TeamSetting::Lang(lang.code().into()),
            turn.ctx.now(),
        )
        .await?;
    turn.reply(&crate::i18n::tr(lang, "lang.set", &[])).await
}

pub async fn timezone(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    let now = turn.ctx.now();
    if input.is_empty() {
        let local = format_local(now, turn.tz);
        return turn
            .reply(&turn.t(
                "tz.current",
                &[("tz", &escape(team.tz.name())), ("local", &local)],
            ))
            .await;
    }
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    let Ok(tz) = parse_time_zone(input) else {
        return turn
            .reply(&turn.t("tz.unknown", &[("input", &escape(input))]))
            .await;
    };
    turn.ctx
        .store
        .update_team(team.chat_id, &TeamSetting::Tz(tz.name().into()), now)
        .await?;
    let local = format_local(now, tz);
    turn.reply(&turn.t("tz.set", &[("tz", tz.name()), ("local", &local)]))
        .await
}

pub async fn currency(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    if input.is_empty() {
        return turn
            .reply(&turn.t("currency.current", &[("currency", &escape(&team.currency))]))
            .await;
    }
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    let valid =
        input.chars().count() <= 4 && !input.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return turn
            .reply(&turn.t("currency.usage", &[("input", &escape(input))]))
            .await;
    }
    turn.ctx
        .store
        .update_team(
            team.chat_id,
            &TeamSetting::Currency(input.into()),
            turn.ctx.now(),
        )
        .await?;
    turn.reply(&turn.t("currency.set", &[("currency", &escape(input))]))
        .await
}

pub async fn unknown_command(
    bot: TgBot,
    msg: Message,
    ctx: super::Ctx,
    claim: super::InboxClaim,
) -> HandlerResult {
    let turn = Turn::load(bot, ctx, msg, claim).await?;
    let word = turn
        .msg
        .text()
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or("")
        .to_string();
    let word = word.split('@').next().unwrap_or("").to_string();
    turn.reply(&turn.t("help.unknown", &[("command", &escape(&word))]))
        .await
}
