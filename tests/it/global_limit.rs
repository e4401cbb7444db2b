//! Discord's global limit (50 requests per second) is per bot, not per process: processes of
//! one bot on one PostgreSQL database share it, each pacing itself to its share
//! (`los::pace`), learnt from the registry of live processes (`los::roster`).

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude::{Http, Route};

/// Requests each process sends at once.
const BURST_EACH: usize = 60;

/// Three processes of one bot (each with its own connection pool, registry heartbeat, pacer
/// and serenity client, as three `los run` would have) start at once on one PostgreSQL
/// database and each sends a burst of requests that count against the global limit, all at
/// once, through its pacer: the sandbox (which counts the global limit over every connection
/// with the bot's token) refused none, no window of the limit counted over 50, the windows
/// did count requests of several processes, and each process ended with a third of the limit.
mod processes_sharing_one_database_never_draw_a_429_from_the_global_limit {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        super::three_processes_send_a_burst_each().await;
    }
}

/// A process cut off from the database (its heartbeats fail: a real failing statement in the
/// real database) stops sending once its count is no longer trusted, while its registration is
/// still live by the database's clock, so no other process can have stopped counting it yet;
/// the roster goes on through the failures; when the database works again after the
/// registration expired, the process registers anew and waits as a newcomer before sending.
mod a_process_cut_off_from_the_database_stops_sending_before_it_could_be_uncounted {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        super::cut_off().await;
    }
}

async fn cut_off() {
    use los::pace::Wait;
    use los::roster::{Beat, Roster};
    let db = storage::Db::open_postgres(&los_e2e::pg_url("share_cut_off").await)
        .await
        .unwrap();
    let data = los::app::data(db.clone(), Arc::new(flow::SystemClock)).unwrap();
    let times = los::pace::ShareTimes::new(Duration::from_secs(4)).unwrap();
    let mut roster = Roster::new(data.clone(), "p0".into(), times);
    let first = roster.run_once().await;
    assert_eq!(
        first,
        Beat::Heard {
            live: 1,
            joined: true,
            share: 0
        },
        "a newcomer waits"
    );
    rounds_until(&mut roster, 40, || data.pacer.share_now() == 50).await;
    assert_eq!(data.pacer.try_send(), Ok(()));

    let fault = storage::faults::fail_statements(
        &db,
        "INSERT",
        "processes",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    let mut failed = 0;
    while data.pacer.share_now() != 0 {
        if roster.run_once().await == Beat::Failed {
            failed += 1;
        }
        // Three heartbeats fit in the time a count is trusted.
        assert!(
            failed <= 6,
            "still sending after {failed} failed heartbeats"
        );
    }
    assert!(failed >= 1, "the heartbeats failed and the roster went on");
    assert_eq!(data.pacer.try_send(), Err(Wait::Change), "nothing goes");
    assert_eq!(
        storage::live_processes(&db).await.unwrap(),
        ["p0"],
        "it stopped sending while the others still count it"
    );

    // Cut off until its registration expired: the others would no longer count it.
    let mut rounds = 0;
    while !storage::live_processes(&db).await.unwrap().is_empty() {
        rounds += 1;
        assert!(rounds < 100, "the registration never expired");
        let beat = roster.run_once().await;
        assert!(
            !matches!(beat, Beat::Heard { .. }),
            "no heartbeat gets through"
        );
        assert_eq!(data.pacer.share_now(), 0);
    }
    fault.clear().await.unwrap();
    let mut back = roster.run_once().await;
    for _ in 0..4 {
        if matches!(back, Beat::Heard { .. }) {
            break;
        }
        back = roster.run_once().await;
    }
    assert_eq!(
        back,
        Beat::Heard {
            live: 1,
            joined: true,
            share: 0
        },
        "back as a newcomer, who waits"
    );
    rounds_until(&mut roster, 40, || data.pacer.share_now() == 50).await;
}

/// Runs the roster's rounds until `done`, at most `most` of them.
async fn rounds_until(roster: &mut los::roster::Roster, most: usize, done: impl Fn() -> bool) {
    for _ in 0..most {
        if done() {
            return;
        }
        roster.run_once().await;
    }
    assert!(done(), "not after {most} rounds of the roster");
}

/// One process of the bot: its database pool, its data (and so its pacer), its client.
struct Process {
    data: Arc<los::types::Data>,
    http: Arc<Http>,
    roster: tokio::sync::watch::Sender<los::shards::Stop>,
    task: tokio::task::JoinHandle<()>,
}

async fn three_processes_send_a_burst_each() {
    use los::shards::Stop;
    let mut w = los::harness::world();
    // Only the global limit is under test: the route's own bucket is wide.
    w.config.default_bucket = (10_000, Duration::from_secs(1));
    let sb = sandbox::Sandbox::start(w).await.unwrap();
    let url = los_e2e::pg_url("global_share").await;
    let times = los::pace::ShareTimes::new(Duration::from_secs(4)).unwrap();

    let mut processes = Vec::new();
    for i in 0..3 {
        let db = storage::Db::open_postgres(&url).await.unwrap();
        let data = los::app::data(db, Arc::new(flow::SystemClock)).unwrap();
        assert_eq!(data.pacer.share_now(), 0, "nothing goes before a heartbeat");
        let roster = los::roster::Roster::new(data.clone(), format!("p{i}"), times);
        let (stop, stopped) = tokio::sync::watch::channel(Stop::No);
        let task = tokio::spawn(roster.run(stopped));
        let http = Arc::new(sb.http(sandbox::HttpMode::Tls).unwrap());
        processes.push(Process {
            data,
            http,
            roster: stop,
            task,
        });
    }

    // Every process sends its whole burst at once; its pacer lets each request go.
    let mut sends = tokio::task::JoinSet::new();
    for p in &processes {
        for _ in 0..BURST_EACH {
            let (data, http) = (p.data.clone(), p.http.clone());
            sends.spawn(async move {
                data.pacer.ready(&http, Route::UserMe).await;
                http.get_current_user().await.map(|_| ())
            });
        }
    }
    while let Some(sent) = sends.join_next().await {
        sent.unwrap().expect("every request is answered");
    }

    assert_eq!(
        sb.too_many_requests(),
        0,
        "no 429, from the global limit or any"
    );
    let asked = sb.requests_on("GET /users/@me");
    assert_eq!(
        asked.len(),
        3 * BURST_EACH,
        "each request sent once, none again"
    );
    let most = sb.most_in_a_global_window();
    assert!(most <= 50, "a window of the global limit counted {most}");
    assert!(
        most > 16,
        "the processes sent at the same time: a window counted {most}, more than one share"
    );
    for p in &processes {
        assert_eq!(
            p.data.pacer.share_now(),
            16,
            "a third of the limit, rounded down"
        );
    }
    let db = &processes[0].data.db;
    let mut live = storage::live_processes(db).await.unwrap();
    live.sort();
    assert_eq!(live, ["p0", "p1", "p2"]);

    for p in processes {
        let _ = p.roster.send(Stop::Release);
        p.task.await.unwrap();
        assert_eq!(
            p.data.pacer.share_now(),
            0,
            "a process that left sends nothing"
        );
    }
}
