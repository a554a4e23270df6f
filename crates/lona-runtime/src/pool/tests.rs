//! Tests of the pool: named threads, the queue bound, metrics, and panic isolation.

use std::time::Duration;

use crossbeam_channel::unbounded;

use super::{Pool, PoolConfig};

const DEADLINE: Duration = Duration::from_secs(20);

fn pool(threads: usize, queue: usize) -> Pool {
    Pool::new(PoolConfig {
        name: "test".to_owned(),
        threads,
        queue,
    })
}

#[test]
fn jobs_run_on_named_threads() {
    let pool = pool(2, 10);
    let (tx, rx) = unbounded();
    pool.try_submit(move || {
        let _ = tx.send(std::thread::current().name().map(str::to_owned));
    })
    .expect("room in the queue");
    let name = rx.recv_timeout(DEADLINE).expect("the job ran");
    assert!(name.is_some_and(|n| n.starts_with("lona-test-")));
    pool.shutdown();
}

#[test]
fn a_full_queue_hands_the_job_back_and_metrics_show_it() {
    let pool = pool(1, 2);
    let (release, gate) = unbounded::<()>();
    let (started_tx, started) = unbounded::<()>();
    let blocker = move || {
        let _ = started_tx.send(());
        let _ = gate.recv();
    };
    pool.try_submit(blocker.clone()).expect("runs");
    started.recv_timeout(DEADLINE).expect("the first job runs");
    pool.try_submit(blocker.clone()).expect("queued 1");
    pool.try_submit(blocker).expect("queued 2");
    let refused = pool.try_submit(|| ());
    assert!(refused.is_err(), "a third waiting job is refused");
    let metrics = pool.metrics();
    assert_eq!((metrics.busy, metrics.queued, metrics.threads), (1, 2, 1));
    assert!(pool.is_saturated());
    // Continuations are never refused: they were admitted once already.
    let (tx, rx) = unbounded();
    pool.submit_continuation(move || {
        let _ = tx.send(());
    });
    for _ in 0..3 {
        release.send(()).expect("jobs wait");
    }
    rx.recv_timeout(DEADLINE).expect("the continuation ran");
    pool.shutdown();
    assert_eq!(pool.metrics().done, 4);
}

#[test]
fn a_panicking_job_is_counted_and_the_thread_goes_on() {
    let pool = pool(1, 10);
    pool.try_submit(|| panic!("boom")).expect("queued");
    let (tx, rx) = unbounded();
    pool.try_submit(move || {
        let _ = tx.send(());
    })
    .expect("queued");
    rx.recv_timeout(DEADLINE)
        .expect("the same thread ran the next job");
    pool.shutdown();
    let metrics = pool.metrics();
    assert_eq!((metrics.panics, metrics.done, metrics.threads), (1, 2, 1));
}

#[test]
fn a_shut_down_pool_refuses_jobs() {
    let pool = pool(1, 10);
    pool.shutdown();
    assert!(pool.try_submit(|| ()).is_err());
    assert_eq!(pool.metrics().queued, 0);
}
