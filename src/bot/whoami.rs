//! `/whoami`: parse (nothing) → service → view → reply.

use super::{HandlerResult, Turn, people};
use crate::domain::ids::UserId;
use crate::views::people::render_whoami;

pub async fn whoami(turn: &Turn) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(user) = turn.msg.from.as_ref() else {
        return Ok(());
    };
    let me = turn
        .ctx
        .member_view(team.chat_id, UserId::from(user.id))
        .await?;
    let admins = people::admins(&turn.bot, &turn.ctx, turn.chat_id()).await?;
    let is_admin = people::is_admin(&turn.msg, &admins);
    let name = people::display_name(user);
    let text = render_whoami(&name, is_admin, &me, turn.lang, team.tz());
    turn.reply(text.as_str()).await
}
