//! `campaign-bot demo`: a fresh database with a four-week sample campaign, run through the bot
//! in-process (the emulator and the console's [`Session`]), then the weekly review it produces:
//! the agenda at 16:00, the summary and its chart at 17:00, and every bottleneck.
//!
//! The campaign (deterministic): 5 people (alice leads; bob, carol, dave, erin own channels),
//! 4 channels — taobao and douyin core, xhs test, wechat reserve — with budgets, goals, recurring
//! tasks and 28 days of check-ins. Planted: taobao's CVR collapses in week 3; carol carries far
//! more open tasks than anyone; xhs (test) out-earns the core channels on ROI in weeks 3 and 4.

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{Duration, NaiveDate, TimeZone};

use crate::config::Settings;
use crate::console::terminal::{GROUP_ID, Session};
use crate::storage::{NewCheckin, Store};

/// The review day: Friday 2026-11-27; the demo starts at 15:50 in Shanghai.
const REVIEW_DAY: (i32, u32, u32) = (2026, 11, 27);
const DAYS: i64 = 28;

/// One channel's daily pattern (money in minor units).
struct Pattern {
    name: &'static str,
    spend: i64,
    impressions: i64,
    clicks: i64,
    /// Orders per 10,000 clicks, weeks 1–2 and weeks 3–4.
    cvr_bp: (i64, i64),
    /// Average order value, weeks 1–2 and weeks 3–4.
    aov: (i64, i64),
}

const PATTERNS: [Pattern; 4] = [
    Pattern {
        name: "taobao",
        spend: 120_000,
        impressions: 60_000,
        clicks: 1_500,
        cvr_bp: (400, 120), // the CVR collapse
        aov: (15_000, 15_000),
    },
    Pattern {
        name: "douyin",
        spend: 95_000,
        impressions: 80_000,
        clicks: 1_700,
        cvr_bp: (320, 320),
        aov: (6_500, 6_500),
    },
    Pattern {
        name: "xhs",
        spend: 48_000,
        impressions: 30_000,
        clicks: 900,
        cvr_bp: (350, 350),
        aov: (4_000, 8_500), // the test channel takes off
    },
    Pattern {
        name: "wechat",
        spend: 45_000,
        impressions: 10_000,
        clicks: 300,
        cvr_bp: (300, 300),
        aov: (25_000, 25_000),
    },
];

/// Day `i` (0 = the first of the 28) of channel `c`'s numbers.
fn day_numbers(p: &Pattern, c: usize, i: i64) -> (i64, i64, i64, i64, i64) {
    // A small deterministic wobble (±2%, a 5-day cycle) on spend and impressions.
    let wobble = ((i * 3 + c as i64) % 5) - 2;
    let spend = p.spend + p.spend * wobble / 100;
    let impressions = p.impressions + p.impressions * wobble / 100;
    let late = i >= 14;
    let (cvr, aov) = if late {
        (p.cvr_bp.1, p.aov.1)
    } else {
        (p.cvr_bp.0, p.aov.0)
    };
    let orders = p.clicks * cvr / 10_000;
    (spend, impressions, p.clicks, orders, orders * aov)
}

const SETUP: &[&str] = &[
    "/as bob",
    "hi, I run taobao",
    "/as carol",
    "hi, douyin here",
    "/as dave",
    "xhs here",
    "/as erin",
    "wechat here",
    "/as alice",
    "/timezone Asia/Shanghai",
    "/channel add taobao core 38000",
    "/channel add douyin core 30000",
    "/channel add xhs test 15000",
    "/channel add wechat reserve 15000",
    "/channel owner taobao @bob",
    "/channel owner douyin @carol",
    "/channel owner xhs @dave",
    "/channel owner wechat @erin",
    "/goal gmv 50万 month",
    "/goal cvr >= 3%",
    "/goal ctr >= 2%",
    "/goal roi >= 3",
    "/task @bob Taobao daily numbers due today 23:00 every day #taobao",
    "/task @dave Publish 3 xhs notes due sun 18:00 every week #xhs",
    "/task @erin WeChat community post due tomorrow 12:00 every weekday #wechat",
    "/task @carol Douyin live-stream script due tomorrow 18:00 #douyin",
    "/task @carol Douyin creative batch B due tomorrow 20:00 #douyin",
    "/task @carol Influencer shortlist due sat 18:00 #douyin",
    "/task @carol Double-12 price plan due sun 18:00",
    "/task @carol Douyin shop page refresh due mon 18:00 #douyin",
    "/task @carol Live-stream host briefing due tue 18:00 #douyin",
    "/task @carol Douyin ad audit due wed 18:00 #douyin",
    "/task @carol Weekly douyin report due fri 12:00 every week #douyin",
    "/review fri 17:00",
];

/// Entry point of `campaign-bot demo`.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let out_dir = std::env::temp_dir().join(format!(
        "campaign-bot-demo-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let explicit_db = std::env::var("DATABASE_URL").is_ok_and(|v| !v.is_empty());
    let db_url = if explicit_db {
        settings.database_url.clone()
    } else {
        format!("sqlite://{}", out_dir.join("demo.db").display())
    };
    let store = Store::open(&db_url)
        .await
        .with_context(|| format!("cannot open {db_url}"))?;
    let lang = settings.default_lang;
    let (y, m, d) = REVIEW_DAY;
    let review_day = NaiveDate::from_ymd_opt(y, m, d).context("review day")?;
    let start = chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, m, d, 15, 50, 0)
        .single()
        .context("start time")?
        .timestamp();
    let mut session = Session::start(settings, store.clone(), lang, start, out_dir.clone()).await?;
    println!("campaign-bot demo — a four-week sample campaign (database: {db_url})");
    println!(
        "Team \"Promo Team\": alice (lead, admin), bob, carol, dave, erin; channels taobao, douyin (core), xhs (test), wechat (reserve)."
    );
    for line in SETUP {
        let out = session.line(line).await?;
        tracing::debug!(line, ?out, "demo setup");
    }
    // 28 days of check-ins ending on the review day.
    let first = review_day - Duration::days(DAYS - 1);
    let days: Vec<String> = (0..DAYS)
        .map(|i| (first + Duration::days(i)).format("%Y-%m-%d").to_string())
        .collect();
    let mut rows = Vec::new();
    for (c, p) in PATTERNS.iter().enumerate() {
        for (i, day) in days.iter().enumerate() {
            let (spend, impressions, clicks, orders, gmv) = day_numbers(p, c, i as i64);
            rows.push(NewCheckin {
                chat_id: GROUP_ID,
                channel: p.name,
                day,
                creative: "",
                spend: Some(spend),
                impressions: Some(impressions),
                clicks: Some(clicks),
                orders: Some(orders),
                gmv: Some(gmv),
                leads: None,
                new_customers: None,
                interactions: None,
                author_id: None,
            });
        }
    }
    store.import_checkins(&rows, start).await?;
    println!(
        "{} check-ins from {} to {}; the weekly review is set for Friday 17:00 (Asia/Shanghai).\n",
        rows.len(),
        days[0],
        days[days.len() - 1]
    );
    let mut chart: Option<PathBuf> = None;
    for line in ["/advance 10m", "/advance 1h", "/bottlenecks"] {
        println!("» {line}");
        for out in session.line(line).await? {
            if let Some(path) = out
                .split("[file written: ")
                .nth(1)
                .and_then(|r| r.split(']').next())
            {
                chart.get_or_insert(PathBuf::from(path));
            }
            println!("{out}\n");
        }
    }
    session.stop().await;
    match chart {
        Some(path) => println!("Chart written to {}", path.display()),
        None => println!("(no chart was produced)"),
    }
    println!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}
