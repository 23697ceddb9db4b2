//! `/festival add <date> <name>`, `/festival remove <date>`, `/festival` (the list): parsed here,
//! dates through [`resolve_day`] (past or future, the nearest `12-20`), names checked so a bad
//! one is refused with the reason and nothing changes.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::judgement::festivals::NAME_MAX_CHARS;
use super::when::resolve_day;

/// What `/festival` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FestivalArgs {
    /// No arguments, or `list`: the festivals.
    List,
    /// Add (or rename) the festival on a day.
    Add { day: NaiveDate, name: String },
    /// Remove the team's festival on a day.
    Remove { day: NaiveDate },
}

/// Why `/festival …` was refused; each quotes what was typed where there is something to quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FestivalArgError {
    /// Not `add`, `remove` or `list`.
    UnknownAction(String),
    /// `add` or `remove` without a date.
    MissingDate,
    /// A date that cannot be read.
    BadDate(String),
    /// `add <date>` without a name.
    MissingName,
    /// A name longer than [`NAME_MAX_CHARS`] characters.
    NameTooLong { max: usize },
    /// A name with markup characters (`<`, `>`, `&`) or control characters.
    NameMarkup(String),
}

fn is_add(word: &str) -> bool {
    matches!(word, "add" | "new" | "set" | "添加" | "加" | "新增")
}

fn is_remove(word: &str) -> bool {
    matches!(
        word,
        "remove" | "rm" | "delete" | "del" | "删除" | "删" | "移除"
    )
}

/// Parses the arguments of `/festival`, with `now` and the team's zone for relative dates.
pub fn parse_festival_args(
    input: &str,
    now: i64,
    tz: Tz,
) -> Result<FestivalArgs, FestivalArgError> {
    let mut words = input.split_whitespace();
    let Some(action) = words.next() else {
        return Ok(FestivalArgs::List);
    };
    let action_lower = action.to_lowercase();
    if matches!(action_lower.as_str(), "list" | "ls" | "列表") {
        return Ok(FestivalArgs::List);
    }
    let add = is_add(&action_lower);
    if !add && !is_remove(&action_lower) {
        return Err(FestivalArgError::UnknownAction(action.to_string()));
    }
    let date = words.next().ok_or(FestivalArgError::MissingDate)?;
    let day =
        resolve_day(date, now, tz).map_err(|_| FestivalArgError::BadDate(date.to_string()))?;
    let name = words.collect::<Vec<_>>().join(" ");
    if !add {
        return Ok(FestivalArgs::Remove { day });
    }
    if name.is_empty() {
        return Err(FestivalArgError::MissingName);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(FestivalArgError::NameTooLong {
            max: NAME_MAX_CHARS,
        });
    }
    if name
        .chars()
        .any(|c| matches!(c, '<' | '>' | '&') || c.is_control())
    {
        return Err(FestivalArgError::NameMarkup(name));
    }
    Ok(FestivalArgs::Add { day, name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn festival_arguments() {
        // 2026-11-20 12:00 in Shanghai.
        let now = d(2026, 11, 20)
            .and_hms_opt(4, 0, 0)
            .expect("time")
            .and_utc()
            .timestamp();
        let add = |day, name: &str| {
            Ok(FestivalArgs::Add {
                day,
                name: name.into(),
            })
        };
        let cases: Vec<(&str, Result<FestivalArgs, FestivalArgError>)> = vec![
            ("", Ok(FestivalArgs::List)),
            ("list", Ok(FestivalArgs::List)),
            ("add 2026-11-27 黑五", add(d(2026, 11, 27), "黑五")),
            (
                "add 11-27 Black  Friday",
                add(d(2026, 11, 27), "Black Friday"),
            ),
            ("添加 12-25 圣诞", add(d(2026, 12, 25), "圣诞")),
            ("add 01-05 年终", add(d(2027, 1, 5), "年终")),
            ("add 2026-06-01 店庆", add(d(2026, 6, 1), "店庆")),
            (
                "remove 11-27",
                Ok(FestivalArgs::Remove {
                    day: d(2026, 11, 27),
                }),
            ),
            (
                "删除 2026-11-27",
                Ok(FestivalArgs::Remove {
                    day: d(2026, 11, 27),
                }),
            ),
            ("add", Err(FestivalArgError::MissingDate)),
            ("remove", Err(FestivalArgError::MissingDate)),
            ("add 11-27", Err(FestivalArgError::MissingName)),
            (
                "add 13-45 x",
                Err(FestivalArgError::BadDate("13-45".into())),
            ),
            (
                "add soon sale",
                Err(FestivalArgError::BadDate("soon".into())),
            ),
            (
                "party 11-27 x",
                Err(FestivalArgError::UnknownAction("party".into())),
            ),
            (
                "add 11-27 <b>sale</b>",
                Err(FestivalArgError::NameMarkup("<b>sale</b>".into())),
            ),
            (
                "add 11-27 0123456789012345678901234567890",
                Err(FestivalArgError::NameTooLong {
                    max: NAME_MAX_CHARS,
                }),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_festival_args(input, now, Shanghai), want, "{input}");
        }
    }
}
