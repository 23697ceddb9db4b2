//! Names and small formats every view shares: metrics, tiers, weekdays, clock times, channel
//! tags, Telegram's length unit. One definition each (locales/names.*.yml).

use crate::domain::ids::UserId;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};
use chrono_tz::Tz;

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

/// An instant in the reader's language, in `tz`: `2026-12-04 18:00 Fri` / `12月4日 周五 18:00`.
/// Every reply that shows a moment goes through here, so weekdays never leak in English.
pub fn datetime(lang: Lang, epoch: i64, tz: Tz) -> String {
    let Some(local) = local_naive(epoch, tz) else {
        return epoch.to_string();
    };
    let wd = weekday_short(lang, i64::from(local.weekday().num_days_from_monday()));
    let time = hhmm(i64::from(local.hour() * 60 + local.minute()));
    match lang {
        Lang::Zh => format!("{} {} {time}", month_day(lang, local.date()), wd.as_str()),
        Lang::En => format!("{} {time} {}", local.format("%Y-%m-%d"), wd.as_str()),
    }
}

/// An instant for a list line: within six days by weekday (`周五 18:00`, `Fri 18:00`), the
/// weekday being unambiguous then; further away the full [`datetime`].
pub fn when_short(lang: Lang, epoch: i64, now: i64, tz: Tz) -> String {
    if (epoch - now).abs() >= 6 * 86_400 {
        return datetime(lang, epoch, tz);
    }
    let Some(local) = local_naive(epoch, tz) else {
        return epoch.to_string();
    };
    let wd = weekday_short(lang, i64::from(local.weekday().num_days_from_monday()));
    let time = hhmm(i64::from(local.hour() * 60 + local.minute()));
    format!("{} {time}", wd.as_str())
}

/// A calendar day with its weekday: `2026-12-01 Tue` / `12月1日 周二`.
pub fn date(lang: Lang, d: NaiveDate) -> String {
    let wd = weekday_short(lang, i64::from(d.weekday().num_days_from_monday()));
    match lang {
        Lang::Zh => format!("{} {}", month_day(lang, d), wd.as_str()),
        Lang::En => format!("{} {}", d.format("%Y-%m-%d"), wd.as_str()),
    }
}

/// A day in a span: `2026-12-01` / `12月1日`.
pub fn day(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => month_day(lang, d),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// A day without year or weekday, for ranges: `12-01` / `12月1日`.
pub fn month_day(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}月{}日", d.month(), d.day()),
        Lang::En => d.format("%m-%d").to_string(),
    }
}

/// A month: `2026-12` / `2026年12月`.
pub fn month(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月", d.year(), d.month()),
        Lang::En => d.format("%Y-%m").to_string(),
    }
}

/// How long ago an instant was: `3 h ago` / `3 小时前` (minutes under an hour, hours under
/// two days, then days).
pub fn ago(lang: Lang, then: i64, now: i64) -> Html {
    let secs = (now - then).max(0);
    let (unit, n) = if secs < 3600 {
        ("min", (secs / 60).max(1))
    } else if secs < 2 * 86_400 {
        ("h", secs / 3600)
    } else {
        ("d", secs / 86_400)
    };
    tr!(lang, &format!("names.ago.{unit}"), n = n)
}

/// An instant as a spreadsheet cell: `2026-12-04 18:00`, the same in every language (CSV
/// exports are read by programs).
pub fn sheet_datetime(epoch: i64, tz: Tz) -> String {
    match local_naive(epoch, tz) {
        Some(local) => local.format("%Y-%m-%d %H:%M").to_string(),
        None => epoch.to_string(),
    }
}

fn local_naive(epoch: i64, tz: Tz) -> Option<NaiveDateTime> {
    let e = epoch.clamp(
        crate::domain::when::MIN_EPOCH,
        crate::domain::when::MAX_EPOCH,
    );
    DateTime::from_timestamp(e, 0).map(|dt| dt.with_timezone(&tz).naive_local())
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

/// `<b>#name</b>`, escaped.
pub fn bold_channel_tag(name: &str) -> Html {
    Html::bold(&format!("#{name}"))
}

/// A metric's name as a plain string, for chart texts (names hold no markup characters, so
/// text and HTML agree).
pub fn plain_metric_name(lang: Lang, m: Metric) -> String {
    metric_name(lang, m).into_string()
}

/// A `rhythm.*` locale text as plain text, for what is drawn into a picture (no HTML there).
pub fn rhythm_text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    crate::i18n::tr(lang, &format!("rhythm.{key}"), args)
}

/// `#a, #b, #c`: the channels a team has, for "there is no such channel" replies.
pub fn channel_list(names: &[String]) -> Html {
    let tags: Vec<Html> = names.iter().map(|n| channel_tag(n)).collect();
    Html::join(&tags, ", ")
}

/// A mention of a user by id (works without a username), the name escaped.
pub fn mention(user_id: UserId, name: &str) -> Html {
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
    fn dates_read_in_the_readers_language() {
        let sh: Tz = chrono_tz::Asia::Shanghai;
        // 2026-12-04 10:00 UTC = 18:00 in Shanghai, a Friday.
        let epoch = 1_796_378_400;
        assert_eq!(datetime(Lang::Zh, epoch, sh), "12月4日 周五 18:00");
        assert_eq!(datetime(Lang::En, epoch, sh), "2026-12-04 18:00 Fri");
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        assert_eq!(date(Lang::Zh, d), "12月1日 周二");
        assert_eq!(date(Lang::En, d), "2026-12-01 Tue");
        assert_eq!(month_day(Lang::Zh, d), "12月1日");
        assert_eq!(month_day(Lang::En, d), "12-01");
        assert_eq!(month(Lang::Zh, d), "2026年12月");
        assert_eq!(month(Lang::En, d), "2026-12");
        assert_eq!(
            when_short(Lang::Zh, epoch, epoch - 86_400, sh),
            "周五 18:00"
        );
        assert_eq!(when_short(Lang::En, epoch, epoch - 86_400, sh), "Fri 18:00");
        assert_eq!(
            when_short(Lang::Zh, epoch, epoch - 7 * 86_400, sh),
            "12月4日 周五 18:00"
        );
    }

    #[test]
    fn ago_picks_a_unit_in_both_languages() {
        for (delta, zh, en) in [
            (30, "1 分钟前", "1 min ago"),
            (3 * 3600 + 5, "3 小时前", "3 h ago"),
            (2 * 86_400, "2 天前", "2 d ago"),
        ] {
            assert_eq!(ago(Lang::Zh, 1000, 1000 + delta).as_str(), zh);
            assert_eq!(ago(Lang::En, 1000, 1000 + delta).as_str(), en);
        }
    }

    #[test]
    fn datetime_never_panics_at_the_edges() {
        let sh: Tz = chrono_tz::Asia::Shanghai;
        for e in [i64::MIN, -1, 0, i64::MAX] {
            for lang in [Lang::En, Lang::Zh] {
                assert!(!datetime(lang, e, sh).is_empty());
            }
        }
    }

    #[test]
    fn channel_names_are_escaped() {
        let list = channel_list(&["a<b".to_string(), "xhs".to_string()]);
        assert_eq!(list.as_str(), "#a&lt;b, #xhs");
    }
}
