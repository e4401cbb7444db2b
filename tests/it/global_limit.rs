//! Discord's global limit (50 requests per second) is per bot, not per process: processes of
//! one bot on one PostgreSQL database share it by drawing places from one sequence in the
//! database (`los::pace::shared`), a request at each place.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude::{Http, Route};

/// Requests each process sends at once.
const BURST_EACH: usize = 60;

/// Three processes of one bot (each with its own connection pool, registry heartbeat, pacer
/// and serenity client, as three `los run` would have) start at once on one PostgreSQL
/// database and each sends a burst of requests that count against the global limit, all at
/// once, through its pacer: the sandbox (which counts the global limit over every connection
/// with the bot's token) refused none, no window of the limit counted over 50, and together
/// they went at more than half the limit (not each at a third of it).
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

/// A process cut off from the database (its draws fail: a real failing statement in the real
/// database) sends nothing once the places it holds are used, for it cannot know which places
/// the others took; when the database works again, it draws and sends again.
mod a_process_cut_off_from_the_database_sends_nothing_until_it_draws_again {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        super::cut_off().await;
    }
}

/// The roster goes on through failing heartbeats; when they work again after its registration
/// expired, the process registers anew.
mod the_roster_goes_on_through_failures_and_registers_anew {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(
        not(los_postgres),
        ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
    )]
    async fn postgres() {
        super::roster_through_failures().await;
    }
}

async fn cut_off() {
    let db = storage::Db::open_postgres(&los_e2e::pg_url("places_cut_off").await)
        .await
        .unwrap();
    let data = los::app::data(db.clone(), Arc::new(flow::SystemClock)).unwrap();
    let http = Arc::new(Http::new(""));
    data.pacer.ready(&http, Route::UserMe).await;

    let fault = storage::faults::fail_statements(
        &db,
        "INSERT",
        "global_pace",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    let mut failures = data.pacer.draw_failures();
    let before = *failures.borrow_and_update();
    let waiting = {
        let (data, http) = (data.clone(), http.clone());
        tokio::spawn(async move { data.pacer.ready(&http, Route::UserMe).await })
    };
    // Two failed draws: the request has asked the database twice and not gone.
    tokio::time::timeout(
        Duration::from_secs(30),
        failures.wait_for(|n| *n >= before + 2),
    )
    .await
    .expect("the pacer tries to draw")
    .unwrap();
    assert!(!waiting.is_finished(), "a request went without a place");

    fault.clear().await.unwrap();
    tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("it sends again once it can draw")
        .unwrap();
}

async fn roster_through_failures() {
    use los::roster::{Beat, Roster, Times};
    let db = storage::Db::open_postgres(&los_e2e::pg_url("roster_failures").await)
        .await
        .unwrap();
    let data = los::app::data(db.clone(), Arc::new(flow::SystemClock)).unwrap();
    let times = Times::new(Duration::from_secs(1)).unwrap();
    let mut roster = Roster::new(data.clone(), "p0".into(), times);
    assert_eq!(
        roster.run_once().await,
        Beat::Heard {
            live: 1,
            joined: true
        }
    );
    let fault = storage::faults::fail_statements(
        &db,
        "INSERT",
        "processes",
        storage::faults::Failure::Abort,
    )
    .await
    .unwrap();
    // Failing until the registration expired by the database's clock.
    let mut failed = 0;
    while !storage::live_processes(&db).await.unwrap().is_empty() {
        let beat = roster.run_once().await;
        assert!(
            !matches!(beat, Beat::Heard { .. }),
            "no heartbeat gets through"
        );
        if beat == Beat::Failed {
            failed += 1;
        }
        assert!(failed < 100, "the registration never expired");
    }
    assert!(failed >= 1, "the heartbeats failed and the roster went on");
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
            joined: true
        },
        "back as a new registration"
    );
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
    let times = los::roster::Times::new(Duration::from_secs(4)).unwrap();

    let mut processes = Vec::new();
    for i in 0..3 {
        let db = storage::Db::open_postgres(&url).await.unwrap();
        let data = los::app::data(db, Arc::new(flow::SystemClock)).unwrap();
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
        most > 25,
        "together the processes go at the bot's pace: a window counted {most}"
    );
    let db = processes[0].data.db.clone();
    let mut live = storage::live_processes(&db).await.unwrap();
    live.sort();
    assert_eq!(live, ["p0", "p1", "p2"]);

    for p in processes {
        let _ = p.roster.send(Stop::Release);
        p.task.await.unwrap();
    }
    assert!(
        storage::live_processes(&db).await.unwrap().is_empty(),
        "each deregistered as it left"
    );
}
