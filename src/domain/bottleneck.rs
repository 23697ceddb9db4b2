//! Bottleneck rules (SPEC §5, DOMAIN.md §5): the bot's judgement, pure. Everything a judgement
//! needs comes in as a [`Snapshot`] (clock included); [`evaluate`] returns [`Flag`]s, each naming
//! what it is about, the number against its goal or norm, a severity and the lever. The bot
//! renders the words; this module never produces user-facing text.
//!
//! Windows: "this week" is the 7 days ending `today` (inclusive), "last week" the 7 before.
//!
//! Rules and thresholds (all `pub const` below):
//! - **Funnel** ([`FlagKind::FunnelStage`]), per channel, stages in order Pace → CTR → CPC → CVR →
//!   AOV → ROI → CAC, judged on this week's totals. Rate goals: the channel's own goal for the
//!   metric, else the team-wide one. Pace: the channel's own `spend` volume goal with a period
//!   (spend this period against the straight line, under 85%), else the monthly budget
//!   ([`FlagKind::BudgetUnderPace`], pacing under 85% of the linear plan). The first stage judged
//!   below goal is flagged and the walk stops. A stage whose volume gate is not met is skipped;
//!   if no stage is below goal, the first skipped one is reported once as `too_early` (Low).
//!   Gates: CTR ≥ 1,000 impressions; CPC and CVR ≥ 100 clicks; AOV ≥ 10 orders; ROI ≥ 10 orders
//!   or a week's spend ≥ 10% of the monthly budget; CAC ≥ 10 new customers or that spend;
//!   a spend goal from its 5th day. Pace (goal or budget) is judged only from day 5 of the
//!   period and with 3 days of numbers, over the days that have numbers (a day nobody reported
//!   is unknown, not zero spend); before that, silently (see `judgement::pacing`).
//!   A metric with a zero denominator is not judged, nor one whose inputs nobody reported (a
//!   channel that never reports orders gets no CVR flag): each metric and gate counts only the
//!   days its inputs were known (issue 14). A channel with leads but no orders is judged on the
//!   lead funnel Pace → CTR → CPC → lead rate → CPL (lead rate gated like CVR, CPL like CAC).
//!   Severity: High when 25% or more off the
//!   goal, else Medium.
//! - **Budget**: pacing over 115% of the linear plan ([`FlagKind::BudgetOverPace`], Medium, from
//!   day 5 with 3 days of numbers); projected month-end spend over budget
//!   ([`FlagKind::ProjectedOverBudget`], High, likewise, or any day once spend already exceeds
//!   the budget); playbook rules via
//!   [`check_plan`] ([`FlagKind::Plan`]; skipped when there are no channels).
//! - **Test beats core** ([`FlagKind::TestBeatsCore`], Medium): a test channel's ROI above a core
//!   channel's in both this week and last week, each ROI passing the ROI gate; one flag per test
//!   channel, naming the weakest such core channel.
//! - **Week over week** ([`FlagKind::WeekDrop`]): GMV, CTR or CVR down 20% or more, on matched
//!   days (a day of this week counts only if the channel has numbers for it and for the same
//!   weekday last week). Gates: GMV needs ≥ 10 orders last week; CTR ≥ 1,000 impressions and
//!   CVR ≥ 100 clicks in both weeks; under the gates nothing is said. High at 40% or more.
//!   A GMV drop's lever is that of the first funnel stage that also fell 20% (impressions, CTR,
//!   CVR, AOV), else moving budget.
//! - **People**: overdue tasks per owner (High when one is 48 h late, else Medium); a task blocked
//!   over 24 h (High over 72 h); a task slipped 2 times or more (Medium from 3); an owner with more
//!   than 2× the median open tasks of the owners who have any (needs ≥ 3 such owners; the median
//!   of an even count is the mean of the middle two).
//! - **Check-ins** ([`FlagKind::NoCheckin`]): a channel whose last numbers are 2 or more days
//!   before today (High from 4), counted from the last check-in even when the channel was added
//!   later (numbers backfilled); a channel never checked in counts from `created_on`, or is
//!   skipped without it.
//!
//! These are the raw rules; what is shown is `judgement::judge`'s: data problems (check-in
//! gaps and `judgement::data_checks`) first, silencing what they explain, one flag per cause.

use crate::domain::ids::UserId;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate};

use super::judgement::festivals::TeamFestival;
use super::judgement::pacing::{known_days as pace_known_days, pace_days};
use super::metrics::{Better, GoalThreshold, Metric, MetricValue, Totals, change_bp, meets};
use super::playbook::{ChannelPlan, PACE_HIGH_BP, PACE_LOW_BP, PaceStatus, PlanIssue, Tier};
use super::playbook::{check_plan, pacing};
use super::totals::{Field, Inputs, Numbers};

/// Days in a comparison window ("this week").
pub const WINDOW_DAYS: u64 = 7;
/// CTR is judged only past this many impressions.
pub const CTR_MIN_IMPRESSIONS: i64 = 1_000;
/// CPC is judged only past this many clicks.
pub const CPC_MIN_CLICKS: i64 = 100;
/// CVR is judged only past this many clicks.
pub const CVR_MIN_CLICKS: i64 = 100;
/// AOV (and ROI, without enough spend) is judged only past this many orders.
pub const MIN_ORDERS: i64 = 10;
/// CAC is judged only past this many new customers (without enough spend).
pub const CAC_MIN_NEW: i64 = 10;
/// CPL is judged only past this many leads (without enough spend).
pub const MIN_LEADS: i64 = 10;
/// ROI/CAC are also judged once the window's spend reaches this share of the monthly budget (bp).
pub const MIN_SPEND_SHARE_BP: i64 = 1_000;
/// Pacing is judged from this day of the month (or of a goal's period), and only with
/// `judgement::pacing::PACE_MIN_SPEND_DAYS` days of numbers: no projection from one day.
pub const PACE_MIN_DAY: u32 = 5;
/// A funnel stage this far (bp of the goal) or more off its goal is High.
pub const FAR_OFF_GOAL_BP: i64 = 2_500;
/// A week-over-week change at or below this (bp) is a drop.
pub const WOW_DROP_BP: i64 = -2_000;
/// A week-over-week drop at or below this (bp) is High.
pub const WOW_HIGH_DROP_BP: i64 = -4_000;
/// An overdue task this many hours late makes its owner's flag High.
pub const OVERDUE_HIGH_HOURS: i64 = 48;
/// A task blocked for more than this many hours is flagged.
pub const BLOCKED_HOURS: i64 = 24;
/// …and High beyond this many.
pub const BLOCKED_HIGH_HOURS: i64 = 72;
/// A task rescheduled this many times or more is flagged.
pub const SLIP_LIMIT: i64 = 2;
/// …and Medium from this many.
pub const SLIP_MEDIUM: i64 = 3;
/// An owner with more than this × the median open tasks is overloaded.
pub const OVERLOAD_FACTOR: i64 = 2;
/// The overload rule needs at least this many owners with open tasks.
pub const OVERLOAD_MIN_OWNERS: usize = 3;
/// A channel whose last check-in is this many days before today is flagged.
pub const NO_CHECKIN_DAYS: i64 = 2;
/// …and High from this many.
pub const NO_CHECKIN_HIGH_DAYS: i64 = 4;
/// How many flags a summary shows.
pub const SUMMARY_TOP: usize = 5;

const HOUR: i64 = 3600;

// ---------------------------------------------------------------- the snapshot

/// One channel of the plan, with this month's spend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelFacts {
    /// The channel slug.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// Monthly budget, minor units.
    pub monthly_budget: i64,
    /// The owner's user id, if someone owns it.
    pub owner: Option<UserId>,
    /// An owner named by @username who has not written yet: owned, just not linkable.
    pub pending_owner: bool,
    /// Spend so far this month (team-local calendar month), minor units, over the days that
    /// reported it.
    pub month_spend: i64,
    /// The (team-local) day the channel was added; a never-checked-in channel counts its
    /// check-in gap from here. `None`: no gap flag without check-ins.
    pub created_on: Option<NaiveDate>,
}

// Goals and their periods are domain::goal's, one model for the whole program.
use super::goal::{Goal, Period};

/// One check-in row's numbers for one channel and day (several rows for the same day, one per
/// creative, are combined as one day).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayTotals {
    /// The channel slug.
    pub channel: String,
    /// The team-local day.
    pub day: NaiveDate,
    /// The numbers as reported (None = unknown).
    pub numbers: Numbers,
}

/// A task's state: the facts hold only open and blocked tasks (one model, `domain::tasks`).
pub use crate::domain::tasks::TaskStatus;

/// What the rules need to know about an open (or blocked) task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskFacts {
    /// The team's task number.
    pub number: i64,
    /// The owner's user id.
    pub owner: Option<UserId>,
    /// The owner's name as the bot shows it.
    pub owner_name: String,
    /// Due time, epoch seconds.
    pub due_at: i64,
    /// Open or blocked.
    pub status: TaskStatus,
    /// When it was blocked, epoch seconds.
    pub blocked_at: Option<i64>,
    /// How many times the due date was moved.
    pub slips: i64,
}

/// Everything a judgement needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Now, epoch seconds.
    pub now: i64,
    /// Today in the team's zone.
    pub today: NaiveDate,
    /// Today's day of the month (1-based), see [`month_position`].
    pub day_of_month: u32,
    /// Days in this month.
    pub days_in_month: u32,
    /// The live channels.
    pub channels: Vec<ChannelFacts>,
    /// The goals.
    pub goals: Vec<Goal>,
    /// Per-channel per-day totals (at least the last 14 days, plus the current goal periods).
    pub days: Vec<DayTotals>,
    /// Open and blocked tasks.
    pub tasks: Vec<TaskFacts>,
    /// The team's own festival days (`/festival add`); the built-in ones need no listing.
    pub festivals: Vec<TeamFestival>,
}

/// `(day_of_month, days_in_month)` for a date.
pub fn month_position(today: NaiveDate) -> (u32, u32) {
    let (_, len) = Period::Month.bounds(today);
    (today.day(), u32::try_from(len).unwrap_or(31))
}

// ---------------------------------------------------------------- flags

/// A funnel stage (DOMAIN.md §5), in funnel order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Impressions / spend pace.
    Pace,
    /// Click-through rate.
    Ctr,
    /// Cost per click.
    Cpc,
    /// Conversion rate.
    Cvr,
    /// Average order value.
    Aov,
    /// Return on ad spend.
    Roi,
    /// Customer acquisition cost.
    Cac,
    /// Lead rate (leads / clicks), for channels that convert by leads.
    LeadRate,
    /// Cost per lead.
    Cpl,
}

impl Stage {
    /// Every stage: the funnel, then the lead stages.
    pub const ALL: [Stage; 9] = [
        Stage::Pace,
        Stage::Ctr,
        Stage::Cpc,
        Stage::Cvr,
        Stage::Aov,
        Stage::Roi,
        Stage::Cac,
        Stage::LeadRate,
        Stage::Cpl,
    ];

    /// The stored code: its metric's code (`pace` for the pace stage).
    pub fn code(self) -> &'static str {
        match self {
            Stage::Pace => "pace",
            other => other.metric().code(),
        }
    }

    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The funnel in order: the first seven of [`Stage::ALL`].
    pub const FUNNEL: [Stage; 7] = {
        let mut funnel = [Stage::Pace; 7];
        let mut i = 0;
        while i < 7 {
            funnel[i] = Stage::ALL[i];
            i += 1;
        }
        funnel
    };

    /// The funnel of a channel that converts by leads, not orders (小红书聚光 and the like).
    pub const LEAD_FUNNEL: [Stage; 5] = [
        Stage::Pace,
        Stage::Ctr,
        Stage::Cpc,
        Stage::LeadRate,
        Stage::Cpl,
    ];

    /// The metric judged at this stage (`Pace`: spend).
    pub fn metric(self) -> Metric {
        match self {
            Stage::Pace => Metric::Spend,
            Stage::Ctr => Metric::Ctr,
            Stage::Cpc => Metric::Cpc,
            Stage::Cvr => Metric::Cvr,
            Stage::Aov => Metric::Aov,
            Stage::Roi => Metric::Roi,
            Stage::Cac => Metric::Cac,
            Stage::LeadRate => Metric::LeadRate,
            Stage::Cpl => Metric::Cpl,
        }
    }

    /// The playbook's lever for this stage.
    pub fn lever(self) -> Lever {
        match self {
            Stage::Pace => Lever::WidenReach,
            Stage::Ctr => Lever::TestCreatives,
            Stage::Cpc => Lever::PruneTargeting,
            Stage::Cvr => Lever::DetailPage,
            Stage::Aov => Lever::Bundles,
            Stage::Roi | Stage::Cac => Lever::MoveBudget,
            Stage::LeadRate => Lever::LeadHook,
            Stage::Cpl => Lever::LeadCost,
        }
    }
}

/// The lever a flag points to: one per DOMAIN.md §5 row, then budget and people levers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lever {
    /// Impressions/spend pace: widen targeting, raise bids on winners, move reserve budget.
    WidenReach,
    /// CTR: test new creatives on a small budget each, keep the best CTR.
    TestCreatives,
    /// CPC: prune keywords/targeting, keep the best CPC groups.
    PruneTargeting,
    /// CVR: detail-page work, testimonials, comparison content, promotions.
    DetailPage,
    /// AOV: bundles, thresholds (满减), upsell in service.
    Bundles,
    /// ROI/CAC: move budget from weak channels to strong ones.
    MoveBudget,
    /// ROI: a test-channel winner graduates to core.
    GraduateTestChannel,
    /// Spending too fast: cap daily spend or bids.
    CapSpend,
    /// Allocation off the playbook: rebalance tier budgets / core channels.
    RebalanceTiers,
    /// A channel without an owner: assign one.
    AssignOwner,
    /// Overdue tasks: follow up, finish or re-date them.
    ChaseOverdue,
    /// Blocked tasks: remove the blocker (escalate in the review).
    Unblock,
    /// Slipping deadlines: split or re-scope the task, add buffer.
    Replan,
    /// One owner carries too much: reassign some tasks.
    SpreadLoad,
    /// Numbers stopped arriving: ask the owner to check in.
    RequestCheckin,
    /// Lead rate: the lead form, the private-message opener and the call to action.
    LeadHook,
    /// CPL: cut the plans and keywords with the dearest leads, move budget to the cheapest.
    LeadCost,
    /// Orders stopped while clicks went on: check tracking, stock, the store link.
    CheckTracking,
    /// A number that cannot be right: check (and correct) that day's check-in.
    CheckNumbers,
}

/// How urgent a flag is; `High` sorts first in [`evaluate`]'s output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look.
    Low,
    /// Needs attention this week.
    Medium,
    /// Needs attention now.
    High,
}

/// What a flag is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A channel, and the funnel stage when one is meant.
    Channel {
        /// The channel slug.
        name: String,
        /// The stage.
        stage: Option<Stage>,
    },
    /// A person (a task owner).
    Person {
        /// Their user id, when known.
        user_id: Option<UserId>,
        /// Their name as the bot shows it.
        name: String,
    },
    /// The team's plan as a whole.
    Team,
}

/// A number in a flag, exact, for the renderer to format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Num {
    /// A metric's value in its natural unit (see [`MetricValue`]).
    Metric {
        /// The metric, for formatting.
        metric: Metric,
        /// Its value.
        value: MetricValue,
    },
    /// Basis points (pacing as a share of the linear plan, a tier's share of budget…).
    Bp(i64),
    /// Money, minor units.
    Money(i64),
    /// A count (tasks, slips, channels).
    Count(i64),
    /// A plain exact number (e.g. a median of 2.5 = 5/2).
    Plain(MetricValue),
    /// Whole hours.
    Hours(i64),
    /// Whole days.
    Days(i64),
}

/// Which rule raised a flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// The first funnel stage below goal (actual vs goal); with `too_early`, the first stage
    /// with a goal but too little volume to judge.
    FunnelStage,
    /// Spend under 85% of the budget's linear plan (the Pace stage of the funnel): actual `Bp`
    /// share of the plan vs `Bp(8500)`.
    BudgetUnderPace,
    /// Spend over 115% of the linear plan: `Bp` vs `Bp(11500)`.
    BudgetOverPace,
    /// Projected month-end spend over the budget: `Money(projected)` vs `Money(budget)`.
    ProjectedOverBudget,
    /// A playbook rule the plan breaks (see [`PlanIssue`]).
    Plan(PlanIssue),
    /// A test channel beat `core` on ROI this week and last: test's ROI vs core's, this week.
    TestBeatsCore {
        /// The core channel beaten.
        core: String,
    },
    /// A week-over-week drop: this week's value vs last week's (matched days).
    WeekDrop {
        /// GMV, CTR or CVR.
        metric: Metric,
        /// The change in basis points (≤ −2000).
        change_bp: i64,
    },
    /// An owner's overdue tasks: `Count(n)` vs `Count(0)`, task numbers in `tasks`.
    Overdue,
    /// A task blocked over 24 h: `Hours(h)` vs `Hours(24)`.
    Blocked,
    /// A task rescheduled twice or more: `Count(slips)` vs `Count(2)`.
    Slipping,
    /// An owner with more than twice the median open tasks: `Count(n)` vs `Plain(median)`.
    Overloaded,
    /// No check-in for days: `Days(since last)` vs `Days(2)`.
    NoCheckin,
    /// Data problem (see `judgement::data_checks`): 0 orders on the last reported days while
    /// clicks stayed in their normal range: `Days(run)` vs `Count(median clicks a day)`.
    OrdersStopped,
    /// Data problem: spend reported with no impressions on `day`: `Money(spend)`.
    SpendNoImpressions {
        /// The latest such day.
        day: NaiveDate,
    },
    /// Data problem: a day 10× off the channel's median: `actual` that day vs `norm` the median.
    OddDay {
        /// The day to check.
        day: NaiveDate,
        /// The number that is off.
        field: super::judgement::data_checks::Field,
    },
    /// A rate well outside the channel's own norm (see `judgement::baselines`): the latest
    /// day's value vs the 28-day median; merged with the stage's goal and week-over-week flags.
    OffNorm {
        /// The latest day judged.
        day: NaiveDate,
        /// How many of the latest reported days in a row were off (< the new-normal run).
        days: i64,
    },
}

impl FlagKind {
    /// A stable rank for ordering flags of equal severity (funnel first, people last).
    pub fn rank(&self) -> u8 {
        match self {
            FlagKind::FunnelStage => 0,
            FlagKind::BudgetUnderPace => 1,
            // A sudden fall off the channel's own norm leads its line over the weekly view.
            FlagKind::OffNorm { .. } => 2,
            FlagKind::WeekDrop { .. } => 3,
            FlagKind::ProjectedOverBudget => 4,
            FlagKind::BudgetOverPace => 5,
            FlagKind::TestBeatsCore { .. } => 6,
            FlagKind::Plan(_) => 7,
            FlagKind::NoCheckin => 8,
            FlagKind::Overdue => 9,
            FlagKind::Blocked => 10,
            FlagKind::Slipping => 11,
            FlagKind::Overloaded => 12,
            FlagKind::OrdersStopped => 13,
            FlagKind::SpendNoImpressions { .. } => 14,
            FlagKind::OddDay { .. } => 15,
        }
    }

    /// A data problem: the numbers themselves are missing or wrong. These come first and
    /// silence the funnel judgements they explain (see `judgement`).
    pub fn is_data_problem(&self) -> bool {
        matches!(
            self,
            FlagKind::NoCheckin
                | FlagKind::OrdersStopped
                | FlagKind::SpendNoImpressions { .. }
                | FlagKind::OddDay { .. }
        )
    }
}

/// One bottleneck.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The rule.
    pub kind: FlagKind,
    /// What it is about.
    pub subject: Subject,
    /// The number found (`None` when not defined, e.g. a too-early stage with no data).
    pub actual: Option<Num>,
    /// The goal or norm it is held against.
    pub norm: Option<Num>,
    /// How urgent.
    pub severity: Severity,
    /// What to do about it.
    pub lever: Lever,
    /// Not judged: too little volume yet.
    pub too_early: bool,
    /// Task numbers the flag is about (people flags), ascending.
    pub tasks: Vec<i64>,
    /// Flags of the same cause merged into this one (`judgement::judge`): their evidence is
    /// worded as clauses of this flag's line. Empty from [`evaluate`].
    pub also: Vec<Flag>,
}

/// The order of [`evaluate`]'s output: data problems first, severity (High first), judged before too-early, rule rank,
/// subject, task numbers, then the change size for week drops (bigger drop first).
pub fn cmp_flags(a: &Flag, b: &Flag) -> Ordering {
    let key = |f: &Flag| {
        let data_first = !f.kind.is_data_problem();
        (data_first, Reverse(f.severity), f.too_early, f.kind.rank())
    };
    key(a)
        .cmp(&key(b))
        .then_with(|| a.subject.cmp(&b.subject))
        .then_with(|| a.tasks.cmp(&b.tasks))
        .then_with(|| match (&a.kind, &b.kind) {
            (
                FlagKind::WeekDrop {
                    metric: ma,
                    change_bp: ca,
                },
                FlagKind::WeekDrop {
                    metric: mb,
                    change_bp: cb,
                },
            ) => ca.cmp(cb).then(ma.cmp(mb)),
            _ => Ordering::Equal,
        })
}

/// The first `n` flags in [`cmp_flags`] order (a summary shows [`SUMMARY_TOP`]).
pub fn top(flags: &[Flag], n: usize) -> Vec<Flag> {
    let mut v = flags.to_vec();
    v.sort_by(cmp_flags);
    v.truncate(n);
    v
}

// ---------------------------------------------------------------- evaluation

/// `d - n` days, saturating at the earliest date.
pub fn back(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

/// Per channel, per day, the summed totals.
type DayMap<'a> = HashMap<&'a str, BTreeMap<NaiveDate, Totals>>;

fn day_map(s: &Snapshot) -> DayMap<'_> {
    let mut m: DayMap<'_> = HashMap::new();
    for d in &s.days {
        let e = m
            .entry(d.channel.as_str())
            .or_default()
            .entry(d.day)
            .or_default();
        *e = e.same_day(Totals::of(&d.numbers));
    }
    m
}

fn sum_range(days: Option<&BTreeMap<NaiveDate, Totals>>, from: NaiveDate, to: NaiveDate) -> Totals {
    match days {
        Some(d) if from <= to => d.range(from..=to).map(|(_, t)| t).sum(),
        _ => Totals::default(),
    }
}

/// Judges the snapshot: every rule of SPEC §5. Sorted by [`cmp_flags`].
pub fn evaluate(s: &Snapshot) -> Vec<Flag> {
    let days = day_map(s);
    let mut flags = Vec::new();
    for c in &s.channels {
        let d = days.get(c.name.as_str());
        funnel(s, c, d, &mut flags);
        budget(s, c, d, &mut flags);
        week_drops(s, c, d, WINDOW_DAYS, &mut flags);
        no_checkin(s, c, d, &mut flags);
    }
    test_beats_core(s, &days, &mut flags);
    plan(s, &mut flags);
    people(s, &mut flags);
    flags.sort_by(cmp_flags);
    flags
}

fn channel_flag(name: &str, stage: Option<Stage>, kind: FlagKind, lever: Lever) -> Flag {
    Flag {
        kind,
        subject: Subject::Channel {
            name: name.to_string(),
            stage,
        },
        actual: None,
        norm: None,
        severity: Severity::Medium,
        lever,
        too_early: false,
        tasks: Vec::new(),
        also: Vec::new(),
    }
}

fn metric_num(metric: Metric, value: MetricValue) -> Num {
    Num::Metric { metric, value }
}

/// The goal that applies to a channel for a metric: its own, else the team's.
fn goal_for<'a>(s: &'a Snapshot, channel: &str, m: Metric, volume: bool) -> Option<&'a Goal> {
    let matches = |g: &&Goal| g.metric == m && (g.period().is_some() == volume);
    s.goals
        .iter()
        .filter(matches)
        .find(|g| g.channel() == Some(channel))
        .or_else(|| {
            if volume {
                None // a team-wide volume goal is the team's, not each channel's
            } else {
                s.goals
                    .iter()
                    .filter(matches)
                    .find(|g| g.channel().is_none())
            }
        })
}

/// The spend gate, on the spend of the days where the metric's inputs were known.
fn spend_gate(t: &Totals, m: Metric, budget: i64) -> bool {
    let spend = match m.inputs() {
        Inputs::Ratio {
            num: Field::Spend, ..
        } => t.basis_num(m),
        Inputs::Ratio {
            den: Field::Spend, ..
        } => t.basis(m),
        _ => t.basis(Metric::Spend),
    };
    budget > 0 && i128::from(spend) * 10_000 >= i128::from(budget) * i128::from(MIN_SPEND_SHARE_BP)
}

/// Whether a stage has enough volume to be judged. Each gate reads the volume the metric rests
/// on (its denominator over the days it is known): an unreported number never opens a gate.
fn gate(stage: Stage, t: &Totals, budget: i64) -> bool {
    let m = stage.metric();
    match stage {
        Stage::Pace => true,
        Stage::Ctr => t.basis(m) >= CTR_MIN_IMPRESSIONS,
        Stage::Cpc => t.basis(m) >= CPC_MIN_CLICKS,
        Stage::Cvr | Stage::LeadRate => t.basis(m) >= CVR_MIN_CLICKS,
        Stage::Aov => t.basis(m) >= MIN_ORDERS,
        Stage::Roi => t.basis(Metric::Orders) >= MIN_ORDERS || spend_gate(t, m, budget),
        Stage::Cac => t.basis(m) >= CAC_MIN_NEW || spend_gate(t, m, budget),
        Stage::Cpl => t.basis(m) >= MIN_LEADS || spend_gate(t, m, budget),
    }
}

/// Whether a value is 25% or more off its goal, in the goal's bad direction.
fn far_off(value: &MetricValue, goal: &GoalThreshold) -> bool {
    let t = goal.target_value();
    let factor = match goal.direction {
        Better::Higher => 10_000 - FAR_OFF_GOAL_BP,
        Better::Lower => 10_000 + FAR_OFF_GOAL_BP,
    };
    let (Some(num), Some(den)) = (
        t.num.checked_mul(i128::from(factor)),
        t.den.checked_mul(10_000),
    ) else {
        return false;
    };
    let bound = MetricValue { num, den };
    match goal.direction {
        Better::Higher => value.cmp_exact(&bound) == Ordering::Less,
        Better::Lower => value.cmp_exact(&bound) == Ordering::Greater,
    }
}

/// A stage's outcome: below goal (a flag), too little volume (a too-early flag), or fine/no goal.
enum StageResult {
    Below(Flag),
    TooEarly(Flag),
    Fine,
}

fn pace_stage(
    s: &Snapshot,
    c: &ChannelFacts,
    d: Option<&BTreeMap<NaiveDate, Totals>>,
) -> StageResult {
    if let Some(g) = goal_for(s, &c.name, Metric::Spend, true)
        && g.direction() == Better::Higher
        && g.target > 0
        && let Some(period) = g.period()
    {
        let (start, len) = period.bounds(s.today);
        let elapsed = (s.today - start).num_days() + 1;
        let spent = sum_range(d, start, s.today).basis(Metric::Spend);
        // Paced over the days with spend numbers; unjudged before day 5 or 3 days of numbers.
        let known = pace_known_days(d, start, s.today);
        let position = pace_days(u32::try_from(elapsed).unwrap_or(u32::MAX), known);
        let plan = i128::from(g.target) * i128::from(position.unwrap_or(known.max(1)));
        let pct = super::money::round_div(i128::from(spent) * i128::from(len) * 10_000, plan)
            .and_then(|v| i64::try_from(v).ok());
        let mut f = channel_flag(
            &c.name,
            Some(Stage::Pace),
            FlagKind::FunnelStage,
            Lever::WidenReach,
        );
        f.actual = pct.map(Num::Bp);
        f.norm = Some(Num::Bp(PACE_LOW_BP));
        if position.is_none() {
            f.too_early = true;
            f.severity = Severity::Low;
            return StageResult::TooEarly(f);
        }
        let under = i128::from(spent) * i128::from(len) * 10_000 < plan * i128::from(PACE_LOW_BP);
        if under {
            let far = i128::from(spent) * i128::from(len) * 10_000
                < plan * i128::from(10_000 - FAR_OFF_GOAL_BP);
            f.severity = if far {
                Severity::High
            } else {
                Severity::Medium
            };
            return StageResult::Below(f);
        }
        return StageResult::Fine;
    }
    if c.monthly_budget > 0
        && let Some(days) = month_pace_days(s, d)
    {
        let p = pacing(c.month_spend, c.monthly_budget, days, s.days_in_month);
        if p.status == PaceStatus::UnderPace {
            let mut f = channel_flag(
                &c.name,
                Some(Stage::Pace),
                FlagKind::BudgetUnderPace,
                Lever::WidenReach,
            );
            f.actual = p.pct_of_linear_plan_bp.map(Num::Bp);
            f.norm = Some(Num::Bp(PACE_LOW_BP));
            return StageResult::Below(f);
        }
    }
    StageResult::Fine
}

fn rate_stage(s: &Snapshot, c: &ChannelFacts, stage: Stage, week: &Totals) -> StageResult {
    let m = stage.metric();
    let Some(g) = goal_for(s, &c.name, m, false) else {
        return StageResult::Fine;
    };
    if week.known_days(m) == 0 {
        return StageResult::Fine; // its inputs were never reported: nothing to judge
    }
    let value = week.value(m);
    let mut f = channel_flag(&c.name, Some(stage), FlagKind::FunnelStage, stage.lever());
    f.actual = value.map(|v| metric_num(m, v));
    let threshold = g.threshold();
    f.norm = Some(metric_num(m, threshold.target_value()));
    if !gate(stage, week, c.monthly_budget) {
        f.too_early = true;
        f.severity = Severity::Low;
        return StageResult::TooEarly(f);
    }
    match value {
        Some(v) if !meets(&v, &threshold) => {
            f.severity = if far_off(&v, &threshold) {
                Severity::High
            } else {
                Severity::Medium
            };
            StageResult::Below(f)
        }
        _ => StageResult::Fine,
    }
}

fn funnel(
    s: &Snapshot,
    c: &ChannelFacts,
    d: Option<&BTreeMap<NaiveDate, Totals>>,
    out: &mut Vec<Flag>,
) {
    let week = sum_range(d, back(s.today, WINDOW_DAYS - 1), s.today);
    let mut too_early = None;
    // A channel that reports leads and no orders converts by leads: judge that funnel.
    let by_leads = week.get(Field::Leads).is_some() && week.get(Field::Orders).is_none();
    let stages: &[Stage] = if by_leads {
        &Stage::LEAD_FUNNEL
    } else {
        &Stage::FUNNEL
    };
    for &stage in stages {
        let r = if stage == Stage::Pace {
            pace_stage(s, c, d)
        } else {
            rate_stage(s, c, stage, &week)
        };
        match r {
            StageResult::Below(f) => {
                out.push(f);
                return;
            }
            StageResult::TooEarly(f) => {
                too_early.get_or_insert(f);
            }
            StageResult::Fine => {}
        }
    }
    out.extend(too_early);
}

/// The days this month's spend is paced against (see `judgement::pacing`), `None`: not yet.
fn month_pace_days(s: &Snapshot, d: Option<&BTreeMap<NaiveDate, Totals>>) -> Option<u32> {
    let start = Period::Month.bounds(s.today).0;
    pace_days(s.day_of_month, pace_known_days(d, start, s.today))
}

fn budget(
    s: &Snapshot,
    c: &ChannelFacts,
    d: Option<&BTreeMap<NaiveDate, Totals>>,
    out: &mut Vec<Flag>,
) {
    if c.monthly_budget <= 0 && c.month_spend <= 0 {
        return;
    }
    let days = month_pace_days(s, d);
    let p = pacing(
        c.month_spend,
        c.monthly_budget,
        days.unwrap_or(s.day_of_month),
        s.days_in_month,
    );
    let judged = days.is_some();
    if judged && c.monthly_budget > 0 && p.status == PaceStatus::OverPace {
        let mut f = channel_flag(&c.name, None, FlagKind::BudgetOverPace, Lever::CapSpend);
        f.actual = p.pct_of_linear_plan_bp.map(Num::Bp);
        f.norm = Some(Num::Bp(PACE_HIGH_BP));
        out.push(f);
    }
    let already_over = c.month_spend > c.monthly_budget;
    if (judged && p.over_budget) || already_over {
        let mut f = channel_flag(
            &c.name,
            None,
            FlagKind::ProjectedOverBudget,
            Lever::CapSpend,
        );
        f.actual = Some(Num::Money(p.projected_month_end.max(c.month_spend)));
        f.norm = Some(Num::Money(c.monthly_budget));
        f.severity = Severity::High;
        out.push(f);
    }
}

/// This week's and last week's totals over matched days only: a day counts when the metric
/// `m` was known on it and on the day `offset` days before (unknown is not a drop). "Last
/// week" is [`WINDOW_DAYS`] back, or two weeks when `judgement` skips a festival week.
fn matched_weeks(
    s: &Snapshot,
    d: Option<&BTreeMap<NaiveDate, Totals>>,
    m: Metric,
    offset: u64,
) -> Option<(Totals, Totals)> {
    let d = d?;
    let mut cur = Totals::default();
    let mut prev = Totals::default();
    let mut any = false;
    for i in 0..WINDOW_DAYS {
        let day = back(s.today, i);
        let before = back(day, offset);
        if day == before {
            continue; // at NaiveDate::MIN
        }
        if let (Some(a), Some(b)) = (d.get(&day), d.get(&before))
            && a.known_days(m) > 0
            && b.known_days(m) > 0
        {
            cur += *a;
            prev += *b;
            any = true;
        }
    }
    any.then_some((cur, prev))
}

fn drop_of(prev: &Totals, cur: &Totals, m: Metric) -> Option<(MetricValue, MetricValue, i64)> {
    let (p, c) = (prev.value(m)?, cur.value(m)?);
    let ch = change_bp(&p, &c)?;
    (ch <= WOW_DROP_BP).then_some((p, c, ch))
}

/// The week-over-week drops of every channel against the week starting `offset` days back
/// (`judgement` uses it to skip a festival week).
pub fn week_drops_against(s: &Snapshot, offset: u64) -> Vec<Flag> {
    let days = day_map(s);
    let mut out = Vec::new();
    for c in &s.channels {
        week_drops(s, c, days.get(c.name.as_str()), offset, &mut out);
    }
    out
}

fn week_drops(
    s: &Snapshot,
    c: &ChannelFacts,
    d: Option<&BTreeMap<NaiveDate, Totals>>,
    offset: u64,
    out: &mut Vec<Flag>,
) {
    for m in [Metric::Gmv, Metric::Ctr, Metric::Cvr] {
        let Some((cur, prev)) = matched_weeks(s, d, m, offset) else {
            continue;
        };
        let gated = match m {
            Metric::Gmv => prev.basis(Metric::Aov) >= MIN_ORDERS,
            Metric::Ctr => {
                prev.basis(m) >= CTR_MIN_IMPRESSIONS && cur.basis(m) >= CTR_MIN_IMPRESSIONS
            }
            _ => prev.basis(m) >= CVR_MIN_CLICKS && cur.basis(m) >= CVR_MIN_CLICKS,
        };
        if !gated {
            continue;
        }
        let Some((p, v, ch)) = drop_of(&prev, &cur, m) else {
            continue;
        };
        let (stage, lever) = match m {
            Metric::Ctr => (Some(Stage::Ctr), Lever::TestCreatives),
            Metric::Cvr => (Some(Stage::Cvr), Lever::DetailPage),
            _ => gmv_cause(&prev, &cur),
        };
        let mut f = channel_flag(
            &c.name,
            stage,
            FlagKind::WeekDrop {
                metric: m,
                change_bp: ch,
            },
            lever,
        );
        f.actual = Some(metric_num(m, v));
        f.norm = Some(metric_num(m, p));
        f.severity = if ch <= WOW_HIGH_DROP_BP {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(f);
    }
}

/// Why GMV fell: the first funnel stage that also fell 20% or more.
fn gmv_cause(prev: &Totals, cur: &Totals) -> (Option<Stage>, Lever) {
    let imps = |t: &Totals| Some(MetricValue::whole(i128::from(t.get(Field::Impressions)?)));
    if let (Some(p), Some(c)) = (imps(prev), imps(cur))
        && change_bp(&p, &c).is_some_and(|ch| ch <= WOW_DROP_BP)
    {
        return (Some(Stage::Pace), Lever::WidenReach);
    }
    for (m, stage) in [
        (Metric::Ctr, Stage::Ctr),
        (Metric::Cvr, Stage::Cvr),
        (Metric::Aov, Stage::Aov),
    ] {
        if drop_of(prev, cur, m).is_some() {
            return (Some(stage), stage.lever());
        }
    }
    (None, Lever::MoveBudget)
}

/// Days a channel has gone without numbers up to `to`: counted from its last check-in when it
/// has one (numbers backfilled before the channel was added count), else from the day it was
/// added; `None` when neither is known. The flag and the summary's gap lines both use it.
pub fn checkin_gap(
    to: NaiveDate,
    last_checkin: Option<NaiveDate>,
    created_on: Option<NaiveDate>,
) -> Option<i64> {
    let since = last_checkin.or(created_on)?;
    Some((to - since).num_days().max(0))
}

fn no_checkin(
    s: &Snapshot,
    c: &ChannelFacts,
    d: Option<&BTreeMap<NaiveDate, Totals>>,
    out: &mut Vec<Flag>,
) {
    let last = d.and_then(|d| d.range(..=s.today).next_back().map(|(day, _)| *day));
    let Some(gap) = checkin_gap(s.today, last, c.created_on) else {
        return;
    };
    if gap >= NO_CHECKIN_DAYS {
        let mut f = channel_flag(&c.name, None, FlagKind::NoCheckin, Lever::RequestCheckin);
        f.actual = Some(Num::Days(gap));
        f.norm = Some(Num::Days(NO_CHECKIN_DAYS));
        if gap >= NO_CHECKIN_HIGH_DAYS {
            f.severity = Severity::High;
        }
        out.push(f);
    }
}

fn test_beats_core(s: &Snapshot, days: &DayMap<'_>, out: &mut Vec<Flag>) {
    let this_from = back(s.today, WINDOW_DAYS - 1);
    let last_to = back(s.today, WINDOW_DAYS);
    let last_from = back(s.today, 2 * WINDOW_DAYS - 1);
    // ROI for this week and last, when both pass the ROI gate.
    let roi = |c: &ChannelFacts| -> Option<(MetricValue, MetricValue)> {
        let d = days.get(c.name.as_str());
        let a = sum_range(d, this_from, s.today);
        let b = sum_range(d, last_from, last_to);
        let ok = |t: &Totals| gate(Stage::Roi, t, c.monthly_budget);
        if !ok(&a) || !ok(&b) {
            return None;
        }
        Some((a.value(Metric::Roi)?, b.value(Metric::Roi)?))
    };
    let cores: Vec<(&ChannelFacts, (MetricValue, MetricValue))> = s
        .channels
        .iter()
        .filter(|c| c.tier == Tier::Core)
        .filter_map(|c| Some((c, roi(c)?)))
        .collect();
    for t in s.channels.iter().filter(|c| c.tier == Tier::Test) {
        let Some((t_now, t_before)) = roi(t) else {
            continue;
        };
        let beaten = cores
            .iter()
            .filter(|(_, (c_now, c_before))| {
                t_now.cmp_exact(c_now) == Ordering::Greater
                    && t_before.cmp_exact(c_before) == Ordering::Greater
            })
            .min_by(|(a, (an, _)), (b, (bn, _))| an.cmp_exact(bn).then(a.name.cmp(&b.name)));
        if let Some((core, (c_now, _))) = beaten {
            let mut f = channel_flag(
                &t.name,
                Some(Stage::Roi),
                FlagKind::TestBeatsCore {
                    core: core.name.clone(),
                },
                Lever::GraduateTestChannel,
            );
            f.actual = Some(metric_num(Metric::Roi, t_now));
            f.norm = Some(metric_num(Metric::Roi, *c_now));
            out.push(f);
        }
    }
}

fn plan(s: &Snapshot, out: &mut Vec<Flag>) {
    if s.channels.is_empty() {
        return;
    }
    let plans: Vec<ChannelPlan> = s
        .channels
        .iter()
        .map(|c| ChannelPlan {
            name: c.name.clone(),
            tier: c.tier,
            monthly_budget: c.monthly_budget,
            has_owner: c.owner.is_some() || c.pending_owner,
        })
        .collect();
    for issue in check_plan(&plans) {
        let (subject, actual, norm, severity, lever) = match &issue {
            PlanIssue::NoBudget { .. } => (
                Subject::Team,
                None,
                None,
                Severity::Low,
                Lever::RebalanceTiers,
            ),
            PlanIssue::TierShare {
                share_bp,
                min_bp,
                max_bp,
                side,
                ..
            } => {
                let bound = match side {
                    super::playbook::Side::Below => *min_bp,
                    super::playbook::Side::Above => *max_bp,
                };
                (
                    Subject::Team,
                    Some(Num::Bp(*share_bp)),
                    Some(Num::Bp(bound)),
                    Severity::Medium,
                    Lever::RebalanceTiers,
                )
            }
            PlanIssue::TooManyCore { count, max, .. } => (
                Subject::Team,
                Some(Num::Count(i64::try_from(*count).unwrap_or(i64::MAX))),
                Some(Num::Count(i64::try_from(*max).unwrap_or(i64::MAX))),
                Severity::Low,
                Lever::RebalanceTiers,
            ),
            PlanIssue::NoOwner { channel } => (
                Subject::Channel {
                    name: channel.clone(),
                    stage: None,
                },
                None,
                None,
                Severity::Medium,
                Lever::AssignOwner,
            ),
        };
        out.push(Flag {
            kind: FlagKind::Plan(issue),
            subject,
            actual,
            norm,
            severity,
            lever,
            too_early: false,
            tasks: Vec::new(),
            also: Vec::new(),
        });
    }
}

/// Who a task belongs to, for grouping: by user id when known, else by name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum OwnerKey {
    Id(UserId),
    Name(String),
}

fn owner_key(t: &TaskFacts) -> OwnerKey {
    match t.owner {
        Some(id) => OwnerKey::Id(id),
        None => OwnerKey::Name(t.owner_name.clone()),
    }
}

fn person(t: &TaskFacts) -> Subject {
    Subject::Person {
        user_id: t.owner,
        name: t.owner_name.clone(),
    }
}

fn person_flag(t: &TaskFacts, kind: FlagKind, lever: Lever) -> Flag {
    Flag {
        kind,
        subject: person(t),
        actual: None,
        norm: None,
        severity: Severity::Medium,
        lever,
        too_early: false,
        tasks: Vec::new(),
        also: Vec::new(),
    }
}

/// The median of counts, doubled (exact for even lengths); `None` when empty.
pub fn twice_median(counts: &[i64]) -> Option<i64> {
    let mut v = counts.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2].saturating_mul(2)),
        _ => Some(v[n / 2 - 1].saturating_add(v[n / 2])),
    }
}

fn people(s: &Snapshot, out: &mut Vec<Flag>) {
    // Overdue, grouped by owner.
    let mut overdue: BTreeMap<OwnerKey, Vec<&TaskFacts>> = BTreeMap::new();
    for t in s.tasks.iter().filter(|t| t.due_at < s.now) {
        overdue.entry(owner_key(t)).or_default().push(t);
    }
    for ts in overdue.values() {
        let mut f = person_flag(ts[0], FlagKind::Overdue, Lever::ChaseOverdue);
        let mut numbers: Vec<i64> = ts.iter().map(|t| t.number).collect();
        numbers.sort_unstable();
        f.actual = Some(Num::Count(i64::try_from(ts.len()).unwrap_or(i64::MAX)));
        f.norm = Some(Num::Count(0));
        let late = ts
            .iter()
            .map(|t| s.now.saturating_sub(t.due_at))
            .max()
            .unwrap_or(0);
        if late >= OVERDUE_HIGH_HOURS * HOUR {
            f.severity = Severity::High;
        }
        f.tasks = numbers;
        out.push(f);
    }
    for t in &s.tasks {
        // Blocked for over 24 hours.
        if t.status == TaskStatus::Blocked
            && let Some(at) = t.blocked_at
        {
            let secs = s.now.saturating_sub(at);
            if secs > BLOCKED_HOURS * HOUR {
                let mut f = person_flag(t, FlagKind::Blocked, Lever::Unblock);
                f.actual = Some(Num::Hours(secs / HOUR));
                f.norm = Some(Num::Hours(BLOCKED_HOURS));
                if secs > BLOCKED_HIGH_HOURS * HOUR {
                    f.severity = Severity::High;
                }
                f.tasks = vec![t.number];
                out.push(f);
            }
        }
        // Slipped twice or more.
        if t.slips >= SLIP_LIMIT {
            let mut f = person_flag(t, FlagKind::Slipping, Lever::Replan);
            f.actual = Some(Num::Count(t.slips));
            f.norm = Some(Num::Count(SLIP_LIMIT));
            f.severity = if t.slips >= SLIP_MEDIUM {
                Severity::Medium
            } else {
                Severity::Low
            };
            f.tasks = vec![t.number];
            out.push(f);
        }
    }
    // Overloaded owners: more than twice the median open tasks of owners who have any.
    let mut open: BTreeMap<UserId, Vec<&TaskFacts>> = BTreeMap::new();
    for t in &s.tasks {
        if let Some(id) = t.owner {
            open.entry(id).or_default().push(t);
        }
    }
    if open.len() < OVERLOAD_MIN_OWNERS {
        return;
    }
    let counts: Vec<i64> = open
        .values()
        .map(|v| i64::try_from(v.len()).unwrap_or(i64::MAX))
        .collect();
    let Some(twice) = twice_median(&counts) else {
        return;
    };
    if twice <= 0 {
        return;
    }
    for (ts, &n) in open.values().zip(&counts) {
        // n > FACTOR × median  ⇔  2n > FACTOR × twice_median
        if i128::from(n) * 2 > i128::from(OVERLOAD_FACTOR) * i128::from(twice) {
            let mut f = person_flag(ts[0], FlagKind::Overloaded, Lever::SpreadLoad);
            f.actual = Some(Num::Count(n));
            f.norm = Some(Num::Plain(MetricValue {
                num: i128::from(twice),
                den: 2,
            }));
            let mut numbers: Vec<i64> = ts.iter().map(|t| t.number).collect();
            numbers.sort_unstable();
            f.tasks = numbers;
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goal::{GoalKind, Scope};
    use proptest::prelude::*;

    const NOW: i64 = 1_795_000_000;
    const H: i64 = 3600;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    /// Friday 2026-11-20: day 20 of 30.
    fn today() -> NaiveDate {
        day(2026, 11, 20)
    }

    fn chan(name: &str, tier: Tier, budget: i64) -> ChannelFacts {
        ChannelFacts {
            name: name.into(),
            tier,
            monthly_budget: budget,
            owner: Some(UserId(budget)), // any id
            pending_owner: false,
            month_spend: budget * 2 / 3, // day 20 of 30: exactly on the linear plan
            created_on: Some(day(2026, 1, 1)),
        }
    }

    /// A channel's healthy day: CTR 3%, CVR 5%, ROI 4, AOV = 4·spend/15, 5 new customers.
    fn healthy_day(budget: i64) -> Day {
        let spend = budget / 30;
        Day {
            spend,
            impressions: 10_000,
            clicks: 300,
            orders: 15,
            gmv: spend * 4,
            new_customers: Some(5),
            interactions: None,
        }
    }

    /// A day where the five core numbers are all known, for editing in tests.
    #[derive(Clone, Copy, Debug)]
    struct Day {
        spend: i64,
        impressions: i64,
        clicks: i64,
        orders: i64,
        gmv: i64,
        new_customers: Option<i64>,
        interactions: Option<i64>,
    }

    impl Day {
        fn numbers(self) -> Numbers {
            Numbers {
                spend: Some(self.spend),
                impressions: Some(self.impressions),
                clicks: Some(self.clicks),
                orders: Some(self.orders),
                gmv: Some(self.gmv),
                leads: None,
                new_customers: self.new_customers,
                interactions: self.interactions,
            }
        }

        fn totals(self) -> Totals {
            Totals::of(&self.numbers())
        }

        /// Back from numbers written by [`Day::numbers`] (tests only know all five).
        fn of(n: &Numbers) -> Day {
            Day {
                spend: n.spend.unwrap_or_default(),
                impressions: n.impressions.unwrap_or_default(),
                clicks: n.clicks.unwrap_or_default(),
                orders: n.orders.unwrap_or_default(),
                gmv: n.gmv.unwrap_or_default(),
                new_customers: n.new_customers,
                interactions: n.interactions,
            }
        }
    }

    fn goal(channel: Option<&str>, metric: Metric, target: i64) -> Goal {
        Goal {
            scope: Scope::from_channel(channel.map(str::to_string)),
            metric,
            kind: natural_kind(metric, false),
            target,
        }
    }

    /// A rate goal in the metric's own direction (or the other way with `flip`).
    fn natural_kind(metric: Metric, flip: bool) -> GoalKind {
        if (metric.better() == Better::Higher) != flip {
            GoalKind::AtLeast
        } else {
            GoalKind::AtMost
        }
    }

    fn task(number: i64, owner: UserId, due_in: i64) -> TaskFacts {
        TaskFacts {
            number,
            owner: Some(owner),
            owner_name: format!("user{owner}"),
            due_at: NOW + due_in,
            status: TaskStatus::Open,
            blocked_at: None,
            slips: 0,
        }
    }

    /// A plan that satisfies every rule on `today`.
    fn healthy_on(today: NaiveDate) -> Snapshot {
        let (dom, dim) = month_position(today);
        let channels = vec![
            chan("taobao", Tier::Core, 400_000),
            chan("jd", Tier::Core, 250_000),
            chan("xhs", Tier::Test, 150_000),
            chan("wechat", Tier::Reserve, 200_000),
        ];
        let mut channels = channels;
        for c in &mut channels {
            c.month_spend = c.monthly_budget * i64::from(dom) / i64::from(dim);
        }
        let mut days = Vec::new();
        for c in &channels {
            for i in 0..21 {
                days.push(DayTotals {
                    channel: c.name.clone(),
                    day: back(today, i),
                    numbers: healthy_day(c.monthly_budget).numbers(),
                });
            }
        }
        Snapshot {
            now: NOW,
            today,
            day_of_month: dom,
            days_in_month: dim,
            channels,
            goals: vec![
                goal(None, Metric::Ctr, 20_000),    // CTR ≥ 2%
                goal(None, Metric::Cpc, 100),       // CPC ≤ 1.00
                goal(None, Metric::Cvr, 30_000),    // CVR ≥ 3%
                goal(None, Metric::Aov, 500),       // AOV ≥ 5.00
                goal(None, Metric::Roi, 3_000_000), // ROI ≥ 3
                goal(None, Metric::Cac, 5_000),     // CAC ≤ 50.00
            ],
            days,
            tasks: vec![
                task(1, UserId(1), 3 * H),
                task(2, UserId(2), 5 * H),
                task(3, UserId(3), 30 * H),
                TaskFacts {
                    slips: 1,
                    ..task(4, UserId(1), 50 * H)
                },
            ],
            festivals: Vec::new(),
        }
    }

    fn healthy() -> Snapshot {
        healthy_on(today())
    }

    /// Applies `f` to every day of `channel` within `from..=to` days back from today.
    fn edit_days(
        s: &mut Snapshot,
        channel: &str,
        back_from: u64,
        back_to: u64,
        f: impl Fn(&mut Day),
    ) {
        let (a, b) = (back(s.today, back_to), back(s.today, back_from));
        for d in s
            .days
            .iter_mut()
            .filter(|d| d.channel == channel && d.day >= a && d.day <= b)
        {
            let mut day = Day::of(&d.numbers);
            f(&mut day);
            d.numbers = day.numbers();
        }
    }

    fn chan_mut<'a>(s: &'a mut Snapshot, name: &str) -> &'a mut ChannelFacts {
        s.channels
            .iter_mut()
            .find(|c| c.name == name)
            .expect("channel")
    }

    /// Recomputes each channel's month spend from its days, as the service does (pacing is
    /// over the days with numbers, so a test that drops days must drop their spend too).
    fn resync_month_spend(s: &mut Snapshot) {
        let start = Period::Month.bounds(s.today).0;
        for c in &mut s.channels {
            c.month_spend = s
                .days
                .iter()
                .filter(|d| d.channel == c.name && d.day >= start && d.day <= s.today)
                .filter_map(|d| d.numbers.spend)
                .sum();
        }
    }

    fn only(flags: &[Flag]) -> &Flag {
        assert_eq!(flags.len(), 1, "{flags:?}");
        &flags[0]
    }

    fn stage_of(f: &Flag) -> Option<Stage> {
        match &f.subject {
            Subject::Channel { stage, .. } => *stage,
            _ => None,
        }
    }

    fn about(f: &Flag) -> &str {
        match &f.subject {
            Subject::Channel { name, .. } | Subject::Person { name, .. } => name,
            Subject::Team => "team",
        }
    }

    /// Applies `f` to the reported numbers of every day of `channel` within `from..=to` days
    /// back (for numbers left unreported, which [`Day`] cannot express).
    fn edit_numbers(
        s: &mut Snapshot,
        channel: &str,
        back_from: u64,
        back_to: u64,
        f: impl Fn(&mut Numbers),
    ) {
        let (a, b) = (back(s.today, back_to), back(s.today, back_from));
        for d in s
            .days
            .iter_mut()
            .filter(|d| d.channel == channel && d.day >= a && d.day <= b)
        {
            f(&mut d.numbers);
        }
    }

    #[test]
    fn unknown_orders_are_never_judged() {
        // taobao never reports orders or GMV: no CVR, AOV or ROI flag, however many clicks.
        let mut s = healthy();
        edit_numbers(&mut s, "taobao", 0, 20, |n| {
            n.orders = None;
            n.gmv = None;
        });
        assert_eq!(evaluate(&s), vec![]);
        // Zero reported is a number: CVR 0% is below the goal.
        let mut s = healthy();
        edit_days(&mut s, "taobao", 0, 20, |t| {
            t.orders = 0;
            t.gmv = 0;
        });
        assert!(
            evaluate(&s)
                .iter()
                .any(|f| about(f) == "taobao" && stage_of(f) == Some(Stage::Cvr)),
            "{:?}",
            evaluate(&s)
        );
        // Three days this week without orders (and ten times the clicks): CVR and GMV are
        // judged on the other days only, so nothing is off.
        let mut s = healthy();
        edit_numbers(&mut s, "taobao", 0, 2, |n| {
            n.orders = None;
            n.gmv = None;
            n.impressions = n.impressions.map(|v| v * 10);
            n.clicks = n.clicks.map(|v| v * 10);
        });
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn pacing_leaves_out_days_with_unknown_spend() {
        let spend_goal = Goal {
            scope: Scope::from_channel(Some("taobao".to_string())),
            metric: Metric::Spend,
            kind: GoalKind::Volume(Period::Month),
            target: 400_000,
        };
        let pace_flag = |s: &Snapshot| {
            evaluate(s)
                .into_iter()
                .find(|f| about(f) == "taobao" && stage_of(f) == Some(Stage::Pace))
        };
        // Days 10–19 of the month checked in without spend: the plan to date counts the other
        // ten days, and the spend of those is on the line.
        let mut s = healthy();
        s.goals.push(spend_goal.clone());
        edit_numbers(&mut s, "taobao", 0, 9, |n| n.spend = None);
        assert_eq!(pace_flag(&s), None);
        // The same days with ¥0 reported: half the plan, under pace.
        let mut s = healthy();
        s.goals.push(spend_goal);
        edit_days(&mut s, "taobao", 0, 9, |t| t.spend = 0);
        assert!(pace_flag(&s).is_some());
        // The monthly budget: ten days of unknown spend this month are left out of the plan,
        // the reported spend on the line for the other ten: not under pace; the same days read
        // as ¥0 are.
        let mut s = healthy();
        edit_numbers(&mut s, "taobao", 0, 9, |n| n.spend = None);
        resync_month_spend(&mut s);
        assert_eq!(pace_flag(&s), None);
        let mut s = healthy();
        edit_days(&mut s, "taobao", 0, 9, |t| t.spend = 0);
        resync_month_spend(&mut s);
        assert!(pace_flag(&s).is_some());
        // Only unknown spend so far: nothing to judge.
        let mut s = healthy();
        edit_numbers(&mut s, "taobao", 0, 40, |n| n.spend = None);
        resync_month_spend(&mut s);
        assert_eq!(pace_flag(&s), None);
    }

    #[test]
    fn a_leads_channel_is_judged_on_the_lead_funnel() {
        // xhs reports leads, no orders: 300 clicks and 10 leads a day (3.33%), CPL 50.00.
        let mut s = healthy();
        edit_numbers(&mut s, "xhs", 0, 20, |n| {
            n.orders = None;
            n.gmv = None;
            n.new_customers = None;
            n.leads = Some(10);
        });
        assert_eq!(
            evaluate(&s),
            vec![],
            "no lead goals yet, no order goals judged"
        );
        s.goals.push(goal(None, Metric::LeadRate, 50_000)); // ≥ 5%
        let f = only(&evaluate(&s)).clone();
        assert_eq!((about(&f), stage_of(&f)), ("xhs", Some(Stage::LeadRate)));
        assert_eq!(f.lever, Lever::LeadHook);
        assert_eq!(f.severity, Severity::High, "3.33% is 33% under 5%");
        // Lead rate met; CPL over its goal.
        s.goals.pop();
        s.goals.push(goal(Some("xhs"), Metric::Cpl, 400)); // ≤ 4.00 (CPL is 5.00)
        let f = only(&evaluate(&s)).clone();
        assert_eq!(stage_of(&f), Some(Stage::Cpl));
        assert_eq!(f.lever, Lever::LeadCost);
        // Thin leads and spend: too early, not a verdict.
        edit_numbers(&mut s, "xhs", 0, 20, |n| {
            n.leads = Some(1);
            n.spend = Some(10);
        });
        let f = only(&evaluate(&s)).clone();
        assert!(f.too_early, "{f:?}");
    }

    #[test]
    fn healthy_snapshot_is_silent() {
        assert_eq!(evaluate(&healthy()), vec![]);
        // Also early in a month (pacing not judged yet) and on a Monday.
        assert_eq!(evaluate(&healthy_on(day(2026, 12, 2))), vec![]);
        assert_eq!(evaluate(&healthy_on(day(2026, 11, 16))), vec![]);
    }

    #[test]
    fn funnel_ctr_below_goal_is_the_first_stage() {
        let mut s = healthy();
        // CTR 1.5% (exactly 25% below 2%: Medium) and CVR 2% below goal too: only CTR is named.
        edit_days(&mut s, "taobao", 0, 20, |t| {
            t.clicks = 150;
            t.orders = 3;
        });
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::FunnelStage);
        assert_eq!(about(&f), "taobao");
        assert_eq!(stage_of(&f), Some(Stage::Ctr));
        assert_eq!(f.lever, Lever::TestCreatives);
        assert_eq!(f.severity, Severity::Medium);
        assert!(!f.too_early);
        assert_eq!(
            f.actual,
            Some(Num::Metric {
                metric: Metric::Ctr,
                value: MetricValue {
                    num: 1050,
                    den: 70_000
                }
            })
        );
        assert_eq!(
            f.norm,
            Some(Num::Metric {
                metric: Metric::Ctr,
                value: MetricValue {
                    num: 20_000,
                    den: 1_000_000
                }
            })
        );
        // Further off: High.
        edit_days(&mut s, "taobao", 0, 20, |t| t.clicks = 149);
        assert_eq!(only(&evaluate(&s)).severity, Severity::High);
    }

    #[test]
    fn funnel_each_stage_fires_and_names_its_lever() {
        type Edit = fn(&mut Snapshot);
        let cases: &[(&str, Edit, Stage, Lever)] = &[
            (
                "cpc: a channel's own goal overrides the team's",
                |s| s.goals.push(goal(Some("taobao"), Metric::Cpc, 30)),
                Stage::Cpc,
                Lever::PruneTargeting,
            ),
            (
                "cvr",
                |s| edit_days(s, "taobao", 0, 20, |t| t.orders = 6),
                Stage::Cvr,
                Lever::DetailPage,
            ),
            (
                "aov",
                |s| s.goals.push(goal(Some("taobao"), Metric::Aov, 5_000)),
                Stage::Aov,
                Lever::Bundles,
            ),
            (
                "roi",
                |s| edit_days(s, "taobao", 0, 20, |t| t.gmv = t.spend * 2),
                Stage::Roi,
                Lever::MoveBudget,
            ),
            (
                "cac",
                |s| edit_days(s, "taobao", 0, 20, |t| t.new_customers = Some(1)),
                Stage::Cac,
                Lever::MoveBudget,
            ),
        ];
        for (name, edit, stage, lever) in cases {
            let mut s = healthy();
            edit(&mut s);
            // (A lower ROI also lets the test channel beat taobao: only the funnel flag here.)
            let flags: Vec<Flag> = evaluate(&s)
                .into_iter()
                .filter(|f| !matches!(f.kind, FlagKind::TestBeatsCore { .. }))
                .collect();
            let f = only(&flags);
            assert_eq!(f.kind, FlagKind::FunnelStage, "{name}");
            assert_eq!(about(f), "taobao", "{name}");
            assert_eq!(stage_of(f), Some(*stage), "{name}");
            assert_eq!(f.lever, *lever, "{name}");
            assert!(!f.too_early, "{name}");
        }
    }

    #[test]
    fn funnel_volume_gates_say_too_early() {
        let mut s = healthy();
        // 700 impressions, 21 clicks, 7 orders a week: CTR, CPC, CVR, AOV can't be judged yet.
        edit_days(&mut s, "taobao", 0, 20, |t| {
            t.impressions = 100;
            t.clicks = 3;
            t.orders = 1;
            t.gmv = t.spend * 4;
        });
        let f = only(&evaluate(&s)).clone();
        assert!(f.too_early);
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(stage_of(&f), Some(Stage::Ctr));
        assert!(f.actual.is_some());
        // A judged stage further down (ROI, judged on spend) wins over the too-early one.
        edit_days(&mut s, "taobao", 0, 20, |t| t.gmv = t.spend);
        let flags = evaluate(&s);
        assert!(flags.iter().any(|f| f.kind
            == FlagKind::TestBeatsCore {
                core: "taobao".into()
            }));
        let funnel: Vec<Flag> = flags
            .into_iter()
            .filter(|f| f.kind == FlagKind::FunnelStage)
            .collect();
        let f = only(&funnel).clone();
        assert!(!f.too_early);
        assert_eq!(stage_of(&f), Some(Stage::Roi));
        // Exactly at the gate is judged: 1,000 impressions, 15 clicks = 1.5% < 2%.
        let mut s = healthy();
        edit_days(&mut s, "taobao", 0, 20, |t| t.impressions = 0);
        edit_days(&mut s, "taobao", 0, 0, |t| {
            t.impressions = 1_000;
            t.clicks = 15;
        });
        edit_days(&mut s, "taobao", 1, 6, |t| t.clicks = 0);
        let f = &evaluate(&s)[0];
        assert_eq!((stage_of(f), f.too_early), (Some(Stage::Ctr), false));
        assert_eq!(f.kind, FlagKind::FunnelStage);
    }

    #[test]
    fn zero_denominators_never_judge_or_panic() {
        let mut s = healthy();
        // Nothing at all this fortnight for taobao: every rate is undefined.
        edit_days(&mut s, "taobao", 0, 20, |t| {
            *t = Day {
                spend: 0,
                impressions: 0,
                clicks: 0,
                orders: 0,
                gmv: 0,
                new_customers: None,
                interactions: None,
            }
        });
        let flags = evaluate(&s);
        let f = flags
            .iter()
            .find(|f| about(f) == "taobao" && f.kind == FlagKind::FunnelStage)
            .expect("too early");
        assert!(f.too_early);
        assert_eq!(f.actual, None);
        // ROI with orders but no spend: undefined, not judged; no other flag for it.
        let mut s = healthy();
        edit_days(&mut s, "taobao", 0, 20, |t| {
            t.spend = 0;
            t.new_customers = None;
        });
        assert_eq!(evaluate(&s), vec![]);
        // An empty snapshot.
        let empty = Snapshot {
            channels: vec![],
            goals: vec![],
            days: vec![],
            tasks: vec![],
            ..healthy()
        };
        assert_eq!(evaluate(&empty), vec![]);
        // Zero budgets everywhere, days_in_month 0.
        let mut s = healthy();
        s.days_in_month = 0;
        for c in &mut s.channels {
            c.monthly_budget = 0;
            c.month_spend = 0;
        }
        let flags = evaluate(&s);
        assert!(
            flags
                .iter()
                .any(|f| f.kind == FlagKind::Plan(PlanIssue::NoBudget { channels: 4 }))
        );
    }

    #[test]
    fn spend_goal_pace() {
        // jd's own monthly spend goal of 10,000.00: 20 days × 83.33 is far behind the line.
        let mut s = healthy();
        s.goals.push(Goal {
            kind: GoalKind::Volume(Period::Month),
            ..goal(Some("jd"), Metric::Spend, 1_000_000)
        });
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::FunnelStage);
        assert_eq!(stage_of(&f), Some(Stage::Pace));
        assert_eq!(f.lever, Lever::WidenReach);
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.actual, Some(Num::Bp(2500))); // 166,660 of 666,667
        assert_eq!(f.norm, Some(Num::Bp(8500)));
        // A weekly goal on its second day (Tuesday): too early.
        let mut s = healthy_on(day(2026, 11, 17));
        s.goals.push(Goal {
            kind: GoalKind::Volume(Period::Week),
            ..goal(Some("jd"), Metric::Spend, 1_000_000)
        });
        let f = only(&evaluate(&s)).clone();
        assert!(f.too_early);
        assert_eq!(stage_of(&f), Some(Stage::Pace));
        // A met weekly goal is silent.
        let mut s = healthy();
        s.goals.push(Goal {
            kind: GoalKind::Volume(Period::Week),
            ..goal(Some("jd"), Metric::Spend, 50_000)
        });
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn period_bounds() {
        assert_eq!(
            Period::Week.bounds(day(2026, 11, 20)),
            (day(2026, 11, 16), 7)
        );
        assert_eq!(
            Period::Week.bounds(day(2026, 11, 16)),
            (day(2026, 11, 16), 7)
        );
        assert_eq!(
            Period::Month.bounds(day(2026, 2, 10)),
            (day(2026, 2, 1), 28)
        );
        assert_eq!(
            Period::Month.bounds(day(2028, 2, 29)),
            (day(2028, 2, 1), 29)
        );
        assert_eq!(
            Period::Quarter.bounds(day(2026, 11, 20)),
            (day(2026, 10, 1), 92)
        );
        assert_eq!(
            Period::Quarter.bounds(day(2026, 2, 20)),
            (day(2026, 1, 1), 90)
        );
        assert_eq!(month_position(day(2026, 11, 20)), (20, 30));
        assert_eq!(month_position(day(2026, 12, 31)), (31, 31));
    }

    #[test]
    fn budget_under_pace_is_the_pace_stage() {
        let mut s = healthy();
        chan_mut(&mut s, "taobao").month_spend = 200_000; // 75% of the linear 266,667
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::BudgetUnderPace);
        assert_eq!(stage_of(&f), Some(Stage::Pace));
        assert_eq!(f.actual, Some(Num::Bp(7500)));
        assert_eq!(f.norm, Some(Num::Bp(8500)));
        assert_eq!(f.lever, Lever::WidenReach);
        // Exactly 85% is on pace.
        chan_mut(&mut s, "taobao").month_spend = 226_667;
        assert_eq!(evaluate(&s), vec![]);
        // Days 1–2 of a month are not judged.
        let mut s = healthy_on(day(2026, 12, 2));
        chan_mut(&mut s, "taobao").month_spend = 0;
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn budget_over_pace_and_projection() {
        let mut s = healthy();
        chan_mut(&mut s, "jd").month_spend = 250_000; // 150% of 166,667; projects 375,000
        let flags = evaluate(&s);
        assert_eq!(flags.len(), 2, "{flags:#?}");
        assert_eq!(flags[0].kind, FlagKind::ProjectedOverBudget);
        assert_eq!(flags[0].severity, Severity::High);
        assert_eq!(flags[0].actual, Some(Num::Money(375_000)));
        assert_eq!(flags[0].norm, Some(Num::Money(250_000)));
        assert_eq!(flags[1].kind, FlagKind::BudgetOverPace);
        assert_eq!(flags[1].actual, Some(Num::Bp(15_000)));
        assert_eq!(flags[1].lever, Lever::CapSpend);
        // 110% of plan: within pacing tolerance, but the month ends over budget.
        chan_mut(&mut s, "jd").month_spend = 183_334;
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::ProjectedOverBudget);
        // Day 1, already over budget: flagged despite the early day.
        let mut s = healthy_on(day(2026, 12, 1));
        chan_mut(&mut s, "jd").month_spend = 260_000;
        assert_eq!(only(&evaluate(&s)).kind, FlagKind::ProjectedOverBudget);
        // Day 1, fast but within budget: not judged yet.
        chan_mut(&mut s, "jd").month_spend = 50_000;
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn allocation_off_the_playbook() {
        let mut s = healthy();
        // Test share 40%, core 48%.
        let x = chan_mut(&mut s, "xhs");
        x.monthly_budget = 600_000;
        x.month_spend = 400_000;
        let flags = evaluate(&s);
        let plan: Vec<&Flag> = flags
            .iter()
            .filter(|f| matches!(f.kind, FlagKind::Plan(_)))
            .collect();
        assert_eq!(plan.len(), 2, "{flags:#?}");
        assert!(plan.iter().all(|f| f.subject == Subject::Team));
        assert!(plan.iter().all(|f| f.lever == Lever::RebalanceTiers));
        assert_eq!(plan[0].actual, Some(Num::Bp(4483))); // core: 650k of 1.45M
        // Channel without an owner.
        let mut s = healthy();
        chan_mut(&mut s, "wechat").owner = None;
        // An owner known only by @username still owns the channel.
        chan_mut(&mut s, "xhs").owner = None;
        chan_mut(&mut s, "xhs").pending_owner = true;
        let f = only(&evaluate(&s)).clone();
        assert_eq!(
            f.kind,
            FlagKind::Plan(PlanIssue::NoOwner {
                channel: "wechat".into()
            })
        );
        assert_eq!(about(&f), "wechat");
        assert_eq!(f.lever, Lever::AssignOwner);
    }

    #[test]
    fn test_channel_beating_core_two_weeks() {
        let mut s = healthy();
        edit_days(&mut s, "xhs", 0, 13, |t| t.gmv = t.spend * 6);
        let f = only(&evaluate(&s)).clone();
        // Both cores have ROI 4: the tie goes to the name order (jd).
        assert_eq!(f.kind, FlagKind::TestBeatsCore { core: "jd".into() });
        assert_eq!(about(&f), "xhs");
        assert_eq!(stage_of(&f), Some(Stage::Roi));
        assert_eq!(f.lever, Lever::GraduateTestChannel);
        assert_eq!(
            f.actual,
            Some(Num::Metric {
                metric: Metric::Roi,
                value: MetricValue {
                    num: 6 * 35_000,
                    den: 35_000
                }
            })
        );
        // The weaker core is the one named.
        edit_days(&mut s, "jd", 0, 13, |t| t.gmv = t.spend * 5);
        assert_eq!(
            only(&evaluate(&s)).kind,
            FlagKind::TestBeatsCore {
                core: "taobao".into()
            }
        );
        // Only this week: silent.
        let mut s = healthy();
        edit_days(&mut s, "xhs", 0, 6, |t| t.gmv = t.spend * 6);
        assert_eq!(evaluate(&s), vec![]);
        // Equal ROI is not beating.
        let s = healthy();
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn week_over_week_cvr_collapse() {
        let mut s = healthy();
        // jd converts 6 of 300 clicks this week (2%) instead of 15 (5%); GMV falls with it.
        edit_days(&mut s, "jd", 0, 6, |t| {
            t.orders = 6;
            t.gmv = t.gmv * 6 / 15;
        });
        let flags = evaluate(&s);
        let drops: Vec<&Flag> = flags
            .iter()
            .filter(|f| matches!(f.kind, FlagKind::WeekDrop { .. }))
            .collect();
        assert_eq!(drops.len(), 2, "{flags:#?}");
        assert!(
            drops
                .iter()
                .all(|f| f.severity == Severity::High && about(f) == "jd")
        );
        let cvr = drops
            .iter()
            .find(|f| {
                matches!(
                    f.kind,
                    FlagKind::WeekDrop {
                        metric: Metric::Cvr,
                        ..
                    }
                )
            })
            .expect("cvr drop");
        assert_eq!(
            cvr.kind,
            FlagKind::WeekDrop {
                metric: Metric::Cvr,
                change_bp: -6000
            }
        );
        assert_eq!(cvr.lever, Lever::DetailPage);
        let gmv = drops
            .iter()
            .find(|f| {
                matches!(
                    f.kind,
                    FlagKind::WeekDrop {
                        metric: Metric::Gmv,
                        ..
                    }
                )
            })
            .expect("gmv drop");
        // GMV fell because CVR did: the CVR lever.
        assert_eq!(stage_of(gmv), Some(Stage::Cvr));
        assert_eq!(gmv.lever, Lever::DetailPage);
        // And the funnel names CVR below goal.
        assert!(
            flags
                .iter()
                .any(|f| f.kind == FlagKind::FunnelStage && stage_of(f) == Some(Stage::Cvr))
        );
    }

    #[test]
    fn week_over_week_boundaries_and_matched_days() {
        // Exactly 20% down in CTR is a drop; 19.99% is not.
        let mut s = healthy();
        edit_days(&mut s, "jd", 0, 6, |t| t.clicks = 240);
        edit_days(&mut s, "jd", 0, 20, |t| t.orders = 12); // keep CVR 5%/4%… above goal
        let flags = evaluate(&s);
        assert!(flags.iter().any(|f| f.kind
            == FlagKind::WeekDrop {
                metric: Metric::Ctr,
                change_bp: -2000
            }
            && f.severity == Severity::Medium
            && f.lever == Lever::TestCreatives));
        let mut s = healthy();
        edit_days(&mut s, "jd", 0, 6, |t| t.clicks = 240);
        edit_days(&mut s, "jd", 0, 0, |t| t.clicks = 241); // 1,681 vs 2,100: −19.95%
        assert!(!evaluate(&s).iter().any(|f| matches!(
            f.kind,
            FlagKind::WeekDrop {
                metric: Metric::Ctr,
                ..
            }
        )));
        // Missing days this week (today, yesterday, the day before) don't count as a drop:
        // unmatched sums would show GMV −43%.
        let mut s = healthy();
        let t = s.today;
        s.days
            .retain(|d| !(d.channel == "jd" && d.day > back(t, 3)));
        chan_mut(&mut s, "jd").created_on = None;
        let flags = evaluate(&s);
        assert!(
            !flags
                .iter()
                .any(|f| matches!(f.kind, FlagKind::WeekDrop { .. })),
            "{flags:#?}"
        );
        // …but the gap itself is flagged (last numbers 3 days ago).
        assert!(
            flags
                .iter()
                .any(|f| f.kind == FlagKind::NoCheckin && about(f) == "jd")
        );
        // A day missing only last week removes its pair from this week too: this week's
        // bad day 7 days after a missing one is not compared.
        let mut s = healthy();
        let t = s.today;
        s.days
            .retain(|d| !(d.channel == "jd" && d.day == back(t, 7)));
        edit_days(&mut s, "jd", 0, 0, |t| t.gmv = 0);
        assert!(
            !evaluate(&s)
                .iter()
                .any(|f| matches!(f.kind, FlagKind::WeekDrop { .. }))
        );
        // Thin volume: silent (4 orders last week).
        let mut s = healthy();
        edit_days(&mut s, "wechat", 0, 20, |t| {
            t.impressions = 100;
            t.clicks = 10;
            t.orders = 0;
            t.gmv = 0;
        });
        edit_days(&mut s, "wechat", 7, 10, |t| {
            t.orders = 1;
            t.gmv = 10_000;
        });
        assert!(
            !evaluate(&s)
                .iter()
                .any(|f| matches!(f.kind, FlagKind::WeekDrop { .. }))
        );
    }

    #[test]
    fn gmv_drop_cause() {
        let base = healthy_day(300_000);
        let mut cur = base;
        cur.impressions = 7_000;
        assert_eq!(
            gmv_cause(&base.totals(), &cur.totals()),
            (Some(Stage::Pace), Lever::WidenReach)
        );
        let mut cur = base;
        cur.gmv /= 2;
        assert_eq!(
            gmv_cause(&base.totals(), &cur.totals()),
            (Some(Stage::Aov), Lever::Bundles)
        );
        let base = base.totals();
        assert_eq!(gmv_cause(&base, &base), (None, Lever::MoveBudget));
    }

    #[test]
    fn overdue_tasks_grouped_by_owner() {
        let mut s = healthy();
        s.tasks.push(task(7, UserId(2), -2 * H));
        s.tasks.push(task(5, UserId(2), -H));
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::Overdue);
        assert_eq!(
            f.subject,
            Subject::Person {
                user_id: Some(UserId(2)),
                name: "user2".into()
            }
        );
        assert_eq!(f.tasks, vec![5, 7]);
        assert_eq!(f.actual, Some(Num::Count(2)));
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.lever, Lever::ChaseOverdue);
        s.tasks.push(task(8, UserId(2), -48 * H));
        assert_eq!(only(&evaluate(&s)).severity, Severity::High);
        // Due exactly now is not overdue yet.
        let mut s = healthy();
        s.tasks.push(task(9, UserId(3), 0));
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn blocked_over_a_day() {
        let blocked = |hours: i64| TaskFacts {
            status: TaskStatus::Blocked,
            blocked_at: Some(NOW - hours * H),
            ..task(6, UserId(3), 100 * H)
        };
        for (hours, want) in [
            (23, None),
            (24, None),
            (25, Some(Severity::Medium)),
            (73, Some(Severity::High)),
        ] {
            let mut s = healthy();
            s.tasks.push(blocked(hours));
            let flags = evaluate(&s);
            match want {
                None => assert_eq!(flags, vec![], "{hours} h"),
                Some(sev) => {
                    let f = only(&flags);
                    assert_eq!(f.kind, FlagKind::Blocked);
                    assert_eq!(f.severity, sev);
                    assert_eq!(f.actual, Some(Num::Hours(hours)));
                    assert_eq!(f.tasks, vec![6]);
                    assert_eq!(f.lever, Lever::Unblock);
                }
            }
        }
        // Blocked with an unknown time: not judged.
        let mut s = healthy();
        s.tasks.push(TaskFacts {
            blocked_at: None,
            ..blocked(100)
        });
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn slipping_tasks() {
        for (slips, want) in [
            (1, None),
            (2, Some(Severity::Low)),
            (5, Some(Severity::Medium)),
        ] {
            let mut s = healthy();
            s.tasks[2].slips = slips;
            let flags = evaluate(&s);
            match want {
                None => assert_eq!(flags, vec![]),
                Some(sev) => {
                    let f = only(&flags);
                    assert_eq!(f.kind, FlagKind::Slipping);
                    assert_eq!(f.severity, sev);
                    assert_eq!(f.actual, Some(Num::Count(slips)));
                    assert_eq!(f.tasks, vec![3]);
                    assert_eq!(f.lever, Lever::Replan);
                }
            }
        }
    }

    #[test]
    fn overloaded_owner_against_the_median() {
        assert_eq!(twice_median(&[]), None);
        assert_eq!(twice_median(&[3]), Some(6));
        assert_eq!(twice_median(&[1, 2, 1, 5]), Some(3)); // (1 + 2) / 2 = 1.5
        assert_eq!(twice_median(&[2, 4, 2]), Some(4));
        // Owners with 1, 1, 2 and 4 open tasks: median 1.5, and 4 > 3.
        let mut s = healthy();
        s.tasks = vec![
            task(1, UserId(1), H),
            task(2, UserId(2), H),
            task(3, UserId(3), H),
            task(4, UserId(3), H),
        ];
        s.tasks.extend((10..14).map(|n| task(n, UserId(4), 10 * H)));
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::Overloaded);
        assert_eq!(f.actual, Some(Num::Count(4)));
        assert_eq!(f.norm, Some(Num::Plain(MetricValue { num: 3, den: 2 })));
        assert_eq!(f.tasks, vec![10, 11, 12, 13]);
        assert_eq!(f.lever, Lever::SpreadLoad);
        // 2, 2, 4: exactly twice the median is not more than twice.
        let mut s = healthy();
        s.tasks = vec![
            task(1, UserId(1), H),
            task(2, UserId(1), H),
            task(3, UserId(2), H),
            task(4, UserId(2), H),
        ];
        s.tasks.extend((10..14).map(|n| task(n, UserId(3), 10 * H)));
        assert_eq!(evaluate(&s), vec![]);
        // Two owners only: no median to speak of.
        let mut s = healthy();
        s.tasks = vec![task(1, UserId(1), H)];
        s.tasks.extend((10..20).map(|n| task(n, UserId(2), 10 * H)));
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn channel_without_checkins() {
        let mut s = healthy();
        let t = s.today;
        s.days
            .retain(|d| !(d.channel == "wechat" && d.day >= back(t, 1)));
        resync_month_spend(&mut s);
        let f = only(&evaluate(&s)).clone();
        assert_eq!(f.kind, FlagKind::NoCheckin);
        assert_eq!(about(&f), "wechat");
        assert_eq!(f.actual, Some(Num::Days(2)));
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.lever, Lever::RequestCheckin);
        // Only today missing: fine.
        let mut s = healthy();
        s.days.retain(|d| !(d.channel == "wechat" && d.day == t));
        resync_month_spend(&mut s);
        assert_eq!(evaluate(&s), vec![]);
        // Never checked in, added 5 days ago: High; added today: silent; unknown: silent.
        for (created, want) in [
            (Some(back(t, 5)), Some(Severity::High)),
            (Some(t), None),
            (None, None),
        ] {
            let mut s = healthy();
            s.days.retain(|d| d.channel != "wechat");
            resync_month_spend(&mut s);
            chan_mut(&mut s, "wechat").created_on = created;
            let got: Vec<Severity> = evaluate(&s)
                .iter()
                .filter(|f| f.kind == FlagKind::NoCheckin)
                .map(|f| f.severity)
                .collect();
            assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{created:?}");
        }
        // A check-in dated in the future does not count.
        let mut s = healthy();
        s.days
            .retain(|d| !(d.channel == "wechat" && d.day >= back(t, 2)));
        s.days.push(DayTotals {
            channel: "wechat".into(),
            day: t.succ_opt().expect("tomorrow"),
            numbers: healthy_day(200_000).numbers(),
        });
        resync_month_spend(&mut s);
        assert_eq!(only(&evaluate(&s)).actual, Some(Num::Days(3)));
    }

    #[test]
    fn ordering_by_severity_then_stable_keys() {
        let mut s = healthy();
        s.tasks[2].slips = 2; // Low
        s.tasks.push(task(9, UserId(2), -72 * H)); // High
        edit_days(&mut s, "taobao", 0, 20, |t| t.clicks = 150); // Medium funnel
        s.days
            .retain(|d| !(d.channel == "xhs" && d.day >= back(today(), 1))); // Medium gap
        resync_month_spend(&mut s);
        let flags = evaluate(&s);
        let kinds: Vec<(Severity, u8)> =
            flags.iter().map(|f| (f.severity, f.kind.rank())).collect();
        assert_eq!(
            kinds,
            vec![
                // Data problems first (issue 15), then by severity.
                (Severity::Medium, FlagKind::NoCheckin.rank()),
                (Severity::High, FlagKind::Overdue.rank()),
                (Severity::Medium, FlagKind::FunnelStage.rank()),
                (Severity::Low, FlagKind::Slipping.rank()),
            ]
        );
        assert_eq!(top(&flags, 2), flags[..2].to_vec());
        assert_eq!(top(&flags, 99), flags);
        let mut rev = flags.clone();
        rev.reverse();
        assert_eq!(top(&rev, SUMMARY_TOP), flags);
        // Ties of kind and severity: by subject (channel name).
        let mut s = healthy();
        for c in ["xhs", "jd", "taobao"] {
            s.days
                .retain(|d| !(d.channel == c && d.day >= back(today(), 1)));
        }
        resync_month_spend(&mut s);
        let names: Vec<String> = evaluate(&s).iter().map(|f| about(f).to_string()).collect();
        assert_eq!(names, ["jd", "taobao", "xhs"]);
        // Too-early flags come after judged ones of the same severity.
        let a = Flag {
            kind: FlagKind::FunnelStage,
            subject: Subject::Team,
            actual: None,
            norm: None,
            severity: Severity::Low,
            lever: Lever::TestCreatives,
            too_early: true,
            tasks: vec![],
            also: vec![],
        };
        let b = Flag {
            too_early: false,
            kind: FlagKind::Slipping,
            ..a.clone()
        };
        assert_eq!(cmp_flags(&b, &a), Ordering::Less);
    }

    // ------------------------------------------------------------ properties

    /// A day's numbers, any of them possibly unreported (issue 14).
    fn totals_strategy() -> impl Strategy<Value = Numbers> {
        let o = |r: std::ops::Range<i64>| prop::option::of(r);
        (
            o(0i64..5_000_000),
            o(0i64..50_000),
            o(0i64..3_000),
            o(0i64..200),
            o(0i64..10_000_000),
            o(0i64..300),
            o(0i64..50),
        )
            .prop_map(
                |(spend, impressions, clicks, orders, gmv, leads, new_customers)| Numbers {
                    spend,
                    impressions,
                    clicks,
                    orders,
                    gmv,
                    leads,
                    new_customers,
                    interactions: None,
                },
            )
    }

    fn snapshot_strategy() -> impl Strategy<Value = Snapshot> {
        let names = prop::sample::select(vec!["a", "b", "c", "d"]);
        let tier = prop::sample::select(Tier::ALL.to_vec());
        let channel = (
            names.clone(),
            tier,
            prop_oneof![Just(0i64), -10i64..0, 0i64..2_000_000],
            prop::option::of(0i64..4),
            0i64..3_000_000,
            prop::option::of(0u64..40),
        );
        let metric = prop::sample::select(Metric::ALL.to_vec());
        let period = prop::option::of(prop::sample::select(vec![
            Period::Week,
            Period::Month,
            Period::Quarter,
        ]));
        let goal = (
            prop::option::of(names.clone()),
            metric,
            prop_oneof![Just(0i64), 0i64..2_000_000],
            any::<bool>(),
            period,
        );
        let day_row = (names.clone(), 0u64..30, totals_strategy());
        let task = (
            0i64..50,
            prop::option::of(0i64..5),
            -500_000i64..500_000,
            any::<bool>(),
            prop::option::of(-500_000i64..500_000),
            0i64..5,
        );
        (
            prop::collection::vec(channel, 0..5),
            prop::collection::vec(goal, 0..8),
            prop::collection::vec(day_row, 0..60),
            prop::collection::vec(task, 0..12),
            0u32..40,
            0u32..40,
            0u64..3_000,
        )
            .prop_map(|(chans, goals, days, tasks, dom, dim, back_days)| {
                let today = back(day(2027, 6, 30), back_days);
                Snapshot {
                    now: NOW,
                    today,
                    day_of_month: dom,
                    days_in_month: dim,
                    channels: chans
                        .into_iter()
                        .map(|(n, tier, budget, owner, spend, created)| ChannelFacts {
                            name: n.to_string(),
                            tier,
                            monthly_budget: budget,
                            owner: owner.map(UserId),
                            pending_owner: false,
                            month_spend: spend,
                            created_on: created.map(|c| back(today, c)),
                        })
                        .collect(),
                    goals: goals
                        .into_iter()
                        .map(|(ch, m, target, flip, period)| Goal {
                            scope: Scope::from_channel(ch.map(str::to_string)),
                            metric: m,
                            kind: period.map_or(natural_kind(m, flip), GoalKind::Volume),
                            target,
                        })
                        .collect(),
                    days: days
                        .into_iter()
                        .map(|(n, b, numbers)| DayTotals {
                            channel: n.to_string(),
                            day: back(today, b),
                            numbers,
                        })
                        .collect(),
                    tasks: tasks
                        .into_iter()
                        .map(|(number, owner, due, blocked, at, slips)| TaskFacts {
                            number,
                            owner: owner.map(UserId),
                            owner_name: format!("u{owner:?}"),
                            due_at: NOW + due,
                            status: if blocked {
                                TaskStatus::Blocked
                            } else {
                                TaskStatus::Open
                            },
                            blocked_at: at.map(|a| NOW + a),
                            slips,
                        })
                        .collect(),
                    festivals: Vec::new(),
                }
            })
    }

    proptest! {
        #[test]
        fn evaluate_never_panics_and_is_sorted(s in snapshot_strategy()) {
            let flags = evaluate(&s);
            for w in flags.windows(2) {
                prop_assert_ne!(cmp_flags(&w[0], &w[1]), Ordering::Greater);
            }
            for f in &flags {
                prop_assert!(!f.too_early || f.severity == Severity::Low);
            }
            prop_assert_eq!(top(&flags, SUMMARY_TOP).len(), flags.len().min(SUMMARY_TOP));
        }

        #[test]
        fn evaluate_ignores_input_order_of_days(s in snapshot_strategy()) {
            let mut r = s.clone();
            r.days.reverse();
            prop_assert_eq!(evaluate(&s), evaluate(&r));
        }
    }
}
