//! Amounts, counts and rates as users type them, and the exact number formatting of SPEC §6.
//!
//! Money is `i64` minor units (fen/cents). Rates are [`Rate`]: the value × 1 000 000, so
//! `2.5%` is `25_000` and a ratio of `3` is `3_000_000`. All arithmetic is integer and exact;
//! rounding is half away from zero.

/// The largest amount accepted from users, in minor units (10^15 = ten trillion yuan).
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;
/// The largest count accepted from users.
pub const MAX_COUNT: i64 = 1_000_000_000_000_000;
/// The largest rate accepted from users, in micros (a ratio of one million).
pub const MAX_RATE_MICROS: i64 = 1_000_000_000_000;
/// Shown wherever a ratio's denominator is zero.
pub const DASH: &str = "—";

/// Why an amount, count or rate was refused; each variant quotes what the user typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a number in any accepted form.
    #[error("not an amount: {input}")]
    Invalid {
        /// What the user typed.
        input: String,
    },
    /// A minus sign: amounts, counts and rates are never negative.
    #[error("negative amount: {input}")]
    Negative {
        /// What the user typed.
        input: String,
    },
    /// More decimals than the unit allows (money: 2 after scaling; rates: 6 as a fraction).
    #[error("too many decimals: {input}")]
    TooPrecise {
        /// What the user typed.
        input: String,
    },
    /// Beyond the sane cap ([`MAX_MINOR`], [`MAX_COUNT`], [`MAX_RATE_MICROS`]).
    #[error("too large: {input}")]
    TooLarge {
        /// What the user typed.
        input: String,
    },
    /// A count that is not a whole number (`1.5`, `1.2345k`).
    #[error("not a whole number: {input}")]
    NotInteger {
        /// What the user typed.
        input: String,
    },
}

/// A rate or ratio, exactly: the value × 1 000 000 (`2.5%` = 25 000, ratio `3` = 3 000 000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate {
    /// The value × 1 000 000.
    pub micros: i64,
}

impl Rate {
    /// One whole (100%, or a ratio of 1), in micros.
    pub const ONE: i64 = 1_000_000;

    /// A rate from percent basis points (`250` bp = 2.5%).
    pub fn from_bp(bp: i64) -> Rate {
        Rate {
            micros: bp.saturating_mul(100),
        }
    }

    /// Formats as a percentage with two decimals: `2.50%`.
    pub fn format_percent(self) -> String {
        format_percent(i128::from(self.micros), i128::from(Rate::ONE))
    }

    /// Formats as a ratio with two decimals: `3.00`.
    pub fn format_ratio(self) -> String {
        format_ratio(i128::from(self.micros), i128::from(Rate::ONE))
    }
}

// ---------------------------------------------------------------- parsing

/// A non-negative decimal as typed: `mantissa / 10^frac_digits`, times `scale`.
struct Decimal {
    mantissa: i128,
    frac_digits: u32,
    scale: i128,
}

enum NumErr {
    Invalid,
    Negative,
    TooLarge,
}

const SCALES: &[(&str, i128)] = &[
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("万亿", 1_000_000_000_000),
    ("亿", 100_000_000),
    ("万", 10_000),
    ("千", 1_000),
    ("百", 100),
    ("k", 1_000),
    ("w", 10_000),
    ("m", 1_000_000),
];

/// Full-width to ASCII, lowercase, whitespace removed; `None` when whitespace splits two digits.
fn normalize(s: &str) -> Option<String> {
    let chars: Vec<char> = s
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '．' => '.',
            '，' => ',',
            '％' => '%',
            '－' => '-',
            '＋' => '+',
            '＄' => '$',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut last_non_ws: Option<char> = None;
    let mut in_ws = false;
    for &c in &chars {
        if c.is_whitespace() {
            in_ws = true;
            continue;
        }
        if in_ws
            && c.is_ascii_digit()
            && last_non_ws.is_some_and(|p| p.is_ascii_digit() || p == '.' || p == ',')
        {
            return None;
        }
        in_ws = false;
        last_non_ws = Some(c);
        out.push(c);
    }
    Some(out)
}

fn strip_any<'a>(s: &'a str, list: &[&str]) -> &'a str {
    for p in list {
        if let Some(rest) = s.strip_prefix(p) {
            return rest;
        }
    }
    s
}

fn strip_any_suffix<'a>(s: &'a str, list: &[&str]) -> &'a str {
    for p in list {
        if let Some(rest) = s.strip_suffix(p) {
            return rest;
        }
    }
    s
}

/// Parses the number core: optional sign, thousands separators, decimals, a scale suffix.
fn parse_decimal(s: &str) -> Result<Decimal, NumErr> {
    let mut s = s;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    let mut scale: i128 = 1;
    for (suffix, v) in SCALES {
        if let Some(rest) = s.strip_suffix(suffix) {
            scale = *v;
            s = rest;
            break;
        }
    }
    if s.is_empty() {
        return Err(NumErr::Invalid);
    }
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac_part
        && !f.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(NumErr::Invalid);
    }
    let int_digits: String = if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumErr::Invalid);
        }
        let mut out = first.to_string();
        for g in groups {
            if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
                return Err(NumErr::Invalid);
            }
            out.push_str(g);
        }
        out
    } else {
        if !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumErr::Invalid);
        }
        int_part.to_string()
    };
    if int_digits.is_empty() && frac_part.is_none_or(str::is_empty) {
        return Err(NumErr::Invalid);
    }
    let frac = frac_part.unwrap_or("").trim_end_matches('0');
    let int_trim = int_digits.trim_start_matches('0');
    if int_trim.len() > 24 {
        return Err(NumErr::TooLarge);
    }
    if frac.len() > 24 {
        // Far more decimals than any unit allows; reported as too precise by callers.
        return Ok(Decimal {
            mantissa: 1,
            frac_digits: 30,
            scale,
        });
    }
    let digits = format!("{int_trim}{frac}");
    let mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| NumErr::TooLarge)?
    };
    if negative && mantissa != 0 {
        return Err(NumErr::Negative);
    }
    Ok(Decimal {
        mantissa,
        frac_digits: frac.len() as u32,
        scale,
    })
}

/// `value × multiplier` exactly as an integer: `Ok(Some)` if whole, `Ok(None)` if fractional.
fn scaled(d: &Decimal, multiplier: i128) -> Result<Option<i128>, NumErr> {
    let num = d
        .mantissa
        .checked_mul(d.scale)
        .and_then(|v| v.checked_mul(multiplier))
        .ok_or(NumErr::TooLarge)?;
    let den = 10i128.checked_pow(d.frac_digits).ok_or(NumErr::TooLarge)?;
    if d.frac_digits >= 30 {
        return Ok(None);
    }
    if num % den == 0 {
        Ok(Some(num / den))
    } else {
        Ok(None)
    }
}

fn map_num_err(e: NumErr, input: &str) -> AmountError {
    let input = input.to_string();
    match e {
        NumErr::Invalid => AmountError::Invalid { input },
        NumErr::Negative => AmountError::Negative { input },
        NumErr::TooLarge => AmountError::TooLarge { input },
    }
}

/// Parses a money amount into minor units: `1200`, `1,200.50`, `¥1200`, `1.2k`, `1.2w`, `1.5万`, `3千`.
pub fn parse_amount(s: &str) -> Result<i64, AmountError> {
    let n = normalize(s).ok_or_else(|| AmountError::Invalid { input: s.into() })?;
    let mut core = n.as_str();
    let mut negative = false;
    if let Some(rest) = core.strip_prefix('-') {
        negative = true;
        core = rest;
    }
    core = strip_any(
        core,
        &["us$", "rmb", "cny", "usd", "¥", "￥", "$", "€", "£"],
    );
    core = strip_any_suffix(core, &["rmb", "cny", "usd", "yuan", "元", "块钱", "块"]);
    if negative {
        if core.starts_with('-') || core.starts_with('+') {
            return Err(AmountError::Invalid { input: s.into() });
        }
        // Re-attach the sign so "-0" is zero and "-5" is Negative.
        let signed = format!("-{core}");
        return amount_core(&signed, s);
    }
    amount_core(core, s)
}

fn amount_core(core: &str, input: &str) -> Result<i64, AmountError> {
    let d = parse_decimal(core).map_err(|e| map_num_err(e, input))?;
    let minor = scaled(&d, 100)
        .map_err(|e| map_num_err(e, input))?
        .ok_or_else(|| AmountError::TooPrecise {
            input: input.into(),
        })?;
    if minor > i128::from(MAX_MINOR) {
        return Err(AmountError::TooLarge {
            input: input.into(),
        });
    }
    i64::try_from(minor).map_err(|_| AmountError::TooLarge {
        input: input.into(),
    })
}

/// Like [`parse_amount`], but rounds extra decimals half away from zero to the minor unit
/// instead of refusing them: for imported reports, whose platforms export `12.345` spend.
pub fn parse_amount_rounded(s: &str) -> Result<i64, AmountError> {
    let n = normalize(s).ok_or_else(|| AmountError::Invalid { input: s.into() })?;
    let mut core = strip_any(&n, &["us$", "rmb", "cny", "usd", "¥", "￥", "$", "€", "£"]);
    core = strip_any_suffix(core, &["rmb", "cny", "usd", "yuan", "元", "块钱", "块"]);
    let d = parse_decimal(core).map_err(|e| map_num_err(e, s))?;
    if d.frac_digits >= 30 {
        return Err(AmountError::TooPrecise { input: s.into() });
    }
    let num = d
        .mantissa
        .checked_mul(d.scale)
        .and_then(|v| v.checked_mul(100))
        .ok_or_else(|| AmountError::TooLarge { input: s.into() })?;
    let den = 10i128
        .checked_pow(d.frac_digits)
        .ok_or_else(|| AmountError::TooLarge { input: s.into() })?;
    let minor = round_div(num, den).ok_or_else(|| AmountError::TooLarge { input: s.into() })?;
    if minor > i128::from(MAX_MINOR) {
        return Err(AmountError::TooLarge { input: s.into() });
    }
    i64::try_from(minor).map_err(|_| AmountError::TooLarge { input: s.into() })
}

/// Parses a whole count: `45`, `1,500`, `5万`, `1.5k`, `45单`; `1.2345k` is not whole.
pub fn parse_count(s: &str) -> Result<i64, AmountError> {
    let n = normalize(s).ok_or_else(|| AmountError::Invalid { input: s.into() })?;
    let core = strip_any_suffix(&n, &["次", "个", "单", "人", "笔"]);
    let d = parse_decimal(core).map_err(|e| map_num_err(e, s))?;
    let v = scaled(&d, 1)
        .map_err(|e| map_num_err(e, s))?
        .ok_or_else(|| AmountError::NotInteger { input: s.into() })?;
    if v > i128::from(MAX_COUNT) {
        return Err(AmountError::TooLarge { input: s.into() });
    }
    i64::try_from(v).map_err(|_| AmountError::TooLarge { input: s.into() })
}

/// Parses a rate: `2%`/`2.5%` are percentages, a plain number (`3`, `0.5`) is a ratio.
pub fn parse_rate(s: &str) -> Result<Rate, AmountError> {
    let n = normalize(s).ok_or_else(|| AmountError::Invalid { input: s.into() })?;
    let (core, multiplier) = match n.strip_suffix('%') {
        Some(core) => (core, 10_000i128),
        None => (n.as_str(), 1_000_000i128),
    };
    if core
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-' || c == '+'))
    {
        return Err(AmountError::Invalid { input: s.into() });
    }
    let d = parse_decimal(core).map_err(|e| map_num_err(e, s))?;
    let micros = scaled(&d, multiplier)
        .map_err(|e| map_num_err(e, s))?
        .ok_or_else(|| AmountError::TooPrecise { input: s.into() })?;
    if micros > i128::from(MAX_RATE_MICROS) {
        return Err(AmountError::TooLarge { input: s.into() });
    }
    let micros = i64::try_from(micros).map_err(|_| AmountError::TooLarge { input: s.into() })?;
    Ok(Rate { micros })
}

// ---------------------------------------------------------------- exact arithmetic

/// `n / d` rounded half away from zero; `None` when `d == 0` or the result overflows.
pub fn round_div(n: i128, d: i128) -> Option<i128> {
    if d == 0 {
        return None;
    }
    let negative = (n < 0) != (d < 0);
    let (un, ud) = (n.unsigned_abs(), d.unsigned_abs());
    let mut q = un / ud;
    let r = un % ud;
    // r < ud <= 2^127, so 2r fits in u128.
    if r * 2 >= ud {
        q += 1;
    }
    if negative {
        0i128.checked_sub_unsigned(q)
    } else {
        i128::try_from(q).ok()
    }
}

/// `n × scale / d` rounded half away from zero, without overflowing for any i64-sized inputs.
pub fn scaled_round(n: i128, d: i128, scale: i128) -> Option<i128> {
    if d == 0 {
        return None;
    }
    match n.checked_mul(scale) {
        Some(ns) => round_div(ns, d),
        None => {
            let q = n / d;
            let r = n % d;
            q.checked_mul(scale)?
                .checked_add(round_div(r.checked_mul(scale)?, d)?)
        }
    }
}

// ---------------------------------------------------------------- formatting

fn group_thousands(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats hundredths (`1234567` → `12,345.67`), with a leading `-` when negative.
pub fn format_hundredths(h: i128) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let u = h.unsigned_abs();
    format!(
        "{sign}{}.{:02}",
        group_thousands(&(u / 100).to_string()),
        u % 100
    )
}

/// Formats a whole number with thousands separators: `12,345`.
pub fn format_number(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(&n.unsigned_abs().to_string()))
}

/// Formats minor units as money with a symbol: `¥12,345.00`, negative `-¥12.00`.
pub fn format_money(minor: i64, symbol: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let plain = format_hundredths(i128::from(minor).abs());
    format!("{sign}{symbol}{plain}")
}

/// Formats minor units without a symbol: `12,345.00` (parses back with [`parse_amount`]).
pub fn format_money_plain(minor: i64) -> String {
    format_hundredths(i128::from(minor))
}

/// Formats `num / den` as a percentage with two decimals (`3.00%`), `—` when `den == 0`.
pub fn format_percent(num: i128, den: i128) -> String {
    match scaled_round(num, den, 10_000) {
        Some(h) => format!("{}%", format_hundredths(h)),
        None => DASH.to_string(),
    }
}

/// Formats `num / den` as a ratio with two decimals (`4.00`), `—` when `den == 0`.
pub fn format_ratio(num: i128, den: i128) -> String {
    match scaled_round(num, den, 100) {
        Some(h) => format_hundredths(h),
        None => DASH.to_string(),
    }
}

/// Formats `minor / den` (money per unit) as two decimals, with an optional symbol; `—` when `den == 0`.
pub fn format_money_ratio(minor: i128, den: i128, symbol: Option<&str>) -> String {
    match round_div(minor, den) {
        Some(h) => {
            let sign = if h < 0 { "-" } else { "" };
            format!(
                "{sign}{}{}",
                symbol.unwrap_or(""),
                format_hundredths(h.abs())
            )
        }
        None => DASH.to_string(),
    }
}

/// Formats basis points as a percentage with two decimals: `7800` → `78.00%`.
pub fn format_bp(bp: i64) -> String {
    format!("{}%", format_hundredths(i128::from(bp)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amount_table() {
        let cases: &[(&str, i64)] = &[
            ("1200", 120_000),
            ("1,200", 120_000),
            ("1200.50", 120_050),
            ("1200.5", 120_050),
            ("¥1200", 120_000),
            ("￥1200", 120_000),
            ("$1200", 120_000),
            ("1.2k", 120_000),
            ("1.2K", 120_000),
            ("1.2w", 1_200_000),
            ("1.2W", 1_200_000),
            ("1.2万", 1_200_000),
            ("3千", 300_000),
            ("5万", 5_000_000),
            ("1.5亿", 15_000_000_000),
            ("1,200.5", 120_050),
            ("1.234k", 123_400),
            ("0", 0),
            ("0.01", 1),
            ("-0", 0),
            (" 1200 ", 120_000),
            ("1200元", 120_000),
            ("¥ 1,234,567.89", 123_456_789),
            ("１２００", 120_000),
            ("1.5千万", 1_500_000_000),
            (".5", 50),
            ("1.", 100),
            ("1.00000", 100),
            ("12,345,678", 1_234_567_800),
        ];
        for (input, want) in cases {
            assert_eq!(parse_amount(input), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn amount_errors() {
        type Check = fn(&AmountError) -> bool;
        let neg: Check = |e| matches!(e, AmountError::Negative { .. });
        let prec: Check = |e| matches!(e, AmountError::TooPrecise { .. });
        let big: Check = |e| matches!(e, AmountError::TooLarge { .. });
        let inv: Check = |e| matches!(e, AmountError::Invalid { .. });
        let cases: &[(&str, Check)] = &[
            ("-5", neg),
            ("-¥5", neg),
            ("¥-5", neg),
            ("1.234", prec),
            ("0.001", prec),
            ("1.234567k", prec),
            ("99999999999999999999999", big),
            ("10000000000001", big),
            ("100000000000000000000000000000000000000000", big),
            ("99999999亿", big),
            ("", inv),
            ("abc", inv),
            ("¥", inv),
            ("k", inv),
            ("1,20", inv),
            ("12,00,000", inv),
            ("1.2.3", inv),
            ("1e5", inv),
            ("--5", inv),
            ("NaN", inv),
            ("1 2", inv),
        ];
        for (input, check) in cases {
            let got = parse_amount(input);
            match &got {
                Err(e) if check(e) => {}
                other => panic!("input {input:?}: unexpected {other:?}"),
            }
        }
        assert_eq!(
            parse_amount("abc"),
            Err(AmountError::Invalid {
                input: "abc".into()
            })
        );
    }

    #[test]
    fn amount_cap_boundary() {
        assert_eq!(parse_amount("10000000000000"), Ok(MAX_MINOR));
        assert!(matches!(
            parse_amount("10000000000000.01"),
            Err(AmountError::TooLarge { .. })
        ));
    }

    #[test]
    fn count_table() {
        let ok: &[(&str, i64)] = &[
            ("45", 45),
            ("1,500", 1500),
            ("5万", 50_000),
            ("1.5k", 1500),
            ("1.2w", 12_000),
            ("3千", 3000),
            ("45单", 45),
            ("0", 0),
            ("1.5亿", 150_000_000),
        ];
        for (input, want) in ok {
            assert_eq!(parse_count(input), Ok(*want), "input {input:?}");
        }
        assert!(matches!(
            parse_count("1.2345k"),
            Err(AmountError::NotInteger { .. })
        ));
        assert!(matches!(
            parse_count("1.5"),
            Err(AmountError::NotInteger { .. })
        ));
        assert!(matches!(
            parse_count("-3"),
            Err(AmountError::Negative { .. })
        ));
        assert!(matches!(parse_count("x"), Err(AmountError::Invalid { .. })));
        assert!(matches!(
            parse_count("¥5"),
            Err(AmountError::Invalid { .. })
        ));
    }

    #[test]
    fn rate_table() {
        let ok: &[(&str, i64)] = &[
            ("2%", 20_000),
            ("2.5%", 25_000),
            ("3", 3_000_000),
            ("0.5", 500_000),
            ("100%", 1_000_000),
            ("0.0001%", 1),
            ("2.5 %", 25_000),
            ("2.5％", 25_000),
            ("1.234567", 1_234_567),
        ];
        for (input, want) in ok {
            assert_eq!(
                parse_rate(input),
                Ok(Rate { micros: *want }),
                "input {input:?}"
            );
        }
        assert!(matches!(
            parse_rate("0.00001%"),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(
            parse_rate("-2%"),
            Err(AmountError::Negative { .. })
        ));
        assert!(matches!(
            parse_rate("2k%"),
            Err(AmountError::Invalid { .. })
        ));
        assert!(matches!(parse_rate("%"), Err(AmountError::Invalid { .. })));
        assert!(matches!(
            parse_rate("99999999"),
            Err(AmountError::TooLarge { .. })
        ));
    }

    #[test]
    fn rate_formatting() {
        assert_eq!(Rate { micros: 25_000 }.format_percent(), "2.50%");
        assert_eq!(Rate { micros: 3_000_000 }.format_ratio(), "3.00");
        assert_eq!(Rate::from_bp(250), Rate { micros: 25_000 });
    }

    #[test]
    fn formatting_table() {
        assert_eq!(format_money(1_234_500, "¥"), "¥12,345.00");
        assert_eq!(format_money(-1200, "¥"), "-¥12.00");
        assert_eq!(format_money(0, "$"), "$0.00");
        assert_eq!(format_money(5, "¥"), "¥0.05");
        assert_eq!(format_money(10_000_000_000, "¥"), "¥100,000,000.00");
        assert_eq!(format_money(i64::MIN, "¥"), "-¥92,233,720,368,547,758.08");
        assert_eq!(format_money_plain(123_456_789), "1,234,567.89");
        assert_eq!(format_number(12_345), "12,345");
        assert_eq!(format_number(0), "0");
        assert_eq!(format_number(999), "999");
        assert_eq!(format_number(1000), "1,000");
        assert_eq!(format_number(-1_234_567), "-1,234,567");
        assert_eq!(format_number(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(format_percent(3, 100), "3.00%");
        assert_eq!(format_percent(1, 3), "33.33%");
        assert_eq!(format_percent(2, 3), "66.67%");
        assert_eq!(format_percent(1, 300), "0.33%");
        assert_eq!(format_percent(1, 0), "—");
        assert_eq!(format_percent(1, 80_000), "0.00%");
        assert_eq!(format_percent(1, 40_000), "0.00%"); // 0.0025% rounds to 0.00
        assert_eq!(format_percent(1, 20_000), "0.01%"); // 0.005% rounds half up
        assert_eq!(format_ratio(2, 3), "0.67");
        assert_eq!(format_ratio(4, 1), "4.00");
        assert_eq!(format_ratio(1, 200), "0.01"); // 0.005 half away from zero
        assert_eq!(format_ratio(-1, 200), "-0.01");
        assert_eq!(format_ratio(0, 0), "—");
        assert_eq!(format_ratio(12_345_678, 1), "12,345,678.00");
        assert_eq!(format_money_ratio(200, 3, None), "0.67");
        assert_eq!(format_money_ratio(200, 3, Some("¥")), "¥0.67");
        assert_eq!(format_money_ratio(-200, 3, Some("¥")), "-¥0.67");
        assert_eq!(format_money_ratio(1, 0, None), "—");
        assert_eq!(format_bp(7800), "78.00%");
        assert_eq!(format_bp(1), "0.01%");
    }

    #[test]
    fn rounding() {
        assert_eq!(round_div(5, 2), Some(3));
        assert_eq!(round_div(-5, 2), Some(-3));
        assert_eq!(round_div(5, -2), Some(-3));
        assert_eq!(round_div(4, 3), Some(1));
        assert_eq!(round_div(1, 0), None);
        assert_eq!(round_div(i128::MIN, -1), None);
        assert_eq!(round_div(i128::MIN, 1), Some(i128::MIN));
        assert_eq!(scaled_round(i128::MAX, i128::MAX, 100), Some(100));
        assert_eq!(scaled_round(i128::MAX, 1, 100), None);
    }

    proptest! {
        #[test]
        fn money_round_trip(x in 0i64..=MAX_MINOR) {
            prop_assert_eq!(parse_amount(&format_money_plain(x)), Ok(x));
            prop_assert_eq!(parse_amount(&format_money(x, "¥")), Ok(x));
        }

        #[test]
        fn whole_units_round_trip(x in 0i64..=MAX_MINOR / 100) {
            prop_assert_eq!(parse_amount(&x.to_string()), Ok(x * 100));
        }

        #[test]
        fn count_round_trip(x in 0i64..=MAX_COUNT) {
            prop_assert_eq!(parse_count(&format_number(x)), Ok(x));
        }

        #[test]
        fn no_panics(s in ".*") {
            let _ = parse_amount(&s);
            let _ = parse_count(&s);
            let _ = parse_rate(&s);
        }

        #[test]
        fn no_panics_on_number_like(s in "[-+¥$.,0-9kKwW万千亿%元 ]{0,30}") {
            let _ = parse_amount(&s);
            let _ = parse_count(&s);
            let _ = parse_rate(&s);
        }

        #[test]
        fn amounts_never_negative(s in "[-+¥.,0-9kw万]{0,20}") {
            if let Ok(v) = parse_amount(&s) {
                prop_assert!((0..=MAX_MINOR).contains(&v));
            }
        }

        #[test]
        fn format_percent_matches_float(n in 0i64..1_000_000, d in 1i64..1_000_000) {
            let s = format_percent(i128::from(n), i128::from(d));
            let exact = (n as f64) * 100.0 / (d as f64);
            let shown: f64 = s.trim_end_matches('%').replace(',', "").parse().unwrap_or(f64::NAN);
            prop_assert!((shown - exact).abs() <= 0.005 + 1e-9, "{} vs {}", s, exact);
        }

        #[test]
        fn format_number_round_trips(n in any::<i64>()) {
            let s = format_number(n);
            prop_assert_eq!(s.replace(',', "").parse::<i64>().ok(), Some(n));
        }
    }
}
