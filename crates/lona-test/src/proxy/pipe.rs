//! One way through a [`super::FaultProxy`] connection: read from one peer, hold each chunk
//! for its latency, pace it to the link's bandwidth and write it to the other peer, in order.
//!
//! Reading and writing are two halves joined by a short queue, so that latency is a delay
//! and not a throughput cap (chunks travel while the next ones are read), and a full queue
//! stops the reads: the sender feels back-pressure as it would from a slow network.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::faults::Direction;
use super::shared::Shared;

/// The most one read takes.
const CHUNK: usize = 16 * 1024;

/// How many chunks may be on their way at once, per direction and connection.
const IN_FLIGHT: usize = 16;

/// How many slices a second a throttled link writes: its pacing granularity.
const SLICES_PER_SECOND: u64 = 50;

/// A chunk on its way, or the sender's end of stream (its half-close).
struct Timed {
    due: Instant,
    bytes: Option<Vec<u8>>,
}

/// Forwards `from` to `to` as `way` of the link, until `from` ends (then `to` is shut down
/// for writing: a half-close is forwarded as a half-close) or either fails.
pub(super) async fn forward<R, W>(
    from: R,
    to: W,
    way: Direction,
    shared: &Shared,
    seed: u64,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (queue, arrivals) = mpsc::channel(IN_FLIGHT);
    tokio::try_join!(
        read_side(from, queue, way, shared, seed),
        write_side(to, arrivals, way, shared),
    )?;
    Ok(())
}

async fn read_side<R: AsyncRead + Unpin>(
    mut from: R,
    queue: mpsc::Sender<Timed>,
    way: Direction,
    shared: &Shared,
    seed: u64,
) -> io::Result<()> {
    let mut faults = shared.faults.subscribe();
    let mut jitter = Jitter(seed);
    let mut last_due = Instant::now();
    loop {
        if faults.wait_for(|f| !f.holds_reads(way)).await.is_err() {
            return Ok(());
        }
        let mut buffer = vec![0; CHUNK];
        // A pause or blackhole set while a read waits takes effect before that read: the
        // fault is checked first.
        let read = tokio::select! {
            biased;
            _ = faults.wait_for(|f| f.holds_reads(way)) => continue,
            read = from.read(&mut buffer) => read?,
        };
        let link = *faults.borrow().link(way);
        // TCP does not reorder: a chunk never arrives before the one read before it.
        let due = (Instant::now() + link.latency + jitter.below(link.jitter)).max(last_due);
        last_due = due;
        let bytes = (read > 0).then(|| {
            buffer.truncate(read);
            buffer
        });
        let end = bytes.is_none();
        if queue.send(Timed { due, bytes }).await.is_err() || end {
            return Ok(());
        }
    }
}

async fn write_side<W: AsyncWrite + Unpin>(
    mut to: W,
    mut arrivals: mpsc::Receiver<Timed>,
    way: Direction,
    shared: &Shared,
) -> io::Result<()> {
    let mut faults = shared.faults.subscribe();
    while let Some(Timed { due, bytes }) = arrivals.recv().await {
        sleep_until(due).await;
        let Some(bytes) = bytes else {
            if faults.wait_for(|f| !f.blackhole).await.is_ok() {
                to.shutdown().await?;
            }
            return Ok(());
        };
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            if faults.wait_for(|f| !f.blackhole).await.is_err() {
                return Ok(());
            }
            let rate = faults.borrow().link(way).bytes_per_second;
            let n = match rate {
                None => rest.len(),
                Some(rate) => {
                    let rate = rate.max(1);
                    let slice = usize::try_from(rate / SLICES_PER_SECOND).unwrap_or(usize::MAX);
                    let n = slice.clamp(1, rest.len());
                    sleep_until(shared.reserve(way, n, rate)).await;
                    n
                }
            };
            to.write_all(&rest[..n]).await?;
            shared.counters.delivered(way, n);
            rest = &rest[n..];
        }
    }
    Ok(())
}

/// SplitMix64: seeded per connection and direction, so a run's delays can be replayed.
struct Jitter(u64);

impl Jitter {
    /// A duration from zero to `max`, both included.
    fn below(&mut self, max: Duration) -> Duration {
        if max.is_zero() {
            return Duration::ZERO;
        }
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(z % nanos.saturating_add(1))
    }
}
