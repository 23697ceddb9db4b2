//! Names and small formats every view shares: metrics, tiers, weekdays, clock times, channel
//! tags, Telegram's length unit. One definition each (locales/names.*.yml).

use crate::domain::lang::Lang;
use crate::domain::metrics::Metric;
use crate::domain::playbook::Tier;
use crate::tr;

use super::html::Html;

const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A metric's name as a heading or table label (`Orders`, `订单`).
pub fn metric_name(lang: Lang, m: Metric) -> Html {
    tr!(lang, &format!("names.metric.{}", m.code()))
}

/// A metric's name inside a sentence (`orders`, `订单`).
pub fn metric_name_lower(lang: Lang, m: Metric) -> Html {
    tr!(lang, &format!("names.metric_lower.{}", m.code()))
}

pub fn tier_name(lang: Lang, tier: Tier) -> Html {
    tr!(lang, &format!("names.tier.{}", tier.code()))
}

/// `Monday` / `周一`; `weekday` counts from Monday = 0 (wrapping).
pub fn weekday_name(lang: Lang, weekday: i64) -> Html {
    let key = WEEKDAY_KEYS[weekday.rem_euclid(7) as usize];
    tr!(lang, &format!("names.wd.{key}"))
}

/// `Mon` / `周一`.
pub fn weekday_short(lang: Lang, weekday: i64) -> Html {
    let key = WEEKDAY_KEYS[weekday.rem_euclid(7) as usize];
    tr!(lang, &format!("names.wd_short.{key}"))
}

/// Minute of the day as `HH:MM`, wrapping past midnight.
pub fn hhmm(minute: i64) -> String {
    let m = minute.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Telegram counts message length in UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// At most `max` characters, the last one `…` when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `#name`, escaped.
pub fn channel_tag(name: &str) -> Html {
    Html::text(&format!("#{name}"))
}

/// `#a, #b, #c`: the channels a team has, for "there is no such channel" replies.
pub fn channel_list(names: &[String]) -> Html {
    let tags: Vec<Html> = names.iter().map(|n| channel_tag(n)).collect();
    Html::join(&tags, ", ")
}

/// A mention of a user by id (works without a username), the name escaped.
pub fn mention(user_id: i64, name: &str) -> Html {
    Html::from_trusted(format!(
        "<a href=\"tg://user?id={user_id}\">{}</a>",
        Html::text(name)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hhmm_wraps_around_midnight() {
        for (minute, text) in [
            (0, "00:00"),
            (18 * 60 + 5, "18:05"),
            (24 * 60, "00:00"),
            (-1, "23:59"),
        ] {
            assert_eq!(hhmm(minute), text);
        }
    }

    #[test]
    fn every_metric_tier_and_weekday_has_a_name_in_both_languages() {
        for lang in [Lang::En, Lang::Zh] {
            for m in Metric::ALL {
                assert!(!metric_name(lang, m).as_str().starts_with("names."));
                assert!(!metric_name_lower(lang, m).as_str().starts_with("names."));
            }
            for t in Tier::ALL {
                assert!(!tier_name(lang, t).as_str().starts_with("names."));
            }
            for d in 0..7 {
                assert!(!weekday_name(lang, d).as_str().starts_with("names."));
                assert!(!weekday_short(lang, d).as_str().starts_with("names."));
            }
        }
    }

    #[test]
    fn channel_names_are_escaped() {
        let list = channel_list(&["a<b".to_string(), "xhs".to_string()]);
        assert_eq!(list.as_str(), "#a&lt;b, #xhs");
    }
}
