//! `/start`, `/help`, `/lang`, `/timezone`, `/currency`: parse → `service::setup` →
//! `views::setup` → reply.

use teloxide::prelude::*;

use super::commands::help_for;
use super::{HandlerResult, TgBot, Turn};
use crate::domain::lang::{Lang, parse_time_zone};
use crate::domain::plan_args::parse_currency;
use crate::views::setup as view;

pub async fn start(turn: &Turn) -> HandlerResult {
    let Some(team) = &turn.team else {
        let me = turn.bot.get_me().await?;
        let html = view::render_start_private(turn.lang, me.username());
        return turn.reply(html.as_str()).await;
    };
    let next = turn.ctx.next_step(team).await?;
    turn.reply(view::render_start(turn.lang, team, next).as_str())
        .await
}

pub async fn help(turn: &Turn, args: &str) -> HandlerResult {
    let args = args.trim();
    if args.is_empty() {
        return turn.reply(&turn.t("help.overview", &[])).await;
    }
    match help_for(turn.lang, args) {
        Some(text) => turn.reply(&text).await,
        None => {
            turn.reply(crate::tr!(turn.lang, "help.unknown", command = args).as_str())
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
        let html = view::render_lang_usage(turn.lang, args.trim());
        return turn.reply(html.as_str()).await;
    };
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    turn.ctx.set_lang(team, lang).await?;
    // Answered in the language just chosen.
    turn.reply(&crate::i18n::tr(lang, "lang.set", &[])).await
}

pub async fn timezone(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    let now = turn.ctx.now();
    if input.is_empty() {
        let html = view::render_tz(turn.lang, team.tz(), now, false);
        return turn.reply(html.as_str()).await;
    }
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    let Ok(tz) = parse_time_zone(input) else {
        return turn
            .reply(view::render_tz_unknown(turn.lang, input).as_str())
            .await;
    };
    turn.ctx.set_timezone(team, tz).await?;
    turn.reply(view::render_tz(turn.lang, tz, now, true).as_str())
        .await
}

pub async fn currency(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    if input.is_empty() {
        let html = view::render_currency(turn.lang, &team.currency, false);
        return turn.reply(html.as_str()).await;
    }
    if !turn.require_admin("perm.action_settings").await? {
        return Ok(());
    }
    let Some(currency) = parse_currency(input) else {
        let html = view::render_currency_usage(turn.lang, input);
        return turn.reply(html.as_str()).await;
    };
    turn.ctx.set_currency(team, currency).await?;
    turn.reply(view::render_currency(turn.lang, currency, true).as_str())
        .await
}

pub async fn unknown_command(
    bot: TgBot,
    msg: Message,
    ctx: super::Ctx,
    claim: super::InboxClaim,
    recorded: super::people::RecordedTeam,
) -> HandlerResult {
    let turn = Turn::load(bot, ctx, msg, claim, recorded).await?;
    let word = turn
        .msg
        .text()
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or("")
        .to_string();
    let word = word.split('@').next().unwrap_or("").to_string();
    turn.reply(crate::tr!(turn.lang, "help.unknown", command = word).as_str())
        .await
}
