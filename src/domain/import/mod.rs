//! Reading an ad platform's exported report (issue 14 D), pure: bytes in, one number per field
//! per day out, or the reason the file can't be read. No I/O — the bot downloads, the console
//! reads the disk, this only looks at bytes.
//!
//! - `container`: what the file is (CSV in UTF-8/BOM/UTF-16/GB18030, XLSX, a ZIP of one), the
//!   size, row and unpacking limits.
//! - `header`: the header row among the first 20, the column alias tables, the platform.
//! - `values`: one cell as money, a count or a day; total-row labels.

pub mod container;
pub mod header;
pub mod plan;
pub mod values;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use container::{Format, MAX_FILE_BYTES, MAX_ROWS, MAX_UNPACKED_BYTES, TextEncoding};
pub use header::{Header, Platform, find_header};
pub use values::Cell;

/// A number a report can carry for a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ImportField {
    Spend,
    Impressions,
    Clicks,
    Orders,
    Gmv,
    Leads,
    Interactions,
}

impl ImportField {
    pub const ALL: [ImportField; 7] = [
        ImportField::Spend,
        ImportField::Impressions,
        ImportField::Clicks,
        ImportField::Orders,
        ImportField::Gmv,
        ImportField::Leads,
        ImportField::Interactions,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportField::Spend => "spend",
            ImportField::Impressions => "impressions",
            ImportField::Clicks => "clicks",
            ImportField::Orders => "orders",
            ImportField::Gmv => "gmv",
            ImportField::Leads => "leads",
            ImportField::Interactions => "interactions",
        }
    }

    /// Money is minor units; the rest are counts.
    pub fn is_money(self) -> bool {
        matches!(self, ImportField::Spend | ImportField::Gmv)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One field per [`ImportField`], None = the report has no number for it.
pub type Values = [Option<i64>; 7];

/// A day's numbers: the sum of the report's rows for that day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayNumbers {
    pub day: NaiveDate,
    pub values: Values,
    /// How many rows were summed.
    pub rows: u32,
}

impl DayNumbers {
    pub fn get(&self, field: ImportField) -> Option<i64> {
        self.values[field.index()]
    }
}

/// Adds a row's values to a day's. Unknown + unknown stays unknown (nobody reported it);
/// known + unknown is the known sum: a plan whose cell is `-` had nothing to report for that
/// metric (no conversion tracking, a paused unit), and the day's real total is what the other
/// plans reported — making the whole day unknown would throw their numbers away, and writing
/// 0 for the `-` would claim a number nobody gave.
pub fn add_values(a: &Values, b: &Values) -> Values {
    let mut out = *a;
    for (o, v) in out.iter_mut().zip(b) {
        *o = match (*o, *v) {
            (Some(x), Some(y)) => Some(x.saturating_add(y)),
            (x, None) => x,
            (None, y) => y,
        };
    }
    out
}

/// Rows that were not summed, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    /// Total and subtotal rows (合计, 总计, 汇总, Total).
    pub totals: u32,
    /// Rows with no day in the day column (notes, footers, a plan without a date).
    pub no_date: u32,
    /// Rows with a number that can't be read (`abc` in a spend column, a negative count).
    pub bad_values: u32,
    /// Dated rows with no number in any known column.
    pub no_numbers: u32,
}

impl Ignored {
    pub fn total(&self) -> u32 {
        self.totals + self.no_date + self.bad_values + self.no_numbers
    }
}

/// A report as read: which platform, which columns, one entry per day (oldest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub platform: Platform,
    pub format: Format,
    /// The fields the report has a column for, in field order.
    pub fields: Vec<ImportField>,
    pub days: Vec<DayNumbers>,
    pub ignored: Ignored,
}

impl Report {
    /// Each field summed over every day (the same rule as within a day).
    pub fn totals(&self) -> Values {
        self.days
            .iter()
            .fold([None; 7], |acc, d| add_values(&acc, &d.values))
    }

    /// The first and last day (a report has at least one).
    pub fn range(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.days.first()?.day, self.days.last()?.day))
    }
}

/// Why a file can't be imported; each names what the reply must say was missing or wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("not a table")]
    NotATable,
    #[error("no date column")]
    NoDateColumn,
    #[error("no spend column")]
    NoSpendColumn,
    #[error("unreadable text encoding")]
    Encoding,
    #[error("file too big: {bytes} bytes")]
    TooBig { bytes: usize },
    #[error("too many rows")]
    TooManyRows,
    #[error("zip unpacks past the limit")]
    ZipBomb,
    /// A ZIP must hold exactly one CSV or XLSX.
    #[error("zip holds {tables} tables")]
    ZipContents { tables: usize },
    /// A header, but not one row with a day and a number.
    #[error("no dated rows")]
    NoRows,
}

/// Reads a report. `file_name` may name the platform (`千川_日报.csv`).
pub fn parse_report(bytes: &[u8], file_name: &str) -> Result<Report, ImportError> {
    let (format, sheets) = container::read_tables(bytes)?;
    // The first sheet whose header has a day and a spend column; else the best reason why not.
    let mut refusal = ImportError::NotATable;
    for rows in &sheets {
        let Some(header) = find_header(rows, file_name) else {
            continue;
        };
        let Some(date_col) = header.date else {
            refusal = ImportError::NoDateColumn;
            continue;
        };
        if header.column(ImportField::Spend).is_none() {
            if refusal != ImportError::NoDateColumn {
                refusal = ImportError::NoSpendColumn;
            }
            continue;
        }
        return sum_rows(&rows[header.row + 1..], &header, date_col, format);
    }
    Err(refusal)
}

fn sum_rows(
    rows: &[Vec<Cell>],
    header: &Header,
    date_col: usize,
    format: Format,
) -> Result<Report, ImportError> {
    let data_rows = rows
        .iter()
        .filter(|r| !r.iter().all(Cell::is_blank))
        .count();
    if data_rows > MAX_ROWS {
        return Err(ImportError::TooManyRows);
    }
    let mut ignored = Ignored::default();
    let mut days: BTreeMap<NaiveDate, DayNumbers> = BTreeMap::new();
    let empty = Cell::Empty;
    for row in rows {
        // Blank lines separate blocks in some exports; they are not rows of data.
        if row.iter().all(Cell::is_blank) {
            continue;
        }
        if row.iter().any(values::is_total_label) {
            ignored.totals += 1;
            continue;
        }
        let Some(day) = values::day(row.get(date_col).unwrap_or(&empty)) else {
            ignored.no_date += 1;
            continue;
        };
        let mut vals: Values = [None; 7];
        let mut bad = false;
        for (field, col) in &header.fields {
            let cell = row.get(*col).unwrap_or(&empty);
            let read = if field.is_money() {
                values::money(cell)
            } else {
                values::count(cell)
            };
            match read {
                Ok(v) => vals[field.index()] = v,
                Err(_) => bad = true,
            }
        }
        if bad {
            // A half-read row would enter the day's sums with a number silently missing.
            ignored.bad_values += 1;
            continue;
        }
        if vals.iter().all(Option::is_none) {
            ignored.no_numbers += 1;
            continue;
        }
        let entry = days.entry(day).or_insert(DayNumbers {
            day,
            values: [None; 7],
            rows: 0,
        });
        entry.values = add_values(&entry.values, &vals);
        entry.rows += 1;
    }
    if days.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(Report {
        platform: header.platform,
        format,
        fields: header.fields.iter().map(|(f, _)| *f).collect(),
        days: days.into_values().collect(),
        ignored,
    })
}

/// Which of the team's channels a report is for, when the command named none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelGuess {
    /// Exactly one of the team's channels fits the platform.
    One(String),
    /// None or several fit: the member has to say which.
    Ask,
}

/// Proposes the channel from the platform (千川 → douyin, 万相台/直通车 → taobao or tmall,
/// 京东 → jd, 聚光 → xhs) when the team has exactly one such channel.
pub fn guess_channel(platform: Platform, channels: &[String]) -> ChannelGuess {
    let fits: Vec<&String> = channels
        .iter()
        .filter(|c| platform.channel_names().contains(&c.as_str()))
        .collect();
    match fits.as_slice() {
        [one] => ChannelGuess::One((*one).clone()),
        _ => ChannelGuess::Ask,
    }
}

#[cfg(test)]
mod tests;
