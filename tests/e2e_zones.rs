//! Wall-clock rhythms follow the team's zone: after `/timezone`, the daily nudge and the weekly
//! review fire at the same local time in the new zone, in the same transaction as the change;
//! a deadline (a moment, not a wall-clock time) stays where it was. And a time set, moved and
//! set back keeps its job. Both backends.

#[macro_use]
mod common;

use campaign_bot::domain::ids::ChatId;
use campaign_bot::domain::jobs::JobKind;
use common::{ALICE, GROUP, T0, TestApp};

e2e!(
    a_zone_change_replans_the_nudge_and_the_review_in_the_new_zone,
    a_nudge_time_set_back_keeps_its_job,
);

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Pending jobs of one kind: (mark, due_at).
async fn pending(app: &TestApp, kind: JobKind) -> Vec<(String, i64)> {
    app.ctx
        .store
        .pending_jobs_of_chat(ChatId(GROUP))
        .await
        .expect("jobs")
        .into_iter()
        .filter(|j| j.kind == kind)
        .map(|j| (j.mark, j.due_at))
        .collect()
}

async fn a_zone_change_replans_the_nudge_and_the_review_in_the_new_zone(mut app: TestApp) {
    // T0 is Monday 2026-11-02 17:00 in Shanghai (09:00 UTC), 10:00 in Berlin.
    assert!(app.say(GROUP, ALICE, "hello").await.is_empty());
    app.reply(GROUP, ALICE, "/checkin_time 18:00").await;
    app.reply(GROUP, ALICE, "/review fri 17:00").await;
    app.reply(GROUP, ALICE, "/task @alice send the report due wed 12:00")
        .await;
    let nudge = pending(&app, JobKind::CheckinNudge).await;
    assert_eq!(nudge, [("2026-11-02".to_string(), T0 + HOUR)]);
    let summary = pending(&app, JobKind::ReviewSummary).await;
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].1, T0 + 4 * DAY);
    let pings_before: Vec<i64> = app
        .ctx
        .store
        .pending_jobs_of_chat(ChatId(GROUP))
        .await
        .expect("jobs")
        .into_iter()
        .filter(|j| j.kind == JobKind::TaskPing)
        .map(|j| j.due_at)
        .collect();
    assert!(!pings_before.is_empty());

    let moved = app.reply(GROUP, ALICE, "/timezone Europe/Berlin").await;
    assert!(moved.contains("Europe/Berlin"), "{moved}");
    // 18:00 in Berlin is 17:00 UTC, the same day.
    assert_eq!(
        pending(&app, JobKind::CheckinNudge).await,
        [("2026-11-02".to_string(), T0 + 8 * HOUR)]
    );
    // Friday 17:00 in Berlin is 16:00 UTC; the agenda an hour before.
    let summary = pending(&app, JobKind::ReviewSummary).await;
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert_eq!(summary[0].1, T0 + 4 * DAY + 7 * HOUR);
    let agenda = pending(&app, JobKind::ReviewAgenda).await;
    assert_eq!(agenda.len(), 1, "{agenda:?}");
    assert_eq!(agenda[0].1, T0 + 4 * DAY + 6 * HOUR);
    // A deadline is a moment: its pings do not move.
    let pings_after: Vec<i64> = app
        .ctx
        .store
        .pending_jobs_of_chat(ChatId(GROUP))
        .await
        .expect("jobs")
        .into_iter()
        .filter(|j| j.kind == JobKind::TaskPing)
        .map(|j| j.due_at)
        .collect();
    assert_eq!(pings_before, pings_after);
    // And at Shanghai's 18:00 nothing fires any more.
    assert!(app.advance(HOUR).await.is_empty());
    app.stop().await.cleanup().await;
}

async fn a_nudge_time_set_back_keeps_its_job(mut app: TestApp) {
    assert!(app.say(GROUP, ALICE, "hello").await.is_empty());
    app.reply(GROUP, ALICE, "/checkin_time 18:00").await;
    app.reply(GROUP, ALICE, "/checkin_time 19:00").await;
    app.reply(GROUP, ALICE, "/checkin_time 18:00").await;
    assert_eq!(
        pending(&app, JobKind::CheckinNudge).await,
        [("2026-11-02".to_string(), T0 + HOUR)]
    );
    // The same for the zone: there and back again.
    app.reply(GROUP, ALICE, "/timezone Europe/Berlin").await;
    app.reply(GROUP, ALICE, "/timezone Asia/Shanghai").await;
    assert_eq!(
        pending(&app, JobKind::CheckinNudge).await,
        [("2026-11-02".to_string(), T0 + HOUR)]
    );
    app.stop().await.cleanup().await;
}
