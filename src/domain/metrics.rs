//! The funnel numbers (DOMAIN.md §4): totals, derived metrics as exact fractions, goal checks,
//! and parsing of `/checkin` fields.

use std::cmp::Ordering;

use super::money::{
    self, AmountError, Rate, format_hundredths, format_money, format_number, format_percent,
    format_ratio, round_div, scaled_round,
};
pub use super::totals::{Field, Numbers, Totals};

/// Which direction of a metric is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Better {
    /// More is better (CTR, ROI, GMV…); a goal is "at least".
    Higher,
    /// Less is better (CPC, CPM, CAC); a goal is "at most".
    Lower,
}

/// How a metric's value is shown and how a goal for it is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A percentage (`3.00%`): CTR, CVR, interaction rate. Goals are typed as [`Rate`]s.
    Rate,
    /// Money: per-unit (CPC, CPM, AOV, CAC) or a volume (GMV, spend). Goals in minor units.
    Money,
    /// A whole count: orders, new customers.
    Count,
    /// A plain ratio (`9.00`): ROI. Goals are typed as [`Rate`]s.
    Ratio,
}

/// A metric users can name in `/goal`, `/chart`, and that reports show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Click-through rate: clicks / impressions.
    Ctr,
    /// Cost per click: spend / clicks.
    Cpc,
    /// Cost per thousand impressions: spend / impressions × 1000.
    Cpm,
    /// Conversion rate: orders / clicks.
    Cvr,
    /// Average order value: GMV / orders.
    Aov,
    /// Return on ad spend: GMV / spend.
    Roi,
    /// Customer acquisition cost: spend / new customers.
    Cac,
    /// Interaction rate: interactions / impressions.
    Interaction,
    /// Gross merchandise value (volume).
    Gmv,
    /// Orders (volume).
    Orders,
    /// New customers (volume).
    New,
    /// Spend (volume).
    Spend,
    /// Cost per lead: spend / leads.
    Cpl,
    /// Lead rate: leads / clicks.
    LeadRate,
    /// Leads (volume): 线索, 留资, 私信进线.
    Leads,
}

impl Metric {
    /// The metrics derived from the reported numbers, in funnel order (the one list: check-in
    /// replies, `/metrics`, goal order and `ALL` are built from it).
    pub const DERIVED: [Metric; 10] = [
        Metric::Ctr,
        Metric::Cpc,
        Metric::Cpm,
        Metric::Cvr,
        Metric::Aov,
        Metric::Roi,
        Metric::Cac,
        Metric::Interaction,
        Metric::LeadRate,
        Metric::Cpl,
    ];

    /// Every metric, in funnel/report order.
    pub const ALL: [Metric; 15] = Metric::with_derived([
        Metric::Spend,
        Metric::Gmv,
        Metric::Orders,
        Metric::Leads,
        Metric::New,
    ]);

    /// The five volumes in the order given, then [`Metric::DERIVED`].
    pub const fn with_derived(volumes: [Metric; 5]) -> [Metric; 15] {
        let mut all = [Metric::Spend; 15];
        let mut i = 0;
        while i < 15 {
            all[i] = if i < 5 {
                volumes[i]
            } else {
                Metric::DERIVED[i - 5]
            };
            i += 1;
        }
        all
    }

    /// Parses an English or Chinese metric name (`ctr`, `点击率`, `roi`, `投产比`…), case-insensitive.
    pub fn parse(s: &str) -> Option<Metric> {
        let s = s.trim().to_lowercase();
        let m = match s.as_str() {
            "ctr" | "点击率" => Metric::Ctr,
            "cpc" | "点击成本" | "平均点击花费" | "点击单价" => Metric::Cpc,
            "cpm" | "千次展现成本" | "千次展示成本" | "千展成本" => Metric::Cpm,
            "cvr" | "cr" | "conversion" | "转化率" => Metric::Cvr,
            "aov" | "客单价" => Metric::Aov,
            "roi" | "roas" | "投产比" | "投产" => Metric::Roi,
            "cac" | "获客成本" => Metric::Cac,
            "interaction" | "interactions" | "interaction_rate" | "engagement" | "互动率" => {
                Metric::Interaction
            }
            "gmv" | "revenue" | "sales" | "成交额" | "销售额" => Metric::Gmv,
            "orders" | "order" | "订单" | "订单数" | "成交单数" => Metric::Orders,
            "new" | "new_customers" | "newcustomers" | "新客" | "新客数" => Metric::New,
            "spend" | "cost" | "花费" | "消耗" => Metric::Spend,
            "cpl" | "cost_per_lead" | "线索成本" | "留资成本" | "获线成本" => {
                Metric::Cpl
            }
            "lead_rate" | "leadrate" | "线索率" | "留资率" | "进线率" => Metric::LeadRate,
            "leads" | "lead" | "线索" | "线索数" | "留资" | "进线" | "私信进线" => {
                Metric::Leads
            }
            _ => return None,
        };
        Some(m)
    }

    /// The canonical English code (`ctr`, `gmv`…), as stored.
    pub fn code(self) -> &'static str {
        match self {
            Metric::Ctr => "ctr",
            Metric::Cpc => "cpc",
            Metric::Cpm => "cpm",
            Metric::Cvr => "cvr",
            Metric::Aov => "aov",
            Metric::Roi => "roi",
            Metric::Cac => "cac",
            Metric::Interaction => "interaction",
            Metric::Gmv => "gmv",
            Metric::Orders => "orders",
            Metric::New => "new",
            Metric::Spend => "spend",
            Metric::Cpl => "cpl",
            Metric::LeadRate => "lead_rate",
            Metric::Leads => "leads",
        }
    }

    /// The Chinese name from DOMAIN.md §4.
    pub fn zh_name(self) -> &'static str {
        match self {
            Metric::Ctr => "点击率",
            Metric::Cpc => "点击成本",
            Metric::Cpm => "千次展现成本",
            Metric::Cvr => "转化率",
            Metric::Aov => "客单价",
            Metric::Roi => "投产比",
            Metric::Cac => "获客成本",
            Metric::Interaction => "互动率",
            Metric::Gmv => "成交额",
            Metric::Orders => "订单",
            Metric::New => "新客",
            Metric::Spend => "花费",
            Metric::Cpl => "线索成本",
            Metric::LeadRate => "留资率",
            Metric::Leads => "线索",
        }
    }

    /// Which direction is good: CPC, CPM, CAC and CPL are lower-is-better; the rest higher.
    pub fn better(self) -> Better {
        match self {
            Metric::Cpc | Metric::Cpm | Metric::Cac | Metric::Cpl => Better::Lower,
            _ => Better::Higher,
        }
    }

    /// How the value is shown and a goal typed.
    pub fn kind(self) -> MetricKind {
        match self {
            Metric::Ctr | Metric::Cvr | Metric::Interaction | Metric::LeadRate => MetricKind::Rate,
            Metric::Cpc
            | Metric::Cpm
            | Metric::Aov
            | Metric::Cac
            | Metric::Cpl
            | Metric::Gmv
            | Metric::Spend => MetricKind::Money,
            Metric::Orders | Metric::New | Metric::Leads => MetricKind::Count,
            Metric::Roi => MetricKind::Ratio,
        }
    }

    /// True for volumes summed over a period (GMV, orders, new, spend, leads): `/goal` with a period.
    pub fn is_volume(self) -> bool {
        matches!(
            self,
            Metric::Gmv | Metric::Orders | Metric::New | Metric::Spend | Metric::Leads
        )
    }
}

/// A metric's value as an exact fraction in its natural unit (money in minor units,
/// rates and ratios as plain fractions: CTR 3% is 3/100). `den` is always positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MetricValue {
    /// Numerator.
    pub num: i128,
    /// Denominator, > 0.
    pub den: i128,
}

impl MetricValue {
    /// A fraction; `None` when `den` is zero. A negative denominator is normalised.
    pub fn new(num: i128, den: i128) -> Option<MetricValue> {
        match den.cmp(&0) {
            Ordering::Equal => None,
            Ordering::Greater => Some(MetricValue { num, den }),
            Ordering::Less => Some(MetricValue {
                num: num.checked_neg()?,
                den: den.checked_neg()?,
            }),
        }
    }

    /// A whole value (`num / 1`).
    pub fn whole(num: i128) -> MetricValue {
        MetricValue { num, den: 1 }
    }

    /// Exact comparison by cross-multiplication.
    pub fn cmp_exact(&self, other: &MetricValue) -> Ordering {
        match (
            self.num.checked_mul(other.den),
            other.num.checked_mul(self.den),
        ) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Only reachable with absurd magnitudes; fall back to floating point.
            _ => self
                .as_f64()
                .partial_cmp(&other.as_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    /// The raw fraction as a float (for charts only; never for comparisons or display).
    pub fn as_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The value in display units as a float (percent for rates, currency units for money), for charts.
    pub fn display_f64(&self, m: Metric) -> f64 {
        match m.kind() {
            MetricKind::Rate => self.as_f64() * 100.0,
            MetricKind::Money => self.as_f64() / 100.0,
            MetricKind::Count | MetricKind::Ratio => self.as_f64(),
        }
    }

    /// Formats for a metric table: `3.00%`, CPC `0.67` (per-unit money without symbol),
    /// GMV `¥9,000.00` (volumes with the symbol), orders `45`, ROI `9.00`.
    pub fn format(&self, m: Metric, currency: &str) -> String {
        match m.kind() {
            MetricKind::Rate => format_percent(self.num, self.den),
            MetricKind::Ratio => format_ratio(self.num, self.den),
            MetricKind::Money => {
                let Some(h) = round_div(self.num, self.den) else {
                    return money::DASH.to_string();
                };
                if m.is_volume() {
                    match i64::try_from(h) {
                        Ok(minor) => format_money(minor, currency),
                        Err(_) => format!("{currency}{}", format_hundredths(h)),
                    }
                } else {
                    format_hundredths(h)
                }
            }
            MetricKind::Count => match round_div(self.num, self.den).map(i64::try_from) {
                Some(Ok(n)) => format_number(n),
                _ => money::DASH.to_string(),
            },
        }
    }
}

/// Formats an optional value: `—` when the denominator was zero.
pub fn format_value(v: Option<MetricValue>, m: Metric, currency: &str) -> String {
    match v {
        Some(v) => v.format(m, currency),
        None => money::DASH.to_string(),
    }
}

/// A goal's threshold: the metric, which way is good, and the target in the goal unit
/// (rates/ratios: [`Rate`] micros; money: minor units; counts: the count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GoalThreshold {
    /// The metric.
    pub metric: Metric,
    /// `Higher` = at least the target, `Lower` = at most.
    pub direction: Better,
    /// The target in the goal unit.
    pub target: i64,
}

impl GoalThreshold {
    /// A goal in the metric's natural direction (`>=` for CTR, `<=` for CPC).
    pub fn new(metric: Metric, target: i64) -> GoalThreshold {
        GoalThreshold {
            metric,
            direction: metric.better(),
            target,
        }
    }

    /// The target as a fraction comparable with [`Totals::value`].
    pub fn target_value(&self) -> MetricValue {
        match self.metric.kind() {
            MetricKind::Rate | MetricKind::Ratio => MetricValue {
                num: i128::from(self.target),
                den: i128::from(Rate::ONE),
            },
            MetricKind::Money | MetricKind::Count => MetricValue::whole(i128::from(self.target)),
        }
    }

    /// Formats the target like the metric's values (`2.00%`, `0.80`, `¥500,000.00`, `3.00`).
    pub fn format_target(&self, currency: &str) -> String {
        self.target_value().format(self.metric, currency)
    }
}

/// Whether a value meets a goal, exactly (cross-multiplication; the boundary counts as met).
pub fn meets(value: &MetricValue, goal: &GoalThreshold) -> bool {
    let ord = value.cmp_exact(&goal.target_value());
    match goal.direction {
        Better::Higher => ord != Ordering::Less,
        Better::Lower => ord != Ordering::Greater,
    }
}

/// Parses a goal target for a metric: rates (`2%`, or a plain `2` meaning 2%), ROI (`3`, `300%`),
/// money (`0.8`, `¥50万`) or counts (`500`, `1.2k`).
pub fn parse_goal_target(metric: Metric, s: &str) -> Result<i64, AmountError> {
    match metric.kind() {
        MetricKind::Rate => {
            let t = s.trim();
            if t.ends_with('%') || t.ends_with('％') {
                money::parse_rate(t).map(|r| r.micros)
            } else {
                // A plain number for a percentage metric means percent: "ctr 3" is 3%.
                money::parse_rate(&format!("{t}%"))
                    .map(|r| r.micros)
                    .map_err(|e| requote(e, s))
            }
        }
        MetricKind::Ratio => money::parse_rate(s).map(|r| r.micros),
        MetricKind::Money => money::parse_amount(s),
        MetricKind::Count => money::parse_count(s),
    }
}

fn requote(e: AmountError, input: &str) -> AmountError {
    let input = input.to_string();
    match e {
        AmountError::Invalid { .. } => AmountError::Invalid { input },
        AmountError::Negative { .. } => AmountError::Negative { input },
        AmountError::TooPrecise { .. } => AmountError::TooPrecise { input },
        AmountError::TooLarge { .. } => AmountError::TooLarge { input },
        AmountError::NotInteger { .. } => AmountError::NotInteger { input },
    }
}

/// Progress of a volume against a target, in basis points (rounded half up); `None` for a zero target.
pub fn progress_bp(actual: i64, target: i64) -> Option<i64> {
    scaled_round(i128::from(actual), i128::from(target), 10_000).and_then(|v| i64::try_from(v).ok())
}

/// Relative change from `prev` to `cur` in basis points (`-2000` = a 20% drop); `None` when `prev` is zero.
pub fn change_bp(prev: &MetricValue, cur: &MetricValue) -> Option<i64> {
    // cur/prev - 1 = (cur.num*prev.den - prev.num*cur.den) / (prev.num*cur.den)
    let a = cur.num.checked_mul(prev.den)?;
    let b = prev.num.checked_mul(cur.den)?;
    scaled_round(a.checked_sub(b)?, b, 10_000).and_then(|v| i64::try_from(v).ok())
}

// ---------------------------------------------------------------- check-in fields

/// What `/checkin <channel> …` carried after the channel: every field optional until checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckinInput {
    /// The numbers named (None: not given).
    pub numbers: Numbers,
    /// Creative label for A/B comparison.
    pub creative: Option<String>,
    /// The raw date text, resolved later with [`super::when::parse_day`].
    pub date: Option<String>,
}

/// A check-in field, by canonical name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckinField {
    /// `spend` (花费/消耗).
    Spend,
    /// `impressions` (曝光/展现).
    Impressions,
    /// `clicks` (点击).
    Clicks,
    /// `orders` (订单/成交单数).
    Orders,
    /// `gmv` (成交额/销售额).
    Gmv,
    /// `leads` (线索/留资/私信进线/进线).
    Leads,
    /// `new` (新客).
    New,
    /// `interactions` (互动).
    Interactions,
    /// `creative` (素材/创意).
    Creative,
    /// `date` (日期).
    Date,
}

impl CheckinField {
    /// Parses a field key in English or Chinese, case-insensitive.
    pub fn parse(key: &str) -> Option<CheckinField> {
        let k = key.trim().to_lowercase();
        let f = match k.as_str() {
            "spend" | "cost" | "花费" | "消耗" | "花销" => CheckinField::Spend,
            "impressions" | "impression" | "imps" | "impr" | "views" | "曝光" | "展现"
            | "曝光量" | "展现量" | "展示" => CheckinField::Impressions,
            "clicks" | "click" | "点击" | "点击量" | "点击数" => CheckinField::Clicks,
            "orders" | "order" | "订单" | "成交单数" | "订单数" | "单数" => {
                CheckinField::Orders
            }
            "gmv" | "revenue" | "sales" | "成交额" | "销售额" => CheckinField::Gmv,
            "leads" | "lead" | "线索" | "线索数" | "留资" | "私信进线" | "进线" => {
                CheckinField::Leads
            }
            "new" | "new_customers" | "newcustomers" | "新客" | "新客数" => CheckinField::New,
            "interactions" | "interaction" | "engagement" | "互动" | "互动量" | "互动数" => {
                CheckinField::Interactions
            }
            "creative" | "素材" | "创意" => CheckinField::Creative,
            "date" | "day" | "日期" => CheckinField::Date,
            _ => return None,
        };
        Some(f)
    }

    /// The canonical English key.
    pub fn code(self) -> &'static str {
        match self {
            CheckinField::Spend => "spend",
            CheckinField::Impressions => "impressions",
            CheckinField::Clicks => "clicks",
            CheckinField::Orders => "orders",
            CheckinField::Gmv => "gmv",
            CheckinField::Leads => "leads",
            CheckinField::New => "new",
            CheckinField::Interactions => "interactions",
            CheckinField::Creative => "creative",
            CheckinField::Date => "date",
        }
    }
}

/// The longest creative label accepted, in characters.
pub const MAX_CREATIVE_CHARS: usize = 32;

/// Why a check-in was refused; each variant carries what the reply needs to quote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckinError {
    /// No fields at all.
    #[error("no check-in fields")]
    Empty,
    /// A token without `=`/`:`/`：`.
    #[error("not key=value: {token}")]
    NotKeyValue {
        /// The token as typed.
        token: String,
    },
    /// A key that is not a check-in field.
    #[error("unknown field: {key}")]
    UnknownKey {
        /// The key as typed.
        key: String,
    },
    /// The same field given twice (possibly under two aliases).
    #[error("duplicate field: {key}")]
    DuplicateKey {
        /// The key as typed the second time.
        key: String,
        /// Which field it is.
        field: CheckinField,
    },
    /// A value that does not parse for its field.
    #[error("bad value for {key}: {value}")]
    BadValue {
        /// The key as typed.
        key: String,
        /// The value as typed.
        value: String,
        /// Why the number was refused.
        #[source]
        source: AmountError,
    },
    /// A creative label that is empty or too long.
    #[error("bad creative label: {value}")]
    BadCreative {
        /// The label as typed.
        value: String,
    },
    /// Only `creative=`/`date=`: a check-in needs at least one number.
    #[error("no numbers")]
    NoNumbers,
    /// A negative number.
    #[error("negative {field:?}: {value}")]
    Negative {
        /// Which field.
        field: CheckinField,
        /// The value.
        value: i64,
    },
    /// More clicks than impressions.
    #[error("clicks {clicks} > impressions {impressions}")]
    ClicksExceedImpressions {
        /// Clicks.
        clicks: i64,
        /// Impressions.
        impressions: i64,
    },
    /// More orders than clicks.
    #[error("orders {orders} > clicks {clicks}")]
    OrdersExceedClicks {
        /// Orders.
        orders: i64,
        /// Clicks.
        clicks: i64,
    },
}

fn is_sep(c: char) -> bool {
    c == '=' || c == ':' || c == '：'
}

/// Splits the arguments into `key=value` tokens, tolerating spaces around the separator and
/// `，`/`；`/`;` (or `,` before a letter) between pairs.
fn tokens(args: &str) -> Vec<String> {
    let chars: Vec<char> = args.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pair_break = c == '，'
            || c == '；'
            || c == ';'
            || c == '、'
            || (c == ',' && chars.get(i + 1).is_some_and(|n| !n.is_ascii_digit()));
        if c.is_whitespace() || pair_break {
            // Whitespace next to a separator joins key and value: "spend = 1000".
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let before_sep = cur.chars().last().is_some_and(is_sep);
            let after_sep = chars.get(j).is_some_and(|n| is_sep(*n));
            if c.is_whitespace() && (before_sep || after_sep) && !cur.is_empty() {
                i = j;
                continue;
            }
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            i += 1;
            continue;
        }
        cur.push(c);
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Parses `/checkin` fields (after the channel): `spend=1000 impressions=5万 clicks：1500 日期=昨天 …`.
pub fn parse_checkin_fields(args: &str) -> Result<CheckinInput, CheckinError> {
    let args = &super::checkin_text::normalize(args)?;
    let toks = tokens(args);
    if toks.is_empty() {
        return Err(CheckinError::Empty);
    }
    let mut input = CheckinInput::default();
    for tok in toks {
        let Some(pos) = tok.find(is_sep) else {
            return Err(CheckinError::NotKeyValue { token: tok });
        };
        let key = &tok[..pos];
        let sep_len = tok[pos..].chars().next().map_or(1, char::len_utf8);
        let value = tok[pos + sep_len..].trim();
        let field = CheckinField::parse(key).ok_or_else(|| CheckinError::UnknownKey {
            key: key.to_string(),
        })?;
        let dup = || CheckinError::DuplicateKey {
            key: key.to_string(),
            field,
        };
        let bad = |source: AmountError| CheckinError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            source,
        };
        let slot = match field {
            CheckinField::Spend => &mut input.numbers.spend,
            CheckinField::Impressions => &mut input.numbers.impressions,
            CheckinField::Clicks => &mut input.numbers.clicks,
            CheckinField::Orders => &mut input.numbers.orders,
            CheckinField::Gmv => &mut input.numbers.gmv,
            CheckinField::Leads => &mut input.numbers.leads,
            CheckinField::New => &mut input.numbers.new_customers,
            CheckinField::Interactions => &mut input.numbers.interactions,
            CheckinField::Creative => {
                if input.creative.is_some() {
                    return Err(dup());
                }
                let label = value.trim_matches(|c| c == '"' || c == '\'' || c == '“' || c == '”');
                if label.is_empty() || label.chars().count() > MAX_CREATIVE_CHARS {
                    return Err(CheckinError::BadCreative {
                        value: value.to_string(),
                    });
                }
                input.creative = Some(label.to_string());
                continue;
            }
            CheckinField::Date => {
                if input.date.is_some() {
                    return Err(dup());
                }
                if value.is_empty() {
                    return Err(bad(AmountError::Invalid {
                        input: value.to_string(),
                    }));
                }
                input.date = Some(value.to_string());
                continue;
            }
        };
        if slot.is_some() {
            return Err(dup());
        }
        let v = match field {
            CheckinField::Spend | CheckinField::Gmv => money::parse_amount(value),
            _ => money::parse_count(value),
        }
        .map_err(bad)?;
        *slot = Some(v);
    }
    Ok(input)
}

impl CheckinInput {
    /// The numbers it carries: any subset of the fields, at least one (unnamed ones stay unknown).
    pub fn numbers(&self) -> Result<Numbers, CheckinError> {
        let n = self.numbers;
        if n.is_empty() {
            return Err(CheckinError::NoNumbers);
        }
        Ok(n)
    }
}

impl From<Field> for CheckinField {
    fn from(f: Field) -> CheckinField {
        match f {
            Field::Spend => CheckinField::Spend,
            Field::Impressions => CheckinField::Impressions,
            Field::Clicks => CheckinField::Clicks,
            Field::Orders => CheckinField::Orders,
            Field::Gmv => CheckinField::Gmv,
            Field::Leads => CheckinField::Leads,
            Field::New => CheckinField::New,
            Field::Interactions => CheckinField::Interactions,
        }
    }
}

/// Refuses impossible numbers: negatives, clicks > impressions, orders > clicks. A comparison
/// needs both sides known: an unknown number contradicts nothing. Leads are not compared with
/// clicks: 私信进线 also come from organic traffic.
pub fn validate(n: &Numbers) -> Result<(), CheckinError> {
    for field in Field::ALL {
        if let Some(value) = n.get(field)
            && value < 0
        {
            return Err(CheckinError::Negative {
                field: field.into(),
                value,
            });
        }
    }
    if let (Some(clicks), Some(impressions)) = (n.clicks, n.impressions)
        && clicks > impressions
    {
        return Err(CheckinError::ClicksExceedImpressions {
            clicks,
            impressions,
        });
    }
    if let (Some(orders), Some(clicks)) = (n.orders, n.clicks)
        && orders > clicks
    {
        return Err(CheckinError::OrdersExceedClicks { orders, clicks });
    }
    Ok(())
}

/// A check-in of a day already stored must leave the merged day possible, not only be possible
/// alone: clicks=900 after impressions=500 is refused.
pub fn validate_merge(stored: Option<Numbers>, newer: &Numbers) -> Result<(), CheckinError> {
    validate(&stored.map_or(*newer, |s| s.merged(newer)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_merge_is_judged_on_the_merged_day() {
        let n = |impressions: Option<i64>, clicks: Option<i64>| Numbers {
            impressions,
            clicks,
            ..Numbers::default()
        };
        let over = Err(CheckinError::ClicksExceedImpressions {
            clicks: 900,
            impressions: 500,
        });
        for (stored, newer, expected) in [
            (None, n(None, Some(900)), Ok(())),
            (Some(n(Some(500), None)), n(None, Some(900)), over.clone()),
            (
                Some(n(Some(500), Some(100))),
                n(Some(2000), Some(900)),
                Ok(()),
            ),
            (Some(n(None, Some(100))), n(Some(500), Some(900)), over),
            (Some(n(Some(500), Some(900))), n(Some(1000), None), Ok(())),
        ] {
            assert_eq!(
                validate_merge(stored, &newer),
                expected,
                "{stored:?} + {newer:?}"
            );
        }
    }

    fn sample_n() -> Numbers {
        Numbers {
            spend: Some(1000 * 100),
            impressions: Some(50_000),
            clicks: Some(1500),
            orders: Some(45),
            gmv: Some(9000 * 100),
            leads: None,
            new_customers: Some(12),
            interactions: Some(300),
        }
    }

    fn sample() -> Totals {
        Totals::of(&sample_n())
    }

    #[test]
    fn spec_example_metrics() {
        let t = sample();
        let cases: &[(Metric, &str)] = &[
            (Metric::Ctr, "3.00%"),
            (Metric::Cpc, "0.67"),
            (Metric::Cpm, "20.00"),
            (Metric::Cvr, "3.00%"),
            (Metric::Aov, "200.00"),
            (Metric::Roi, "9.00"),
            (Metric::Cac, "83.33"),
            (Metric::Interaction, "0.60%"),
            (Metric::Gmv, "¥9,000.00"),
            (Metric::Spend, "¥1,000.00"),
            (Metric::Orders, "45"),
            (Metric::New, "12"),
        ];
        for (m, want) in cases {
            assert_eq!(t.format(*m, "¥"), *want, "metric {m:?}");
        }
        assert_eq!(
            t.value(Metric::Cpc),
            Some(MetricValue {
                num: 100_000,
                den: 1500
            })
        );
    }

    #[test]
    fn zero_denominators_show_dash() {
        let base = sample_n();
        // Leads are not reported in the sample: their metrics are always a dash.
        let no_leads = [Metric::Leads, Metric::Cpl, Metric::LeadRate];
        let cases: &[(Numbers, &[Metric])] = &[
            (
                Numbers {
                    clicks: Some(0),
                    orders: Some(0),
                    ..base
                },
                &[Metric::Cpc, Metric::Cvr, Metric::Aov],
            ),
            (
                Numbers {
                    orders: Some(0),
                    ..base
                },
                &[Metric::Aov],
            ),
            (
                Numbers {
                    spend: Some(0),
                    ..base
                },
                &[Metric::Roi],
            ),
            (
                Numbers {
                    impressions: Some(0),
                    ..base
                },
                &[Metric::Ctr, Metric::Cpm, Metric::Interaction],
            ),
            (
                Numbers {
                    new_customers: Some(0),
                    ..base
                },
                &[Metric::Cac],
            ),
            (
                Numbers {
                    new_customers: None,
                    interactions: None,
                    ..base
                },
                &[Metric::Cac, Metric::Interaction, Metric::New],
            ),
            (
                Numbers {
                    orders: None,
                    ..base
                },
                &[Metric::Cvr, Metric::Aov, Metric::Orders],
            ),
        ];
        for (n, dashed) in cases {
            let t = &Totals::of(n);
            for m in Metric::ALL {
                let s = t.format(m, "¥");
                if dashed.contains(&m) || no_leads.contains(&m) {
                    assert_eq!(s, "—", "{m:?} of {t:?}");
                    assert_eq!(t.value(m), None);
                } else {
                    assert_ne!(s, "—", "{m:?} of {t:?}");
                }
            }
        }
        // Nothing reported is unknown, not zero (issue 14: this showed ¥0.00 before).
        let zero = Totals::default();
        assert_eq!(zero.format(Metric::Ctr, "¥"), "—");
        assert_eq!(zero.format(Metric::Spend, "¥"), "—");
        assert_eq!(zero.format(Metric::Roi, "¥"), "—");
    }

    #[test]
    fn zero_spend_with_clicks() {
        let t = Totals::of(&Numbers {
            spend: Some(0),
            ..sample_n()
        });
        assert_eq!(t.format(Metric::Cpc, "¥"), "0.00");
        assert_eq!(t.format(Metric::Cpm, "¥"), "0.00");
        assert_eq!(t.format(Metric::Roi, "¥"), "—");
    }

    #[test]
    fn hundred_million_gmv_day() {
        let t = Totals::of(&Numbers {
            spend: Some(2_000_000_000),       // ¥20,000,000
            impressions: Some(9_000_000_000), // big platform day
            clicks: Some(300_000_000),
            orders: Some(1_000_000),
            gmv: Some(10_000_000_000), // ¥100,000,000
            new_customers: Some(400_000),
            ..Numbers::default()
        });
        assert_eq!(t.format(Metric::Gmv, "¥"), "¥100,000,000.00");
        assert_eq!(t.format(Metric::Roi, "¥"), "5.00");
        assert_eq!(t.format(Metric::Aov, "¥"), "100.00");
        assert_eq!(t.format(Metric::Cpm, "¥"), "2.22");
        assert_eq!(t.format(Metric::Ctr, "¥"), "3.33%");
        let month: Totals = std::iter::repeat_n(t, 31).sum();
        assert_eq!(month.format(Metric::Gmv, "¥"), "¥3,100,000,000.00");
        assert_eq!(month.format(Metric::Roi, "¥"), "5.00");
        let max = Totals::of(&Numbers {
            spend: Some(i64::MAX),
            impressions: Some(i64::MAX),
            clicks: Some(i64::MAX),
            orders: Some(i64::MAX),
            gmv: Some(i64::MAX),
            leads: Some(i64::MAX),
            new_customers: Some(i64::MAX),
            interactions: Some(i64::MAX),
        });
        for m in Metric::ALL {
            let _ = max.format(m, "¥");
        }
        assert_eq!(max.format(Metric::Cpm, "¥"), "10.00");
    }

    #[test]
    fn sums() {
        let a = sample();
        let b = Totals::of(&Numbers {
            new_customers: None,
            interactions: Some(5),
            ..sample_n()
        });
        let s = a + b;
        assert_eq!(s.get(Field::Spend), Some(200_000));
        assert_eq!(s.get(Field::Impressions), Some(100_000));
        assert_eq!(s.get(Field::New), Some(12));
        assert_eq!(s.get(Field::Interactions), Some(305));
        // CAC only over the day that reported new customers.
        assert_eq!(s.value(Metric::Cac), a.value(Metric::Cac));
        assert_eq!(s.partial(Metric::Cac), Some((1, 2)));
        let v = [a, b];
        assert_eq!(v.iter().sum::<Totals>(), s);
        assert_eq!(v.into_iter().sum::<Totals>(), s);
        let mut c = Totals::default();
        c += a;
        assert_eq!(c, a);
        assert_eq!(Totals::default() + Totals::default(), Totals::default());
    }

    #[test]
    fn metric_names() {
        let cases: &[(&str, Metric)] = &[
            ("ctr", Metric::Ctr),
            ("CTR", Metric::Ctr),
            ("点击率", Metric::Ctr),
            ("cpc", Metric::Cpc),
            ("点击成本", Metric::Cpc),
            ("平均点击花费", Metric::Cpc),
            ("cpm", Metric::Cpm),
            ("千次展现成本", Metric::Cpm),
            ("cvr", Metric::Cvr),
            ("转化率", Metric::Cvr),
            ("aov", Metric::Aov),
            ("客单价", Metric::Aov),
            ("roi", Metric::Roi),
            ("ROAS", Metric::Roi),
            ("投产比", Metric::Roi),
            ("cac", Metric::Cac),
            ("获客成本", Metric::Cac),
            ("interaction", Metric::Interaction),
            ("互动率", Metric::Interaction),
            ("gmv", Metric::Gmv),
            ("成交额", Metric::Gmv),
            ("orders", Metric::Orders),
            ("订单", Metric::Orders),
            ("new", Metric::New),
            ("新客", Metric::New),
            ("spend", Metric::Spend),
            ("花费", Metric::Spend),
            ("leads", Metric::Leads),
            ("线索", Metric::Leads),
            ("留资", Metric::Leads),
            ("私信进线", Metric::Leads),
            ("进线", Metric::Leads),
            ("cpl", Metric::Cpl),
            ("线索成本", Metric::Cpl),
            ("lead_rate", Metric::LeadRate),
            ("留资率", Metric::LeadRate),
        ];
        for (s, m) in cases {
            assert_eq!(Metric::parse(s), Some(*m), "{s}");
        }
        assert_eq!(Metric::parse("ctrr"), None);
        assert_eq!(Metric::parse(""), None);
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.code()), Some(m));
            assert_eq!(Metric::parse(m.zh_name()), Some(m));
        }
    }

    #[test]
    fn metric_attributes() {
        use Better::*;
        use MetricKind as K;
        let cases: &[(Metric, Better, MetricKind, bool)] = &[
            (Metric::Ctr, Higher, K::Rate, false),
            (Metric::Cpc, Lower, K::Money, false),
            (Metric::Cpm, Lower, K::Money, false),
            (Metric::Cvr, Higher, K::Rate, false),
            (Metric::Aov, Higher, K::Money, false),
            (Metric::Roi, Higher, K::Ratio, false),
            (Metric::Cac, Lower, K::Money, false),
            (Metric::Interaction, Higher, K::Rate, false),
            (Metric::Gmv, Higher, K::Money, true),
            (Metric::Orders, Higher, K::Count, true),
            (Metric::New, Higher, K::Count, true),
            (Metric::Spend, Higher, K::Money, true),
            (Metric::Leads, Higher, K::Count, true),
            (Metric::Cpl, Lower, K::Money, false),
            (Metric::LeadRate, Higher, K::Rate, false),
        ];
        for (m, b, k, vol) in cases {
            assert_eq!(m.better(), *b, "{m:?}");
            assert_eq!(m.kind(), *k, "{m:?}");
            assert_eq!(m.is_volume(), *vol, "{m:?}");
        }
    }

    #[test]
    fn goals_exact() {
        let t = sample();
        let v = |m| t.value(m).expect("defined");
        let cases: &[(Metric, &str, bool)] = &[
            (Metric::Ctr, "3%", true), // exactly on the line
            (Metric::Ctr, "3.01%", false),
            (Metric::Ctr, "2", true), // plain number = percent
            (Metric::Cvr, "3.0001%", false),
            (Metric::Roi, "9", true),
            (Metric::Roi, "9.000001", false),
            (Metric::Roi, "900%", true),
            (Metric::Cpc, "0.67", true), // 0.6666… ≤ 0.67
            (Metric::Cpc, "0.66", false),
            (Metric::Cpm, "20", true),
            (Metric::Cpm, "19.99", false),
            (Metric::Aov, "200", true),
            (Metric::Aov, "200.01", false),
            (Metric::Cac, "83.34", true),
            (Metric::Cac, "83.33", false),
            (Metric::Gmv, "9000", true),
            (Metric::Gmv, "1万", false),
            (Metric::Orders, "45", true),
            (Metric::Orders, "46", false),
            (Metric::Interaction, "0.6%", true),
        ];
        for (m, target, want) in cases {
            let goal = GoalThreshold::new(*m, parse_goal_target(*m, target).expect(target));
            assert_eq!(meets(&v(*m), &goal), *want, "{m:?} {target}");
        }
        // An explicit direction.
        let g = GoalThreshold {
            metric: Metric::Spend,
            direction: Better::Lower,
            target: 100_000,
        };
        assert!(meets(&v(Metric::Spend), &g));
        assert_eq!(
            GoalThreshold::new(Metric::Ctr, 20_000).format_target("¥"),
            "2.00%"
        );
        assert_eq!(
            GoalThreshold::new(Metric::Roi, 3_000_000).format_target("¥"),
            "3.00"
        );
        assert_eq!(
            GoalThreshold::new(Metric::Cpc, 80).format_target("¥"),
            "0.80"
        );
        assert_eq!(
            GoalThreshold::new(Metric::Gmv, 50_000_000).format_target("¥"),
            "¥500,000.00"
        );
        assert!(parse_goal_target(Metric::Ctr, "abc").is_err());
        assert_eq!(
            parse_goal_target(Metric::Ctr, "x"),
            Err(AmountError::Invalid { input: "x".into() })
        );
        assert_eq!(parse_goal_target(Metric::Orders, "1.2k"), Ok(1200));
    }

    #[test]
    fn progress_and_change() {
        assert_eq!(progress_bp(45, 100), Some(4500));
        assert_eq!(progress_bp(1, 3), Some(3333));
        assert_eq!(progress_bp(2, 3), Some(6667));
        assert_eq!(progress_bp(5, 0), None);
        let a = MetricValue::whole(100);
        let b = MetricValue::whole(80);
        assert_eq!(change_bp(&a, &b), Some(-2000));
        assert_eq!(change_bp(&b, &a), Some(2500));
        assert_eq!(change_bp(&MetricValue::whole(0), &a), None);
        let ctr1 = MetricValue { num: 3, den: 100 };
        let ctr2 = MetricValue { num: 24, den: 1000 };
        assert_eq!(change_bp(&ctr1, &ctr2), Some(-2000));
    }

    #[test]
    fn metric_value_new() {
        assert_eq!(MetricValue::new(1, 0), None);
        assert_eq!(
            MetricValue::new(1, -2),
            Some(MetricValue { num: -1, den: 2 })
        );
        assert_eq!(MetricValue::new(1, i128::MIN), None);
    }

    #[test]
    fn checkin_parse_english() {
        let got = parse_checkin_fields(
            "spend=1000 impressions=5万 clicks=1500 orders=45 gmv=9000 new=12 interactions=300 creative=A date=yesterday",
        )
        .expect("parses");
        assert_eq!(
            got,
            CheckinInput {
                numbers: Numbers {
                    spend: Some(100_000),
                    impressions: Some(50_000),
                    clicks: Some(1500),
                    orders: Some(45),
                    gmv: Some(900_000),
                    leads: None,
                    new_customers: Some(12),
                    interactions: Some(300),
                },
                creative: Some("A".into()),
                date: Some("yesterday".into()),
            }
        );
        assert_eq!(
            got.numbers()
                .map(|n| Totals::of(&n).format(Metric::Ctr, "¥")),
            Ok("3.00%".into())
        );
    }

    #[test]
    fn checkin_parse_variants() {
        let cases: &[(&str, CheckinInput)] = &[
            (
                "花费=1000 曝光=5万 点击=1500 订单=45 成交额=9000 新客=12 互动=300 素材=B 日期=昨天",
                CheckinInput {
                    numbers: Numbers {
                        spend: Some(100_000),
                        impressions: Some(50_000),
                        clicks: Some(1500),
                        orders: Some(45),
                        gmv: Some(900_000),
                        leads: None,
                        new_customers: Some(12),
                        interactions: Some(300),
                    },
                    creative: Some("B".into()),
                    date: Some("昨天".into()),
                },
            ),
            (
                "消耗：1,200.50 展现：1.2w 点击:300 成交单数：9 销售额=¥3千",
                CheckinInput {
                    numbers: Numbers {
                        spend: Some(120_050),
                        impressions: Some(12_000),
                        clicks: Some(300),
                        orders: Some(9),
                        gmv: Some(300_000),
                        ..Numbers::default()
                    },
                    ..Default::default()
                },
            ),
            (
                "spend = 10 clicks =5 orders= 1",
                CheckinInput {
                    numbers: Numbers {
                        spend: Some(1000),
                        clicks: Some(5),
                        orders: Some(1),
                        ..Numbers::default()
                    },
                    ..Default::default()
                },
            ),
            (
                "花费=1000，曝光=5万；点击=10",
                CheckinInput {
                    numbers: Numbers {
                        spend: Some(100_000),
                        impressions: Some(50_000),
                        clicks: Some(10),
                        ..Numbers::default()
                    },
                    ..Default::default()
                },
            ),
            (
                "spend=1,200,clicks=5",
                CheckinInput {
                    numbers: Numbers {
                        spend: Some(120_000),
                        clicks: Some(5),
                        ..Numbers::default()
                    },
                    ..Default::default()
                },
            ),
            (
                "SPEND=1 Creative=\"Video1\"",
                CheckinInput {
                    numbers: Numbers {
                        spend: Some(100),
                        ..Numbers::default()
                    },
                    creative: Some("Video1".into()),
                    ..Default::default()
                },
            ),
            (
                "date=2026-11-20 creative=v2",
                CheckinInput {
                    date: Some("2026-11-20".into()),
                    creative: Some("v2".into()),
                    ..Default::default()
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_checkin_fields(input).as_ref(),
                Ok(want),
                "input {input:?}"
            );
        }
        // A label with a space is split into a stray token: refused, not misread.
        assert_eq!(
            parse_checkin_fields("creative=Video 1"),
            Err(CheckinError::NotKeyValue { token: "1".into() })
        );
    }

    #[test]
    fn checkin_parse_errors() {
        assert_eq!(parse_checkin_fields(""), Err(CheckinError::Empty));
        assert_eq!(parse_checkin_fields("   "), Err(CheckinError::Empty));
        assert_eq!(
            parse_checkin_fields("spend=1 foo=2"),
            Err(CheckinError::UnknownKey { key: "foo".into() })
        );
        assert_eq!(
            parse_checkin_fields("spend=1 花费=2"),
            Err(CheckinError::DuplicateKey {
                key: "花费".into(),
                field: CheckinField::Spend
            })
        );
        assert_eq!(
            parse_checkin_fields("date=today 日期=昨天"),
            Err(CheckinError::DuplicateKey {
                key: "日期".into(),
                field: CheckinField::Date
            })
        );
        assert_eq!(
            parse_checkin_fields("taobao spend=1"),
            Err(CheckinError::NotKeyValue {
                token: "taobao".into()
            })
        );
        assert_eq!(
            parse_checkin_fields("spend=abc"),
            Err(CheckinError::BadValue {
                key: "spend".into(),
                value: "abc".into(),
                source: AmountError::Invalid {
                    input: "abc".into()
                }
            })
        );
        assert!(matches!(
            parse_checkin_fields("clicks=1.5"),
            Err(CheckinError::BadValue {
                source: AmountError::NotInteger { .. },
                ..
            })
        ));
        assert!(matches!(
            parse_checkin_fields("spend=-5"),
            Err(CheckinError::BadValue {
                source: AmountError::Negative { .. },
                ..
            })
        ));
        assert!(matches!(
            parse_checkin_fields("spend="),
            Err(CheckinError::BadValue { .. })
        ));
        assert!(matches!(
            parse_checkin_fields("creative="),
            Err(CheckinError::BadCreative { .. })
        ));
        assert!(matches!(
            parse_checkin_fields(&format!("creative={}", "x".repeat(40))),
            Err(CheckinError::BadCreative { .. })
        ));
        assert_eq!(
            parse_checkin_fields("=5"),
            Err(CheckinError::UnknownKey { key: "".into() })
        );
    }

    #[test]
    fn checkin_missing_fields() {
        // Any subset of the numbers is a check-in; the rest stay unknown (issue 14).
        let got = parse_checkin_fields("spend=1 clicks=2").expect("parses");
        assert_eq!(
            got.numbers(),
            Ok(Numbers {
                spend: Some(100),
                clicks: Some(2),
                ..Default::default()
            })
        );
        let leads = parse_checkin_fields("花费=300 私信进线=12").expect("parses");
        assert_eq!(leads.numbers().map(|n| n.leads), Ok(Some(12)));
        for k in ["线索", "留资", "进线", "leads"] {
            let got = parse_checkin_fields(&format!("{k}=3")).expect(k);
            assert_eq!(got.numbers.leads, Some(3), "{k}");
        }
        // Only a label or a day: no number at all.
        let none = parse_checkin_fields("creative=A date=yesterday").expect("parses");
        assert_eq!(none.numbers(), Err(CheckinError::NoNumbers));
    }

    #[test]
    fn validation() {
        assert_eq!(validate(&sample_n()), Ok(()));
        assert_eq!(validate(&Numbers::default()), Ok(()));
        // An unknown side contradicts nothing.
        let partial = Numbers {
            clicks: Some(60_000),
            impressions: None,
            orders: None,
            ..sample_n()
        };
        assert_eq!(validate(&partial), Ok(()));
        let cases: &[(Numbers, CheckinError)] = &[
            (
                Numbers {
                    clicks: Some(60_000),
                    ..sample_n()
                },
                CheckinError::ClicksExceedImpressions {
                    clicks: 60_000,
                    impressions: 50_000,
                },
            ),
            (
                Numbers {
                    orders: Some(2000),
                    ..sample_n()
                },
                CheckinError::OrdersExceedClicks {
                    orders: 2000,
                    clicks: 1500,
                },
            ),
            (
                Numbers {
                    spend: Some(-1),
                    ..sample_n()
                },
                CheckinError::Negative {
                    field: CheckinField::Spend,
                    value: -1,
                },
            ),
            (
                Numbers {
                    new_customers: Some(-3),
                    ..sample_n()
                },
                CheckinError::Negative {
                    field: CheckinField::New,
                    value: -3,
                },
            ),
        ];
        for (t, want) in cases {
            assert_eq!(validate(t).as_ref(), Err(want));
        }
    }

    #[test]
    fn field_keys_round_trip() {
        for f in [
            CheckinField::Spend,
            CheckinField::Impressions,
            CheckinField::Clicks,
            CheckinField::Orders,
            CheckinField::Gmv,
            CheckinField::Leads,
            CheckinField::New,
            CheckinField::Interactions,
            CheckinField::Creative,
            CheckinField::Date,
        ] {
            assert_eq!(CheckinField::parse(f.code()), Some(f));
        }
        for (k, f) in [
            ("消耗", CheckinField::Spend),
            ("展现", CheckinField::Impressions),
            ("成交单数", CheckinField::Orders),
            ("销售额", CheckinField::Gmv),
            ("创意", CheckinField::Creative),
            ("私信进线", CheckinField::Leads),
            ("留资", CheckinField::Leads),
        ] {
            assert_eq!(CheckinField::parse(k), Some(f));
        }
    }

    fn totals_strategy() -> impl Strategy<Value = Totals> {
        let big = || prop::option::of(0i64..=i64::MAX);
        (
            prop::option::of(0i64..=1_000_000_000_000),
            big(),
            big(),
            big(),
            big(),
            big(),
            big(),
            big(),
        )
            .prop_map(
                |(spend, impressions, clicks, orders, gmv, leads, new_customers, interactions)| {
                    Totals::of(&Numbers {
                        spend,
                        impressions,
                        clicks,
                        orders,
                        gmv,
                        leads,
                        new_customers,
                        interactions,
                    })
                },
            )
    }

    proptest! {
        #[test]
        fn formatting_never_panics_and_dash_iff_none(t in totals_strategy()) {
            for m in Metric::ALL {
                let v = t.value(m);
                let s = t.format(m, "¥");
                prop_assert_eq!(v.is_none(), s == "—", "{:?} {}", m, s);
                prop_assert!(!s.contains("NaN") && !s.contains("inf"));
            }
        }

        #[test]
        fn meets_agrees_with_exact_rational_order(
            num in 0i64..1_000_000, den in 1i64..1_000_000, target in 0i64..10_000_000,
        ) {
            let v = MetricValue { num: num.into(), den: den.into() };
            let g = GoalThreshold::new(Metric::Ctr, target);
            // num/den >= target/1e6  ⇔  num*1e6 >= target*den
            let want = i128::from(num) * 1_000_000 >= i128::from(target) * i128::from(den);
            prop_assert_eq!(meets(&v, &g), want);
            let g = GoalThreshold::new(Metric::Cpc, target);
            let want = i128::from(num) <= i128::from(target) * i128::from(den);
            prop_assert_eq!(meets(&v, &g), want);
        }

        #[test]
        fn sum_is_associative(a in totals_strategy(), b in totals_strategy(), c in totals_strategy()) {
            prop_assert_eq!((a + b) + c, a + (b + c));
            prop_assert_eq!(a + b, b + a);
        }

        #[test]
        fn checkin_parser_never_panics(s in ".{0,120}") {
            let _ = parse_checkin_fields(&s);
        }

        #[test]
        fn checkin_grammar_never_panics(
            parts in prop::collection::vec(
                (
                    prop::sample::select(vec!["spend", "花费", "曝光", "clicks", "orders", "gmv", "新客", "互动", "creative", "date", "x", ""]),
                    prop::sample::select(vec!["=", ":", "：", " = ", ""]),
                    "[0-9.,万kw¥a-z-]{0,8}",
                ),
                0..8,
            )
        ) {
            let s: Vec<String> = parts.iter().map(|(k, sep, v)| format!("{k}{sep}{v}")).collect();
            if let Ok(input) = parse_checkin_fields(&s.join(" ")) {
                let n = input.numbers().unwrap_or_default();
                let _ = validate(&n);
                let t = Totals::of(&n);
                for m in Metric::ALL { let _ = t.format(m, "¥"); }
            }
        }
    }
}
