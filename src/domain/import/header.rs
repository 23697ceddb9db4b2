//! Which row is the header, what each column holds, and which platform wrote the report.
//!
//! Column names come from each platform's export (巨量千川, 阿里妈妈 万相台/直通车, 京东
//! 京准通/快车, 小红书聚光) plus generic English ones. A name is compared after dropping a unit
//! in brackets (`消耗(元)`, `花费（元）`), spaces and case.

use serde::{Deserialize, Serialize};

use super::ImportField;
use super::values::Cell;

/// The ad platform a report came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Platform {
    /// 巨量千川 (Douyin).
    Qianchuan,
    /// 阿里妈妈 万相台无界 / 直通车 (Taobao, Tmall).
    Alimama,
    /// 京东 京准通 / 快车.
    Jd,
    /// 小红书聚光.
    Xhs,
    /// Column names in English, platform unknown.
    Generic,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Qianchuan,
        Platform::Alimama,
        Platform::Jd,
        Platform::Xhs,
        Platform::Generic,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Platform::Qianchuan => "qianchuan",
            Platform::Alimama => "alimama",
            Platform::Jd => "jd",
            Platform::Xhs => "xhs",
            Platform::Generic => "generic",
        }
    }

    /// The channel names a team would give this platform's channel, most usual first.
    pub fn channel_names(self) -> &'static [&'static str] {
        match self {
            Platform::Qianchuan => &["douyin", "qianchuan", "抖音", "千川", "dy"],
            Platform::Alimama => &["taobao", "tmall", "淘宝", "天猫", "tb", "alimama"],
            Platform::Jd => &["jd", "京东", "jingdong"],
            Platform::Xhs => &["xhs", "小红书", "xiaohongshu", "redbook", "red"],
            Platform::Generic => &[],
        }
    }

    /// Words in a report's title rows (or file name) that name the platform outright.
    fn title_words(self) -> &'static [&'static str] {
        match self {
            Platform::Qianchuan => &["千川", "巨量", "qianchuan"],
            Platform::Alimama => &["万相台", "直通车", "阿里妈妈", "alimama"],
            Platform::Jd => &["京准通", "京东快车", "京东", "jzt"],
            Platform::Xhs => &["聚光", "小红书", "xiaohongshu"],
            Platform::Generic => &[],
        }
    }
}

use ImportField as F;
use Platform as P;

/// `(normalized column name, field, platforms that use it)`. Within a field, earlier names win
/// when a report has several (千川's 整体消耗 over 消耗, 整体成交金额 over 直接成交金额).
const ALIASES: &[(&str, ImportField, &[Platform])] = &[
    // 巨量千川
    ("整体消耗", F::Spend, &[P::Qianchuan]),
    ("消耗", F::Spend, &[P::Qianchuan]),
    ("整体展现次数", F::Impressions, &[P::Qianchuan]),
    ("整体展示次数", F::Impressions, &[P::Qianchuan]),
    ("展示次数", F::Impressions, &[P::Qianchuan]),
    ("整体点击次数", F::Clicks, &[P::Qianchuan]),
    ("点击次数", F::Clicks, &[P::Qianchuan]),
    ("整体成交订单数", F::Orders, &[P::Qianchuan]),
    ("直接成交订单数", F::Orders, &[P::Qianchuan]),
    ("整体成交金额", F::Gmv, &[P::Qianchuan]),
    ("直接成交金额", F::Gmv, &[P::Qianchuan]),
    ("用户实际支付金额", F::Gmv, &[P::Qianchuan]),
    // 阿里妈妈 (花费 is shared with 京东)
    ("花费", F::Spend, &[P::Alimama, P::Jd]),
    ("展现量", F::Impressions, &[P::Alimama, P::Xhs]),
    ("点击量", F::Clicks, &[P::Alimama, P::Xhs]),
    ("总成交笔数", F::Orders, &[P::Alimama]),
    ("总成交金额", F::Gmv, &[P::Alimama]),
    // 京东
    ("总费用", F::Spend, &[P::Jd]),
    ("展现数", F::Impressions, &[P::Jd]),
    ("点击数", F::Clicks, &[P::Jd]),
    ("总订单行", F::Orders, &[P::Jd]),
    ("总订单金额", F::Gmv, &[P::Jd]),
    // 小红书聚光
    ("消费", F::Spend, &[P::Xhs]),
    ("互动量", F::Interactions, &[P::Xhs]),
    ("私信进线数", F::Leads, &[P::Xhs]),
    ("私信留资数", F::Leads, &[P::Xhs]),
    // generic English
    ("spend", F::Spend, &[P::Generic]),
    ("cost", F::Spend, &[P::Generic]),
    ("amountspent", F::Spend, &[P::Generic]),
    ("impressions", F::Impressions, &[P::Generic]),
    ("clicks", F::Clicks, &[P::Generic]),
    ("orders", F::Orders, &[P::Generic]),
    ("conversions", F::Orders, &[P::Generic]),
    ("purchases", F::Orders, &[P::Generic]),
    ("revenue", F::Gmv, &[P::Generic]),
    ("gmv", F::Gmv, &[P::Generic]),
    ("conversionvalue", F::Gmv, &[P::Generic]),
    ("leads", F::Leads, &[P::Generic]),
    ("interactions", F::Interactions, &[P::Generic]),
    ("engagements", F::Interactions, &[P::Generic]),
];

/// Names of the day column, on every platform.
const DATE_NAMES: &[&str] = &[
    "日期",
    "时间",
    "统计日期",
    "数据日期",
    "日期时间",
    "date",
    "day",
    "reportingstarts",
];

/// A column name as compared: without a bracketed unit, spaces or case.
fn normalize_name(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in s.trim().trim_start_matches('\u{feff}').chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            c if depth > 0 || c.is_whitespace() || c == '_' || c == '-' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// What a header row says about the columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Index of the header row.
    pub row: usize,
    /// Index of the day column, if any.
    pub date: Option<usize>,
    /// The column chosen for each field found, in field order.
    pub fields: Vec<(ImportField, usize)>,
    pub platform: Platform,
}

impl Header {
    pub fn column(&self, field: ImportField) -> Option<usize> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| *c)
    }
}

/// Reads one row as a header: the day column, the best column per field, and votes per platform.
fn read_row(row: &[Cell]) -> (Option<usize>, Vec<(ImportField, usize)>, [u32; 5]) {
    let mut date = None;
    // (field, column, rank in ALIASES)
    let mut best: Vec<(ImportField, usize, usize)> = Vec::new();
    let mut votes = [0u32; 5];
    for (col, cell) in row.iter().enumerate() {
        let Cell::Text(text) = cell else { continue };
        let name = normalize_name(text);
        if date.is_none() && DATE_NAMES.contains(&name.as_str()) {
            date = Some(col);
            continue;
        }
        let Some((rank, (_, field, platforms))) =
            ALIASES.iter().enumerate().find(|(_, (a, _, _))| *a == name)
        else {
            continue;
        };
        // A name used by one platform only is a strong vote; a shared one a weak vote each.
        let weight = if platforms.len() == 1 { 2 } else { 1 };
        for p in *platforms {
            votes[p_index(*p)] += weight;
        }
        match best.iter_mut().find(|(f, _, _)| f == field) {
            Some(b) if b.2 > rank => *b = (*field, col, rank),
            Some(_) => {}
            None => best.push((*field, col, rank)),
        }
    }
    let mut fields: Vec<(ImportField, usize)> = best.into_iter().map(|(f, c, _)| (f, c)).collect();
    fields.sort_by_key(|(f, _)| *f as u8);
    (date, fields, votes)
}

fn p_index(p: Platform) -> usize {
    Platform::ALL.iter().position(|q| *q == p).unwrap_or(4)
}

/// How many rows from the top may be titles, notes or filters above the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Finds the header among the first [`HEADER_SEARCH_ROWS`] rows: the row naming the most known
/// columns (a day column counts as one). None when no row names any. `hint` is extra text
/// that may name the platform (the file name).
pub fn find_header(rows: &[Vec<Cell>], hint: &str) -> Option<Header> {
    let mut found: Option<(usize, Header, [u32; 5])> = None;
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let (date, fields, votes) = read_row(row);
        let score = fields.len() + usize::from(date.is_some());
        if score == 0 || found.as_ref().is_some_and(|(s, _, _)| *s >= score) {
            continue;
        }
        let header = Header {
            row: i,
            date,
            fields,
            platform: Platform::Generic,
        };
        found = Some((score, header, votes));
    }
    let (_, mut header, votes) = found?;
    let mut titles: String = hint.to_lowercase();
    for row in &rows[..header.row] {
        for cell in row {
            titles.push(' ');
            titles.push_str(&cell.text().to_lowercase());
        }
    }
    header.platform = platform_of(&titles, votes);
    Some(header)
}

/// A platform named in the titles wins; otherwise the column names' votes decide.
fn platform_of(titles: &str, votes: [u32; 5]) -> Platform {
    for p in Platform::ALL {
        if p.title_words().iter().any(|w| titles.contains(w)) {
            return p;
        }
    }
    let mut best = (Platform::Generic, 0);
    for (i, v) in votes.iter().enumerate() {
        if *v > best.1 {
            best = (Platform::ALL[i], *v);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(names: &[&str]) -> Vec<Cell> {
        names.iter().map(|n| Cell::Text(n.to_string())).collect()
    }

    #[test]
    fn names_are_compared_without_units_spaces_or_case() {
        let cases = [
            ("消耗(元)", "消耗"),
            ("花费（元）", "花费"),
            (" Amount Spent (USD) ", "amountspent"),
            ("\u{feff}日期", "日期"),
            ("Conversion_Value", "conversionvalue"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_name(raw), want, "{raw}");
        }
    }

    #[test]
    fn each_platform_is_recognised_by_its_columns() {
        let cases: &[(&[&str], Platform, &[ImportField])] = &[
            (
                &[
                    "日期",
                    "计划名称",
                    "整体消耗(元)",
                    "整体展示次数",
                    "整体点击次数",
                    "整体成交订单数",
                    "整体成交金额(元)",
                    "点击率",
                ],
                Platform::Qianchuan,
                &[F::Spend, F::Impressions, F::Clicks, F::Orders, F::Gmv],
            ),
            (
                &[
                    "日期",
                    "推广单元",
                    "花费",
                    "展现量",
                    "点击量",
                    "总成交笔数",
                    "总成交金额",
                ],
                Platform::Alimama,
                &[F::Spend, F::Impressions, F::Clicks, F::Orders, F::Gmv],
            ),
            (
                &[
                    "日期",
                    "总费用",
                    "展现数",
                    "点击数",
                    "总订单行",
                    "总订单金额",
                ],
                Platform::Jd,
                &[F::Spend, F::Impressions, F::Clicks, F::Orders, F::Gmv],
            ),
            (
                &[
                    "日期",
                    "笔记",
                    "消费",
                    "展现量",
                    "点击量",
                    "互动量",
                    "私信进线数",
                ],
                Platform::Xhs,
                &[
                    F::Spend,
                    F::Impressions,
                    F::Clicks,
                    F::Leads,
                    F::Interactions,
                ],
            ),
            (
                &[
                    "Date",
                    "Campaign",
                    "Amount spent",
                    "Impressions",
                    "Clicks",
                    "Purchases",
                    "Conversion value",
                ],
                Platform::Generic,
                &[F::Spend, F::Impressions, F::Clicks, F::Orders, F::Gmv],
            ),
        ];
        for (names, platform, fields) in cases {
            let h = find_header(&[row(names)], "").expect("header");
            assert_eq!(h.platform, *platform, "{names:?}");
            assert_eq!(h.date, Some(0));
            let got: Vec<ImportField> = h.fields.iter().map(|(f, _)| *f).collect();
            assert_eq!(got, *fields, "{names:?}");
        }
    }

    #[test]
    fn the_header_may_sit_below_titles_and_titles_name_the_platform() {
        let rows = vec![
            row(&["万相台无界 推广报表"]),
            row(&["时间范围: 2026-11-01 ~ 2026-11-07"]),
            vec![],
            row(&["日期", "花费", "展现量", "点击量"]),
        ];
        let h = find_header(&rows, "").expect("header");
        assert_eq!(h.row, 3);
        assert_eq!(h.platform, Platform::Alimama);
        // Shared names alone: the file name decides.
        let h = find_header(&rows[3..], "京准通_报表.csv").expect("header");
        assert_eq!(h.platform, Platform::Jd);
    }

    #[test]
    fn the_earlier_alias_wins_within_a_field() {
        let h = find_header(
            &[row(&["日期", "直接成交金额", "整体成交金额", "消耗"])],
            "",
        )
        .expect("header");
        assert_eq!(h.column(F::Gmv), Some(2));
        assert_eq!(h.column(F::Spend), Some(3));
    }

    #[test]
    fn no_known_column_is_no_header() {
        assert_eq!(find_header(&[row(&["a", "b"]), row(&["1", "2"])], ""), None);
        assert_eq!(find_header(&[], ""), None);
    }
}
