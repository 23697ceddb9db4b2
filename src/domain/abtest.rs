//! Creative A/B tests (`/abtest`, DOMAIN.md §3 "test-and-iterate"): per-creative CTR and CVR with
//! 95% Wilson intervals, the pooled two-proportion z-test of the best creative against each of
//! the others, and how much more traffic the observed lift would need. Pure: counts in, report out.
//!
//! Statistical choices, for the record:
//! - The primary metric is CTR (clicks / impressions). CVR (orders / clicks) is reported where any
//!   creative has orders, and decides only when CTR has no winner.
//! - "Best" is the highest observed rate (exact comparison; ties go to more trials, then to the
//!   earlier creative in the input, never to the label). With k creatives the best is compared
//!   with each of the k − 1 others and the p-values are Bonferroni-adjusted (× (k − 1), capped at
//!   1): a winner needs every adjusted p < 0.05. The family is picked after looking at the data,
//!   so this is the least a statistician would ask.
//! - Volume gate, per comparison (best vs other): each arm ≥ 1,000 impressions (CTR) or ≥ 100
//!   clicks (CVR); the two arms together ≥ 30 successes; and each arm's expected successes under
//!   the null (n·p̄) ≥ 5, so the normal approximation holds. Below the gate: no verdict
//!   ([`Verdict::TooEarly`]).
//! - Sample size per arm for the observed rates at α (adjusted as above) two-sided and 80% power
//!   (Fleiss, without continuity correction):
//!   n = (z_{α/2}·√(2p̄(1−p̄)) + z_β·√(p1(1−p1) + p2(1−p2)))² / (p1 − p2)², p̄ = (p1 + p2)/2.
//!   "More impressions per arm" is the largest of n − (each arm's impressions), at least 0.
//! - Warnings: under 7 days run (day-of-week effects); asked 5 or more times (peeking inflates
//!   false positives); the CTR winner significantly worse on CVR.

use std::cmp::Ordering;

use crate::domain::checkins::MetricsPeriod;

/// The two-sided significance level.
pub const ALPHA: f64 = 0.05;
/// The power the sample size aims for.
pub const POWER: f64 = 0.80;
/// CTR comparisons need each arm to have at least this many impressions.
pub const MIN_IMPRESSIONS: i64 = 1_000;
/// CVR comparisons need each arm to have at least this many clicks.
pub const MIN_CLICKS_FOR_CVR: i64 = 100;
/// A comparison needs at least this many successes (clicks or orders) across its two arms.
pub const MIN_PAIR_SUCCESSES: i64 = 30;
/// Each arm's expected successes under the null must be at least this.
pub const MIN_EXPECTED: f64 = 5.0;
/// A test that has run fewer days than this gets a warning.
pub const MIN_DAYS: u32 = 7;
/// Asking this many times or more gets the peeking warning.
pub const PEEKING_TIMES: u32 = 5;

// ---------------------------------------------------------------- the normal distribution

/// The standard normal CDF Φ(z), to ~1e-15 relative accuracy in both tails (Hart 1968,
/// algorithm 5666, as given by G. West, "Better approximations to cumulative normal functions",
/// 2005). NaN in, NaN out.
pub fn normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    let x = z.abs();
    let tail = if x > 37.0 {
        0.0
    } else {
        let e = (-x * x / 2.0).exp();
        if x < 7.071_067_811_865_47 {
            let mut n = 3.526_249_659_989_11e-2 * x + 0.700_383_064_443_688;
            n = n * x + 6.373_962_203_531_65;
            n = n * x + 33.912_866_078_383;
            n = n * x + 112.079_291_497_871;
            n = n * x + 221.213_596_169_931;
            n = n * x + 220.206_867_912_376;
            let mut d = 8.838_834_764_831_84e-2 * x + 1.755_667_163_182_64;
            d = d * x + 16.064_177_579_207;
            d = d * x + 86.780_732_202_946_1;
            d = d * x + 296.564_248_779_674;
            d = d * x + 637.333_633_378_831;
            d = d * x + 793.826_512_519_948;
            d = d * x + 440.413_735_824_752;
            e * n / d
        } else {
            let mut b = x + 0.65;
            b = x + 4.0 / b;
            b = x + 3.0 / b;
            b = x + 2.0 / b;
            b = x + 1.0 / b;
            e / b / 2.506_628_274_631
        }
    };
    if z > 0.0 { 1.0 - tail } else { tail }
}

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1 (P. J. Acklam's rational approximation,
/// refined with one Halley step against [`normal_cdf`]); ±∞ at 0 and 1, NaN outside.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    // One Halley step: e = Φ(x) − p, u = e·√(2π)·exp(x²/2).
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    let refined = x - u / (1.0 + x * u / 2.0);
    if refined.is_finite() { refined } else { x }
}

// ---------------------------------------------------------------- proportions

/// A closed interval of proportions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower bound, in [0, 1].
    pub low: f64,
    /// Upper bound, in [0, 1].
    pub high: f64,
}

/// The Wilson score interval for `successes / trials` at two-sided confidence `1 − alpha`;
/// `None` with no trials (or successes outside 0..=trials).
pub fn wilson(successes: i64, trials: i64, alpha: f64) -> Option<Interval> {
    if trials <= 0 || successes < 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z = normal_quantile(1.0 - alpha / 2.0);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Exact ends at 0/n and n/n (the formula gives them up to rounding).
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, 1.0)
    };
    let high = if successes == trials {
        1.0
    } else {
        (centre + half).clamp(0.0, 1.0)
    };
    Some(Interval { low, high })
}

/// The result of a two-proportion z-test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZTest {
    /// (p1 − p2) / SE with the pooled standard error; 0 when the SE is 0.
    pub z: f64,
    /// The two-sided p-value, in [0, 1].
    pub p: f64,
}

/// The pooled two-proportion z-test of `x1/n1` against `x2/n2`, two-sided; `None` when an arm
/// has no trials or impossible counts. Identical all-or-nothing arms (SE = 0) give z = 0, p = 1.
pub fn two_proportion_z(x1: i64, n1: i64, x2: i64, n2: i64) -> Option<ZTest> {
    if n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (fx1, fn1, fx2, fn2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let pooled = (fx1 + fx2) / (fn1 + fn2);
    let se = (pooled * (1.0 - pooled) * (1.0 / fn1 + 1.0 / fn2)).sqrt();
    let diff = fx1 / fn1 - fx2 / fn2;
    if se <= 0.0 || !se.is_finite() || diff == 0.0 {
        return Some(ZTest { z: 0.0, p: 1.0 });
    }
    let z = diff / se;
    let p = (2.0 * normal_cdf(-z.abs())).clamp(0.0, 1.0);
    Some(ZTest { z, p })
}

/// Per-arm sample size to detect `p1` vs `p2` at two-sided `alpha` with `power` (Fleiss, without
/// continuity correction), not rounded; `None` when the rates are equal or out of range.
pub fn sample_size_per_arm(p1: f64, p2: f64, alpha: f64, power: f64) -> Option<f64> {
    let rate = |p: f64| (0.0..=1.0).contains(&p);
    let open = |p: f64| p > 0.0 && p < 1.0;
    if !(rate(p1) && rate(p2) && open(alpha) && open(power)) || p1 == p2 {
        return None;
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let zb = normal_quantile(power);
    let pbar = (p1 + p2) / 2.0;
    let a =
        za * (2.0 * pbar * (1.0 - pbar)).sqrt() + zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    let n = a * a / ((p1 - p2) * (p1 - p2));
    n.is_finite().then_some(n)
}

// ---------------------------------------------------------------- the analysis

/// One creative's counts over the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreativeCounts {
    /// The label from `/checkin … creative=<label>`.
    pub label: String,
    /// Impressions.
    pub impressions: i64,
    /// Clicks.
    pub clicks: i64,
    /// Orders.
    pub orders: i64,
    /// Clicks on the check-ins that reported orders: CVR's denominator (unknown orders are not
    /// zero orders).
    pub cvr_clicks: i64,
}

/// What `/abtest` knows: the creatives' counts (one entry per label), how many days the test
/// has data for, and how many times the team has asked about this test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbInput {
    /// The creatives, in display order.
    pub creatives: Vec<CreativeCounts>,
    /// Days from the first check-in with a creative label to today, inclusive.
    pub days_run: u32,
    /// How many times `/abtest` was asked for this channel and window (this time included).
    pub times_asked: u32,
}

/// The rate a test compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbMetric {
    /// Clicks / impressions.
    Ctr,
    /// Orders / clicks.
    Cvr,
}

/// One creative's rates.
#[derive(Clone, Debug, PartialEq)]
pub struct CreativeStats {
    /// The label.
    pub label: String,
    /// Impressions.
    pub impressions: i64,
    /// Clicks.
    pub clicks: i64,
    /// Orders.
    pub orders: i64,
    /// CTR; `None` without impressions.
    pub ctr: Option<f64>,
    /// 95% Wilson interval of the CTR.
    pub ctr_ci: Option<Interval>,
    /// CVR; `None` without clicks, or when no creative has orders.
    pub cvr: Option<f64>,
    /// 95% Wilson interval of the CVR.
    pub cvr_ci: Option<Interval>,
}

/// The best creative against one other on one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The metric.
    pub metric: AbMetric,
    /// Index of the best creative in the input.
    pub best: usize,
    /// Index of the other creative.
    pub other: usize,
    /// The z statistic (best − other; ≥ 0).
    pub z: f64,
    /// The raw two-sided p-value.
    pub p: f64,
    /// The Bonferroni-adjusted p-value (× number of comparisons, ≤ 1).
    pub p_adjusted: f64,
    /// Whether the pair passes the volume gate.
    pub enough_volume: bool,
    /// Adjusted p < α and enough volume.
    pub significant: bool,
    /// Trials (impressions for CTR, clicks for CVR) per arm the observed lift needs at 80%
    /// power; `None` when the rates are equal.
    pub needed_per_arm: Option<u64>,
    /// `needed_per_arm` minus the smaller arm's trials, at least 0.
    pub more_per_arm: Option<u64>,
}

/// What `/abtest` concludes.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// `best` beats every other creative on `metric`; `p` is the largest adjusted p-value.
    Winner {
        /// The winning label.
        best: String,
        /// The labels it beats (all the others), in input order.
        others: Vec<String>,
        /// CTR or CVR.
        metric: AbMetric,
        /// The largest Bonferroni-adjusted p-value among its comparisons (< 0.05).
        p: f64,
    },
    /// Enough volume to test, not yet a winner on CTR.
    NoWinnerYet {
        /// The leading label on CTR.
        best: String,
        /// Labels the leader already beats significantly (candidates to pause), in input order.
        beaten: Vec<String>,
        /// About how many more impressions each creative needs for the observed lifts
        /// (the largest over the undecided comparisons); `None` when the rates are equal.
        more_impressions_per_arm: Option<u64>,
    },
    /// Not enough volume to judge.
    TooEarly {
        /// The labels whose comparison lacks volume, in input order.
        short: Vec<String>,
        /// The per-arm minimum impressions ([`MIN_IMPRESSIONS`]).
        min_impressions: i64,
        /// The pair minimum clicks ([`MIN_PAIR_SUCCESSES`]).
        min_clicks: i64,
    },
    /// Fewer than two creatives: nothing to compare.
    SingleCreative,
}

/// Cautions to print with the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// The test has data for fewer than 7 days: day-of-week effects can mislead.
    ShortRun {
        /// Days run.
        days: u32,
    },
    /// Asked many times: each look raises the chance of a false winner.
    Peeking {
        /// Times asked.
        times: u32,
    },
    /// The CTR winner converts significantly worse than `other`.
    CvrDisagrees {
        /// The creative with the better CVR.
        other: String,
    },
}

/// The whole analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct AbReport {
    /// Per creative, in input order.
    pub creatives: Vec<CreativeStats>,
    /// The best on CTR against each other creative.
    pub ctr: Vec<Comparison>,
    /// The best on CVR against each other creative (empty when no creative has orders).
    pub cvr: Vec<Comparison>,
    /// The verdict.
    pub verdict: Verdict,
    /// Cautions.
    pub warnings: Vec<Warning>,
}

fn rate(x: i64, n: i64) -> Option<f64> {
    (n > 0 && x >= 0).then(|| x as f64 / n as f64)
}

/// The index of the best rate: exact comparison, then more trials, then input order.
fn best_index(arms: &[(i64, i64)]) -> Option<usize> {
    let cmp = |a: &(i64, i64), b: &(i64, i64)| {
        // a.0/a.1 vs b.0/b.1 exactly; an arm without trials is worst.
        match (a.1 > 0, b.1 > 0) {
            (false, false) => Ordering::Equal,
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            (true, true) => (i128::from(a.0) * i128::from(b.1))
                .cmp(&(i128::from(b.0) * i128::from(a.1)))
                .then(a.1.cmp(&b.1)),
        }
    };
    let mut best: Option<usize> = None;
    for (i, a) in arms.iter().enumerate() {
        match best {
            Some(b) if cmp(a, &arms[b]) != Ordering::Greater => {}
            _ => best = Some(i),
        }
    }
    best
}

fn ceil_u64(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x.ceil() as u64
    }
}

/// Compares the best arm with each other. `arms` are (successes, trials).
fn compare(metric: AbMetric, arms: &[(i64, i64)], min_trials: i64) -> Vec<Comparison> {
    let Some(best) = best_index(arms) else {
        return Vec::new();
    };
    let k = arms.len().saturating_sub(1).max(1);
    let alpha = ALPHA / k as f64;
    let (bx, bn) = arms[best];
    let mut out = Vec::new();
    for (i, &(x, n)) in arms.iter().enumerate() {
        if i == best {
            continue;
        }
        let t = two_proportion_z(bx, bn, x, n).unwrap_or(ZTest { z: 0.0, p: 1.0 });
        let p_adjusted = (t.p * k as f64).min(1.0);
        let pooled = rate(bx.saturating_add(x), bn.saturating_add(n)).unwrap_or(0.0);
        let enough_volume = bn >= min_trials
            && n >= min_trials
            && bx.saturating_add(x) >= MIN_PAIR_SUCCESSES
            && bn as f64 * pooled >= MIN_EXPECTED
            && n as f64 * pooled >= MIN_EXPECTED;
        let needed = match (rate(bx, bn), rate(x, n)) {
            (Some(p1), Some(p2)) => sample_size_per_arm(p1, p2, alpha, POWER),
            _ => None,
        };
        let needed_per_arm = needed.map(ceil_u64);
        let more_per_arm = needed_per_arm.map(|need| {
            let have = u64::try_from(bn.min(n).max(0)).unwrap_or(0);
            need.saturating_sub(have)
        });
        out.push(Comparison {
            metric,
            best,
            other: i,
            z: t.z,
            p: t.p,
            p_adjusted,
            enough_volume,
            significant: enough_volume && p_adjusted < ALPHA,
            needed_per_arm,
            more_per_arm,
        });
    }
    out
}

/// Analyses a creative test: rates with intervals, comparisons, verdict and warnings.
pub fn analyze(input: &AbInput) -> AbReport {
    let cs = &input.creatives;
    let has_orders = cs.iter().any(|c| c.orders > 0);
    let creatives: Vec<CreativeStats> = cs
        .iter()
        .map(|c| CreativeStats {
            label: c.label.clone(),
            impressions: c.impressions,
            clicks: c.clicks,
            orders: c.orders,
            ctr: rate(c.clicks, c.impressions),
            ctr_ci: wilson(c.clicks, c.impressions, ALPHA),
            cvr: if has_orders {
                rate(c.orders, c.cvr_clicks)
            } else {
                None
            },
            cvr_ci: if has_orders {
                wilson(c.orders, c.cvr_clicks, ALPHA)
            } else {
                None
            },
        })
        .collect();
    let mut warnings = Vec::new();
    if input.days_run < MIN_DAYS {
        warnings.push(Warning::ShortRun {
            days: input.days_run,
        });
    }
    if input.times_asked >= PEEKING_TIMES {
        warnings.push(Warning::Peeking {
            times: input.times_asked,
        });
    }
    if cs.len() < 2 {
        return AbReport {
            creatives,
            ctr: Vec::new(),
            cvr: Vec::new(),
            verdict: Verdict::SingleCreative,
            warnings,
        };
    }
    let ctr_arms: Vec<(i64, i64)> = cs.iter().map(|c| (c.clicks, c.impressions)).collect();
    let ctr = compare(AbMetric::Ctr, &ctr_arms, MIN_IMPRESSIONS);
    let cvr = if has_orders {
        let arms: Vec<(i64, i64)> = cs.iter().map(|c| (c.orders, c.cvr_clicks)).collect();
        compare(AbMetric::Cvr, &arms, MIN_CLICKS_FOR_CVR)
    } else {
        Vec::new()
    };
    let label = |i: usize| cs[i].label.clone();
    let winner = |cmp: &[Comparison], metric: AbMetric| -> Option<Verdict> {
        let first = cmp.first()?;
        cmp.iter().all(|c| c.significant).then(|| Verdict::Winner {
            best: label(first.best),
            others: cmp.iter().map(|c| label(c.other)).collect(),
            metric,
            p: cmp.iter().map(|c| c.p_adjusted).fold(0.0, f64::max),
        })
    };
    let verdict = if let Some(v) = winner(&ctr, AbMetric::Ctr) {
        // A CTR winner that converts significantly worse deserves a caution.
        if let Some(c) = cvr
            .iter()
            .find(|c| c.significant && Some(&c.other) == ctr.first().map(|x| &x.best))
        {
            warnings.push(Warning::CvrDisagrees {
                other: label(c.best),
            });
        }
        v
    } else if ctr.iter().any(|c| !c.enough_volume) {
        // The arms that need more: the others in pairs under the gate, and the leader itself
        // when it has fewer impressions than the minimum.
        let short_arm = |i: usize| {
            ctr.iter().any(|c| !c.enough_volume && c.other == i)
                || (ctr.first().is_some_and(|c| c.best == i) && cs[i].impressions < MIN_IMPRESSIONS)
        };
        Verdict::TooEarly {
            short: (0..cs.len()).filter(|&i| short_arm(i)).map(label).collect(),
            min_impressions: MIN_IMPRESSIONS,
            min_clicks: MIN_PAIR_SUCCESSES,
        }
    } else if let Some(v) = winner(&cvr, AbMetric::Cvr) {
        v
    } else {
        let undecided: Vec<&Comparison> = ctr.iter().filter(|c| !c.significant).collect();
        let more = undecided
            .iter()
            .map(|c| c.more_per_arm)
            .try_fold(0u64, |acc, m| m.map(|m| acc.max(m)));
        Verdict::NoWinnerYet {
            best: ctr.first().map(|c| label(c.best)).unwrap_or_default(),
            beaten: ctr
                .iter()
                .filter(|c| c.significant)
                .map(|c| label(c.other))
                .collect(),
            more_impressions_per_arm: more,
        }
    };
    AbReport {
        creatives,
        ctr,
        cvr,
        verdict,
        warnings,
    }
}

// ---------------------------------------------------------------- /abtest arguments

/// The window `/abtest` looks at when none is given: two full weeks, so every weekday counts twice.
pub const DEFAULT_WINDOW_DAYS: u32 = 14;
/// The windows `/abtest` accepts.
pub const WINDOWS: [u32; 3] = [7, 14, 30];

/// `7d`, `14d`, `30d` (also `7天`, `14days`); other day counts are `Err(())`, not windows at all `None`.
pub fn parse_window(tok: &str) -> Option<Result<u32, ()>> {
    match MetricsPeriod::parse(tok) {
        Some(MetricsPeriod::Days(n)) if WINDOWS.contains(&n) => Some(Ok(n)),
        Some(_) => Some(Err(())),
        None => {
            // "60d", "0d", "999天": a window, just not one we offer.
            let digits = tok.trim_end_matches(|c: char| !c.is_ascii_digit());
            let unit = &tok[digits.len()..];
            let looks = !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && matches!(
                    unit.to_lowercase().as_str(),
                    "d" | "day" | "days" | "天" | "日"
                );
            looks.then_some(Err(()))
        }
    }
}

/// `/abtest <channel> [window]` as typed: the channel word (raw) and the window, each optional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbArgs<'a> {
    pub channel: Option<&'a str>,
    pub window: Option<u32>,
}

/// Why `/abtest`'s arguments were refused; each quotes the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbArgsError<'a> {
    /// A day count that is not one of [`WINDOWS`].
    BadWindow(&'a str),
    /// A second channel or a second window.
    BadArg(&'a str),
}

/// Reads `/abtest`'s words in any order: one channel, at most one window.
pub fn parse_abtest_args(args: &str) -> Result<AbArgs<'_>, AbArgsError<'_>> {
    let mut out = AbArgs {
        channel: None,
        window: None,
    };
    for tok in args.split_whitespace() {
        match parse_window(tok) {
            Some(Ok(n)) if out.window.is_none() => out.window = Some(n),
            Some(Err(())) => return Err(AbArgsError::BadWindow(tok)),
            None if out.channel.is_none() => out.channel = Some(tok),
            _ => return Err(AbArgsError::BadArg(tok)),
        }
    }
    Ok(out)
}

/// What the weekly summary tells a channel with creatives to keep (issue 15), from its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    /// A winner: keep `best`, pause `pause`.
    Keep { best: String, pause: Vec<String> },
    /// No winner yet: `best` leads; `pause` are already beaten (may be empty).
    Leading { best: String, pause: Vec<String> },
    /// Not enough volume to pick.
    TooEarly,
    /// One creative only: nothing to pick.
    Single { label: String },
}

/// The pick a verdict supports; `single` is the label when there is only one creative.
pub fn pick(v: &Verdict, single: Option<&str>) -> Pick {
    match v {
        Verdict::Winner { best, others, .. } => Pick::Keep {
            best: best.clone(),
            pause: others.clone(),
        },
        Verdict::NoWinnerYet { best, beaten, .. } => Pick::Leading {
            best: best.clone(),
            pause: beaten.clone(),
        },
        Verdict::TooEarly { .. } => Pick::TooEarly,
        Verdict::SingleCreative => match single {
            Some(label) => Pick::Single {
                label: label.to_string(),
            },
            None => Pick::TooEarly,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn picks_from_verdicts() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                Verdict::Winner {
                    best: "A".into(),
                    others: s(&["B", "C"]),
                    metric: AbMetric::Ctr,
                    p: 0.01,
                },
                None,
                Pick::Keep {
                    best: "A".into(),
                    pause: s(&["B", "C"]),
                },
            ),
            (
                Verdict::NoWinnerYet {
                    best: "B".into(),
                    beaten: s(&["C"]),
                    more_impressions_per_arm: Some(1_000),
                },
                None,
                Pick::Leading {
                    best: "B".into(),
                    pause: s(&["C"]),
                },
            ),
            (
                Verdict::TooEarly {
                    short: s(&["A"]),
                    min_impressions: 1_000,
                    min_clicks: 10,
                },
                None,
                Pick::TooEarly,
            ),
            (
                Verdict::SingleCreative,
                Some("A"),
                Pick::Single { label: "A".into() },
            ),
            (Verdict::SingleCreative, None, Pick::TooEarly),
        ];
        for (v, single, want) in cases {
            assert_eq!(super::pick(&v, single), want, "{v:?}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    /// Relative error check: `got` matches `want` to `digits` significant digits (and better).
    fn close(got: f64, want: f64, rel: f64) -> bool {
        if want == 0.0 {
            got.abs() < rel
        } else {
            ((got - want) / want).abs() < rel
        }
    }

    #[test]
    fn normal_cdf_against_independent_values() {
        // Φ(z) = erfc(−z/√2)/2 from CPython's math.erfc (an independent implementation), and the
        // familiar table values Φ(1.96) = 0.975002, Φ(−2.5758) = 0.005000, Φ(1) = 0.841345.
        let table: &[(f64, f64)] = &[
            (-6.0, 9.865876450377012e-10),
            (-5.5, 1.8989562465887738e-08),
            (-5.0, 2.866515718791946e-07),
            (-4.5, 3.3976731247300615e-06),
            (-4.0, 3.1671241833119965e-05),
            (-3.5, 0.00023262907903552504),
            (-3.0, 0.0013498980316300957),
            (-2.5758, 0.005000423737778686),
            (-2.5, 0.006209665325776139),
            (-2.0, 0.02275013194817922),
            (-1.5, 0.06680720126885809),
            (-1.0, 0.15865525393145707),
            (-0.5, 0.3085375387259869),
            (0.0, 0.5),
            (0.5, 0.6914624612740131),
            (1.0, 0.8413447460685429),
            (1.5, 0.9331927987311419),
            (1.96, 0.9750021048517795),
            (2.0, 0.9772498680518208),
            (2.5, 0.9937903346742238),
            (3.0, 0.9986501019683699),
            (3.5, 0.9997673709209645),
            (4.0, 0.9999683287581669),
            (4.5, 0.9999966023268753),
            (5.0, 0.9999997133484281),
            (5.5, 0.9999999810104375),
            (6.0, 0.9999999990134123),
        ];
        for &(z, want) in table {
            let got = normal_cdf(z);
            // Far better than the 4 significant digits required, in both tails.
            assert!(close(got, want, 1e-9), "Φ({z}) = {got}, want {want}");
            assert!(close(normal_cdf(-z), 1.0 - want, 1e-6), "Φ(−{z})");
        }
        assert_eq!(format!("{:.6}", normal_cdf(1.96)), "0.975002");
        assert_eq!(format!("{:.6}", normal_cdf(-2.5758)), "0.005000");
        assert_eq!(format!("{:.6}", normal_cdf(1.0)), "0.841345");
        assert_eq!(normal_cdf(-40.0), 0.0);
        assert_eq!(normal_cdf(40.0), 1.0);
        assert!(normal_cdf(f64::NAN).is_nan());
        // Continuous across the branch at 7.07 and monotone over a fine sweep.
        let mut prev = 0.0;
        for i in -800..=800 {
            let v = normal_cdf(f64::from(i) / 100.0);
            assert!(v >= prev, "monotone at {i}");
            prev = v;
        }
        let edge = 7.071_067_811_865_47;
        assert!(close(
            normal_cdf(-edge + 1e-9),
            normal_cdf(-edge - 1e-9),
            1e-6
        ));
    }

    #[test]
    fn normal_quantile_against_independent_values() {
        // Python's statistics.NormalDist().inv_cdf (Wichura's AS 241).
        let table: &[(f64, f64)] = &[
            (0.975, 1.9599639845400536),
            (0.8, 0.8416212335729144),
            (0.005, -2.5758293035489),
            (1e-9, -5.9978070150076865),
            (0.02425, -1.9729610513118845),
            (0.9999, 3.7190164854557084),
        ];
        for &(p, want) in table {
            let got = normal_quantile(p);
            assert!(close(got, want, 1e-9), "Φ⁻¹({p}) = {got}, want {want}");
        }
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(1.5).is_nan());
        assert!(normal_quantile(-0.1).is_nan());
    }

    #[test]
    fn two_proportion_z_test_worked_examples() {
        // Published (homeworksource.com/p/997366): x1 = 28, n1 = 254, x2 = 36, n2 = 301,
        // pooled p̂ = 0.115: z = −0.344, two-tailed p = 0.7307.
        let t = two_proportion_z(28, 254, 36, 301).expect("valid");
        assert_eq!(format!("{:.3}", t.z), "-0.344");
        assert_eq!(format!("{:.4}", t.p), "0.7307");
        // Published (homeworksource.com/p/1008622): 140/200 vs 255/340, pooled 0.7314815,
        // SE 0.03949401, z = −1.266015 (two-sided p = 2·Φ(−1.266015) = 0.2055).
        let t = two_proportion_z(140, 200, 255, 340).expect("valid");
        assert!(close(t.z, -1.266_015, 1e-6), "{}", t.z);
        assert!(close(t.p, 0.205_507_774, 1e-6), "{}", t.p);
        // 200/1000 vs 250/1000: pooled 0.225, SE = √(0.225·0.775·0.002) = 0.0186749,
        // z = −0.05/0.0186749 = −2.67740, p = 0.0074196 (computed independently in Python;
        // −2.697 is not what the pooled formula gives, −2.682 is the unpooled one).
        let t = two_proportion_z(200, 1000, 250, 1000).expect("valid");
        assert!(close(t.z, -2.677_397_763, 1e-6), "{}", t.z);
        assert!(close(t.p, 0.007_419_649, 1e-5), "{}", t.p);
        // Symmetric, and degenerate cases.
        let u = two_proportion_z(250, 1000, 200, 1000).expect("valid");
        assert!(close(u.z, -t.z, 1e-12) && close(u.p, t.p, 1e-12));
        assert_eq!(
            two_proportion_z(0, 10, 0, 20),
            Some(ZTest { z: 0.0, p: 1.0 })
        );
        assert_eq!(
            two_proportion_z(10, 10, 20, 20),
            Some(ZTest { z: 0.0, p: 1.0 })
        );
        assert_eq!(two_proportion_z(1, 0, 1, 10), None);
        assert_eq!(two_proportion_z(11, 10, 1, 10), None);
        assert_eq!(two_proportion_z(-1, 10, 1, 10), None);
    }

    #[test]
    fn wilson_interval_examples() {
        // 81/263 at 95%: [0.2553, 0.3662] (the Wikipedia / Newcombe 1998 style example;
        // independently 0.255289, 0.366210).
        let w = wilson(81, 263, 0.05).expect("valid");
        assert_eq!(format!("{:.4} {:.4}", w.low, w.high), "0.2553 0.3662");
        assert!(close(w.low, 0.255_288_519_878, 1e-8));
        assert!(close(w.high, 0.366_209_576_983, 1e-8));
        // 0/10: [0, z²/(n+z²)] = [0, 0.27753]; 10/10 mirrors it.
        let w = wilson(0, 10, 0.05).expect("valid");
        assert_eq!(w.low, 0.0);
        assert_eq!(format!("{:.5}", w.high), "0.27753");
        let w = wilson(10, 10, 0.05).expect("valid");
        assert_eq!(format!("{:.5}", w.low), "0.72247");
        assert_eq!(w.high, 1.0);
        assert_eq!(wilson(1, 0, 0.05), None);
        assert_eq!(wilson(5, 4, 0.05), None);
    }

    #[test]
    fn sample_size_textbook_value() {
        // Fleiss, Levin & Paik (2003) §4.2 without continuity correction: p1 = 0.10, p2 = 0.15,
        // α = 0.05 two-sided, power 0.80 → 685.6, i.e. 686 per group.
        let n = sample_size_per_arm(0.10, 0.15, 0.05, 0.80).expect("defined");
        assert!(close(n, 685.596_858, 1e-6), "{n}");
        assert_eq!(ceil_u64(n), 686);
        // Symmetric in the two rates; undefined without a difference.
        let m = sample_size_per_arm(0.15, 0.10, 0.05, 0.80).expect("defined");
        assert!(close(n, m, 1e-12));
        assert_eq!(sample_size_per_arm(0.1, 0.1, 0.05, 0.8), None);
        assert_eq!(sample_size_per_arm(0.1, 1.1, 0.05, 0.8), None);
        // 3.1% vs 2.4%: 8,566.5 (Python, same formula).
        let n = sample_size_per_arm(0.031, 0.024, 0.05, 0.80).expect("defined");
        assert!(close(n, 8_566.513_924, 1e-6), "{n}");
    }

    fn cc(label: &str, impressions: i64, clicks: i64, orders: i64) -> CreativeCounts {
        CreativeCounts {
            label: label.into(),
            impressions,
            clicks,
            orders,
            cvr_clicks: clicks,
        }
    }

    #[test]
    fn clicks_without_orders_reported_do_not_dilute_cvr() {
        // B reported orders on only half its clicks: its CVR is over those, not all of them.
        let mut b = cc("B", 20_000, 1_000, 50);
        b.cvr_clicks = 500;
        let report = analyze(&AbInput {
            creatives: vec![cc("A", 20_000, 1_000, 50), b],
            days_run: 7,
            times_asked: 0,
        });
        let cvr = |i: usize| report.creatives[i].cvr.expect("cvr");
        assert!((cvr(0) - 0.05).abs() < 1e-12);
        assert!((cvr(1) - 0.10).abs() < 1e-12);
    }

    fn input(creatives: Vec<CreativeCounts>) -> AbInput {
        AbInput {
            creatives,
            days_run: 10,
            times_asked: 1,
        }
    }

    #[test]
    fn winner_on_ctr() {
        // A 3.10% vs B 2.40% over 10,000 impressions each: z = 3.0267, p = 0.002472.
        let r = analyze(&input(vec![
            cc("A", 10_000, 310, 0),
            cc("B", 10_000, 240, 0),
        ]));
        match &r.verdict {
            Verdict::Winner {
                best,
                others,
                metric,
                p,
            } => {
                assert_eq!(
                    (best.as_str(), others.clone(), *metric),
                    ("A", vec!["B".to_string()], AbMetric::Ctr)
                );
                assert!(close(*p, 0.002_472_249, 1e-5), "{p}");
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(r.warnings, vec![]);
        assert_eq!(r.cvr, vec![]); // no orders anywhere
        assert_eq!(r.creatives[0].cvr, None);
        assert_eq!(r.creatives[0].ctr, Some(0.031));
        assert!(r.creatives[0].ctr_ci.is_some());
        assert!(close(r.ctr[0].z, 3.026_717_517, 1e-6));
    }

    #[test]
    fn no_winner_yet_says_how_much_more() {
        // Same rates on 2,000 impressions each: p = 0.176; 8,567 per arm needed, 6,567 more.
        let r = analyze(&input(vec![cc("A", 2_000, 62, 0), cc("B", 2_000, 48, 0)]));
        assert_eq!(
            r.verdict,
            Verdict::NoWinnerYet {
                best: "A".into(),
                beaten: vec![],
                more_impressions_per_arm: Some(6_567),
            }
        );
        assert!(close(r.ctr[0].p, 0.175_867_467, 1e-6));
        assert_eq!(r.ctr[0].needed_per_arm, Some(8_567));
        // Identical rates: no estimate.
        let r = analyze(&input(vec![cc("A", 2_000, 60, 0), cc("B", 3_000, 90, 0)]));
        assert_eq!(
            r.verdict,
            Verdict::NoWinnerYet {
                best: "B".into(), // equal rates: more trials leads
                beaten: vec![],
                more_impressions_per_arm: None,
            }
        );
    }

    #[test]
    fn guard_rails() {
        // Under 1,000 impressions for B: too early, even with a big gap.
        let r = analyze(&input(vec![cc("A", 5_000, 400, 0), cc("B", 900, 5, 0)]));
        assert_eq!(
            r.verdict,
            Verdict::TooEarly {
                short: vec!["B".into()],
                min_impressions: 1_000,
                min_clicks: 30,
            }
        );
        // The leader itself short: named too.
        let r = analyze(&input(vec![cc("A", 1_500, 20, 0), cc("B", 900, 30, 0)]));
        match &r.verdict {
            Verdict::TooEarly { short, .. } => assert_eq!(short, &["A", "B"]),
            v => panic!("{v:?}"),
        }
        // Few clicks in total: too early.
        let r = analyze(&input(vec![cc("A", 5_000, 20, 0), cc("B", 5_000, 5, 0)]));
        assert!(matches!(r.verdict, Verdict::TooEarly { .. }));
        // A clear loser with few clicks of its own is still judged once the pair has volume.
        let r = analyze(&input(vec![cc("A", 5_000, 200, 0), cc("B", 5_000, 3, 0)]));
        assert!(
            matches!(r.verdict, Verdict::Winner { .. }),
            "{:?}",
            r.verdict
        );
        // Short run and peeking warnings.
        let mut i = input(vec![cc("A", 10_000, 310, 0), cc("B", 10_000, 240, 0)]);
        i.days_run = 3;
        i.times_asked = 5;
        let r = analyze(&i);
        assert_eq!(
            r.warnings,
            vec![Warning::ShortRun { days: 3 }, Warning::Peeking { times: 5 }]
        );
        assert!(matches!(r.verdict, Verdict::Winner { .. }));
        i.days_run = 7;
        i.times_asked = 4;
        assert_eq!(analyze(&i).warnings, vec![]);
        // One creative or none.
        assert_eq!(
            analyze(&input(vec![cc("A", 10_000, 310, 5)])).verdict,
            Verdict::SingleCreative
        );
        assert_eq!(analyze(&input(vec![])).verdict, Verdict::SingleCreative);
    }

    #[test]
    fn several_creatives_are_bonferroni_adjusted() {
        // A vs B alone: p = 0.0355 < 0.05, a winner.
        let two = vec![cc("A", 10_000, 300, 0), cc("B", 10_000, 250, 0)];
        let r = analyze(&input(two.clone()));
        assert!(r.ctr[0].p < 0.05 && r.ctr[0].p > 0.025, "{}", r.ctr[0].p);
        assert!(matches!(r.verdict, Verdict::Winner { .. }));
        // With a third creative the same comparison needs p < 0.025: A beats C but not yet B.
        let mut three = two;
        three.push(cc("C", 10_000, 150, 0));
        let r = analyze(&input(three));
        assert_eq!(r.ctr.len(), 2);
        assert!(close(r.ctr[0].p_adjusted, 2.0 * r.ctr[0].p, 1e-12));
        match &r.verdict {
            Verdict::NoWinnerYet {
                best,
                beaten,
                more_impressions_per_arm,
            } => {
                assert_eq!(best, "A");
                assert_eq!(beaten, &["C"]);
                assert!(more_impressions_per_arm.is_some_and(|m| m > 0));
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn cvr_decides_when_ctr_cannot_and_warns_when_it_disagrees() {
        // Equal CTR, A converts 8% vs B 4% of 2,000 clicks each.
        let r = analyze(&input(vec![
            cc("A", 50_000, 2_000, 160),
            cc("B", 50_000, 2_000, 80),
        ]));
        match &r.verdict {
            Verdict::Winner { best, metric, .. } => {
                assert_eq!((best.as_str(), *metric), ("A", AbMetric::Cvr));
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(r.creatives[1].cvr, Some(0.04));
        // A wins CTR but converts far worse than B.
        let r = analyze(&input(vec![
            cc("A", 50_000, 2_500, 50),
            cc("B", 50_000, 2_000, 160),
        ]));
        assert!(
            matches!(r.verdict, Verdict::Winner { metric: AbMetric::Ctr, ref best, .. } if best == "A")
        );
        assert_eq!(
            r.warnings,
            vec![Warning::CvrDisagrees { other: "B".into() }]
        );
    }

    // ------------------------------------------------------------ properties

    fn creative_counts() -> impl Strategy<Value = (i64, i64, i64)> {
        (0i64..60_000, 0.0f64..0.2, 0.0f64..0.3).prop_map(|(imps, ctr, cvr)| {
            let clicks = (imps as f64 * ctr) as i64;
            let orders = (clicks as f64 * cvr) as i64;
            (imps, clicks, orders)
        })
    }

    fn relabel(v: &Verdict, map: &dyn Fn(&str) -> String) -> Verdict {
        match v {
            Verdict::Winner {
                best,
                others,
                metric,
                p,
            } => Verdict::Winner {
                best: map(best),
                others: others.iter().map(|o| map(o)).collect(),
                metric: *metric,
                p: *p,
            },
            Verdict::NoWinnerYet {
                best,
                beaten,
                more_impressions_per_arm,
            } => Verdict::NoWinnerYet {
                best: map(best),
                beaten: beaten.iter().map(|o| map(o)).collect(),
                more_impressions_per_arm: *more_impressions_per_arm,
            },
            Verdict::TooEarly {
                short,
                min_impressions,
                min_clicks,
            } => Verdict::TooEarly {
                short: short.iter().map(|o| map(o)).collect(),
                min_impressions: *min_impressions,
                min_clicks: *min_clicks,
            },
            Verdict::SingleCreative => Verdict::SingleCreative,
        }
    }

    proptest! {
        #[test]
        fn swapping_labels_swaps_the_verdict(
            counts in prop::collection::vec(creative_counts(), 1..5),
            perm in Just(vec!["A", "B", "C", "D"]).prop_shuffle(),
        ) {
            let labels = ["A", "B", "C", "D"];
            let make = |names: &[&str]| AbInput {
                creatives: counts
                    .iter()
                    .zip(names)
                    .map(|(&(i, c, o), n)| cc(n, i, c, o))
                    .collect(),
                days_run: 14,
                times_asked: 1,
            };
            let a = analyze(&make(&labels));
            let b = analyze(&make(&perm));
            let map = |l: &str| {
                let i = labels.iter().position(|x| *x == l).expect("known label");
                perm[i].to_string()
            };
            prop_assert_eq!(relabel(&a.verdict, &map), b.verdict);
            prop_assert_eq!(a.ctr, b.ctr);
        }

        #[test]
        fn doubling_counts_never_raises_p(
            counts in prop::collection::vec(creative_counts(), 2..5),
        ) {
            let make = |k: i64| AbInput {
                creatives: counts
                    .iter()
                    .enumerate()
                    .map(|(n, &(i, c, o))| cc(&n.to_string(), i * k, c * k, o * k))
                    .collect(),
                days_run: 14,
                times_asked: 1,
            };
            let once = analyze(&make(1));
            let twice = analyze(&make(2));
            for (a, b) in once.ctr.iter().zip(&twice.ctr).chain(once.cvr.iter().zip(&twice.cvr)) {
                prop_assert_eq!((a.best, a.other), (b.best, b.other));
                prop_assert!(b.p <= a.p + 1e-12, "{} > {}", b.p, a.p);
                prop_assert!(b.p_adjusted <= a.p_adjusted + 1e-12);
                prop_assert!((0.0..=1.0).contains(&a.p));
            }
            // A winner stays a winner (a CVR winner may become a CTR one as CTR gains power).
            match &once.verdict {
                Verdict::Winner { best, metric: AbMetric::Ctr, .. } => {
                    let still = matches!(&twice.verdict, Verdict::Winner { best: b, metric: AbMetric::Ctr, .. } if b == best);
                    prop_assert!(still, "{:?} → {:?}", once.verdict, twice.verdict);
                }
                Verdict::Winner { .. } => {
                    prop_assert!(matches!(twice.verdict, Verdict::Winner { .. }), "{:?}", twice.verdict);
                }
                _ => {}
            }
        }

        #[test]
        fn quantile_inverts_cdf(p in 1e-12f64..1.0) {
            let z = normal_quantile(p);
            prop_assert!(close(normal_cdf(z), p, 1e-9), "p {} z {}", p, z);
        }

        #[test]
        fn wilson_contains_the_estimate(n in 1i64..100_000, frac in 0.0f64..=1.0) {
            let x = ((n as f64) * frac) as i64;
            let w = wilson(x, n, ALPHA).expect("valid");
            let p = x as f64 / n as f64;
            prop_assert!(w.low <= p + 1e-12 && p <= w.high + 1e-12);
            prop_assert!(0.0 <= w.low && w.high <= 1.0);
        }
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("7d"), Some(Ok(7)));
        assert_eq!(parse_window("14d"), Some(Ok(14)));
        assert_eq!(parse_window("30天"), Some(Ok(30)));
        assert_eq!(parse_window("30D"), Some(Ok(30)));
        assert_eq!(parse_window("60d"), Some(Err(())));
        assert_eq!(parse_window("999d"), Some(Err(())));
        assert_eq!(parse_window("week"), Some(Err(())));
        assert_eq!(parse_window("xhs"), None);
        assert_eq!(parse_window("#xhs"), None);
        assert_eq!(parse_window("d"), None);
    }

    #[test]
    fn abtest_args() {
        let ok = |channel, window| Ok(AbArgs { channel, window });
        assert_eq!(parse_abtest_args(""), ok(None, None));
        assert_eq!(parse_abtest_args("xhs 7d"), ok(Some("xhs"), Some(7)));
        assert_eq!(parse_abtest_args("30d #XHS"), ok(Some("#XHS"), Some(30)));
        assert_eq!(
            parse_abtest_args("xhs 60d"),
            Err(AbArgsError::BadWindow("60d"))
        );
        assert_eq!(parse_abtest_args("xhs jd"), Err(AbArgsError::BadArg("jd")));
        assert_eq!(
            parse_abtest_args("7d xhs 14d"),
            Err(AbArgsError::BadArg("14d"))
        );
    }
}
