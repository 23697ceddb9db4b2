//! The planted-scenario suite of issue 15, through the emulator on both backends: each
//! scenario of `support/judgement_scenarios.rs` is loaded into a fresh team, the clock set to its
//! day, and `/bottlenecks` and `/summary` asked in the group. Scored per scenario: every planted
//! cause named (each expected flag's phrases on one flag's line), at most one extra flag, never
//! more than 5 flags, nothing forbidden said. Prints the score and the table; with
//! `JUDGEMENT_DOC=1` the SQLite run writes the table to `docs/JUDGEMENT.md`.

#[macro_use]
mod common;
#[path = "support/judgement_scenarios.rs"]
mod scenarios;

use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::playbook::Tier;
use campaign_bot::storage::{NewCheckin, NewGoal, NewTask, TaskChange};
use chrono::NaiveDate;
use common::{GROUP, T0, TestApp, TestDb};
use scenarios::{ALICE, BOB, Day, Scenario, WANG};

const DAY: i64 = 86_400;
const HISTORY: i64 = 35;

/// 04:00 UTC of a day: the same calendar day in UTC and in Asia/Shanghai.
fn morning(d: NaiveDate) -> i64 {
    d.and_hms_opt(4, 0, 0).expect("time").and_utc().timestamp()
}

fn healthy(budget: i64) -> Day {
    let spend = budget / 31;
    Day {
        spend,
        impressions: 20_000,
        clicks: 600,
        orders: 30,
        gmv: spend * 4,
    }
}

async fn load(app: &mut TestApp, sc: &Scenario) {
    for who in [ALICE, BOB, WANG] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
    let now = morning(sc.today);
    let store = app.ctx.store.clone();
    let channels = [
        ("taobao", Tier::Core, 6_500_000, BOB, "bob"),
        ("xhs", Tier::Test, 1_500_000, WANG, "wang"),
        ("wechat", Tier::Reserve, 2_000_000, ALICE, "alice"),
    ];
    let mut rows_owned = Vec::new();
    for (name, tier, budget, owner, uname) in channels {
        let created = if sc.added_today.contains(&name) {
            now
        } else {
            now - 60 * DAY
        };
        let c = store
            .add_channel(ChatId(GROUP), name, tier, budget, created)
            .await
            .expect("channel");
        if !sc.unowned.contains(&name) {
            store
                .set_channel_owner(c.id, Some(UserId(owner)), Some(uname), created)
                .await
                .expect("owner");
        }
        for ago in 0..HISTORY {
            let day = sc.today - chrono::Duration::days(ago);
            if let Some(d) = (sc.edit)(name, ago, healthy(budget)) {
                rows_owned.push((name, day.format("%Y-%m-%d").to_string(), d));
            }
        }
    }
    let rows: Vec<NewCheckin> = rows_owned
        .iter()
        .map(|(name, day, d)| NewCheckin {
            chat_id: ChatId(GROUP),
            channel: name,
            day,
            creative: "",
            spend: Some(d.spend),
            impressions: Some(d.impressions),
            clicks: Some(d.clicks),
            orders: Some(d.orders),
            gmv: Some(d.gmv),
            leads: None,
            new_customers: None,
            interactions: None,
            author_id: Some(UserId(BOB)),
        })
        .collect();
    store.import_checkins(&rows, T0).await.expect("import");
    let healthy_goals = [
        ("cvr", "", "at_least", 40_000),
        ("ctr", "", "at_least", 20_000),
    ];
    let goals: &[(&str, &str, &str, i64)] = if sc.no_goals { &[] } else { &healthy_goals };
    for (metric, channel, direction, value) in goals.iter().chain(sc.goals) {
        store
            .set_goal(
                &NewGoal {
                    chat_id: ChatId(GROUP),
                    metric,
                    channel,
                    direction,
                    period: "",
                    value: *value,
                },
                T0,
            )
            .await
            .expect("goal");
    }
    for (i, t) in sc.tasks.iter().enumerate() {
        let uname = match t.owner {
            ALICE => "alice",
            BOB => "bob",
            _ => "wang",
        };
        let task = store
            .create_task(
                &NewTask {
                    chat_id: ChatId(GROUP),
                    title: format!("task {i}"),
                    done_when: None,
                    owner_id: Some(UserId(t.owner)),
                    owner_username: Some(uname.into()),
                    creator_id: UserId(ALICE),
                    channel: None,
                    due_at: now + t.due_in,
                    recur: None,
                    series_id: None,
                    source_message: None,
                },
                T0,
            )
            .await
            .expect("task");
        if let Some(h) = t.blocked_hours {
            let change = TaskChange::Block {
                reason: "waiting".into(),
            };
            store
                .change_task(task.id, &change, Some(UserId(ALICE)), now - h * 3600)
                .await
                .expect("block");
        }
    }
    for f in sc.festivals {
        let added = app.reply(GROUP, ALICE, &format!("/festival add {f}")).await;
        assert!(added.contains("Added"), "{added}");
    }
    for (cause, subject, severity, first_seen) in sc.shown_before {
        // What the scheduler stores when it sends a summary (see `Store::job_sent_remembering`).
        store
            .execute_raw(&format!(
                "INSERT INTO shown_flags (chat_id, cause, subject, severity, first_seen) \
                 VALUES ({GROUP}, '{cause}', '{subject}', {severity}, '{first_seen}')"
            ))
            .await
            .expect("shown flags");
    }
    app.clock.advance(now - T0);
    if sc.zh {
        app.reply(GROUP, ALICE, "/lang zh").await;
    }
}

/// The flags of a `/bottlenecks` reply, one string per flag (finding and lever).
fn flag_blocks(plain: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in plain.lines() {
        if ["🔴", "🟠", "⚪", "⏳"].iter().any(|i| line.starts_with(i)) {
            blocks.push(line.to_string());
        } else if let Some(b) = blocks.last_mut() {
            b.push('\n');
            b.push_str(line);
        }
    }
    blocks
}

struct Outcome {
    named: bool,
    extra: usize,
    total: usize,
    summary_shown: usize,
    forbidden: Vec<&'static str>,
    got: Vec<String>,
}

impl Outcome {
    fn pass(&self) -> bool {
        self.named
            && self.extra <= 1
            && self.total <= 5
            && self.summary_shown <= 5
            && self.summary_shown == self.total.min(5)
            && self.forbidden.is_empty()
    }
}

async fn run(mut app: TestApp, sc: &Scenario) -> (TestDb, Outcome) {
    load(&mut app, sc).await;
    let plain =
        campaign_bot::telegram::send::strip_html(&app.reply(GROUP, BOB, "/bottlenecks").await);
    let blocks = flag_blocks(&plain);
    // Each expected flag claims a distinct flag line holding all its phrases.
    let mut used = vec![false; blocks.len()];
    let mut named = true;
    for want in sc.expect {
        let hit =
            (0..blocks.len()).find(|&i| !used[i] && want.iter().all(|p| blocks[i].contains(p)));
        match hit {
            Some(i) => used[i] = true,
            None => named = false,
        }
    }
    let sent = app.say(GROUP, BOB, "/summary").await;
    let summary = sent
        .iter()
        .map(|m| campaign_bot::telegram::send::strip_html(&m.text))
        .max_by_key(String::len) // the text, not the picture's caption
        .unwrap_or_default();
    let summary_ok = sc.summary_has.iter().all(|p| summary.contains(p));
    if !summary_ok {
        eprintln!(
            "{}: the summary lacks {:?}:\n{summary}",
            sc.name, sc.summary_has
        );
    }
    let named = named && summary_ok;
    // Only the summary's bottleneck list has lines starting with a flag icon.
    let summary_shown = flag_blocks(&summary).len();
    let outcome = Outcome {
        named,
        extra: used.iter().filter(|u| !**u).count(),
        total: blocks.len(),
        summary_shown,
        forbidden: sc
            .forbid
            .iter()
            .copied()
            .filter(|p| plain.contains(p))
            .collect(),
        got: blocks
            .iter()
            .map(|b| b.lines().next().unwrap_or_default().to_string())
            .collect(),
    };
    (app.stop().await, outcome)
}

fn table(rows: &[(&Scenario, Outcome)]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let or_none = |s: String| {
        if s.is_empty() {
            "(none)".to_string()
        } else {
            s
        }
    };
    let mut out = String::from(
        "| scenario | planted | expected | must not say | the summary must say | got | pass |\n|---|---|---|---|---|---|---|\n",
    );
    for (sc, o) in rows {
        let expected: Vec<String> = sc.expect.iter().map(|e| e.join(" … ")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            sc.name,
            cell(sc.planted),
            or_none(cell(&expected.join("<br>"))),
            or_none(cell(&sc.forbid.join("; "))),
            or_none(cell(&sc.summary_has.join("<br>"))),
            or_none(cell(&o.got.join("<br>"))),
            if o.pass() { "✅" } else { "❌" },
        ));
    }
    out
}

async fn suite(backend: &str) {
    let all = scenarios::all();
    assert!(all.len() >= 20);
    let mut rows = Vec::new();
    for sc in &all {
        let db = if backend == "sqlite" {
            TestDb::sqlite().await
        } else {
            match TestDb::postgres(&format!("judgement_{}", sc.name)).await {
                Some(db) => db,
                None => return,
            }
        };
        let (db, outcome) = run(TestApp::spawn(db).await, sc).await;
        db.cleanup().await;
        rows.push((sc, outcome));
    }
    let passed = rows.iter().filter(|(_, o)| o.pass()).count();
    let text = table(&rows);
    println!(
        "{text}\nscore ({backend}): {passed}/{} scenarios",
        rows.len()
    );
    if backend == "sqlite" && std::env::var("JUDGEMENT_DOC").is_ok() {
        let doc = format!(
            "# Judgement: the planted-scenario suite\n\n\
             Generated by `JUDGEMENT_DOC=1 cargo test --test judgement` (issue 15). Each scenario \
             plants causes in a healthy team (see `tests/support/judgement_scenarios.rs`) and asks \
             `/bottlenecks` and `/summary` through the emulator. A scenario passes when every \
             planted cause is named on one flag's line, at most one extra flag is raised, at most \
             5 flags are shown, the summary says what it must and nothing forbidden is said. \
             Some scenarios start from what an earlier summary showed (issue 15: a cause still \
             open is marked \"open since\", a fixed one is named on one \"resolved\" line) or \
             from the team's own festivals (`/festival add`).\n\n\
             Score: **{passed}/{} scenarios**.\n\n{text}",
            rows.len()
        );
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/JUDGEMENT.md");
        std::fs::write(path, doc).expect("write docs/JUDGEMENT.md");
    }
    for (sc, o) in &rows {
        assert!(
            o.pass(),
            "{}: named {} extra {} total {} summary {} forbidden {:?}\n{:#?}",
            sc.name,
            o.named,
            o.extra,
            o.total,
            o.summary_shown,
            o.forbidden,
            o.got
        );
    }
}

#[tokio::test]
async fn planted_scenarios_sqlite() {
    suite("sqlite").await;
}

#[tokio::test]
async fn planted_scenarios_postgres() {
    suite("postgres").await;
}
