//! Tests of the per-visitor limits the runtime enforces: views per session and per address,
//! a session's share of the runtime pool, daemons per session and the daemons' idle expiry.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use super::support::{
    AsyncWaiting, Counter, Probe, Wait, Waiting, browser, eventually, session, start, until_stop,
};
use crate::{
    Connection, Limit, OutboxLimits, Request, Runtime, RuntimeConfig, StartError, ViewFactory,
};
use lona_protocol::WindowId;

fn waiting(probe: &Probe) -> ViewFactory {
    let probe = probe.clone();
    ViewFactory::blocking(move |_| Waiting {
        wait: Wait::Click,
        probe: probe.clone(),
    })
}

fn async_waiting() -> ViewFactory {
    let probe = Probe::default();
    ViewFactory::asynchronous(move |_| AsyncWaiting {
        wait: Wait::Click,
        probe: probe.clone(),
    })
}

fn try_start(
    runtime: &Runtime,
    factory: &ViewFactory,
    conn: &Arc<Connection>,
    window: u32,
) -> Result<lona_protocol::RuntimeId, StartError> {
    let request = Request::new("http://localhost/", conn.session().clone());
    runtime.start_view(factory, request, conn, WindowId(window))
}

fn tripped(runtime: &Runtime, limit: Limit) -> u64 {
    runtime.metrics().limits_tripped.get(limit)
}

fn waiting_count(probe: &Probe) -> usize {
    probe.entries().iter().filter(|e| *e == "waiting").count()
}

#[test]
fn a_session_holds_at_most_its_share_of_the_runtime_pool_and_others_still_start() {
    // Four threads at 50 %: two per session.
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 4,
        worker_threads: 2,
        max_runtime_share: 50,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = waiting(&probe);
    let greedy = browser(&session("greedy"));
    for window in 1..=2 {
        try_start(&runtime, &factory, &greedy, window).expect("within the share");
    }
    for window in 3..=10 {
        assert_eq!(
            try_start(&runtime, &factory, &greedy, window),
            Err(StartError::LimitReached(Limit::RuntimeShare)),
            "window {window} is over the session's share"
        );
    }
    assert_eq!(tripped(&runtime, Limit::RuntimeShare), 8);
    eventually("the session's two views wait", || {
        waiting_count(&probe) == 2
    });

    // Another visitor still gets a thread at once.
    let other = browser(&session("other"));
    start(&runtime, &factory, &other, "http://localhost/");
    eventually("the other visitor's view runs", || {
        waiting_count(&probe) == 3
    });

    // A stopped view gives its share back at once: the session may start another.
    runtime.detach_window(&greedy, WindowId(1));
    try_start(&runtime, &factory, &greedy, 11).expect("the share was given back");
    runtime.shutdown();
}

#[test]
fn a_session_over_max_views_per_session_is_refused_and_error_pages_still_show() {
    let runtime = Runtime::new(RuntimeConfig {
        max_views_per_session: 3,
        ..RuntimeConfig::default()
    });
    let factory = async_waiting();
    let me = session("me");
    let tabs: Vec<Arc<Connection>> = (0..4).map(|_| browser(&me)).collect();
    for tab in &tabs[..3] {
        try_start(&runtime, &factory, tab, 1).expect("within the limit");
    }
    assert_eq!(
        try_start(&runtime, &factory, &tabs[3], 1),
        Err(StartError::LimitReached(Limit::ViewsPerSession))
    );
    assert_eq!(tripped(&runtime, Limit::ViewsPerSession), 1);
    // The page that says so is exempt.
    try_start(&runtime, &factory.clone().exempt_from_limits(), &tabs[3], 1)
        .expect("an exempt view starts");
    // Another session is not affected.
    let other = browser(&session("other"));
    try_start(&runtime, &factory, &other, 1).expect("another session starts");

    // Closing a tab makes room once its view is gone, and the counts empty out.
    runtime.connection_closed(&tabs[0]);
    eventually("the closed tab's view is gone", || {
        runtime.view_count() == 4
    });
    try_start(&runtime, &factory, &tabs[0], 2).expect("room again");
    for tab in tabs.iter().chain([&other]) {
        runtime.connection_closed(tab);
    }
    eventually("every view is gone", || runtime.view_count() == 0);
    assert_eq!(runtime.quota_sizes(), (0, 0, 0));
    runtime.shutdown();
}

#[test]
fn one_address_over_max_views_per_ip_is_refused_whatever_its_sessions() {
    let runtime = Runtime::new(RuntimeConfig {
        max_views_per_ip: 2,
        ..RuntimeConfig::default()
    });
    let factory = async_waiting();
    let attacker = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    // Cookie-less sockets: each one a session of its own, all from one address.
    let sockets: Vec<Arc<Connection>> = (0..3)
        .map(|i| {
            Connection::new(session(&format!("fresh-{i}")), OutboxLimits::default())
                .with_client_addr(attacker)
        })
        .collect();
    try_start(&runtime, &factory, &sockets[0], 1).expect("first");
    try_start(&runtime, &factory, &sockets[1], 1).expect("second");
    assert_eq!(
        try_start(&runtime, &factory, &sockets[2], 1),
        Err(StartError::LimitReached(Limit::ViewsPerIp))
    );
    assert_eq!(tripped(&runtime, Limit::ViewsPerIp), 1);
    let elsewhere = Connection::new(session("elsewhere"), OutboxLimits::default())
        .with_client_addr(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)));
    try_start(&runtime, &factory, &elsewhere, 1).expect("another address starts");
    for socket in sockets.iter().chain([&elsewhere]) {
        runtime.connection_closed(socket);
    }
    eventually("every view is gone", || runtime.view_count() == 0);
    assert_eq!(runtime.quota_sizes(), (0, 0, 0));
    runtime.shutdown();
}

fn counter(probe: &Probe) -> ViewFactory {
    let probe = probe.clone();
    ViewFactory::blocking(move |_| Counter {
        probe: probe.clone(),
    })
}

fn daemon_of(runtime: &Runtime, path: &str) -> Option<crate::ViewInfo> {
    runtime
        .views()
        .into_iter()
        .find(|v| v.path == path && !v.stopped)
}

#[test]
fn a_daemon_without_a_window_expires_and_a_reattached_one_is_kept() {
    // One worker thread: the expiry checks run in the order their timers fire.
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 1,
        daemon_idle_timeout: Duration::from_millis(200),
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = counter(&probe);

    // Kept: it leaves and comes back before its time is up.
    let kept = session("kept");
    let first = browser(&kept);
    let kept_id = start(&runtime, &factory, &first, "http://localhost/kept");
    until_stop(&first);
    runtime.connection_closed(&first);
    let back = browser(&kept);
    assert_eq!(
        start(&runtime, &factory, &back, "http://localhost/kept"),
        kept_id
    );

    // Expires: nobody comes back (a cookie-less socket never can).
    let gone = browser(&session("gone"));
    start(&runtime, &factory, &gone, "http://localhost/gone");
    until_stop(&gone);
    runtime.connection_closed(&gone);
    assert!(daemon_of(&runtime, "/gone").is_some_and(|v| v.daemon && v.windows == 0));
    eventually("the windowless daemon expires", || {
        daemon_of(&runtime, "/gone").is_none()
    });
    assert_eq!(tripped(&runtime, Limit::DaemonIdle), 1);
    assert!(
        daemon_of(&runtime, "/kept").is_some(),
        "the re-attached daemon was kept"
    );

    // Left again, it expires in its turn.
    runtime.connection_closed(&back);
    eventually("the daemon left again expires", || {
        daemon_of(&runtime, "/kept").is_none()
    });
    assert_eq!(tripped(&runtime, Limit::DaemonIdle), 2);
    runtime.shutdown();
}

#[test]
fn at_max_daemons_per_session_the_longest_detached_goes_or_the_new_view_stays_no_daemon() {
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 2,
        max_daemons_per_session: 2,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = counter(&probe);
    let me = session("me");
    let open = |path: &str| {
        let conn = browser(&me);
        start(
            &runtime,
            &factory,
            &conn,
            &format!("http://localhost{path}"),
        );
        until_stop(&conn);
        conn
    };
    let d1 = open("/d1");
    runtime.connection_closed(&d1);
    let d2 = open("/d2");
    runtime.connection_closed(&d2);
    // A third: the longest-detached one (d1) makes room.
    let _d3 = open("/d3");
    eventually("d1 is stopped", || daemon_of(&runtime, "/d1").is_none());
    assert!(daemon_of(&runtime, "/d2").is_some_and(|v| v.daemon));
    assert!(daemon_of(&runtime, "/d3").is_some_and(|v| v.daemon));
    // A fourth: d2 is the only detached one.
    let _d4 = open("/d4");
    eventually("d2 is stopped", || daemon_of(&runtime, "/d2").is_none());
    // A fifth, with both daemons in use: it is no daemon, and ends with its window.
    let d5 = open("/d5");
    assert!(daemon_of(&runtime, "/d5").is_some_and(|v| !v.daemon));
    assert_eq!(tripped(&runtime, Limit::DaemonsPerSession), 3);
    runtime.connection_closed(&d5);
    eventually("d5 ends with its window", || {
        daemon_of(&runtime, "/d5").is_none()
    });
    eventually("two daemons are left", || runtime.metrics().daemons == 2);
    // Another session has its own allowance.
    let other = browser(&session("other"));
    start(&runtime, &factory, &other, "http://localhost/d1");
    until_stop(&other);
    assert!(daemon_of(&runtime, "/d1").is_some_and(|v| v.daemon));
    runtime.shutdown();
}

#[test]
fn a_daemon_that_comes_and_goes_expires_a_full_timeout_after_it_was_last_left() {
    let timeout = Duration::from_millis(300);
    let runtime = Runtime::new(RuntimeConfig {
        runtime_threads: 2,
        worker_threads: 1,
        daemon_idle_timeout: timeout,
        ..RuntimeConfig::default()
    });
    let probe = Probe::default();
    let factory = counter(&probe);
    let me = session("me");
    let first = browser(&me);
    let id = start(&runtime, &factory, &first, "http://localhost/busy");
    until_stop(&first);
    runtime.connection_closed(&first);
    // Half the timeout of coming and going: each visit restarts the clock.
    let began = std::time::Instant::now();
    let mut left = began;
    while began.elapsed() < timeout / 2 {
        let tab = browser(&me);
        assert_eq!(start(&runtime, &factory, &tab, "http://localhost/busy"), id);
        runtime.connection_closed(&tab);
        left = std::time::Instant::now();
    }
    eventually("the daemon expires", || {
        daemon_of(&runtime, "/busy").is_none()
    });
    assert!(
        left.elapsed() >= timeout,
        "expired {:?} after it was last left",
        left.elapsed()
    );
    assert_eq!(tripped(&runtime, Limit::DaemonIdle), 1);
    runtime.shutdown();
}
