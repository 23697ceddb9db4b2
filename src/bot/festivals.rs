//! `/festival add <date> <name>`, `/festival remove <date>`, `/festivals` (issue 15). Everyone
//! sees the list; admins change it, as with `/channel`. Parse (`domain::festival_args`) →
//! service (`service::festivals`) → view (`views::festivals`) → reply.

use super::{HandlerResult, Turn};
use crate::domain::festival_args::{FestivalArgs, parse_festival_args};
use crate::views::festivals as view;

pub async fn festival(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let lang = turn.lang;
    let parsed = parse_festival_args(args, turn.ctx.now(), team.tz());
    if matches!(parsed, Ok(FestivalArgs::List)) {
        return festivals(turn, "").await;
    }
    if !turn.require_admin("perm.action_festivals").await? {
        return Ok(());
    }
    let change = match parsed {
        Ok(FestivalArgs::List) => return Ok(()),
        Ok(FestivalArgs::Add { day, name }) => turn.ctx.add_festival(team, day, &name).await?,
        Ok(FestivalArgs::Remove { day }) => turn.ctx.remove_festival(team, day).await?,
        Err(e) => return turn.reply(view::render_error(lang, &e).as_str()).await,
    };
    turn.reply(view::render_change(lang, &change).as_str())
        .await
}

pub async fn festivals(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let list = turn.ctx.festival_list(team).await?;
    turn.reply(view::render_festivals(turn.lang, &list).as_str())
        .await
}
