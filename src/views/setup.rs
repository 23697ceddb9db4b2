//! Replies of the team's settings: `/start`, `/lang`, `/timezone`, `/currency`
//! (locales/{en,zh}.yml `start`, `lang`, `tz`, `currency`).

use super::html::Html;
use crate::domain::lang::Lang;
use crate::service::setup::NextStep;
use crate::storage::Team;
use crate::tr;

/// `/start` in a group: what the bot does, the team's settings, the next step.
pub fn render_start(lang: Lang, team: &Team, next: NextStep) -> Html {
    let next = match next {
        NextStep::Channels => "start.next_setup",
        NextStep::Goal => "start.next_goal",
        NextStep::Review => "start.next_review",
        NextStep::CheckinTime => "start.next_checkin_time",
        NextStep::Ready => "start.next_ready",
    };
    let lang_name = match lang {
        Lang::En => "English",
        Lang::Zh => "中文",
    };
    tr!(
        lang,
        "start.group",
        title = &team.title,
        lang = lang_name,
        tz = team.tz.name(),
        currency = &team.currency,
        next = tr!(lang, next)
    )
}

/// `/start` in a private chat: how to add the bot to a group.
pub fn render_start_private(lang: Lang, bot_username: &str) -> Html {
    tr!(lang, "start.private", bot = bot_username)
}

pub fn render_lang_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "lang.usage", input = input)
}

/// The zone now (`set` after a change), with the local time there.
pub fn render_tz(lang: Lang, tz: chrono_tz::Tz, now: i64, set: bool) -> Html {
    let key = if set { "tz.set" } else { "tz.current" };
    let local = super::names::datetime(lang, now, tz);
    tr!(lang, key, tz = tz.name(), local = local)
}

pub fn render_tz_unknown(lang: Lang, input: &str) -> Html {
    tr!(lang, "tz.unknown", input = input)
}

/// The currency now (`set` after a change).
pub fn render_currency(lang: Lang, currency: &str, set: bool) -> Html {
    let key = if set {
        "currency.set"
    } else {
        "currency.current"
    };
    tr!(lang, key, currency = currency)
}

pub fn render_currency_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "currency.usage", input = input)
}
