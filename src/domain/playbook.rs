//! The playbook's budget rules (DOMAIN.md §2): tier shares, core-channel count, owners,
//! month pacing, and channel slugs. All shares are exact integer basis points.

use super::money::round_div;

/// Core channels' share of the budget: at least 60%…
pub const CORE_MIN_BP: i64 = 6000;
/// …and at most 70%.
pub const CORE_MAX_BP: i64 = 7000;
/// Test channels' share: at least 10%…
pub const TEST_MIN_BP: i64 = 1000;
/// …and at most 20%.
pub const TEST_MAX_BP: i64 = 2000;
/// At most this many core channels.
pub const MAX_CORE_CHANNELS: usize = 3;
/// Pacing below this share of the linear plan is under pace (85%).
pub const PACE_LOW_BP: i64 = 8500;
/// Pacing above this share of the linear plan is over pace (115%).
pub const PACE_HIGH_BP: i64 = 11_500;
/// The longest channel slug.
pub const MAX_SLUG_LEN: usize = 20;

/// A channel's role in the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// A core channel (2–3 of them, 60–70% of budget).
    Core,
    /// A test channel (10–20% of budget together).
    Test,
    /// Reserve budget (the rest).
    Reserve,
}

/// How storage decodes the `tier` column (`#[sqlx(try_from = "String")]`, through the
/// blanket `TryFrom`); never fails, see [`Tier::from_stored`].
impl From<String> for Tier {
    fn from(s: String) -> Tier {
        Tier::from_stored(&s)
    }
}

impl Tier {
    /// All tiers in display order.
    pub const ALL: [Tier; 3] = [Tier::Core, Tier::Test, Tier::Reserve];

    /// Parses `core|test|reserve` or `核心|测试|储备|备用`, case-insensitive.
    pub fn parse(s: &str) -> Option<Tier> {
        match s.trim().to_lowercase().as_str() {
            "core" | "main" | "核心" | "主力" => Some(Tier::Core),
            "test" | "testing" | "trial" | "测试" | "试投" => Some(Tier::Test),
            "reserve" | "backup" | "储备" | "备用" | "预留" => Some(Tier::Reserve),
            _ => None,
        }
    }

    /// The stored code: `core`, `test`, `reserve`.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Core => "core",
            Tier::Test => "test",
            Tier::Reserve => "reserve",
        }
    }

    /// Reads a stored tier. A value this version does not know reads as Reserve, everywhere:
    /// reserve is the tier the playbook asks nothing of (no share range, not a core or test
    /// bet), so an unrecognised row neither inflates a judged share nor hides the channel.
    pub fn from_stored(s: &str) -> Tier {
        Tier::parse(s).unwrap_or(Tier::Reserve)
    }

    /// The allowed share range in basis points, if the playbook sets one (reserve: none).
    pub fn range_bp(self) -> Option<(i64, i64)> {
        match self {
            Tier::Core => Some((CORE_MIN_BP, CORE_MAX_BP)),
            Tier::Test => Some((TEST_MIN_BP, TEST_MAX_BP)),
            Tier::Reserve => None,
        }
    }
}

/// One channel as the plan sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelPlan {
    /// The channel slug.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Monthly budget, minor units.
    pub monthly_budget: i64,
    /// Whether someone owns it.
    pub has_owner: bool,
}

/// Whether a share is above or below the allowed range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// Under the minimum.
    Below,
    /// Over the maximum.
    Above,
}

/// A rule of the playbook the plan breaks, with the numbers a reply needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanIssue {
    /// The total monthly budget is zero (or there are no channels).
    NoBudget {
        /// How many channels there are.
        channels: usize,
    },
    /// A tier's share is outside its range: "core is 78.00% of ¥100,000.00; the playbook says 60–70%".
    TierShare {
        /// The tier.
        tier: Tier,
        /// The tier's budget, minor units.
        amount: i64,
        /// The total budget, minor units.
        total: i64,
        /// The tier's share in basis points (rounded half up).
        share_bp: i64,
        /// The allowed minimum, basis points.
        min_bp: i64,
        /// The allowed maximum, basis points.
        max_bp: i64,
        /// Below or above the range.
        side: Side,
        /// How much budget (minor units) would have to move, at this total, to reach the range.
        off_by_amount: i64,
    },
    /// More core channels than the playbook allows.
    TooManyCore {
        /// How many core channels there are.
        count: usize,
        /// The maximum.
        max: usize,
        /// Their names.
        channels: Vec<String>,
    },
    /// A channel nobody owns.
    NoOwner {
        /// The channel.
        channel: String,
    },
}

/// Budget per tier and in total, minor units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TierTotals {
    /// Core channels' budget.
    pub core: i64,
    /// Test channels' budget.
    pub test: i64,
    /// Reserve budget.
    pub reserve: i64,
    /// Everything.
    pub total: i64,
}

impl TierTotals {
    /// Sums budgets per tier (saturating; negative budgets count as zero).
    pub fn of(channels: &[ChannelPlan]) -> TierTotals {
        let mut t = TierTotals::default();
        for c in channels {
            let b = c.monthly_budget.max(0);
            match c.tier {
                Tier::Core => t.core = t.core.saturating_add(b),
                Tier::Test => t.test = t.test.saturating_add(b),
                Tier::Reserve => t.reserve = t.reserve.saturating_add(b),
            }
            t.total = t.total.saturating_add(b);
        }
        t
    }

    /// One tier's budget.
    pub fn get(&self, tier: Tier) -> i64 {
        match tier {
            Tier::Core => self.core,
            Tier::Test => self.test,
            Tier::Reserve => self.reserve,
        }
    }
}

/// `part / total` in basis points, rounded half up; `None` when `total` is zero.
pub fn share_bp(part: i64, total: i64) -> Option<i64> {
    round_div(i128::from(part) * 10_000, i128::from(total)).and_then(|v| i64::try_from(v).ok())
}

fn div_floor(n: i128, d: i128) -> i128 {
    n.div_euclid(d)
}

fn div_ceil(n: i128, d: i128) -> i128 {
    -(-n).div_euclid(d)
}

/// Checks the plan against the playbook: tier shares, core count, owners, and a zero budget.
pub fn check_plan(channels: &[ChannelPlan]) -> Vec<PlanIssue> {
    let mut issues = Vec::new();
    let totals = TierTotals::of(channels);
    if totals.total <= 0 {
        issues.push(PlanIssue::NoBudget {
            channels: channels.len(),
        });
    } else {
        let total = i128::from(totals.total);
        for tier in [Tier::Core, Tier::Test] {
            let Some((min_bp, max_bp)) = tier.range_bp() else {
                continue;
            };
            let amount = totals.get(tier);
            let scaled = i128::from(amount) * 10_000;
            let side = if scaled < total * i128::from(min_bp) {
                Side::Below
            } else if scaled > total * i128::from(max_bp) {
                Side::Above
            } else {
                continue;
            };
            let off_by_amount = match side {
                Side::Below => div_ceil(total * i128::from(min_bp), 10_000) - i128::from(amount),
                Side::Above => i128::from(amount) - div_floor(total * i128::from(max_bp), 10_000),
            };
            issues.push(PlanIssue::TierShare {
                tier,
                amount,
                total: totals.total,
                share_bp: share_bp(amount, totals.total).unwrap_or(0),
                min_bp,
                max_bp,
                side,
                off_by_amount: i64::try_from(off_by_amount).unwrap_or(i64::MAX),
            });
        }
    }
    let core: Vec<String> = channels
        .iter()
        .filter(|c| c.tier == Tier::Core)
        .map(|c| c.name.clone())
        .collect();
    if core.len() > MAX_CORE_CHANNELS {
        issues.push(PlanIssue::TooManyCore {
            count: core.len(),
            max: MAX_CORE_CHANNELS,
            channels: core,
        });
    }
    for c in channels.iter().filter(|c| !c.has_owner) {
        issues.push(PlanIssue::NoOwner {
            channel: c.name.clone(),
        });
    }
    issues
}

// ---------------------------------------------------------------- pacing

/// Spend against the straight-line plan for the month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaceStatus {
    /// Below 85% of the linear plan.
    UnderPace,
    /// Within 85–115% of the linear plan (inclusive).
    OnPace,
    /// Above 115% of the linear plan.
    OverPace,
}

/// Month pacing of spend against a monthly budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pacing {
    /// Spend so far as a share of the linear plan to date, basis points; `None` with no budget.
    pub pct_of_linear_plan_bp: Option<i64>,
    /// The linear plan to date: budget × days elapsed / days in month, minor units (rounded).
    pub planned_to_date: i64,
    /// Spend extrapolated to the month end at the current daily rate, minor units (rounded).
    pub projected_month_end: i64,
    /// Under, on or over pace.
    pub status: PaceStatus,
    /// The projection (or spend already) exceeds the budget.
    pub over_budget: bool,
}

/// Pacing for a month: `day_of_month` is the days elapsed including today (clamped to 1..=days_in_month).
pub fn pacing(
    spend_so_far: i64,
    monthly_budget: i64,
    day_of_month: u32,
    days_in_month: u32,
) -> Pacing {
    let dim = i128::from(days_in_month.max(1));
    let day = i128::from(day_of_month.clamp(1, days_in_month.max(1)));
    let spend = i128::from(spend_so_far);
    let budget = i128::from(monthly_budget);
    let to_i64 = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
    let projected = round_div(spend * dim, day).map_or(spend_so_far, to_i64);
    let planned = round_div(budget * day, dim).map_or(0, to_i64);
    let pct = round_div(spend * dim * 10_000, budget * day).map(to_i64);
    let status = if budget <= 0 {
        if spend > 0 {
            PaceStatus::OverPace
        } else {
            PaceStatus::OnPace
        }
    } else {
        // Exact: spend / (budget·day/dim) against 0.85 and 1.15.
        let lhs = spend * dim * 10_000;
        let plan = budget * day;
        if lhs < plan * i128::from(PACE_LOW_BP) {
            PaceStatus::UnderPace
        } else if lhs > plan * i128::from(PACE_HIGH_BP) {
            PaceStatus::OverPace
        } else {
            PaceStatus::OnPace
        }
    };
    let over_budget = spend > budget || spend * dim > budget * day;
    Pacing {
        pct_of_linear_plan_bp: if budget > 0 { pct } else { None },
        planned_to_date: planned,
        projected_month_end: projected,
        status,
        over_budget,
    }
}

// ---------------------------------------------------------------- slugs

/// Chinese (and common) channel names and the slug to use for them.
pub const KNOWN_SLUGS: &[(&str, &str)] = &[
    ("淘宝", "taobao"),
    ("天猫", "tmall"),
    ("京东", "jd"),
    ("抖音", "douyin"),
    ("小红书", "xhs"),
    ("微信", "wechat"),
    ("企业微信", "wecom"),
    ("企微", "wecom"),
    ("微信社群", "wechat"),
    ("视频号", "channels"),
    ("快手", "kuaishou"),
    ("拼多多", "pdd"),
    ("微博", "weibo"),
    ("b站", "bilibili"),
    ("哔哩哔哩", "bilibili"),
    ("xiaohongshu", "xhs"),
    ("red", "xhs"),
];

/// Why a channel name is not a valid slug; carries the input and, when possible, a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// Nothing after stripping `#`.
    #[error("empty channel name: {input:?}")]
    Empty {
        /// What the user typed.
        input: String,
    },
    /// Longer than [`MAX_SLUG_LEN`].
    #[error("channel name too long: {input}")]
    TooLong {
        /// What the user typed.
        input: String,
        /// The limit.
        max: usize,
        /// A shorter valid slug, if one can be derived.
        suggestion: Option<String>,
    },
    /// Characters outside `a-z 0-9 _`.
    #[error("invalid channel name: {input}")]
    Invalid {
        /// What the user typed.
        input: String,
        /// A valid slug to use instead (`淘宝` → `taobao`), if one is known or derivable.
        suggestion: Option<String>,
    },
}

/// The known Latin slug for a platform name (`淘宝` → `taobao`), from the alias table.
pub fn suggest_slug(name: &str) -> Option<&'static str> {
    let n = name.trim().trim_start_matches(['#', '＃']).to_lowercase();
    KNOWN_SLUGS
        .iter()
        .find(|(k, _)| *k == n)
        .map(|(_, v)| *v)
        .or_else(|| super::channel_names::latin_slug(&n))
}

/// Validates a channel name: `#` stripped, full-width folded, lowercased, then letters of any
/// script, digits and `_`, 1 to 20 characters (`淘宝`, `xhs_2`). A refusal suggests a name
/// that would pass (`my-shop` → `my_shop`).
pub fn validate_slug(s: &str) -> Result<String, SlugError> {
    let slug = super::channel_names::fold(s);
    if slug.is_empty() {
        return Err(SlugError::Empty { input: s.into() });
    }
    if !super::channel_names::valid_chars(&slug) {
        let derived: String = slug
            .chars()
            .map(|c| {
                if matches!(c, '-' | ' ' | '.' | '/') {
                    '_'
                } else {
                    c
                }
            })
            .filter(|c| c.is_alphanumeric() || *c == '_')
            .take(MAX_SLUG_LEN)
            .collect();
        let derived = derived.trim_matches('_').to_string();
        let suggestion = (!derived.is_empty()).then_some(derived);
        return Err(SlugError::Invalid {
            input: s.into(),
            suggestion,
        });
    }
    if slug.chars().count() > MAX_SLUG_LEN {
        return Err(SlugError::TooLong {
            input: s.into(),
            max: MAX_SLUG_LEN,
            suggestion: Some(slug.chars().take(MAX_SLUG_LEN).collect()),
        });
    }
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_tier_reads_as_reserve() {
        // Was Reserve in /channels but Test in the weekly report (issue 12); now one answer.
        for t in Tier::ALL {
            assert_eq!(Tier::from_stored(t.code()), t);
            assert_eq!(Tier::from(t.code().to_string()), t);
        }
        assert_eq!(Tier::from_stored("premium"), Tier::Reserve);
        assert_eq!(Tier::from_stored(""), Tier::Reserve);
    }
    use proptest::prelude::*;

    fn ch(name: &str, tier: Tier, yuan: i64, owner: bool) -> ChannelPlan {
        ChannelPlan {
            name: name.into(),
            tier,
            monthly_budget: yuan * 100,
            has_owner: owner,
        }
    }

    #[test]
    fn tier_parse_table() {
        let cases: &[(&str, Option<Tier>)] = &[
            ("core", Some(Tier::Core)),
            ("CORE", Some(Tier::Core)),
            ("核心", Some(Tier::Core)),
            ("test", Some(Tier::Test)),
            ("测试", Some(Tier::Test)),
            ("reserve", Some(Tier::Reserve)),
            ("储备", Some(Tier::Reserve)),
            ("备用", Some(Tier::Reserve)),
            ("other", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(Tier::parse(s), *want, "{s}");
        }
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.code()), Some(t));
        }
    }

    #[test]
    fn healthy_plan_has_no_issues() {
        let plan = [
            ch("taobao", Tier::Core, 40_000, true),
            ch("douyin", Tier::Core, 25_000, true),
            ch("xhs", Tier::Test, 15_000, true),
            ch("reserve", Tier::Reserve, 20_000, true),
        ];
        assert_eq!(check_plan(&plan), vec![]);
    }

    #[test]
    fn boundaries_are_inclusive() {
        let plan = [
            ch("a", Tier::Core, 60, true),
            ch("b", Tier::Test, 20, true),
            ch("c", Tier::Reserve, 20, true),
        ];
        assert_eq!(check_plan(&plan), vec![]);
        let plan = [
            ch("a", Tier::Core, 70, true),
            ch("b", Tier::Test, 10, true),
            ch("c", Tier::Reserve, 20, true),
        ];
        assert_eq!(check_plan(&plan), vec![]);
    }

    #[test]
    fn over_core_and_under_test() {
        let plan = [
            ch("taobao", Tier::Core, 50_000, true),
            ch("jd", Tier::Core, 28_000, true),
            ch("xhs", Tier::Test, 5_000, true),
            ch("reserve", Tier::Reserve, 17_000, true),
        ];
        assert_eq!(
            check_plan(&plan),
            vec![
                PlanIssue::TierShare {
                    tier: Tier::Core,
                    amount: 7_800_000,
                    total: 10_000_000,
                    share_bp: 7800,
                    min_bp: 6000,
                    max_bp: 7000,
                    side: Side::Above,
                    off_by_amount: 800_000,
                },
                PlanIssue::TierShare {
                    tier: Tier::Test,
                    amount: 500_000,
                    total: 10_000_000,
                    share_bp: 500,
                    min_bp: 1000,
                    max_bp: 2000,
                    side: Side::Below,
                    off_by_amount: 500_000,
                },
            ]
        );
    }

    #[test]
    fn share_exactness() {
        // 2 of 3 = 66.67%: inside; shares round half up.
        assert_eq!(share_bp(2, 3), Some(6667));
        assert_eq!(share_bp(1, 3), Some(3333));
        assert_eq!(share_bp(1, 20_000), Some(1));
        assert_eq!(share_bp(1, 0), None);
        // 70.004% is over even though it displays as 70.00%.
        let plan = [
            ch("a", Tier::Core, 70_004, true),
            ch("b", Tier::Test, 15_000, true),
            ch("c", Tier::Reserve, 14_996, true),
        ];
        let issues = check_plan(&plan);
        assert!(matches!(
            issues.as_slice(),
            [PlanIssue::TierShare {
                tier: Tier::Core,
                share_bp: 7000,
                side: Side::Above,
                off_by_amount: 400,
                ..
            }]
        ));
    }

    #[test]
    fn too_many_core_and_owners() {
        let plan = [
            ch("a", Tier::Core, 20, true),
            ch("b", Tier::Core, 20, false),
            ch("c", Tier::Core, 15, true),
            ch("d", Tier::Core, 10, true),
            ch("e", Tier::Test, 15, false),
            ch("f", Tier::Reserve, 20, true),
        ];
        assert_eq!(
            check_plan(&plan),
            vec![
                PlanIssue::TooManyCore {
                    count: 4,
                    max: 3,
                    channels: vec!["a".into(), "b".into(), "c".into(), "d".into()],
                },
                PlanIssue::NoOwner {
                    channel: "b".into()
                },
                PlanIssue::NoOwner {
                    channel: "e".into()
                },
            ]
        );
    }

    #[test]
    fn no_budget() {
        assert_eq!(check_plan(&[]), vec![PlanIssue::NoBudget { channels: 0 }]);
        let plan = [ch("a", Tier::Core, 0, true), ch("b", Tier::Test, 0, false)];
        assert_eq!(
            check_plan(&plan),
            vec![
                PlanIssue::NoBudget { channels: 2 },
                PlanIssue::NoOwner {
                    channel: "b".into()
                }
            ]
        );
    }

    #[test]
    fn only_reserve() {
        let plan = [ch("r", Tier::Reserve, 100, true)];
        let issues = check_plan(&plan);
        assert_eq!(issues.len(), 2);
        assert!(matches!(
            issues[0],
            PlanIssue::TierShare {
                tier: Tier::Core,
                share_bp: 0,
                side: Side::Below,
                off_by_amount: 6000,
                ..
            }
        ));
    }

    #[test]
    fn pacing_table() {
        // (spend, budget, day, dim) → (pct_bp, projected, status, over_budget)
        type Case = (i64, i64, u32, u32, Option<i64>, i64, PaceStatus, bool);
        let cases: &[Case] = &[
            (
                50_000,
                100_000,
                15,
                30,
                Some(10_000),
                100_000,
                PaceStatus::OnPace,
                false,
            ),
            (
                30_000,
                100_000,
                15,
                30,
                Some(6000),
                60_000,
                PaceStatus::UnderPace,
                false,
            ),
            (
                80_000,
                100_000,
                15,
                30,
                Some(16_000),
                160_000,
                PaceStatus::OverPace,
                true,
            ),
            (
                42_500,
                100_000,
                15,
                30,
                Some(8500),
                85_000,
                PaceStatus::OnPace,
                false,
            ),
            (
                42_499,
                100_000,
                15,
                30,
                Some(8500),
                84_998,
                PaceStatus::UnderPace,
                false,
            ),
            (
                57_500,
                100_000,
                15,
                30,
                Some(11_500),
                115_000,
                PaceStatus::OnPace,
                true,
            ),
            (
                57_501,
                100_000,
                15,
                30,
                Some(11_500),
                115_002,
                PaceStatus::OverPace,
                true,
            ),
            (0, 100_000, 1, 31, Some(0), 0, PaceStatus::UnderPace, false),
            (
                100_000,
                100_000,
                31,
                31,
                Some(10_000),
                100_000,
                PaceStatus::OnPace,
                false,
            ),
            (0, 0, 10, 30, None, 0, PaceStatus::OnPace, false),
            (5, 0, 10, 30, None, 15, PaceStatus::OverPace, true),
            (
                1000,
                3000,
                0,
                30,
                Some(100_000),
                30_000,
                PaceStatus::OverPace,
                true,
            ),
            (
                1000,
                3000,
                40,
                30,
                Some(3333),
                1000,
                PaceStatus::UnderPace,
                false,
            ),
            (
                1000,
                3000,
                5,
                0,
                Some(3333),
                1000,
                PaceStatus::UnderPace,
                false,
            ),
        ];
        for &(spend, budget, day, dim, pct, proj, status, over) in cases {
            let p = pacing(spend, budget, day, dim);
            assert_eq!(
                (
                    p.pct_of_linear_plan_bp,
                    p.projected_month_end,
                    p.status,
                    p.over_budget
                ),
                (pct, proj, status, over),
                "spend {spend} budget {budget} day {day}/{dim}"
            );
        }
        assert_eq!(pacing(50_000, 100_000, 15, 30).planned_to_date, 50_000);
        assert_eq!(pacing(0, 100, 1, 3).planned_to_date, 33);
    }

    #[test]
    fn slug_table() {
        let ok: &[(&str, &str)] = &[
            ("taobao", "taobao"),
            ("#jd", "jd"),
            ("Douyin", "douyin"),
            ("xhs_2", "xhs_2"),
            ("618", "618"),
            ("a", "a"),
            ("abcdefghijklmnopqrst", "abcdefghijklmnopqrst"),
            (" #wechat ", "wechat"),
        ];
        for (s, want) in ok {
            assert_eq!(validate_slug(s), Ok(want.to_string()), "{s}");
        }
        // Names in any script are names (issue 16): the team's own words for its channels.
        for (s, want) in [
            ("淘宝", "淘宝"),
            ("#小红书", "小红书"),
            ("视频号_2", "视频号_2"),
            ("ＸＨＳ", "xhs"),
        ] {
            assert_eq!(validate_slug(s), Ok(want.to_string()), "{s}");
        }
        assert_eq!(
            validate_slug("my-shop"),
            Err(SlugError::Invalid {
                input: "my-shop".into(),
                suggestion: Some("my_shop".into())
            })
        );
        assert_eq!(
            validate_slug("某平台!"),
            Err(SlugError::Invalid {
                input: "某平台!".into(),
                suggestion: Some("某平台".into())
            })
        );
        assert_eq!(
            validate_slug("<b>"),
            Err(SlugError::Invalid {
                input: "<b>".into(),
                suggestion: Some("b".into())
            })
        );
        assert!(matches!(
            validate_slug("一二三四五六七八九十一二三四五六七八九十一"),
            Err(SlugError::TooLong { max: 20, .. })
        ));
        assert_eq!(
            validate_slug("#"),
            Err(SlugError::Empty { input: "#".into() })
        );
        assert_eq!(
            validate_slug(""),
            Err(SlugError::Empty { input: "".into() })
        );
        assert!(matches!(
            validate_slug("abcdefghijklmnopqrstu"),
            Err(SlugError::TooLong { max: 20, .. })
        ));
        assert_eq!(suggest_slug("淘宝"), Some("taobao"));
        assert_eq!(suggest_slug("千川"), Some("douyin"));
        assert_eq!(suggest_slug("nothing"), None);
    }

    fn channel_strategy() -> impl Strategy<Value = ChannelPlan> {
        (
            "[a-z]{1,8}",
            prop::sample::select(Tier::ALL.to_vec()),
            0i64..=1_000_000_000_000_000,
            any::<bool>(),
        )
            .prop_map(|(name, tier, monthly_budget, has_owner)| ChannelPlan {
                name,
                tier,
                monthly_budget,
                has_owner,
            })
    }

    proptest! {
        #[test]
        fn plan_checks_never_panic_and_are_consistent(
            chans in prop::collection::vec(channel_strategy(), 0..10),
        ) {
            let issues = check_plan(&chans);
            let owners_missing = chans.iter().filter(|c| !c.has_owner).count();
            let no_owner = issues.iter().filter(|i| matches!(i, PlanIssue::NoOwner { .. })).count();
            prop_assert_eq!(owners_missing, no_owner);
            for i in &issues {
                if let PlanIssue::TierShare { amount, total, min_bp, max_bp, side, off_by_amount, .. } = i {
                    prop_assert!(*off_by_amount > 0);
                    let a = i128::from(*amount) * 10_000;
                    let t = i128::from(*total);
                    match side {
                        Side::Above => prop_assert!(a > t * i128::from(*max_bp)),
                        Side::Below => prop_assert!(a < t * i128::from(*min_bp)),
                    }
                }
            }
        }

        #[test]
        fn pacing_never_panics(
            spend in any::<i64>(), budget in any::<i64>(), day in any::<u32>(), dim in any::<u32>(),
        ) {
            let p = pacing(spend, budget, day, dim);
            if budget > 0 && spend >= 0 {
                prop_assert!(p.pct_of_linear_plan_bp.is_some());
            }
        }

        #[test]
        fn slugs_never_panic_and_ok_is_valid(s in ".{0,30}") {
            if let Ok(slug) = validate_slug(&s) {
                prop_assert!(!slug.is_empty() && slug.chars().count() <= MAX_SLUG_LEN);
                prop_assert!(slug.chars().all(|c| c.is_alphanumeric() || c == '_'));
            }
            if let Err(SlugError::Invalid { suggestion: Some(sug), .. }) = validate_slug(&s) {
                prop_assert_eq!(validate_slug(&sug), Ok(sug.clone()));
            }
        }
    }
}
