//! The check-in part of the Store contract, run against SQLite and PostgreSQL alike.

#[macro_use]
mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::jobs::JobKind;
use campaign_bot::domain::jobs::JobState;
use campaign_bot::domain::totals::{Field, Numbers, WindowTotals, window_totals};
use campaign_bot::storage::NewJob;
use campaign_bot::storage::{Checkin, InboxMark, NewCheckin, NewTeam, Store, TeamSetting};

contract!(
    a_checkin_is_stored_and_replaced_by_the_same_key,
    creatives_and_days_are_separate_rows,
    sums_by_channel_over_a_range,
    spend_by_channel_feeds_pacing,
    channels_checked_in_on_a_day,
    teams_do_not_see_each_other,
    bulk_import_replaces_by_key,
    a_partial_checkin_replaces_only_the_fields_it_names,
    several_checkins_are_written_in_one_transaction,
    checkins_follow_a_team_to_its_supergroup_id,
    the_checkin_time_can_be_cleared,
    the_checkin_time_and_its_nudge_change_together,
    a_new_checkin_is_stored_only_while_its_key_has_no_row,
    a_merge_over_a_known_row_writes_only_while_it_is_unchanged,
);

const T: i64 = common::T0;
const A: i64 = -1001;
const B: i64 = -1002;

async fn team(store: &Store, chat_id: i64) {
    store
        .ensure_team(
            &NewTeam {
                chat_id: ChatId(chat_id),
                title: "Growth",
                detected_lang: Some("en"),
                tz: "Asia/Shanghai",
            },
            T,
        )
        .await
        .expect("team");
}

fn row<'a>(chat_id: i64, channel: &'a str, day: &'a str, spend: i64) -> NewCheckin<'a> {
    NewCheckin {
        chat_id: ChatId(chat_id),
        channel,
        day,
        creative: "",
        spend: Some(spend),
        impressions: Some(50_000),
        clicks: Some(1500),
        orders: Some(45),
        gmv: Some(900_000),
        leads: None,
        new_customers: None,
        interactions: None,
        author_id: Some(UserId(7)),
    }
}

/// The team's check-ins of a range summed per channel and for all, as `/metrics` does.
async fn window(store: &Store, from: &str, to: &str, channel: &str) -> WindowTotals {
    let rows = store
        .channel_checkins(ChatId(A), from, to, channel)
        .await
        .expect("rows");
    window_totals(rows.into_iter().map(|c| {
        let n = c.numbers();
        (c.channel, c.day, n)
    }))
}

async fn a_partial_checkin_replaces_only_the_fields_it_names(store: &Store) {
    team(store, A).await;
    let spend_clicks = NewCheckin::new(
        ChatId(A),
        "xhs",
        "2026-11-02",
        "",
        &Numbers {
            spend: Some(30_000),
            clicks: Some(400),
            ..Numbers::default()
        },
        Some(UserId(7)),
    );
    let (first, _) = store.put_checkin(&spend_clicks, T).await.expect("first");
    // Unknown is stored as NULL, not 0.
    assert_eq!(
        (first.spend, first.clicks, first.orders, first.leads),
        (Some(30_000), Some(400), None, None)
    );
    let leads = NewCheckin::new(
        ChatId(A),
        "xhs",
        "2026-11-02",
        "",
        &Numbers {
            clicks: Some(450),
            leads: Some(12),
            ..Numbers::default()
        },
        Some(UserId(8)),
    );
    let (second, before) = store.put_checkin(&leads, T + 60).await.expect("merge");
    assert_eq!(before.as_ref(), Some(&first));
    assert_eq!(second.id, first.id);
    assert_eq!(
        second.numbers(),
        Numbers {
            spend: Some(30_000),
            clicks: Some(450),
            leads: Some(12),
            ..Numbers::default()
        },
        "spend kept, clicks replaced, leads added"
    );
    assert_eq!(second.author_id, Some(UserId(8)));
    // The bulk path merges the same way.
    let gmv_only = NewCheckin::new(
        ChatId(A),
        "xhs",
        "2026-11-02",
        "",
        &Numbers {
            gmv: Some(9_900),
            ..Numbers::default()
        },
        None,
    );
    store
        .import_checkins(&[gmv_only], T + 120)
        .await
        .expect("bulk");
    let row = store
        .checkin(ChatId(A), "xhs", "2026-11-02", "")
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (row.spend, row.clicks, row.leads, row.gmv, row.orders),
        (Some(30_000), Some(450), Some(12), Some(9_900), None)
    );
    // A channel that reported no spend has no pacing row (unknown, not 0).
    let no_spend = NewCheckin::new(
        ChatId(A),
        "jd",
        "2026-11-02",
        "",
        &Numbers {
            clicks: Some(5),
            ..Numbers::default()
        },
        None,
    );
    store.put_checkin(&no_spend, T).await.expect("jd");
    assert_eq!(
        store
            .spend_by_channel(ChatId(A), "2026-11-01", "2026-11-30")
            .await
            .expect("spend"),
        [("xhs".to_string(), 30_000)]
    );
}

async fn several_checkins_are_written_in_one_transaction(store: &Store) {
    team(store, A).await;
    store
        .put_checkin(&row(A, "xhs", "2026-11-02", 100), T)
        .await
        .expect("first");
    let rows = [
        NewCheckin {
            orders: None,
            gmv: None,
            ..row(A, "xhs", "2026-11-02", 150)
        },
        row(A, "jd", "2026-11-02", 70),
    ];
    let out = store.put_checkins(&rows, T + 5).await.expect("batch");
    assert_eq!(out.len(), 2);
    let (xhs, before) = &out[0];
    assert_eq!(before.as_ref().and_then(|b| b.spend), Some(100));
    assert_eq!((xhs.spend, xhs.orders), (Some(150), Some(45)));
    assert_eq!(out[1].1, None);
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 2);
    // A failing row (unknown team) rolls the whole batch back.
    let bad = [
        row(A, "douyin", "2026-11-03", 1),
        row(B, "xhs", "2026-11-03", 1),
    ];
    assert!(store.put_checkins(&bad, T).await.is_err());
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 2);
    assert!(store.put_checkins(&[], T).await.expect("empty").is_empty());
}

async fn a_checkin_is_stored_and_replaced_by_the_same_key(store: &Store) {
    team(store, A).await;
    let (first, before) = store
        .put_checkin(&row(A, "xhs", "2026-11-02", 100_000), T)
        .await
        .expect("put");
    assert_eq!(before, None);
    assert_eq!(
        (first.spend, first.created_at, first.updated_at),
        (Some(100_000), T, T)
    );
    assert_eq!(first.new_customers, None);
    let again = NewCheckin {
        new_customers: Some(3),
        author_id: None,
        ..row(A, "xhs", "2026-11-02", 120_000)
    };
    let (second, before) = store.put_checkin(&again, T + 60).await.expect("replace");
    assert_eq!(before.as_ref(), Some(&first));
    assert_eq!(second.id, first.id, "replaced in place");
    assert_eq!(second.spend, Some(120_000));
    assert_eq!(second.new_customers, Some(3));
    assert_eq!(second.author_id, None);
    assert_eq!((second.created_at, second.updated_at), (T, T + 60));
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 1);
    assert_eq!(
        store
            .checkin(ChatId(A), "xhs", "2026-11-02", "")
            .await
            .expect("read"),
        Some(second)
    );
}

async fn creatives_and_days_are_separate_rows(store: &Store) {
    team(store, A).await;
    for (day, creative) in [
        ("2026-11-02", ""),
        ("2026-11-02", "A"),
        ("2026-11-02", "视频B"),
        ("2026-11-01", ""),
    ] {
        let r = NewCheckin {
            creative,
            ..row(A, "xhs", day, 100)
        };
        store.put_checkin(&r, T).await.expect("put");
    }
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 4);
    let rows = store
        .checkins_between(ChatId(A), "2026-11-01", "2026-11-02")
        .await
        .expect("rows");
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.day.as_str(), r.creative.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("2026-11-01", ""),
            ("2026-11-02", ""),
            ("2026-11-02", "A"),
            ("2026-11-02", "视频B")
        ]
    );
    let only_today = store
        .checkins_between(ChatId(A), "2026-11-02", "2026-11-02")
        .await
        .expect("rows");
    assert_eq!(only_today.len(), 3);
}

async fn sums_by_channel_over_a_range(store: &Store) {
    team(store, A).await;
    let rows = [
        NewCheckin {
            new_customers: Some(2),
            ..row(A, "xhs", "2026-11-01", 100)
        },
        NewCheckin {
            creative: "A",
            new_customers: Some(3),
            interactions: Some(10),
            ..row(A, "xhs", "2026-11-01", 200)
        },
        row(A, "xhs", "2026-11-02", 300),
        row(A, "jd", "2026-11-02", 50),
        row(A, "jd", "2026-10-01", 9999),
    ];
    for r in &rows {
        store.put_checkin(r, T).await.expect("put");
    }
    let w = window(store, "2026-11-01", "2026-11-02", "").await;
    let names: Vec<&str> = w.channels.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(names, ["jd", "xhs"]);
    let jd = w.channel("jd").expect("jd");
    assert_eq!(jd.days(), 1);
    assert_eq!(
        Field::ALL.map(|f| jd.get(f)),
        [
            Some(50),
            Some(50_000),
            Some(1500),
            Some(45),
            Some(900_000),
            None,
            None,
            None
        ]
    );
    let xhs = w.channel("xhs").expect("xhs");
    assert_eq!(xhs.days(), 2, "two creatives on one day count one day");
    assert_eq!(
        Field::ALL.map(|f| xhs.get(f)),
        [
            Some(600),
            Some(150_000),
            Some(4500),
            Some(135),
            Some(2_700_000),
            None,
            Some(5),
            Some(10)
        ]
    );
    let jd = window(store, "2000-01-01", "9999-12-31", "jd").await;
    assert_eq!(jd.channels.len(), 1);
    let jd = jd.channel("jd").expect("jd");
    assert_eq!((jd.days(), jd.get(Field::Spend)), (2, Some(10_049)));
    assert!(
        window(store, "2026-12-01", "2026-12-31", "")
            .await
            .channels
            .is_empty()
    );
    // Large values sum without overflow: a ¥100,000,000 GMV day, a year of them.
    let days: Vec<String> = (1..=28).map(|d| format!("2026-02-{d:02}")).collect();
    for day in &days {
        let r = NewCheckin {
            gmv: Some(10_000_000_000),
            ..row(A, "tmall", day, 0)
        };
        store.put_checkin(&r, T).await.expect("big");
    }
    let tmall = window(store, "2026-02-01", "2026-02-28", "tmall").await;
    assert_eq!(tmall.all.get(Field::Gmv), Some(280_000_000_000));
}

async fn spend_by_channel_feeds_pacing(store: &Store) {
    team(store, A).await;
    for r in [
        row(A, "xhs", "2026-11-01", 100),
        NewCheckin {
            creative: "B",
            ..row(A, "xhs", "2026-11-02", 250)
        },
        row(A, "douyin", "2026-11-02", 40),
        row(A, "xhs", "2026-10-31", 7777),
    ] {
        store.put_checkin(&r, T).await.expect("put");
    }
    assert_eq!(
        store
            .spend_by_channel(ChatId(A), "2026-11-01", "2026-11-30")
            .await
            .expect("spend"),
        [("douyin".to_string(), 40), ("xhs".to_string(), 350)]
    );
    assert!(
        store
            .spend_by_channel(ChatId(B), "2026-11-01", "2026-11-30")
            .await
            .expect("none")
            .is_empty()
    );
}

async fn channels_checked_in_on_a_day(store: &Store) {
    team(store, A).await;
    for r in [
        row(A, "xhs", "2026-11-02", 1),
        NewCheckin {
            creative: "A",
            ..row(A, "xhs", "2026-11-02", 1)
        },
        row(A, "jd", "2026-11-01", 1),
    ] {
        store.put_checkin(&r, T).await.expect("put");
    }
    assert_eq!(
        store
            .channels_checked_in(ChatId(A), "2026-11-02")
            .await
            .expect("in"),
        ["xhs"]
    );
    assert_eq!(
        store.last_checkin_days(ChatId(A)).await.expect("last"),
        [
            ("jd".to_string(), "2026-11-01".to_string()),
            ("xhs".to_string(), "2026-11-02".to_string())
        ]
    );
}

async fn teams_do_not_see_each_other(store: &Store) {
    team(store, A).await;
    team(store, B).await;
    store
        .put_checkin(&row(A, "xhs", "2026-11-02", 1), T)
        .await
        .expect("a");
    let (_, before) = store
        .put_checkin(&row(B, "xhs", "2026-11-02", 2), T)
        .await
        .expect("b");
    assert_eq!(
        before, None,
        "same channel and day in another team is another row"
    );
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("a"), 1);
    assert_eq!(store.count_checkins(ChatId(B)).await.expect("b"), 1);
    let b = store
        .checkins_between(ChatId(B), "2026-01-01", "2026-12-31")
        .await
        .expect("rows");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].spend, Some(2));
    assert!(
        store
            .channels_checked_in(ChatId(B), "2026-11-01")
            .await
            .expect("none")
            .is_empty()
    );
}

async fn bulk_import_replaces_by_key(store: &Store) {
    team(store, A).await;
    let days: Vec<String> = (0..1200)
        .map(|i| {
            let d =
                chrono::NaiveDate::from_ymd_opt(2023, 1, 1).expect("day") + chrono::Days::new(i);
            d.format("%Y-%m-%d").to_string()
        })
        .collect();
    let rows: Vec<NewCheckin> = days.iter().map(|d| row(A, "xhs", d, 100)).collect();
    assert_eq!(store.import_checkins(&rows, T).await.expect("import"), 1200);
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 1200);
    // Importing again replaces (no duplicates, no unique violation).
    let again: Vec<NewCheckin> = days.iter().map(|d| row(A, "xhs", d, 200)).collect();
    store.import_checkins(&again, T + 1).await.expect("again");
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 1200);
    let spend = store
        .spend_by_channel(ChatId(A), "2000-01-01", "9999-12-31")
        .await
        .expect("spend");
    assert_eq!(spend, [("xhs".to_string(), 240_000)]);
    assert_eq!(store.import_checkins(&[], T).await.expect("empty"), 0);
}

async fn checkins_follow_a_team_to_its_supergroup_id(store: &Store) {
    team(store, A).await;
    store
        .put_checkin(&row(A, "xhs", "2026-11-02", 5), T)
        .await
        .expect("put");
    store
        .move_team(ChatId(A), ChatId(B), T)
        .await
        .expect("move");
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("old"), 0);
    assert_eq!(store.count_checkins(ChatId(B)).await.expect("new"), 1);
}

async fn the_checkin_time_can_be_cleared(store: &Store) {
    team(store, A).await;
    store
        .update_team(ChatId(A), &TeamSetting::CheckinTime(18 * 60), T)
        .await
        .expect("set");
    assert_eq!(
        store
            .team(ChatId(A))
            .await
            .expect("team")
            .expect("some")
            .checkin_minute,
        Some(1080)
    );
    store
        .clear_checkin_time(ChatId(A), T + 1)
        .await
        .expect("clear");
    let t = store.team(ChatId(A)).await.expect("team").expect("some");
    assert_eq!((t.checkin_minute, t.updated_at), (None, T + 1));
}

fn nudge(chat_id: i64, mark: &str, due_at: i64, minute: i64) -> NewJob {
    NewJob {
        chat_id: ChatId(chat_id),
        kind: JobKind::CheckinNudge,
        subject_id: chat_id,
        mark: mark.to_string(),
        due_at,
        fire_at: due_at,
        version: minute,
    }
}

/// `/checkin_time`: the time and the nudge jobs change in one transaction; re-planning the same
/// nudge keeps it, any other pending nudge of the team is dropped as replaced.
async fn the_checkin_time_and_its_nudge_change_together(store: &Store) {
    team(store, A).await;
    team(store, B).await;
    let states = |jobs: Vec<campaign_bot::storage::Job>| -> Vec<(String, JobState)> {
        jobs.into_iter().map(|j| (j.mark, j.state)).collect()
    };
    let first = nudge(A, "2026-11-02", T + 3600, 18 * 60);
    let other_team = nudge(B, "2026-11-02", T + 3600, 18 * 60);
    assert!(
        store
            .replan_nudge(ChatId(A), Some(Some(18 * 60)), Some(&first), T)
            .await
            .expect("plan")
    );
    assert!(
        store
            .replan_nudge(ChatId(B), None, Some(&other_team), T)
            .await
            .expect("plan B")
    );
    let t = store.team(ChatId(A)).await.expect("team").expect("some");
    assert_eq!((t.checkin_minute, t.updated_at), (Some(18 * 60), T));
    // The same nudge again: kept, not duplicated.
    assert!(
        !store
            .replan_nudge(ChatId(A), None, Some(&first), T + 1)
            .await
            .expect("again")
    );
    let jobs = store
        .jobs_for(JobKind::CheckinNudge, A)
        .await
        .expect("jobs");
    assert_eq!(states(jobs), [("2026-11-02".into(), JobState::Pending)]);
    // A new time: the old nudge is dropped as replaced, the new one pending.
    let second = nudge(A, "2026-11-03", T + 90_000, 9 * 60);
    store
        .replan_nudge(ChatId(A), Some(Some(9 * 60)), Some(&second), T + 2)
        .await
        .expect("replan");
    let jobs = store
        .jobs_for(JobKind::CheckinNudge, A)
        .await
        .expect("jobs");
    assert_eq!(jobs[0].last_error.as_deref(), Some("replaced"));
    assert_eq!(
        states(jobs),
        [
            ("2026-11-02".into(), JobState::Dropped),
            ("2026-11-03".into(), JobState::Pending)
        ]
    );
    // Off: the time is cleared and no nudge stays pending; the other team's is untouched.
    assert!(
        !store
            .replan_nudge(ChatId(A), Some(None), None, T + 3)
            .await
            .expect("off")
    );
    let t = store.team(ChatId(A)).await.expect("team").expect("some");
    assert_eq!((t.checkin_minute, t.updated_at), (None, T + 3));
    let jobs = store
        .jobs_for(JobKind::CheckinNudge, A)
        .await
        .expect("jobs");
    assert!(
        jobs.iter().all(|j| j.state == JobState::Dropped),
        "{jobs:?}"
    );
    let jobs = store
        .jobs_for(JobKind::CheckinNudge, B)
        .await
        .expect("jobs B");
    assert_eq!(states(jobs), [("2026-11-02".into(), JobState::Pending)]);
}

/// The first check-in of a key is one statement that writes only while the key has no row;
/// with a row there it writes nothing. The store remembers the rows it saw stored, but a row
/// it did not write (an import here, a peer instance) is still found by the write itself.
async fn a_new_checkin_is_stored_only_while_its_key_has_no_row(store: &Store) {
    team(store, A).await;
    let first = row(A, "xhs", "2026-11-02", 100);
    assert_eq!(store.known_checkin(&first), None);
    let stored = store
        .insert_new_checkin(&first, T)
        .await
        .expect("insert")
        .expect("a new key is stored");
    assert_eq!((stored.spend, stored.created_at), (Some(100), T));
    assert_eq!(store.known_checkin(&first).as_ref(), Some(&stored));
    let again = row(A, "xhs", "2026-11-02", 999);
    assert_eq!(
        store
            .insert_new_checkin(&again, T + 60)
            .await
            .expect("insert"),
        None
    );
    let kept = store
        .checkin(ChatId(A), "xhs", "2026-11-02", "")
        .await
        .expect("read");
    assert_eq!(kept, Some(stored), "a key with a row is left as it was");

    let imported = row(A, "jd", "2026-11-02", 5);
    let imported = std::slice::from_ref(&imported);
    store.import_checkins(imported, T).await.expect("import");
    let over = row(A, "jd", "2026-11-02", 7);
    assert_eq!(
        store.known_checkin(&over),
        None,
        "an import is not remembered row by row"
    );
    assert_eq!(
        store
            .insert_new_checkin(&over, T + 60)
            .await
            .expect("insert"),
        None
    );
    let kept = store
        .checkin(ChatId(A), "jd", "2026-11-02", "")
        .await
        .expect("read");
    assert_eq!(kept.as_ref().map(|c| c.spend), Some(Some(5)));
    // A row read is remembered too: the next check-in of its key merges over it.
    assert_eq!(store.known_checkin(&over), kept);
    assert_eq!(store.known_checkin(&row(B, "jd", "2026-11-02", 7)), None);
}

/// A merge over a known row writes only while the stored numbers are the known ones, and then
/// stores exactly what the plain merge stores; a changed or deleted row is left alone.
async fn a_merge_over_a_known_row_writes_only_while_it_is_unchanged(store: &Store) {
    team(store, A).await;
    let partial = |spend: Option<i64>, clicks: Option<i64>, orders: Option<i64>| Numbers {
        spend,
        clicks,
        orders,
        ..Numbers::default()
    };
    let key = |n: &Numbers| NewCheckin::new(ChatId(A), "xhs", "2026-11-02", "", n, Some(UserId(8)));
    let first = partial(Some(100), Some(40), None);
    let (known, _) = store.put_checkin(&key(&first), T).await.expect("first");
    // The same merge written both ways, on two keys: the same row but for the key and id.
    let update = partial(None, Some(50), Some(3));
    let over = store
        .merge_checkin_over(&key(&update), &known, T + 60)
        .await
        .expect("merge over")
        .expect("unchanged, so merged");
    let twin = NewCheckin::new(ChatId(A), "jd", "2026-11-02", "", &first, Some(UserId(8)));
    store.put_checkin(&twin, T).await.expect("twin");
    let plain_update = NewCheckin {
        channel: "jd",
        ..key(&update)
    };
    let plain = store
        .merge_checkin(&plain_update, T + 60)
        .await
        .expect("merge");
    assert_eq!(
        Checkin {
            id: 0,
            channel: String::new(),
            ..over.clone()
        },
        Checkin {
            id: 0,
            channel: String::new(),
            ..plain
        }
    );
    assert_eq!(
        (over.spend, over.clicks, over.orders),
        (Some(100), Some(50), Some(3))
    );
    assert_eq!(store.known_checkin(&key(&update)).as_ref(), Some(&over));

    // `known` is stale now: its numbers are no longer stored, so nothing is written.
    let late = partial(Some(1), None, None);
    let stale = store.merge_checkin_over(&key(&late), &known, T + 120).await;
    assert_eq!(stale.expect("merge over"), None);
    let stored = store
        .checkin(ChatId(A), "xhs", "2026-11-02", "")
        .await
        .expect("read");
    assert_eq!(stored.as_ref(), Some(&over));

    // Nor over a row that is gone: it is not made again from the known one.
    store
        .execute_raw("DELETE FROM checkins WHERE channel = 'xhs'")
        .await
        .expect("delete");
    let gone = store.merge_checkin_over(&key(&late), &over, T + 180).await;
    assert_eq!(gone.expect("merge over"), None);
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 1);
}

/// The server process whose latest statement starts with `statement`, as the server lists it.
async fn ran_on(admin: &sqlx::PgPool, statement: &str) -> Vec<i32> {
    sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND starts_with(query, $1)",
    )
    .bind(statement)
    .fetch_all(admin)
    .await
    .expect("activity")
}

/// PostgreSQL: an update's check-in and its marks commit without waiting for the server's WAL
/// flush, on a connection of their own; the stored update, which a replay after a server crash
/// needs, still waits for it.
#[tokio::test]
async fn only_a_checkin_and_the_marks_commit_without_waiting_for_the_flush() {
    let name = "store_checkins::only_a_checkin_and_the_marks_commit_without_waiting_for_the_flush";
    let Some(db) = common::TestDb::postgres(name).await else {
        return;
    };
    let store = &db.store;
    team(store, A).await;
    let admin = sqlx::PgPool::connect(&db.url).await.expect("admin");
    let stored = store.inbox_put_claimed(&[(71, "{}".to_string())], T).await;
    assert_eq!(stored.expect("put"), vec![71]);
    let written = store
        .insert_new_checkin(&row(A, "taobao", "2026-11-02", 500), T)
        .await;
    assert!(written.expect("check-in").is_some());
    let checkin_ran_on = ran_on(&admin, "INSERT INTO checkins").await;
    store
        .inbox_mark(InboxMark::RepliedAndDone, &[71], T + 1)
        .await
        .expect("mark");
    let mark_ran_on = ran_on(&admin, "UPDATE inbox SET done_at").await;
    let update_stored_on = ran_on(&admin, "INSERT INTO inbox").await;
    admin.close().await;
    let [(unflushed, unflushed_mode), (writer, writer_mode)] = store
        .commit_modes()
        .await
        .expect("modes")
        .expect("PostgreSQL");
    assert_eq!(checkin_ran_on, vec![unflushed]);
    assert_eq!(mark_ran_on, vec![unflushed]);
    assert_eq!(unflushed_mode, "off");
    assert_eq!(update_stored_on, vec![writer]);
    assert_eq!(writer_mode, "on", "a stored update waits for the flush");
    assert_eq!(store.inbox_counts().await.expect("counts"), (1, 0, 1, 1));
    db.cleanup().await;
}
