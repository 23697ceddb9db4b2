//! The weekly summary: building it (snapshot + judgement + text + chart) for a large team, and
//! sending 300 of them at once through Throttle against the emulator with Telegram's limits.
//!
//! cargo bench --bench summary

use campaign_bot::domain::ids::{ChatId, UserId};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};
use futures::StreamExt;

use campaign_bot::app::{self, App};
use campaign_bot::clock::{ManualClock, SharedClock};
use campaign_bot::config::{CommonArgs, Settings};
use campaign_bot::console::emulator::{ChatKind, Emulator};
use campaign_bot::domain::lang::Lang;
use campaign_bot::domain::review::Span;
use campaign_bot::report::chart::render_png_aside;
use campaign_bot::storage::{NewCheckin, NewTask, NewTeam, Store, Team};
use campaign_bot::telegram::photo::send_text_and_png;
use campaign_bot::views::Html;
use campaign_bot::views::summary::{SUMMARY_PNG, SummaryMessage, summary_message};

/// 2026-11-02 09:00 UTC.
const NOW: i64 = 1_793_610_000;
const CHANNELS: [&str; 10] = [
    "taobao", "jd", "douyin", "xhs", "wechat", "pdd", "kuaishou", "bili", "weibo", "zhihu",
];

async fn big_team(store: &Store, chat_id: i64) {
    store
        .ensure_team(
            &NewTeam {
                chat_id: ChatId(chat_id),
                title: "big",
                detected_lang: Some("en"),
                tz: "Asia/Shanghai",
            },
            NOW,
        )
        .await
        .unwrap();
    for (i, name) in CHANNELS.iter().enumerate() {
        let tier = if i < 3 {
            "core"
        } else if i < 6 {
            "test"
        } else {
            "reserve"
        };
        store
            .add_channel(
                ChatId(chat_id),
                name,
                campaign_bot::domain::playbook::Tier::from_stored(tier),
                3_000_000,
                NOW,
            )
            .await
            .unwrap();
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let days: Vec<String> = (0..365)
        .map(|d| (today - Days::days(d)).format("%Y-%m-%d").to_string())
        .collect();
    let mut rows = Vec::new();
    for day in &days {
        for (i, name) in CHANNELS.iter().enumerate() {
            let k = i as i64 + 1;
            rows.push(NewCheckin {
                chat_id: ChatId(chat_id),
                channel: name,
                day,
                creative: "",
                spend: Some(50_000 * k),
                impressions: Some(40_000 * k),
                clicks: Some(1_200 * k),
                orders: Some(30 * k),
                gmv: Some(600_000 * k),
                leads: None,
                new_customers: Some(10 * k),
                interactions: None,
                author_id: Some(UserId(1)),
            });
        }
    }
    for chunk in rows.chunks(500) {
        store.import_checkins(chunk, NOW).await.unwrap();
    }
    for n in 0..500 {
        let task = NewTask {
            chat_id: ChatId(chat_id),
            title: format!("task {n}"),
            done_when: None,
            owner_id: Some(UserId(1 + n % 7)),
            owner_username: None,
            creator_id: UserId(1),
            channel: None,
            due_at: NOW - 5 * 86_400 + n * 3_600,
            recur: None,
            series_id: None,
            source_message: None,
        };
        store.create_task(&task, NOW - 10 * 86_400).await.unwrap();
    }
}

/// The summary as the scheduler builds it: service data, then the view.
/// The summary's text, its chart drawn as the bot draws it, and the caption.
async fn build_summary(app: &App, team: &Team) -> (Html, Vec<u8>, Html) {
    let data = app.ctx.summary(team, Span::Week, false).await.unwrap();
    let SummaryMessage {
        text,
        chart,
        caption,
    } = summary_message(&data, Lang::En);
    (text, render_png_aside(chart).await.expect("chart"), caption)
}

fn settings(url: &str) -> Settings {
    Settings::from_args(&CommonArgs {
        token: None,
        api_url: None,
        database_url: Some(url.to_string()),
        default_lang: None,
        default_tz: None,
        webhook_secret: None,
        port: None,
    })
    .unwrap()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::open(&url).await.unwrap();
    let clock: SharedClock = ManualClock::new(NOW);
    let emulator = Emulator::start(clock.clone()).await.unwrap();

    // 1. One big team: 10 channels × 365 days, 500 tasks.
    let big = -1;
    emulator.add_chat(big, ChatKind::Supergroup, "big");
    big_team(&store, big).await;
    let bot = app::make_bot(
        &emulator.token(),
        Some(&emulator.api_url()),
        app::telegram_limits(),
    );
    let app = App::new(settings(&url), clock.clone(), store.clone(), bot.clone());
    let team = store.team(ChatId(big)).await.unwrap().unwrap();
    let mut times = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        let (_, png, _) = build_summary(&app, &team).await;
        times.push(started.elapsed());
        assert!(png.starts_with(b"\x89PNG"));
    }
    times.sort();
    println!(
        "summary + chart, 10 channels × 365 days, 500 tasks: median {:.1?}, max {:.1?}",
        times[15], times[29]
    );

    // 2. Fan-out: 300 teams' summaries sent at once through Throttle (Telegram's limits).
    let teams: Vec<i64> = (0..300).map(|i| -10_000 - i).collect();
    for chat in &teams {
        emulator.add_chat(*chat, ChatKind::Supergroup, "team");
        store
            .ensure_team(
                &NewTeam {
                    chat_id: ChatId(*chat),
                    title: "team",
                    detected_lang: Some("en"),
                    tz: "Asia/Shanghai",
                },
                NOW,
            )
            .await
            .unwrap();
        store
            .add_channel(
                ChatId(*chat),
                "xhs",
                campaign_bot::domain::playbook::Tier::Core,
                1_000_000,
                NOW,
            )
            .await
            .unwrap();
    }
    let mut built = Vec::new();
    for chat in &teams {
        let team = store.team(ChatId(*chat)).await.unwrap().unwrap();
        built.push((*chat, build_summary(&app, &team).await));
    }
    let before = emulator.sent_count();
    let started = Instant::now();
    futures::stream::iter(built)
        .map(|(chat, msg)| {
            let bot = bot.clone();
            async move {
                let (text, png, caption) = msg;
                send_text_and_png(
                    &bot,
                    ChatId(chat),
                    text.as_str(),
                    Some(png),
                    SUMMARY_PNG,
                    caption.as_str(),
                )
                .await
                .unwrap()
            }
        })
        .buffer_unordered(64)
        .collect::<Vec<()>>()
        .await;
    let took = started.elapsed();
    let messages = emulator.sent_count() - before;
    let ideal = Duration::from_secs_f64(messages as f64 / 30.0);
    println!(
        "fan-out: {messages} messages (300 summaries: text + image) in {took:.2?}; Telegram's 30/s floor is {ideal:.2?} → {:.2}×; rejected: {}",
        took.as_secs_f64() / ideal.as_secs_f64(),
        emulator.rejections().len()
    );
}
