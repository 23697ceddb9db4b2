//! How long claiming due jobs takes with 1,000 and with 1,000,000 pending jobs in the table,
//! on SQLite and (with TEST_DATABASE_URL) PostgreSQL. The claim must stay index-bound: the goal
//! is that the second is at most 1.5× the first.
//!
//! cargo bench --bench claim

use std::time::{Duration, Instant};

use campaign_bot::storage::Store;
use futures::FutureExt;

#[path = "support/fresh_db.rs"]
mod fresh_db;
use fresh_db::FreshDatabase;

const DUE: i64 = 50;
const ROUNDS: usize = 200;
const NOW: i64 = 1_800_000_000;

async fn fill(store: &Store, pending: i64) {
    // Future jobs (not due) plus DUE jobs due now; generated inside the database.
    let (series, x) = match store.backend() {
        campaign_bot::storage::Backend::Sqlite => (
            format!(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {pending}) "
            ),
            "c",
        ),
        campaign_bot::storage::Backend::Postgres => {
            (String::new(), "generate_series(1, {pending}) AS c(x)")
        }
    };
    let from = x.replace("{pending}", &pending.to_string());
    let sql = format!(
        "{series}INSERT INTO jobs (chat_id, kind, subject_id, mark, due_at, fire_at, version) \
         SELECT -(x % 1000) - 1, 'task_ping', x, 'm', {NOW} + 3600 + x, {NOW} + 3600 + x, 0 FROM {from}"
    );
    store.execute_raw(&sql).await.expect("fill");
    let due = format!(
        "INSERT INTO jobs (chat_id, kind, subject_id, mark, due_at, fire_at, version) \
         SELECT -1, 'task_recur', x, 'm', {NOW} - x, {NOW} - x, 0 FROM {}",
        match store.backend() {
            campaign_bot::storage::Backend::Sqlite => format!(
                "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {DUE}) SELECT x FROM c)"
            ),
            campaign_bot::storage::Backend::Postgres =>
                format!("generate_series(1, {DUE}) AS c(x)"),
        }
    );
    store.execute_raw(&due).await.expect("due");
    let analyze = match store.backend() {
        campaign_bot::storage::Backend::Sqlite => "ANALYZE",
        campaign_bot::storage::Backend::Postgres => "ANALYZE jobs",
    };
    store.execute_raw(analyze).await.expect("analyze");
}

async fn measure(store: &Store) -> Duration {
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let claimed = store
            .claim_due_jobs("bench", NOW, DUE)
            .await
            .expect("claim");
        times.push(started.elapsed());
        assert_eq!(claimed.len() as i64, DUE);
        store
            .execute_raw("UPDATE jobs SET state = 'pending' WHERE state = 'claimed'")
            .await
            .expect("reset");
    }
    times.sort();
    times[ROUNDS / 2]
}

/// What to do with a store's database once measured.
type Cleanup = Box<dyn FnOnce() -> futures::future::BoxFuture<'static, ()>>;

async fn run(label: &str, open: impl AsyncFn(i64) -> (Store, Cleanup)) {
    let mut medians = Vec::new();
    for pending in [1_000i64, 1_000_000] {
        let (store, cleanup) = open(pending).await;
        let started = Instant::now();
        fill(&store, pending).await;
        let filled = started.elapsed();
        let median = measure(&store).await;
        println!(
            "{label:>10}  {pending:>9} pending  fill {filled:>9.2?}  claim {DUE} due: median {median:>9.2?}"
        );
        medians.push(median);
        store.close().await;
        cleanup().await;
    }
    println!(
        "{label:>10}  ratio 1M / 1k = {:.2}",
        medians[1].as_secs_f64() / medians[0].as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    run("sqlite", async |_| {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::open(&url).await.expect("open");
        (
            store,
            Box::new(move || async move { drop(dir) }.boxed()) as Cleanup,
        )
    })
    .await;
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        println!("postgres   skipped (TEST_DATABASE_URL not set)");
        return;
    };
    run("postgres", async |pending| {
        let fresh = FreshDatabase::create(&admin_url, &format!("cb_bench_claim_{pending}")).await;
        let store = Store::open(&fresh.url).await.expect("open");
        (store, Box::new(move || fresh.drop_it().boxed()) as Cleanup)
    })
    .await;
}
