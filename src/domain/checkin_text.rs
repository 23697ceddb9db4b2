//! Forgiving `/checkin` text: what people actually type or paste becomes the canonical
//! `key=value key=value` form that `parse_checkin_fields` reads. Accepted: `key=value`,
//! `key:value`, `key：value`, `key value`, `花费1000`, `花费 1000 元`, full-width digits and
//! punctuation (`１０００，`), and a spreadsheet paste (a header line and one row, tab- or
//! space-separated). Anything else is refused naming the exact piece not understood.
//!
//! Keys are kept as typed (the parser quotes them back in its errors); only the separators
//! and the layout change, so normalizing the canonical form gives it back unchanged.

use super::metrics::{CheckinError, CheckinField, Metric};

/// Why the text could not be put into `key=value` form; each names the piece as typed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    /// A word that is neither a field nor a field's value (`taobao` in `taobao spend 1`).
    #[error("not understood: {token}")]
    NotUnderstood { token: String },
    /// A field name with no value after it (`spend` in `spend clicks 5`).
    #[error("no value for {key}")]
    NoValue { key: String },
    /// A spreadsheet header cell that is not a field.
    #[error("unknown column: {key}")]
    UnknownColumn { key: String },
}

impl From<NormalizeError> for CheckinError {
    fn from(e: NormalizeError) -> CheckinError {
        match e {
            NormalizeError::NotUnderstood { token } | NormalizeError::NoValue { key: token } => {
                CheckinError::NotKeyValue { token }
            }
            NormalizeError::UnknownColumn { key } => CheckinError::UnknownKey { key },
        }
    }
}

/// Aliases of `leads` recognized for splitting text even before the field itself exists, so
/// `线索 30` reads as one pair (the parser then judges the key).
const LEAD_KEYS: [&str; 5] = ["leads", "线索", "留资", "私信进线", "进线"];

/// Units people write as a separate word after a number (`1000 元`, `45 单`).
const UNIT_WORDS: [&str; 15] = [
    "元", "块", "块钱", "rmb", "cny", "yuan", "次", "个", "单", "人", "笔", "万", "千", "w", "k",
];

/// The canonical `key=value key=value` form of check-in fields, or the piece not understood.
pub fn normalize(input: &str) -> Result<String, NormalizeError> {
    let text = half_width(input);
    // Lines keep their tabs: a row may start with an empty cell.
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c| c == ' ' || c == '\r'))
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.len() >= 2
        && let Some(header) = sheet_header(lines[0])
    {
        return sheet(&header, &lines[1..]);
    }
    let pieces = pieces(&text);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let p = &pieces[i];
        i += 1;
        if let Some(pos) = p.find(is_sep) {
            let (key, rest) = p.split_at(pos);
            let value = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
            // `spend=` then the value as the next word (`spend= 1000` was spaced apart).
            if value.is_empty() && i < pieces.len() && is_value_word(&pieces[i]) {
                out.push(format!("{key}={}", pieces[i]));
                i += 1;
            } else {
                out.push(format!("{key}={value}"));
            }
            continue;
        }
        if is_key(p) {
            match pieces.get(i) {
                Some(v) if is_value_word(v) => {
                    out.push(format!("{p}={v}"));
                    i += 1;
                }
                _ => return Err(NormalizeError::NoValue { key: p.clone() }),
            }
            continue;
        }
        if let Some((key, value)) = glued(p) {
            out.push(format!("{key}={value}"));
            continue;
        }
        // A unit on its own after a value: `1000 元`.
        if is_unit(p)
            && let Some(last) = out.last_mut()
            && last.ends_with(|c: char| c.is_ascii_digit() || c == '万' || c == '千')
        {
            last.push_str(p);
            continue;
        }
        return Err(NormalizeError::NotUnderstood { token: p.clone() });
    }
    // A pair that would run into its neighbour once spaced (`spend=` then `clicks=5`, or
    // `=5` after another pair) is named rather than guessed at. Alone, it goes to the parser,
    // which says what is wrong with it.
    if out.len() > 1
        && let Some(bad) = out
            .iter()
            .find(|t| t.starts_with(is_sep) || t.ends_with(is_sep))
    {
        return Err(NormalizeError::NotUnderstood { token: bad.clone() });
    }
    Ok(out.join(" "))
}

/// Whether `text` (the fields after a channel) is a spreadsheet paste: a header line of
/// fields followed by its row. A caller splitting `/checkin` into one line per channel keeps
/// such a paste together, since its lines belong to one channel.
pub fn is_sheet(text: &str) -> bool {
    let text = half_width(text);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    matches!((lines.next(), lines.next()), (Some(h), Some(_)) if sheet_header(h.trim_matches(' ')).is_some())
}

/// Full-width ASCII (`１０００`, `，`, `％`, `＝`) and the ideographic space as plain ASCII.
/// `：`/`，`/`；` stay ASCII too: the tokenizer treats both widths alike.
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

fn is_sep(c: char) -> bool {
    c == '=' || c == ':' || c == '：'
}

fn is_key(word: &str) -> bool {
    let lower = word.to_lowercase();
    CheckinField::parse(&lower).is_some() || LEAD_KEYS.contains(&lower.as_str())
}

fn is_unit(word: &str) -> bool {
    UNIT_WORDS.contains(&word.to_lowercase().as_str())
}

/// A word that can be a value: not a field name, no separator of its own.
fn is_value_word(word: &str) -> bool {
    !is_key(word) && !word.contains(is_sep)
}

/// `花费1000` → (`花费`, `1000`): a field name glued to a number (or a currency sign).
fn glued(word: &str) -> Option<(&str, &str)> {
    let pos = word.find(|c: char| c.is_ascii_digit() || matches!(c, '¥' | '￥' | '$'))?;
    let (key, value) = word.split_at(pos);
    (!key.is_empty() && is_key(key)).then_some((key, value))
}

/// Splits into words at whitespace and pair breaks (`,` `;` `、`, and `,` unless it sits
/// between digits as a thousands separator), joining a separator to its neighbours so that
/// `spend = 10` is one word.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let thousands = c == ','
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let pair_break = matches!(c, '，' | ';' | '、') || (c == ',' && !thousands);
        if c.is_whitespace() || pair_break {
            if c.is_whitespace() && joins_separator(&cur, &chars[i..]) {
                continue;
            }
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whitespace right after `key=` or right before `=value` belongs to the pair.
fn joins_separator(cur: &str, rest: &[char]) -> bool {
    if cur.is_empty() {
        return false;
    }
    let next = rest.iter().find(|c| !c.is_whitespace());
    cur.ends_with(is_sep) || next.is_some_and(|c| is_sep(*c))
}

/// The cells of a spreadsheet header line: every cell a field (or a derived metric the bot
/// computes itself, such as 点击率, skipped), at least two, no separators. None otherwise.
fn sheet_header(line: &str) -> Option<Vec<String>> {
    if line.contains(is_sep) {
        return None;
    }
    let cells = cells(line);
    let known = cells
        .iter()
        .filter(|c| is_key(c) || Metric::parse(c).is_some())
        .count();
    // A paste with a stray column is still a paste: recognise it by its known columns and
    // name the odd one in the refusal. Tabs say "spreadsheet" by themselves; with spaces
    // most columns must be fields.
    let enough = if line.contains('\t') {
        known >= 1
    } else {
        known * 2 > cells.len()
    };
    (cells.len() >= 2 && enough).then_some(cells)
}

/// A line's cells: tab-separated (empty cells kept: a blank is a column with no number), or
/// space-separated when there is no tab (a paste whose tabs became spaces).
fn cells(line: &str) -> Vec<String> {
    if line.contains('\t') {
        line.split('\t').map(|c| c.trim().to_string()).collect()
    } else {
        line.split_whitespace().map(str::to_string).collect()
    }
}

/// One row under its header: `key=value` for every filled field column. Empty cells are left
/// out (unknown is not zero); derived metric columns are skipped.
fn sheet(header: &[String], rows: &[&str]) -> Result<String, NormalizeError> {
    if let Some(extra) = rows.get(1) {
        return Err(NormalizeError::NotUnderstood {
            token: (*extra).to_string(),
        });
    }
    let line = rows.first().copied().unwrap_or_default();
    // With tabs, cells missing at the end are empty ones the paste trimmed; with spaces a
    // short row cannot be lined up with its header.
    let tabbed = line.contains('\t');
    let row = cells(line);
    let mut out = Vec::new();
    for (i, key) in header.iter().enumerate() {
        let value = row.get(i).map(|v| v.replace(' ', "")).unwrap_or_default();
        if !is_key(key) {
            if Metric::parse(key).is_some() {
                continue;
            }
            if key.is_empty() {
                if value.is_empty() {
                    continue;
                }
                return Err(NormalizeError::NotUnderstood { token: value });
            }
            return Err(NormalizeError::UnknownColumn { key: key.clone() });
        }
        // A cell is one value: `1,000` is, `a;b` or `5:` is not. It is written as that one
        // word, without pair breaks around it (`,5` from a CSV row), so a second pass over
        // the result reads the same pairs.
        let value = if value.is_empty() {
            value
        } else {
            match pieces(&value).as_slice() {
                [word] if !value.contains(is_sep) => word.clone(),
                _ => return Err(NormalizeError::NotUnderstood { token: value }),
            }
        };
        if value.is_empty() {
            if !tabbed && i >= row.len() {
                return Err(NormalizeError::NoValue { key: key.clone() });
            }
            continue;
        }
        out.push(format!("{key}={value}"));
    }
    if let Some(extra) = row.get(header.len()).filter(|v| !v.is_empty()) {
        return Err(NormalizeError::NotUnderstood {
            token: extra.clone(),
        });
    }
    Ok(out.join(" "))
}

#[cfg(test)]
mod tests;
