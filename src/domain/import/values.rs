//! One cell of an exported report, read as a number or a day. Platforms write the same value in
//! many ways: `1,234.50`, `¥1234.5`, `1234.5元`, full-width digits, a leading tab or apostrophe
//! that forces Excel to keep it as text, `="20261128"`, an Excel date serial. `-`, `--` and an
//! empty cell mean the platform has no number: unknown, never zero.

use chrono::{Days, NaiveDate};

use crate::domain::money::{AmountError, parse_amount, parse_amount_rounded, parse_count};

/// A cell as the reader found it: text (CSV, or a text cell of a sheet) or a sheet's number.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as text, trimmed (numbers in their shortest exact form).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => n.to_string(),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }
}

/// Why a cell could not be read as the column's kind of number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadValue;

/// Written by platforms for "no number" (a plan with no conversions tracked, a metric that
/// does not apply). Full-width and typographic dashes included.
fn means_unknown(s: &str) -> bool {
    matches!(
        s.to_lowercase().as_str(),
        "" | "-" | "--" | "—" | "——" | "－" | "n/a" | "na" | "null" | "none" | "/" | "暂无" | "无"
    )
}

/// Removes what makes Excel keep a number as text: a leading apostrophe or tab, `="…"`.
fn strip_text_markers(s: &str) -> &str {
    let s = s.trim().trim_start_matches('\'').trim();
    let s = s.strip_prefix('=').unwrap_or(s).trim();
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(s)
        .trim()
}

/// Money in minor units. Sheets hold floats, and some platforms export three decimals: both are
/// rounded half away from zero to the cent, because the bot keeps cents.
pub fn money(cell: &Cell) -> Result<Option<i64>, BadValue> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) if !n.is_finite() || *n < 0.0 => return Err(BadValue),
        Cell::Number(n) => format!("{n:.2}"),
        Cell::Text(s) => s.clone(),
    };
    let s = strip_text_markers(&text);
    if means_unknown(s) {
        return Ok(None);
    }
    match parse_amount(s) {
        Ok(v) => Ok(Some(v)),
        Err(AmountError::TooPrecise { .. }) => {
            parse_amount_rounded(s).map(Some).map_err(|_| BadValue)
        }
        Err(_) => Err(BadValue),
    }
}

/// A whole count. A sheet's float must be whole.
pub fn count(cell: &Cell) -> Result<Option<i64>, BadValue> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) if !n.is_finite() || *n < 0.0 || n.fract() != 0.0 => {
            return Err(BadValue);
        }
        Cell::Number(n) => format!("{n:.0}"),
        Cell::Text(s) => s.clone(),
    };
    let s = strip_text_markers(&text);
    if means_unknown(s) {
        return Ok(None);
    }
    parse_count(s).map(Some).map_err(|_| BadValue)
}

/// Excel's day 0 in the 1900 system, as Excel computes it (it counts 1900-02-29, so the
/// epoch that makes serials after February 1900 right is 1899-12-30).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// Serials between these are plausible report days (1954…2119); outside them a number is
/// more likely a count that landed in the date column.
const SERIAL_RANGE: std::ops::RangeInclusive<i64> = 20_000..=80_000;

fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() {
        return None;
    }
    let whole = serial.floor() as i64;
    if !SERIAL_RANGE.contains(&whole) {
        return None;
    }
    excel_epoch().checked_add_days(Days::new(u64::try_from(whole).ok()?))
}

/// A report day: `2026-11-28`, `2026/11/28`, `2026.11.28`, `20261128`, `2026年11月28日`, any of
/// them followed by a time, or an Excel serial (a sheet's number or its text). None when the
/// cell is not a day (a total row's label, a note, empty).
pub fn day(cell: &Cell) -> Option<NaiveDate> {
    let text = match cell {
        Cell::Empty => return None,
        Cell::Number(n) => return from_serial(*n),
        Cell::Text(s) => s,
    };
    let s = strip_text_markers(text);
    // Drop a time of day: `2026-11-28 00:00:00`, `2026-11-28T00:00:00`.
    let date_part = s.split([' ', 'T', '\u{3000}']).next().unwrap_or("").trim();
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(date_part, "%Y%m%d").ok();
    }
    if (5..=6).contains(&date_part.len())
        && let Ok(serial) = date_part.parse::<f64>()
    {
        return from_serial(serial);
    }
    let normalized: String = date_part
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '－' => '-',
            '日' | '号' => ' ',
            c => c,
        })
        .collect();
    let mut parts = normalized.trim().split('-');
    let y: i32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let d: u32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1900..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Words a platform writes in a total row, in any cell of it.
const TOTAL_WORDS: [&str; 6] = ["合计", "总计", "汇总", "total", "grand total", "sum"];

/// A total or subtotal row: summing it with the rows it totals would count every number twice.
pub fn is_total_label(cell: &Cell) -> bool {
    let Cell::Text(s) = cell else {
        return false;
    };
    let s = s.trim().trim_end_matches([':', '：']).trim().to_lowercase();
    TOTAL_WORDS.contains(&s.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn money_in_the_forms_platforms_write() {
        let cases: &[(Cell, Result<Option<i64>, BadValue>)] = &[
            (t("1,234.50"), Ok(Some(123_450))),
            (t("¥1234.5"), Ok(Some(123_450))),
            (t("1234.5元"), Ok(Some(123_450))),
            (t("１２３４"), Ok(Some(123_400))),
            (t("\t1234"), Ok(Some(123_400))),
            (t("'88.8"), Ok(Some(8_880))),
            (t("=\"99\""), Ok(Some(9_900))),
            (t("12.345"), Ok(Some(1_235))),
            (t("-"), Ok(None)),
            (t("--"), Ok(None)),
            (t(""), Ok(None)),
            (Cell::Empty, Ok(None)),
            (Cell::Number(0.0), Ok(Some(0))),
            (Cell::Number(1234.5), Ok(Some(123_450))),
            (Cell::Number(0.1 + 0.2), Ok(Some(30))),
            (Cell::Number(-1.0), Err(BadValue)),
            (Cell::Number(f64::NAN), Err(BadValue)),
            (t("abc"), Err(BadValue)),
            (t("-5"), Err(BadValue)),
        ];
        for (cell, want) in cases {
            assert_eq!(money(cell), *want, "{cell:?}");
        }
    }

    #[test]
    fn counts_are_whole() {
        let cases: &[(Cell, Result<Option<i64>, BadValue>)] = &[
            (t("1,500"), Ok(Some(1_500))),
            (t("１５"), Ok(Some(15))),
            (t("45单"), Ok(Some(45))),
            (t("—"), Ok(None)),
            (Cell::Number(45.0), Ok(Some(45))),
            (Cell::Number(4.5), Err(BadValue)),
            (t("2.5%"), Err(BadValue)),
            (t("1.5"), Err(BadValue)),
        ];
        for (cell, want) in cases {
            assert_eq!(count(cell), *want, "{cell:?}");
        }
    }

    #[test]
    fn days_in_every_form() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28);
        for s in [
            "2026-11-28",
            "2026/11/28",
            "2026.11.28",
            "20261128",
            "2026年11月28日",
            "2026-11-28 00:00:00",
            "2026-11-28T00:00:00",
            "'2026-11-28",
            "=\"20261128\"",
            "46354",
        ] {
            assert_eq!(day(&t(s)), d, "{s}");
        }
        assert_eq!(day(&Cell::Number(46354.0)), d);
        assert_eq!(day(&Cell::Number(46354.75)), d);
        assert_eq!(day(&t("2026/1/5")), NaiveDate::from_ymd_opt(2026, 1, 5));
        for s in [
            "合计",
            "",
            "2026-02-30",
            "20261328",
            "12",
            "note",
            "2026-11",
        ] {
            assert_eq!(day(&t(s)), None, "{s}");
        }
        assert_eq!(day(&Cell::Number(12.0)), None);
    }

    #[test]
    fn total_rows_by_their_label() {
        for s in ["合计", "总计：", " 汇总 ", "Total", "TOTAL:"] {
            assert!(is_total_label(&t(s)), "{s}");
        }
        for s in ["总计划A", "total spend", "计划1"] {
            assert!(!is_total_label(&t(s)), "{s}");
        }
        assert!(!is_total_label(&Cell::Number(1.0)));
    }
}
