//! The runtime side of a [`super::FaultProxy`]: the accept loop, one task per connection
//! that dials the upstream and forwards both ways until an end or a cut, and the timer of
//! `cut_every`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::faults::{Counters, Direction};
use super::pipe::forward;
use super::shared::Shared;

/// How long the accept loop rests after a failed accept (out of file descriptors, say), so
/// that it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// How a connection ended.
enum End {
    /// Both peers finished (each half-closed); close plainly.
    Finished,
    /// A peer failed (reset, for one) or the upstream could not be reached: reset the other.
    Failed,
    /// A cut: reset both.
    Cut,
}

/// Accepts connections until the proxy stops, refusing them while `refuse_new` is set.
pub(super) async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut id: u64 = 0;
    loop {
        let client = match listener.accept().await {
            Ok((client, _peer)) => client,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        if shared.faults.borrow().refuse_new {
            Counters::add(&shared.counters.refused, 1);
            reset(client);
            continue;
        }
        id += 1;
        Counters::add(&shared.counters.accepted, 1);
        Counters::add(&shared.counters.open, 1);
        let task_shared = Arc::clone(&shared);
        shared.register(|born, cuts| tokio::spawn(serve(client, task_shared, born, cuts, id)));
    }
}

/// Cuts every open connection each `cut_every`, counted from when it was set or from the
/// last cut.
pub(super) async fn cut_timer(shared: Arc<Shared>) {
    let mut faults = shared.faults.subscribe();
    loop {
        let period = faults.borrow_and_update().cut_every;
        let changed = |f: &super::Faults| f.cut_every != period;
        match period {
            Some(period) if !period.is_zero() => {
                // A change first: once `cut_every(None)` has returned, no cut follows.
                tokio::select! {
                    biased;
                    changed = faults.wait_for(changed) => if changed.is_err() { return },
                    () = tokio::time::sleep(period) => shared.cut_all().await,
                }
            }
            _ => {
                if faults.wait_for(changed).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn serve(
    mut client: TcpStream,
    shared: Arc<Shared>,
    born: u64,
    mut cuts: watch::Receiver<u64>,
    id: u64,
) {
    let mut upstream = None;
    let end = tokio::select! {
        biased;
        _ = cuts.wait_for(|cuts| *cuts > born) => End::Cut,
        forwarded = run(&mut client, &mut upstream, &shared, id) => match forwarded {
            Ok(()) => End::Finished,
            Err(_) => End::Failed,
        },
    };
    // Counted before the sockets close, so that a peer that sees the close reads counters
    // that already say so.
    if matches!(end, End::Cut) {
        Counters::add(&shared.counters.cut, 1);
    }
    Counters::remove(&shared.counters.open, 1);
    if !matches!(end, End::Finished) {
        reset(client);
        if let Some(upstream) = upstream {
            reset(upstream);
        }
    }
}

/// Dials the upstream (kept in `upstream`, so that a cut can reset it) and forwards both
/// ways until both have ended, or one fails.
async fn run(
    client: &mut TcpStream,
    upstream: &mut Option<TcpStream>,
    shared: &Shared,
    id: u64,
) -> io::Result<()> {
    // A blackhole swallows the handshake too: the upstream sees the connection once the
    // network is back.
    let mut faults = shared.faults.subscribe();
    if faults.wait_for(|f| !f.blackhole).await.is_err() {
        return Ok(());
    }
    let server = upstream.insert(TcpStream::connect(shared.upstream).await?);
    // The proxy adds the delays it is told to, and no others.
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (from_client, to_client) = client.split();
    let (from_server, to_server) = server.split();
    let seed = id.wrapping_mul(2);
    tokio::try_join!(
        forward(from_client, to_server, Direction::Upstream, shared, seed),
        forward(
            from_server,
            to_client,
            Direction::Downstream,
            shared,
            seed + 1
        ),
    )?;
    Ok(())
}

/// Closes `stream` with a reset (`SO_LINGER` 0): the peer's next read fails at once with
/// "connection reset", as after a middlebox that dropped the connection, and nothing it
/// still had to send is delivered.
fn reset(stream: TcpStream) {
    // Without the option the close is a plain one: still a close.
    let _ = stream.set_zero_linger();
    drop(stream);
}
