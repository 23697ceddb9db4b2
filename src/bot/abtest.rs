//! Creative A/B tests (issue 7): `/abtest <channel> [7d|14d|30d]`. Parse (`domain::abtest`) →
//! service (`service::abtest`, which counts the look) → view (`views::abtest`) → reply.

use super::{HandlerResult, Turn};
use crate::domain::abtest::parse_abtest_args;
use crate::views::abtest::{render_outcome, render_usage};

/// Normalizes a typed channel reference: `#XHS` → `xhs`.
// The same rule as `bot::numbers`'s; kept here until a domain normaliser exists.
pub async fn abtest(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let parsed = match parse_abtest_args(args) {
        Ok(p) => p,
        Err(err) => {
            return turn
                .reply(render_usage(turn.lang, Some(err)).as_str())
                .await;
        }
    };
    let Some(channel_arg) = parsed.channel else {
        return turn.reply(render_usage(turn.lang, None).as_str()).await;
    };
    let outcome = turn.ctx.abtest(team, channel_arg, parsed.window).await?;
    turn.reply(render_outcome(turn.lang, &outcome, channel_arg).as_str())
        .await
}
