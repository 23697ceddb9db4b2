//! The planted scenarios of `tests/judgement.rs` (issue 15): each plants one or more causes in
//! an otherwise healthy team and names the flags that must appear (each a set of phrases that
//! must share one flag's line) and the phrases that must not appear anywhere.
//!
//! The healthy team: taobao (core, 65,000.00 a month, bob), xhs (test, 15,000.00, wang), wechat
//! (reserve, 20,000.00, alice); goals CVR ≥ 4% and CTR ≥ 2%; every channel checks in every day
//! for the 35 days up to today with budget/31 spent, 20,000 impressions, 600 clicks (CTR 3%),
//! 30 orders (CVR 5%) and ROI 4.

use chrono::NaiveDate;

/// One day's numbers.
#[derive(Clone, Copy, Debug)]
pub struct Day {
    pub spend: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub orders: i64,
    pub gmv: i64,
}

/// A task: owner, due (seconds from now), blocked for (hours), and how often it slipped.
#[derive(Clone, Copy, Debug)]
pub struct Tk {
    pub owner: i64,
    pub due_in: i64,
    pub blocked_hours: Option<i64>,
}

/// An edit of the healthy numbers: `(channel, days before today, healthy day)` → the day's
/// numbers, or `None` for no check-in.
pub type Edit = fn(&str, i64, Day) -> Option<Day>;

pub struct Scenario {
    pub name: &'static str,
    pub planted: &'static str,
    pub today: NaiveDate,
    pub edit: Edit,
    /// Channels without an owner.
    pub unowned: &'static [&'static str],
    /// Channels added today (their numbers backfilled).
    pub added_today: &'static [&'static str],
    pub tasks: &'static [Tk],
    /// Extra goals: (metric, channel, direction, value).
    pub goals: &'static [(&'static str, &'static str, &'static str, i64)],
    pub expect: &'static [&'static [&'static str]],
    pub forbid: &'static [&'static str],
    /// Phrases the `/summary` must hold.
    pub summary_has: &'static [&'static str],
    /// The team speaks Chinese (`/lang zh`).
    pub zh: bool,
    /// The team set no goals (not even the healthy team's CVR and CTR goals).
    pub no_goals: bool,
    /// What the last summary showed (cause, subject key, severity 0–2, first seen), as the
    /// scheduler stores it once a summary is sent.
    pub shown_before: &'static [(&'static str, &'static str, i64, &'static str)],
    /// The team's own festivals, added with `/festival add <these>`.
    pub festivals: &'static [&'static str],
}

pub const ALICE: i64 = 501;
pub const BOB: i64 = 502;
pub const WANG: i64 = 503;

const fn date(m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(2026, m, d) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

/// Friday 2026-11-20, day 20 of 30.
pub const FRI: NaiveDate = date(11, 20);
const H: i64 = 3600;

fn same(_: &str, _: i64, d: Day) -> Option<Day> {
    Some(d)
}

fn scale(d: Day, num: i64, den: i64) -> Day {
    Day {
        impressions: d.impressions * num / den,
        clicks: d.clicks * num / den,
        orders: d.orders * num / den,
        gmv: d.gmv * num / den,
        ..d
    }
}

const NONE: &[Tk] = &[];

macro_rules! sc {
    ($name:expr, $planted:expr, $edit:expr, expect: $expect:expr, forbid: $forbid:expr $(, $k:ident: $v:expr)* $(,)?) => {
        Scenario {
            name: $name,
            planted: $planted,
            edit: $edit,
            expect: $expect,
            forbid: $forbid,
            $($k: $v,)*
            ..Scenario::base()
        }
    };
}

impl Scenario {
    const fn base() -> Scenario {
        Scenario {
            name: "",
            planted: "",
            today: FRI,
            edit: same,
            unowned: &[],
            added_today: &[],
            tasks: NONE,
            goals: &[],
            expect: &[],
            forbid: &[],
            summary_has: &[],
            zh: false,
            no_goals: false,
            shown_before: &[],
            festivals: &[],
        }
    }
}

pub fn all() -> Vec<Scenario> {
    vec![
        sc!("healthy", "nothing", same, expect: &[], forbid: &["🔴", "🟠"]),
        sc!("cvr_collapse", "xhs converts at 1% this week (5% before)",
            |c, ago, d| Some(if c == "xhs" && ago < 7 { Day { orders: 6, gmv: d.gmv / 5, ..d } } else { d }),
            expect: &[&["#xhs · CVR: 1.00% this week, below the goal 4.00%", "CVR down 80.00% week over week", "GMV down 80.00% week over week"]],
            forbid: &["the funnel fell at"]),
        sc!("ctr_collapse", "taobao's CTR fell to 1% this week",
            |c, ago, d| Some(if c == "taobao" && ago < 7 { Day { clicks: 200, orders: 10, gmv: d.gmv / 3, ..d } } else { d }),
            expect: &[&["#taobao · CTR: 1.00% this week, below the goal 2.00%", "CTR down", "GMV down"]],
            forbid: &["#taobao · CVR"]),
        sc!("orders_stopped", "xhs: 0 orders for 3 days, clicks as usual (tracking broke)",
            |c, ago, d| Some(if c == "xhs" && ago < 3 { Day { orders: 0, gmv: 0, ..d } } else { d }),
            expect: &[&["#xhs: 0 orders for the last 3 days", "check tracking"]],
            forbid: &["#xhs · CVR", "detail page", "GMV down"]),
        sc!("spend_no_impressions", "taobao reported spend with 0 impressions yesterday",
            |c, ago, d| Some(if c == "taobao" && ago == 1 { Day { impressions: 0, ..d } } else { d }),
            expect: &[&["#taobao:", "with no impressions", "check the numbers for 11-19"]],
            forbid: &["#taobao · CTR"]),
        sc!("typo_spend", "taobao's spend yesterday typed 10× too big",
            |c, ago, d| Some(if c == "taobao" && ago == 1 { Day { spend: d.spend * 10, ..d } } else { d }),
            expect: &[&["#taobao: spend", "check the numbers for 11-19"]],
            forbid: &["month-end spend projected", "ROI", "spend at"]),
        sc!("typo_orders", "xhs's orders 2 days ago typed 10× too big",
            |c, ago, d| Some(if c == "xhs" && ago == 2 { Day { orders: d.orders * 10, ..d } } else { d }),
            expect: &[&["#xhs: orders", "check the numbers for 11-18"]],
            forbid: &["#xhs · AOV", "#xhs · CVR"]),
        sc!("numbers_stopped", "wechat stopped checking in 3 days ago",
            |c, ago, d| if c == "wechat" && ago < 3 { None } else { Some(d) },
            expect: &[&["#wechat: no numbers for 3 days"]],
            forbid: &["spend pace", "spend at"]),
        sc!("backfilled", "wechat added today, numbers backfilled up to 3 days ago",
            |c, ago, d| if c == "wechat" && ago < 3 { None } else { Some(d) },
            expect: &[&["#wechat: no numbers for 3 days"]],
            forbid: &["spend at"],
            // The gap line agrees with the flag (it used to count from the day the channel was
            // added: "1 day(s)").
            summary_has: &["#wechat: 3 day(s) without numbers (last: 11-17)"],
            added_today: &["wechat"]),
        sc!("day_two", "day 2 of December: two days of numbers for taobao, none for the others",
            |c, ago, d| if c != "taobao" && ago < 2 { None } else { Some(d) },
            expect: &[&["#xhs: no numbers for 2 days"], &["#wechat: no numbers for 2 days"]],
            forbid: &["spend at", "0.00%", "projected"],
            today: date(12, 2),
            summary_has: &["#taobao: ¥4,193.54 of ¥65,000.00 · pace — · projected — · too early to project",
                "#xhs: ¥0.00 of ¥15,000.00 · pace — · projected — · no numbers this month"]),
        sc!("no_december_numbers", "day 10: wechat has no numbers this month",
            |c, ago, d| if c == "wechat" && ago < 10 { None } else { Some(d) },
            expect: &[&["#wechat: no numbers for 10 days"]],
            forbid: &["spend pace", "spend at", "too early"],
            today: date(12, 10)),
        sc!("no_owners", "nobody owns any channel", same,
            expect: &[&["no owner: #taobao, #wechat, #xhs"]],
            forbid: &["nobody owns"],
            unowned: &["taobao", "xhs", "wechat"]),
        sc!("too_early", "xhs and wechat have too little volume for their CTR goal",
            |c, _, d| Some(if c == "taobao" { d } else { Day { impressions: 100, clicks: 3, orders: 0, gmv: 0, ..d } }),
            expect: &[&["too early to judge", "#xhs · CTR", "#wechat · CTR"]],
            forbid: &[]),
        sc!("person_one_line", "bob: two overdue tasks and a third blocked 30 h", same,
        expect: &[&["bob: 2 overdue task(s) #1, #2", "task #3 blocked for 30 h"]],
        forbid: &[],
        tasks: &[
            Tk { owner: BOB, due_in: -72 * H, blocked_hours: None },
            Tk { owner: BOB, due_in: -H, blocked_hours: None },
            Tk { owner: BOB, due_in: 48 * H, blocked_hours: Some(30) },
        ]),
        sc!("overloaded", "alice holds 7 open tasks, bob and wang one each", same,
        expect: &[&["alice: 7 open tasks"]],
        forbid: &[],
        tasks: &[
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: ALICE, due_in: 48 * H, blocked_hours: None },
            Tk { owner: BOB, due_in: 48 * H, blocked_hours: None },
            Tk { owner: WANG, due_in: 48 * H, blocked_hours: None },
        ]),
        sc!("overspend", "xhs spends twice its budget's pace all month",
            |c, ago, d| Some(if c == "xhs" && ago < 20 { Day { spend: d.spend * 2, gmv: d.gmv * 2, ..d } } else { d }),
            expect: &[&["#xhs: month-end spend projected", "spending at"]],
            forbid: &["#xhs · spend pace"]),
        sc!("underspend", "taobao spends half its budget's pace all month",
            |c, ago, d| Some(if c == "taobao" && ago < 20 { Day { spend: d.spend / 2, gmv: d.gmv / 2, ..d } } else { d }),
            expect: &[&["#taobao · spend pace: spend at"]],
            forbid: &["projected"]),
        sc!("reach_fell", "xhs's impressions halved this week, so did GMV",
            |c, ago, d| Some(if c == "xhs" && ago < 7 { scale(d, 1, 2) } else { d }),
            expect: &[&["#xhs: GMV down 50.00% week over week", "the funnel fell at spend pace"]],
            forbid: &["#xhs · CVR", "#xhs · CTR"]),
        sc!("test_beats_core", "test channel xhs returns 8× two weeks running, core taobao 4×",
            |c, _, d| Some(if c == "xhs" { Day { gmv: d.gmv * 2, ..d } } else { d }),
            expect: &[&["#xhs · ROI: the test channel's ROI", "beat core #taobao"]],
            forbid: &[]),
        sc!("orders_stopped_and_overdue", "xhs orders stopped 2 days ago; bob has an overdue task",
            |c, ago, d| Some(if c == "xhs" && ago < 2 { Day { orders: 0, gmv: 0, ..d } } else { d }),
            expect: &[&["#xhs: 0 orders for the last 2 days"], &["bob: 1 overdue task(s) #1"]],
            forbid: &["#xhs · CVR", "GMV down"],
            tasks: &[Tk { owner: BOB, due_in: -3 * H, blocked_hours: None }]),
        sc!("after_double_11", "xhs sold 3× in the 双11 week (11-07..11-13), normal since: not a drop",
            |c, ago, d| Some(if c == "xhs" && (7..14).contains(&ago) { Day { orders: d.orders * 3, gmv: d.gmv * 3, ..d } } else { d }),
            expect: &[],
            forbid: &["GMV down", "🔴", "🟠"]),
        sc!("drop_in_double_12_week", "12-14: taobao's GMV halved in the 双12 week: below the CVR goal, not called a week-over-week drop",
            |c, ago, d| Some(if c == "taobao" && ago < 7 { Day { orders: d.orders / 2, gmv: d.gmv / 2, ..d } } else { d }),
            expect: &[&["#taobao · CVR: 2.50% this week, below the goal 4.00%"]],
            forbid: &["GMV down", "CVR down"],
            summary_has: &["🎉 双12 (12-12) this week: not compared week over week"],
            today: date(12, 14)),
        sc!("zh_double_11_week", "11-13，中文团队：xhs 在双11当天卖了 3 倍；本周有双11，摘要说明不做周环比",
            |c, ago, d| Some(if c == "xhs" && ago == 2 { Day { orders: d.orders * 3, gmv: d.gmv * 3, ..d } } else { d }),
            expect: &[],
            forbid: &["环比下降", "🔴", "🟠"],
            summary_has: &["🎉 本周有双11（11月11日），不做周环比"],
            today: date(11, 13),
            zh: true),
        sc!("zh_collapse_and_owners", "中文团队：xhs 转化率暴跌；taobao、wechat 无负责人",
            |c, ago, d| Some(if c == "xhs" && ago < 7 { Day { orders: 6, gmv: d.gmv / 5, ..d } } else { d }),
            expect: &[&["#xhs · 转化率：", "；转化率环比下降 80.00%", "；成交额环比下降 80.00%"], &["无负责人：#taobao、#wechat"]],
            forbid: &["below", "no owner"],
            unowned: &["taobao", "wechat"],
            zh: true),
        sc!("three_causes", "taobao's CTR fell; wechat stopped checking in; xhs has no owner",
            |c, ago, d| match c {
                "taobao" if ago < 7 => Some(Day { clicks: 200, orders: 10, gmv: d.gmv / 3, ..d }),
                "wechat" if ago < 3 => None,
                _ => Some(d),
            },
            expect: &[&["#taobao · CTR"], &["#wechat: no numbers for 3 days"], &["#xhs: nobody owns this channel"]],
            forbid: &[],
            unowned: &["xhs"]),
        sc!("no_goals_sudden_cvr_fall", "no goals set; xhs converts at 1% on the last 2 days (5% before)",
            |c, ago, d| Some(if c == "xhs" && ago < 2 { Day { orders: 6, gmv: d.gmv / 5, ..d } } else { d }),
            expect: &[&["#xhs · CVR: 1.00% on 11-20, well below its own norm 5.00%", "2 day(s) running"]],
            forbid: &["below the goal", "#xhs · CTR", "#xhs · CPC"],
            no_goals: true),
        sc!("no_goals_new_normal", "no goals set; xhs's CTR has been 2% (3% before) for 4 days: the new normal",
            |c, ago, d| Some(if c == "xhs" && ago < 4 { Day { clicks: 400, orders: 20, gmv: d.gmv * 2 / 3, ..d } } else { d }),
            expect: &[],
            forbid: &["norm", "🔴", "🟠"],
            no_goals: true),
        sc!("repeat_open_since", "xhs's CVR collapse, already in the summary of 11-13 and no worse: open since 11-13",
            |c, ago, d| Some(if c == "xhs" && ago < 7 { Day { orders: 6, gmv: d.gmv / 5, ..d } } else { d }),
            expect: &[&["#xhs · CVR: 1.00% this week, below the goal 4.00%", "open since 11-13"]],
            forbid: &["Resolved"],
            summary_has: &["open since 11-13"],
            shown_before: &[("funnel", "channel:xhs:cvr", 2, "2026-11-13")]),
        sc!("repeat_below_new", "wechat's missing numbers, shown in the agenda of 11-19 and no worse, go below xhs's new CVR collapse (data problems otherwise lead)",
            |c, ago, d| match c {
                "xhs" if ago < 7 => Some(Day { orders: 6, gmv: d.gmv / 5, ..d }),
                "wechat" if ago < 3 => None,
                _ => Some(d),
            },
            expect: &[&["#xhs · CVR: 1.00% this week"], &["#wechat: no numbers for 3 days · open since 11-19"]],
            forbid: &["Resolved"],
            summary_has: &["check price, reviews and stock\n🟠 #wechat: no numbers for 3 days · open since 11-19"],
            shown_before: &[("no_checkin", "channel:wechat:", 1, "2026-11-19")]),
        sc!("resolved", "the summary of 11-13 flagged wechat's missing numbers and xhs's CVR; both fixed since",
            same,
            expect: &[],
            forbid: &["🔴", "🟠", "open since"],
            summary_has: &["✅ Resolved since the last summary: #xhs · CVR, #wechat (no numbers)"],
            shown_before: &[("no_checkin", "channel:wechat:", 2, "2026-11-13"), ("funnel", "channel:xhs:cvr", 1, "2026-11-06")]),
        sc!("team_festival", "the team's own sale day 11-18 (/festival add): taobao's GMV halved this week is not a week-over-week drop",
            |c, ago, d| Some(if c == "taobao" && ago < 7 { Day { orders: d.orders / 2, gmv: d.gmv / 2, ..d } } else { d }),
            expect: &[&["#taobao · CVR: 2.50% this week, below the goal 4.00%"]],
            forbid: &["GMV down", "CVR down"],
            summary_has: &["🎉 Brand Day (11-18) this week: not compared week over week"],
            festivals: &["2026-11-18 Brand Day"]),
        sc!("nian_huo_jie", "02-03, inside 年货节 (01-28..02-09): xhs's halved GMV is not a week-over-week drop",
            |c, ago, d| Some(if c == "xhs" && ago < 7 { Day { orders: d.orders / 2, gmv: d.gmv / 2, ..d } } else { d }),
            expect: &[&["#xhs · CVR: 2.50% this week, below the goal 4.00%"]],
            forbid: &["GMV down", "CVR down"],
            summary_has: &["🎉 年货节 (01-28 – 02-09) this week: not compared week over week"],
            today: date(2, 3)),
    ]
}
