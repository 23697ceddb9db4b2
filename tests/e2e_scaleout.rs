//! Scale-out: two instances in webhook mode on one PostgreSQL database, behind a round-robin
//! load balancer that also misbehaves (answers 502 after forwarding, so the emulator redelivers
//! to the other instance; or forwards one update to both at once). Every update is handled by
//! exactly one instance, every command answered once, every 24 h ping sent once.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::oneshot;

use campaign_bot::app::{self, App};
use campaign_bot::bot::Ctx;
use campaign_bot::clock::{ManualClock, SharedClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};
use campaign_bot::domain::schedule::DAY;
use campaign_bot::storage::Store;
use common::{ALICE, BOB, T0, TestDb};

const SECRET: &str = "scale-out-secret";
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
const GROUPS: usize = 10;
const TASKS: usize = 300;
/// A plain message after every this many commands.
const PLAIN_EVERY: usize = 5;
/// Of the distinct updates the balancer sees, every 7th is forwarded and then answered 502.
const REDELIVER_EVERY: usize = 7;
/// Every 11th (not already faulted) is forwarded to both instances at the same time.
const FAN_OUT_EVERY: usize = 11;
const NAMES: [&str; 2] = ["A", "B"];

fn group(i: usize) -> i64 {
    -1_000_700 - i as i64
}

fn title(n: usize) -> String {
    format!("Launch-{n:03}")
}

/// Builds a client that never goes through an environment proxy (CI may set one).
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client")
}

async fn serve(router: Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = tcp.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(tcp, router).await;
    });
    (addr, task)
}

fn relay(status: u16, headers: &reqwest::header::HeaderMap, body: Bytes) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, body).into_response();
    if let Some(kind) = headers.get(reqwest::header::CONTENT_TYPE)
        && let Ok(kind) = header::HeaderValue::from_bytes(kind.as_bytes())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, kind);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// The load balancer in front of the two webhooks
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct BalancerLog {
    /// Distinct updates seen, in the order they first arrived.
    seen: usize,
    /// update_id → every forward: (instance, status the instance answered).
    forwards: BTreeMap<i64, Vec<(usize, u16)>>,
    /// Forwarded, then answered 502 to the emulator on purpose.
    answered_502: Vec<i64>,
    /// Forwarded to both instances at once.
    fanned_out: Vec<i64>,
}

struct Balancer {
    client: reqwest::Client,
    instances: [String; 2],
    next: AtomicUsize,
    log: Mutex<BalancerLog>,
}

enum Route {
    RoundRobin,
    /// A redelivery: to the instance that did not get the last attempt.
    Other(usize),
    ThenAnswer502,
    FanOut,
}

impl Balancer {
    fn log(&self) -> std::sync::MutexGuard<'_, BalancerLog> {
        self.log.lock().expect("balancer log")
    }

    async fn forward(&self, to: usize, uri: &Uri, headers: &HeaderMap, body: Bytes) -> u16 {
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let mut request = self
            .client
            .post(format!("{}{path}", self.instances[to]))
            .body(body);
        for name in [SECRET_HEADER, "content-type"] {
            if let Some(value) = headers.get(name) {
                request = request.header(name, value.as_bytes());
            }
        }
        match request.send().await {
            Ok(r) => r.status().as_u16(),
            Err(_) => 502,
        }
    }

    fn record(&self, update_id: Option<i64>, to: usize, status: u16) {
        if let Some(id) = update_id {
            self.log()
                .forwards
                .entry(id)
                .or_default()
                .push((to, status));
        }
    }

    fn round_robin(&self) -> usize {
        self.next.fetch_add(1, Ordering::SeqCst) % 2
    }
}

async fn balance(
    State(lb): State<Arc<Balancer>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let update_id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("update_id").and_then(Value::as_i64));
    let route = {
        let mut log = lb.log();
        match update_id.map(|id| log.forwards.get(&id).and_then(|f| f.last()).map(|f| f.0)) {
            Some(Some(last)) => Route::Other(1 - last),
            Some(None) => {
                log.seen += 1;
                if log.seen.is_multiple_of(REDELIVER_EVERY) {
                    Route::ThenAnswer502
                } else if log.seen.is_multiple_of(FAN_OUT_EVERY) {
                    Route::FanOut
                } else {
                    Route::RoundRobin
                }
            }
            None => Route::RoundRobin,
        }
    };
    let status = match route {
        Route::RoundRobin | Route::Other(_) | Route::ThenAnswer502 => {
            let to = match route {
                Route::Other(to) => to,
                _ => lb.round_robin(),
            };
            let status = lb.forward(to, &uri, &headers, body).await;
            lb.record(update_id, to, status);
            if let (Route::ThenAnswer502, Some(id)) = (&route, update_id) {
                lb.log().answered_502.push(id);
                502
            } else {
                status
            }
        }
        Route::FanOut => {
            let (a, b) = tokio::join!(
                lb.forward(0, &uri, &headers, body.clone()),
                lb.forward(1, &uri, &headers, body)
            );
            lb.record(update_id, 0, a);
            lb.record(update_id, 1, b);
            if let Some(id) = update_id {
                lb.log().fanned_out.push(id);
            }
            if (200..300).contains(&a) && (200..300).contains(&b) {
                200
            } else {
                502
            }
        }
    };
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::BAD_GATEWAY)
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// A tap between each instance's bot and the emulator, so every message can be attributed
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Tap {
    client: reqwest::Client,
    emulator: String,
    instance: usize,
    /// (instance, text) of every sendMessage the emulator accepted.
    sent: Arc<Mutex<Vec<(usize, String)>>>,
}

async fn tap(
    State(tap): State<Tap>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let text = uri
        .path()
        .to_ascii_lowercase()
        .ends_with("/sendmessage")
        .then(|| serde_json::from_slice::<Value>(&body).ok())
        .flatten()
        .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned));
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("method");
    let mut request = tap
        .client
        .request(method, format!("{}{path}", tap.emulator))
        .body(body);
    if let Some(kind) = headers.get(header::CONTENT_TYPE) {
        request = request.header("content-type", kind.as_bytes());
    }
    let Ok(answer) = request.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status().as_u16();
    let answer_headers = answer.headers().clone();
    let Ok(answer_body) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    if let (200, Some(text)) = (status, text) {
        tap.sent.lock().expect("tap log").push((tap.instance, text));
    }
    relay(status, &answer_headers, answer_body)
}

// ---------------------------------------------------------------------------------------------
// The two instances
// ---------------------------------------------------------------------------------------------

struct Instance {
    ctx: Ctx,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    addr: SocketAddr,
}

async fn start_instance(
    db_url: &str,
    clock: SharedClock,
    emulator: &Emulator,
    api_url: &url::Url,
    public_url: &url::Url,
) -> Instance {
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind instance");
    let addr = tcp.local_addr().expect("instance addr");
    // Its own pool, as a separate process would have.
    let store = Store::open(db_url).await.expect("open postgres");
    let bot = app::make_bot(&emulator.token(), Some(api_url), app::relaxed_limits());
    let app = App::new(common::settings(db_url), clock, store, bot);
    let ctx = app.ctx.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let task =
        tokio::spawn(
            app.serve_webhook(public_url.clone(), SECRET.to_string(), tcp, async move {
                let _ = stopped.await;
            }),
        );
    Instance {
        ctx,
        stop,
        task,
        addr,
    }
}

/// Waits until the emulator has every queued update accepted and both instances have finished
/// handling every delivery they accepted.
async fn settle(emulator: &Emulator, lb: &Balancer, instances: &[Instance]) {
    assert!(
        emulator
            .wait_for(Duration::from_secs(60), |e| e.pending_updates() == 0)
            .await,
        "updates still queued: {}",
        emulator.pending_updates()
    );
    let mut accepted = [0u64; 2];
    for forwards in lb.log().forwards.values() {
        for (to, status) in forwards {
            if (200..300).contains(status) {
                accepted[*to] += 1;
            }
        }
    }
    for (i, instance) in instances.iter().enumerate() {
        assert!(
            instance
                .ctx
                .tracker
                .wait_finished(accepted[i], Duration::from_secs(30))
                .await,
            "instance {} finished {} of {} accepted deliveries",
            NAMES[i],
            instance.ctx.tracker.finished(),
            accepted[i]
        );
    }
}

/// The number of each title's occurrences among `texts`, per instance.
fn by_title(texts: &[(usize, String)], titles: &[String]) -> HashMap<String, [usize; 2]> {
    let mut counts: HashMap<String, [usize; 2]> =
        titles.iter().map(|t| (t.clone(), [0, 0])).collect();
    for (instance, text) in texts {
        for t in titles {
            if text.contains(t.as_str()) {
                counts.get_mut(t).expect("title")[*instance] += 1;
            }
        }
    }
    counts
}

#[tokio::test]
async fn two_webhook_instances_behind_a_faulty_balancer_handle_each_update_once() {
    let Some(db) = TestDb::postgres("e2e_scaleout::two_webhook_instances").await else {
        return;
    };
    let started = Instant::now();
    let clock = ManualClock::new(T0);
    let shared: SharedClock = clock.clone();
    let emulator = Emulator::start(shared.clone()).await.expect("emulator");
    emulator.add_user(
        UserSpec::new(ALICE, "alice")
            .username("alice")
            .language("en"),
    );
    emulator.add_user(UserSpec::new(BOB, "bob").username("bob").language("en"));
    for g in 0..GROUPS {
        emulator.add_chat(group(g), ChatKind::Supergroup, &format!("Team {g}"));
        emulator.set_admin(group(g), ALICE, true);
    }

    // Each instance talks to the emulator through its own tap.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let mut servers = Vec::new();
    let mut api_urls = Vec::new();
    for instance in 0..2 {
        let tap_state = Tap {
            client: client(),
            emulator: format!("http://{}", emulator.addr()),
            instance,
            sent: sent.clone(),
        };
        let (addr, server) = serve(Router::new().fallback(tap).with_state(tap_state)).await;
        servers.push(server);
        api_urls.push(url::Url::parse(&format!("http://{addr}/")).expect("tap url"));
    }

    // The balancer needs the instances' addresses, and the instances its URL: bind it first.
    let lb_tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind balancer");
    let public_url = url::Url::parse(&format!(
        "http://{}/hook",
        lb_tcp.local_addr().expect("addr")
    ))
    .expect("balancer url");
    let mut instances = Vec::new();
    for api_url in &api_urls {
        instances
            .push(start_instance(&db.url, shared.clone(), &emulator, api_url, &public_url).await);
    }
    let lb = Arc::new(Balancer {
        client: client(),
        instances: [0, 1].map(|i| format!("http://{}", instances[i].addr)),
        next: AtomicUsize::new(0),
        log: Mutex::new(BalancerLog::default()),
    });
    let router = Router::new().fallback(balance).with_state(lb.clone());
    servers.push(tokio::spawn(async move {
        let _ = axum::serve(lb_tcp, router).await;
    }));
    // The sockets are bound, so these wait (bounded) until each server is up, i.e. after its
    // setWebhook and its replay of unfinished updates.
    for (i, instance) in instances.iter().enumerate() {
        let health = client()
            .get(format!("http://{}/healthz", instance.addr))
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .unwrap_or_else(|e| panic!("instance {} not up: {e}", NAMES[i]));
        assert_eq!(health.status(), 200);
    }
    assert_eq!(
        emulator.webhook(),
        Some((public_url.to_string(), Some(SECRET.to_string())))
    );

    // Warm-up: bob speaks in every group, so `@bob` resolves to him.
    let mut update_ids = Vec::new();
    for g in 0..GROUPS {
        update_ids.push(emulator.send_text(group(g), BOB, "hello"));
    }
    settle(&emulator, &lb, &instances).await;

    // The burst: commands with unique titles over all groups, and plain messages among them.
    let titles: Vec<String> = (0..TASKS).map(title).collect();
    let burst = Instant::now();
    for (n, t) in titles.iter().enumerate() {
        let g = group(n % GROUPS);
        update_ids.push(emulator.send_text(g, ALICE, &format!("/task @bob {t} due +2d")));
        if n % PLAIN_EVERY == PLAIN_EVERY - 1 {
            update_ids.push(emulator.send_text(g, BOB, &format!("working on it ({n})")));
        }
    }
    settle(&emulator, &lb, &instances).await;
    let burst_time = burst.elapsed();

    // Every command answered exactly once, and by whom.
    let replies: Vec<(usize, String)> = sent
        .lock()
        .expect("tap log")
        .iter()
        .filter(|(_, text)| text.contains("Task <b>#"))
        .cloned()
        .collect();
    let replied = by_title(&replies, &titles);
    let twice: Vec<_> = replied.iter().filter(|(_, c)| c[0] + c[1] != 1).collect();
    assert!(
        twice.is_empty(),
        "commands not answered exactly once: {twice:?}"
    );
    let reply_split = [0, 1].map(|i| replied.values().filter(|c| c[i] == 1).count());

    // Exactly one task row per title, and each group's numbers are 1..=n with no gap or repeat
    // although its commands were handled on two instances at once.
    let pool = sqlx::PgPool::connect(&db.url).await.expect("test pool");
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT chat_id, number, title FROM tasks ORDER BY chat_id, number")
            .fetch_all(&pool)
            .await
            .expect("tasks");
    assert_eq!(rows.len(), TASKS, "task rows");
    let mut per_title: HashMap<&str, usize> = HashMap::new();
    let mut per_chat: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (chat, number, t) in &rows {
        *per_title.entry(t.as_str()).or_default() += 1;
        per_chat.entry(*chat).or_default().push(*number);
    }
    assert!(titles.iter().all(|t| per_title.get(t.as_str()) == Some(&1)));
    for numbers in per_chat.values() {
        assert_eq!(*numbers, (1..=numbers.len() as i64).collect::<Vec<_>>());
    }
    // Not asserted: two instances do not keep a chat's order, so a later command may get the
    // lower number. Counted (adjacent numbers whose titles are in the other order) for the docs.
    let out_of_order = rows
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[0].2 > w[1].2)
        .count();

    // The inbox: every update stored once, taken by a handler exactly once (`attempts` counts
    // successful claims across both instances), and done. An update counts as finished on an
    // instance's tracker only once its done mark is written, so `settle` has waited for them.
    let inbox: Vec<(i64, i64, bool)> = sqlx::query_as(
        "SELECT update_id, attempts, done_at IS NOT NULL FROM inbox ORDER BY update_id",
    )
    .fetch_all(&pool)
    .await
    .expect("inbox");
    let mut expected_ids = update_ids.clone();
    expected_ids.sort_unstable();
    assert_eq!(inbox.iter().map(|r| r.0).collect::<Vec<_>>(), expected_ids);
    let not_once: Vec<_> = inbox.iter().filter(|r| r.1 != 1).collect();
    assert!(
        not_once.is_empty(),
        "updates claimed other than once: {not_once:?}"
    );
    assert!(inbox.iter().all(|r| r.2), "updates not done");

    // What the balancer did, and what reached each instance's handler tree.
    let (deliveries, delivered_twice, answered_502, fanned_out, deliveries_to) = {
        let log = lb.log();
        let mut to = [0usize; 2];
        for forwards in log.forwards.values() {
            for (i, status) in forwards {
                assert!((200..300).contains(status), "an instance answered {status}");
                to[*i] += 1;
            }
        }
        (
            log.forwards.values().map(Vec::len).sum::<usize>(),
            log.forwards.values().filter(|f| f.len() == 2).count(),
            log.answered_502.len(),
            log.fanned_out.len(),
            to,
        )
    };
    assert_eq!(log_len(&lb), update_ids.len());
    assert!(answered_502 > 0 && fanned_out > 0);
    assert_eq!(delivered_twice, answered_502 + fanned_out);
    let reached = [0, 1].map(|i| instances[i].ctx.tracker.finished() as usize);
    assert_eq!(reached[0] + reached[1], deliveries);
    // Both took a real share of the commands.
    for (i, share) in reply_split.iter().enumerate() {
        assert!(
            *share >= TASKS / 4,
            "instance {} answered only {share}",
            NAMES[i]
        );
    }

    // The pings: the 24 h mark of every task falls due; both schedulers are running.
    let pings_before = emulator.sent_count();
    clock.advance(DAY);
    let ping_time = Instant::now();
    assert!(
        emulator
            .wait_for(Duration::from_secs(30), |e| {
                e.sent_since(pings_before)
                    .iter()
                    .filter(|m| m.text.contains("is due in 24 hours"))
                    .count()
                    >= TASKS
            })
            .await,
        "24 h pings not all sent"
    );
    let ping_time = ping_time.elapsed();
    // Both stop cleanly: in-flight work finishes, the server and the scheduler end. After
    // that every send is recorded, by the taps and in the jobs table.
    for (i, instance) in instances.into_iter().enumerate() {
        let _ = instance.stop.send(());
        let result = tokio::time::timeout(Duration::from_secs(30), instance.task)
            .await
            .unwrap_or_else(|_| panic!("instance {} did not stop", NAMES[i]))
            .expect("instance task");
        result.unwrap_or_else(|e| panic!("instance {} failed: {e:#}", NAMES[i]));
    }
    // Once every 24 h job is recorded sent, nothing can send one again (only pending jobs are
    // claimed, and the clock stays put so no lease expires).
    let (jobs_sent, jobs_open): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(CASE WHEN state = 'sent' THEN 1 END), \
         COUNT(CASE WHEN state IN ('pending', 'claimed') AND fire_at <= $1 THEN 1 END) \
         FROM jobs WHERE kind = 'task_ping' AND mark = '24h'",
    )
    .bind(clock_now(&clock))
    .fetch_one(&pool)
    .await
    .expect("jobs");
    assert_eq!((jobs_sent, jobs_open), (TASKS as i64, 0), "24 h jobs");
    let workers: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT claimed_by) FROM jobs WHERE kind = 'task_ping' AND mark = '24h'",
    )
    .fetch_one(&pool)
    .await
    .expect("workers");
    let pings: Vec<(usize, String)> = sent
        .lock()
        .expect("tap log")
        .iter()
        .filter(|(_, text)| text.contains("is due in 24 hours"))
        .cloned()
        .collect();
    let pinged = by_title(&pings, &titles);
    let not_once: Vec<_> = pinged.iter().filter(|(_, c)| c[0] + c[1] != 1).collect();
    assert!(
        not_once.is_empty(),
        "24 h pings not sent exactly once: {not_once:?}"
    );
    let ping_split = [0, 1].map(|i| pinged.values().filter(|c| c[i] == 1).count());

    // Nothing else went wrong: no refused request, no "something went wrong" reply, and the
    // tap saw exactly what the emulator recorded.
    assert!(
        emulator.rejections().is_empty(),
        "Telegram would reject: {:#?}",
        emulator.rejections()
    );
    let all = emulator.sent();
    assert!(!all.iter().any(|m| m.text.contains("Something went wrong")));
    let tapped = sent.lock().expect("tap log").len();
    assert_eq!(tapped, all.len());
    let other = all.len() - replies.len() - pings.len();

    println!(
        "SCALEOUT updates={} (warm-up {GROUPS}, commands {TASKS}, plain {}) deliveries={deliveries} \
         (to A {}, to B {}) redelivered_after_502={answered_502} fanned_out_to_both={fanned_out} \
         reached_handlers=A:{} B:{} gate_stopped={} claims_per_update=1 inbox_done={} \
         replies={} (A {}, B {}) task_rows={} numbers_out_of_command_order={out_of_order} duplicates=0 pings_24h={} (A {}, B {}; {workers} \
         scheduler workers) jobs_sent={jobs_sent} other_messages={other} rejections=0 \
         burst={:.2}s pings={:.2}s total={:.2}s",
        update_ids.len(),
        TASKS / PLAIN_EVERY,
        deliveries_to[0],
        deliveries_to[1],
        reached[0],
        reached[1],
        deliveries - update_ids.len(),
        inbox.len(),
        replies.len(),
        reply_split[0],
        reply_split[1],
        rows.len(),
        pings.len(),
        ping_split[0],
        ping_split[1],
        burst_time.as_secs_f64(),
        ping_time.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
    for server in servers {
        server.abort();
    }
    emulator.shutdown();
    pool.close().await;
    db.cleanup().await;
}

fn log_len(lb: &Balancer) -> usize {
    lb.log().forwards.len()
}

fn clock_now(clock: &ManualClock) -> i64 {
    use campaign_bot::clock::Clock;
    clock.now()
}
