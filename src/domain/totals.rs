//! Numbers as reported and their sums, with unknown kept apart from zero (issue 14 A).
//!
//! [`Numbers`] is one check-in's (or one day's) fields, each `None` when nobody reported it.
//! [`Totals`] is what aggregation produces, and it cannot turn unknown into 0: its fields are
//! private, and every metric keeps its own accumulator over only the days where all of its
//! inputs were known. CVR over a week is orders / clicks summed over the days that reported
//! both, so a day with unknown orders never changes it; the accumulator also counts those days,
//! so a view can say "CVR over 5 of 7 days".

use std::collections::BTreeMap;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use super::metrics::{Metric, MetricValue, format_value};

/// A number a check-in carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Spend,
    Impressions,
    Clicks,
    Orders,
    Gmv,
    Leads,
    New,
    Interactions,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Spend,
        Field::Impressions,
        Field::Clicks,
        Field::Orders,
        Field::Gmv,
        Field::Leads,
        Field::New,
        Field::Interactions,
    ];

    /// The canonical English key, as typed in `/checkin` and as the CSV column.
    pub fn code(self) -> &'static str {
        match self {
            Field::Spend => "spend",
            Field::Impressions => "impressions",
            Field::Clicks => "clicks",
            Field::Orders => "orders",
            Field::Gmv => "gmv",
            Field::Leads => "leads",
            Field::New => "new",
            Field::Interactions => "interactions",
        }
    }

    /// Money fields are minor units; the rest are counts.
    pub fn is_money(self) -> bool {
        matches!(self, Field::Spend | Field::Gmv)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One check-in's or one day's numbers as reported: `None` = nobody reported it (never 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Numbers {
    /// Spend, minor units.
    pub spend: Option<i64>,
    pub impressions: Option<i64>,
    pub clicks: Option<i64>,
    pub orders: Option<i64>,
    /// GMV, minor units.
    pub gmv: Option<i64>,
    /// Leads (线索/留资/私信进线).
    pub leads: Option<i64>,
    pub new_customers: Option<i64>,
    pub interactions: Option<i64>,
}

impl Numbers {
    pub fn get(&self, f: Field) -> Option<i64> {
        match f {
            Field::Spend => self.spend,
            Field::Impressions => self.impressions,
            Field::Clicks => self.clicks,
            Field::Orders => self.orders,
            Field::Gmv => self.gmv,
            Field::Leads => self.leads,
            Field::New => self.new_customers,
            Field::Interactions => self.interactions,
        }
    }

    pub fn set(&mut self, f: Field, v: Option<i64>) {
        let slot = match f {
            Field::Spend => &mut self.spend,
            Field::Impressions => &mut self.impressions,
            Field::Clicks => &mut self.clicks,
            Field::Orders => &mut self.orders,
            Field::Gmv => &mut self.gmv,
            Field::Leads => &mut self.leads,
            Field::New => &mut self.new_customers,
            Field::Interactions => &mut self.interactions,
        };
        *slot = v;
    }

    /// No number at all.
    pub fn is_empty(&self) -> bool {
        Field::ALL.iter().all(|f| self.get(*f).is_none())
    }

    /// Field-wise sum of the same day's rows (several creatives): a field is known when any row
    /// reported it. Only for one day; over days use [`Totals`].
    pub fn plus(&self, o: &Numbers) -> Numbers {
        let mut out = Numbers::default();
        for f in Field::ALL {
            let v = match (self.get(f), o.get(f)) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                (a, b) => a.or(b),
            };
            out.set(f, v);
        }
        out
    }

    /// These numbers with `newer`'s reported fields replacing them: a later check-in of the same
    /// key changes only the fields it names.
    pub fn merged(&self, newer: &Numbers) -> Numbers {
        let mut out = *self;
        for f in Field::ALL {
            if let Some(v) = newer.get(f) {
                out.set(f, Some(v));
            }
        }
        out
    }
}

/// What a metric is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inputs {
    /// A volume: the field's sum.
    Volume(Field),
    /// `num × scale / den`.
    Ratio { num: Field, den: Field, scale: i64 },
}

impl Metric {
    /// The fields the metric needs; it is unknown on a day when any of them is.
    pub fn inputs(self) -> Inputs {
        let r = |num, den| Inputs::Ratio { num, den, scale: 1 };
        match self {
            Metric::Ctr => r(Field::Clicks, Field::Impressions),
            Metric::Cpc => r(Field::Spend, Field::Clicks),
            Metric::Cpm => Inputs::Ratio {
                num: Field::Spend,
                den: Field::Impressions,
                scale: 1000,
            },
            Metric::Cvr => r(Field::Orders, Field::Clicks),
            Metric::Aov => r(Field::Gmv, Field::Orders),
            Metric::Roi => r(Field::Gmv, Field::Spend),
            Metric::Cac => r(Field::Spend, Field::New),
            Metric::Interaction => r(Field::Interactions, Field::Impressions),
            Metric::Cpl => r(Field::Spend, Field::Leads),
            Metric::LeadRate => r(Field::Leads, Field::Clicks),
            Metric::Gmv => Inputs::Volume(Field::Gmv),
            Metric::Orders => Inputs::Volume(Field::Orders),
            Metric::New => Inputs::Volume(Field::New),
            Metric::Spend => Inputs::Volume(Field::Spend),
            Metric::Leads => Inputs::Volume(Field::Leads),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

const METRICS: usize = Metric::ALL.len();

/// A sum over the days where its inputs were known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Acc {
    num: i64,
    den: i64,
    /// Days whose inputs were all known (0: the sum is unknown, not zero).
    days: u32,
}

impl Acc {
    fn plus(self, o: Acc, days: fn(u32, u32) -> u32) -> Acc {
        Acc {
            num: self.num.saturating_add(o.num),
            den: self.den.saturating_add(o.den),
            days: days(self.days, o.days),
        }
    }
}

/// Sums of check-ins over days, per field and per metric, each over the days it was known.
/// Build one day with [`Totals::of`], combine days with `+` (or `sum()`), and rows of the same
/// day with [`Totals::same_day`]; [`Totals::over_days`] does both from dated rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Totals {
    /// Days with any numbers.
    days: u32,
    fields: [Acc; Field::ALL.len()],
    metrics: [Acc; METRICS],
}

impl Totals {
    /// One day's (one row's) numbers.
    pub fn of(n: &Numbers) -> Totals {
        let mut t = Totals {
            days: u32::from(!n.is_empty()),
            ..Totals::default()
        };
        for f in Field::ALL {
            if let Some(v) = n.get(f) {
                t.fields[f.index()] = Acc {
                    num: v,
                    den: 1,
                    days: 1,
                };
            }
        }
        for m in Metric::ALL {
            let acc = match m.inputs() {
                Inputs::Volume(f) => n.get(f).map(|v| (v, 1)),
                Inputs::Ratio { num, den, .. } => n.get(num).zip(n.get(den)),
            };
            if let Some((num, den)) = acc {
                t.metrics[m.index()] = Acc { num, den, days: 1 };
            }
        }
        t
    }

    /// Combines two totals of the SAME day (creatives of one channel, or channels of one team's
    /// day): values add, and a day counts once.
    pub fn same_day(self, o: Totals) -> Totals {
        self.combine(o, u32::max)
    }

    fn combine(self, o: Totals, days: fn(u32, u32) -> u32) -> Totals {
        let mut out = Totals {
            days: days(self.days, o.days),
            ..Totals::default()
        };
        for i in 0..out.fields.len() {
            out.fields[i] = self.fields[i].plus(o.fields[i], days);
        }
        for i in 0..METRICS {
            out.metrics[i] = self.metrics[i].plus(o.metrics[i], days);
        }
        out
    }

    /// Totals over dated rows: rows of the same day are combined with [`Totals::same_day`],
    /// different days added.
    pub fn over_days<K: Ord>(rows: impl IntoIterator<Item = (K, Totals)>) -> Totals {
        let mut by_day: BTreeMap<K, Totals> = BTreeMap::new();
        for (day, t) in rows {
            let e = by_day.entry(day).or_default();
            *e = e.same_day(t);
        }
        by_day.into_values().sum()
    }

    /// Days with any numbers.
    pub fn days(&self) -> u32 {
        self.days
    }

    /// A field's sum over the days it was reported; None when it never was.
    pub fn get(&self, f: Field) -> Option<i64> {
        let a = self.fields[f.index()];
        (a.days > 0).then_some(a.num)
    }

    /// Days on which all of the metric's inputs were known.
    pub fn known_days(&self, m: Metric) -> u32 {
        self.metrics[m.index()].days
    }

    /// `Some((known, days))` when the metric rests on some but not all days with numbers
    /// ("CVR over 5 of 7 days").
    pub fn partial(&self, m: Metric) -> Option<(u32, u32)> {
        let k = self.known_days(m);
        (k > 0 && k < self.days).then_some((k, self.days))
    }

    /// The volume a metric rests on, for "enough data to judge" gates: a ratio's denominator
    /// (impressions for CTR, clicks for CVR) summed over the days it is known; a volume's sum.
    /// 0 when unknown: no gate passes on numbers nobody reported.
    pub fn basis(&self, m: Metric) -> i64 {
        let a = self.metrics[m.index()];
        match m.inputs() {
            Inputs::Volume(_) => a.num,
            Inputs::Ratio { .. } => a.den,
        }
    }

    /// A ratio's numerator summed over the days the metric is known (spend for CAC and CPL, for
    /// the spend gate); a volume's sum. 0 when unknown.
    pub fn basis_num(&self, m: Metric) -> i64 {
        self.metrics[m.index()].num
    }

    /// The metric's exact value over the days its inputs were known; None when they never were
    /// or the denominator is zero.
    pub fn value(&self, m: Metric) -> Option<MetricValue> {
        let a = self.metrics[m.index()];
        if a.days == 0 {
            return None;
        }
        match m.inputs() {
            Inputs::Volume(_) => Some(MetricValue::whole(i128::from(a.num))),
            Inputs::Ratio { scale, .. } => {
                MetricValue::new(i128::from(a.num) * i128::from(scale), i128::from(a.den))
            }
        }
    }

    /// The metric formatted for a table (`—` when unknown or undefined).
    pub fn format(&self, m: Metric, currency: &str) -> String {
        format_value(self.value(m), m, currency)
    }
}

/// A window's totals per channel and for all channels together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WindowTotals {
    /// Per channel, in the order first seen; only channels with numbers.
    pub channels: Vec<(String, Totals)>,
    /// Every channel together, a day counted once however many channels reported it.
    pub all: Totals,
}

impl WindowTotals {
    /// The totals of one channel, if it has numbers.
    pub fn channel(&self, name: &str) -> Option<&Totals> {
        self.channels
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, t)| t)
    }
}

/// Sums dated rows `(channel, day, numbers)`: per channel and for all, each day once.
pub fn window_totals<K: Ord + Clone>(
    rows: impl IntoIterator<Item = (String, K, Numbers)>,
) -> WindowTotals {
    let mut per: Vec<(String, Vec<(K, Totals)>)> = Vec::new();
    let mut all = Vec::new();
    for (channel, day, n) in rows {
        let t = Totals::of(&n);
        all.push((day.clone(), t));
        match per.iter_mut().find(|(c, _)| *c == channel) {
            Some((_, days)) => days.push((day, t)),
            None => per.push((channel, vec![(day, t)])),
        }
    }
    WindowTotals {
        channels: per
            .into_iter()
            .map(|(c, days)| (c, Totals::over_days(days)))
            .collect(),
        all: Totals::over_days(all),
    }
}

impl Add for Totals {
    type Output = Totals;
    /// Totals of different days (saturating).
    fn add(self, o: Totals) -> Totals {
        self.combine(o, u32::saturating_add)
    }
}

impl AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        *self = *self + o;
    }
}

impl Sum for Totals {
    fn sum<I: Iterator<Item = Totals>>(iter: I) -> Totals {
        iter.fold(Totals::default(), Add::add)
    }
}

impl<'a> Sum<&'a Totals> for Totals {
    fn sum<I: Iterator<Item = &'a Totals>>(iter: I) -> Totals {
        iter.fold(Totals::default(), |a, b| a + *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(spend: i64, imps: i64, clicks: i64, orders: Option<i64>, gmv: Option<i64>) -> Numbers {
        Numbers {
            spend: Some(spend),
            impressions: Some(imps),
            clicks: Some(clicks),
            orders,
            gmv,
            ..Numbers::default()
        }
    }

    #[test]
    fn unknown_inputs_leave_the_metric_unknown() {
        let t = Totals::of(&Numbers {
            spend: Some(10_000),
            clicks: Some(200),
            ..Numbers::default()
        });
        assert_eq!(t.value(Metric::Cvr), None);
        assert_eq!(t.format(Metric::Cvr, "¥"), "—");
        assert_eq!(t.value(Metric::Orders), None);
        assert_eq!(t.get(Field::Orders), None);
        assert_eq!(t.value(Metric::Cpc), MetricValue::new(10_000, 200));
        assert_eq!(t.value(Metric::Ctr), None);
        assert_eq!(t.basis(Metric::Cvr), 0);
        // Zero reported is a number: CVR 0%.
        let z = Totals::of(&day(100, 1000, 10, Some(0), Some(0)));
        assert_eq!(z.value(Metric::Cvr), MetricValue::new(0, 10));
    }

    #[test]
    fn window_counts_only_known_days() {
        let rows = [
            (1, Totals::of(&day(100, 1000, 100, Some(5), Some(500)))),
            (2, Totals::of(&day(100, 1000, 300, None, None))),
            (3, Totals::of(&day(100, 1000, 100, Some(3), Some(300)))),
        ];
        let t = Totals::over_days(rows);
        assert_eq!(t.days(), 3);
        // CVR = (5+3) / (100+100): day 2's clicks do not dilute it.
        assert_eq!(t.value(Metric::Cvr), MetricValue::new(8, 200));
        assert_eq!(t.partial(Metric::Cvr), Some((2, 3)));
        assert_eq!(t.partial(Metric::Ctr), None);
        assert_eq!(t.get(Field::Clicks), Some(500));
        assert_eq!(t.basis(Metric::Cvr), 200);
    }

    #[test]
    fn same_day_rows_count_once() {
        let a = Totals::of(&day(100, 1000, 100, Some(5), None));
        let b = Totals::of(&day(100, 1000, 100, None, None));
        let t = Totals::over_days([(7, a), (7, b), (8, b)]);
        assert_eq!(t.days(), 2);
        assert_eq!(t.known_days(Metric::Cvr), 1);
        assert_eq!(t.get(Field::Spend), Some(300));
    }

    #[test]
    fn merge_replaces_only_named_fields() {
        let old = day(100, 1000, 10, Some(1), None);
        let new = Numbers {
            gmv: Some(900),
            clicks: Some(12),
            ..Numbers::default()
        };
        let m = old.merged(&new);
        assert_eq!(m, day(100, 1000, 12, Some(1), Some(900)));
    }

    fn numbers() -> impl Strategy<Value = Numbers> {
        let f = || prop::option::of(0i64..1_000_000);
        (f(), f(), f(), f(), f(), f()).prop_map(
            |(spend, impressions, clicks, orders, gmv, leads)| Numbers {
                spend,
                impressions,
                clicks,
                orders,
                gmv,
                leads,
                ..Numbers::default()
            },
        )
    }

    proptest! {
        /// A day with unknown orders never changes CVR (nor AOV), whatever its clicks.
        #[test]
        fn a_day_with_unknown_orders_never_changes_cvr(
            days in prop::collection::vec(numbers(), 0..10),
            extra in numbers(),
        ) {
            let base: Totals = days.iter().map(Totals::of).sum();
            let extra = Numbers { orders: None, ..extra };
            let with = base + Totals::of(&extra);
            prop_assert_eq!(with.value(Metric::Cvr), base.value(Metric::Cvr));
            prop_assert_eq!(with.value(Metric::Aov), base.value(Metric::Aov));
            prop_assert_eq!(with.known_days(Metric::Cvr), base.known_days(Metric::Cvr));
        }

        /// A metric is known exactly when some day had all of its inputs.
        #[test]
        fn known_iff_some_day_had_the_inputs(days in prop::collection::vec(numbers(), 0..10)) {
            let t: Totals = days.iter().map(Totals::of).sum();
            for m in Metric::ALL {
                let any = days.iter().any(|n| match m.inputs() {
                    Inputs::Volume(f) => n.get(f).is_some(),
                    Inputs::Ratio { num, den, .. } => n.get(num).is_some() && n.get(den).is_some(),
                });
                prop_assert_eq!(t.known_days(m) > 0, any, "{:?}", m);
                if !any {
                    prop_assert_eq!(t.value(m), None);
                }
            }
        }

        #[test]
        fn sum_is_associative_and_commutative(a in numbers(), b in numbers(), c in numbers()) {
            let (a, b, c) = (Totals::of(&a), Totals::of(&b), Totals::of(&c));
            prop_assert_eq!((a + b) + c, a + (b + c));
            prop_assert_eq!(a + b, b + a);
        }
    }
}
