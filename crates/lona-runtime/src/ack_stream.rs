//! `AckStream`: one window's attachment to a view in the acknowledged stream
//! (docs/protocol.md, "The acknowledged stream"): its sequence counter, its replay buffer and
//! its resume token.
//!
//! The counter advances where a frame leaves for the browser: when the connection's writer
//! takes it from the outbox (`Connection::try_next`/`poll_next`, after any merging), or, while
//! the window is detached, when the view sends it. Either way the stamped frame is kept here
//! until the browser acknowledges it, so a resume can replay exactly what it missed.
//!
//! The other way, it holds the id of the last input event of the window the server received:
//! RESUMED names it, so that the browser sends again only what was lost with the socket, and
//! an event at or below it is a duplicate that never reaches a handler.

use std::collections::VecDeque;

use lona_protocol::{RESUME_TOKEN_LEN, RuntimeId, WindowId, stamp_seq};
use parking_lot::Mutex;

/// A window's acknowledged stream. Shared by the view's attachment and the connection that
/// writes it.
#[derive(Debug)]
pub(crate) struct AckStream {
    pub(crate) window: WindowId,
    pub(crate) runtime: RuntimeId,
    token: String,
    max_bytes: usize,
    state: Mutex<StreamState>,
    /// Set on the stream of a view started for a first paint, until it is adopted or expires.
    paint: Mutex<Option<PaintWatch>>,
}

/// What the server waiting for a first paint watches: a wake-up at every frame of the view,
/// and the redirect it asked for, if any (`runtime/paint.rs`).
pub(crate) struct PaintWatch {
    pub(crate) wake: std::sync::Arc<dyn Fn() + Send + Sync>,
    pub(crate) redirect: Option<(String, bool)>,
    /// The raw HTML it showed last, which the document does not keep.
    pub(crate) raw_html: Option<String>,
}

impl std::fmt::Debug for PaintWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaintWatch")
            .field("redirect", &self.redirect)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct StreamState {
    /// The last number given.
    seq: u64,
    /// The last number the browser acknowledged.
    acked: u64,
    /// The stamped frames above `acked`, in order, as far as `max_bytes` holds them.
    buffer: VecDeque<(u64, String)>,
    bytes: usize,
    /// Whether no socket writes the stream: the view's output goes straight to the buffer.
    detached: bool,
    /// Counts the detaches, so that a grace timer set for one ends only that one.
    detaches: u64,
    /// The id of the last input event of the window received; 0 before any.
    last_event: u64,
}

/// What a re-attached stream tells its new socket.
#[derive(Debug)]
pub(crate) struct Attached {
    /// The last sequence number given.
    pub(crate) seq: u64,
    /// The id of the last input event received.
    pub(crate) last_event: u64,
    /// What to send after RESUMED.
    pub(crate) catchup: Catchup,
}

/// What a resume sends after RESUMED.
#[derive(Debug)]
pub(crate) enum Catchup {
    /// The frames the browser missed, stamped already.
    Replay(Vec<String>),
    /// The buffer lost some of them: send the whole tree once.
    FullTree,
}

impl AckStream {
    pub(crate) fn new(window: WindowId, runtime: RuntimeId, max_bytes: usize) -> AckStream {
        AckStream {
            window,
            runtime,
            token: new_token(),
            max_bytes,
            state: Mutex::new(StreamState::default()),
            paint: Mutex::new(None),
        }
    }

    /// Watches the stream for a first paint: `wake` runs after every frame it takes.
    pub(crate) fn watch_paint(&self, wake: std::sync::Arc<dyn Fn() + Send + Sync>) {
        *self.paint.lock() = Some(PaintWatch {
            wake,
            redirect: None,
            raw_html: None,
        });
    }

    /// The first-paint watch, for a look or a change.
    pub(crate) fn paint_watch(&self) -> parking_lot::MutexGuard<'_, Option<PaintWatch>> {
        self.paint.lock()
    }

    /// The bytes of the frames kept for a replay (unacknowledged), for the accounting.
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.state.lock().bytes
    }

    /// The resume token VIEW_START carries.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Whether `token` is this stream's, compared in constant time.
    pub(crate) fn token_matches(&self, token: &str) -> bool {
        constant_time_eq(self.token.as_bytes(), token.as_bytes())
    }

    /// Numbers an encoded frame, keeps a copy for a replay and returns the stamped frame.
    pub(crate) fn stamp(&self, mut frame: String) -> String {
        let mut state = self.state.lock();
        state.seq += 1;
        let seq = state.seq;
        stamp_seq(&mut frame, seq);
        if state.bytes + frame.len() > self.max_bytes {
            // Over the bound: the next resume sends the whole tree instead (a gap).
            state.buffer.clear();
            state.bytes = 0;
        } else {
            state.bytes += frame.len();
            state.buffer.push_back((seq, frame.clone()));
        }
        drop(state);
        // Cloned out of the lock: the wake-up is the server's, and may take its own.
        let wake = self
            .paint
            .lock()
            .as_ref()
            .map(|w| std::sync::Arc::clone(&w.wake));
        if let Some(wake) = wake {
            wake();
        }
        frame
    }

    /// The next number, taken for a frame the resume sends itself (the whole tree).
    pub(crate) fn stamp_unkept(&self, mut frame: String) -> String {
        let mut state = self.state.lock();
        state.seq += 1;
        stamp_seq(&mut frame, state.seq);
        // What came before is superseded by this tree: a later resume needs only what follows.
        state.buffer.clear();
        state.bytes = 0;
        frame
    }

    /// The browser applied everything up to `seq`. `Err` if it acknowledges a number never
    /// sent (a malformed message).
    pub(crate) fn ack(&self, seq: u64) -> Result<(), ()> {
        let mut state = self.state.lock();
        if seq > state.seq {
            return Err(());
        }
        if seq > state.acked {
            state.acked = seq;
            while state.buffer.front().is_some_and(|(s, _)| *s <= seq) {
                if let Some((_, frame)) = state.buffer.pop_front() {
                    state.bytes -= frame.len();
                }
            }
        }
        Ok(())
    }

    /// Detaches the stream from its socket; returns the detach's number for the grace timer.
    pub(crate) fn detach(&self) -> u64 {
        let mut state = self.state.lock();
        state.detached = true;
        state.detaches += 1;
        state.detaches
    }

    /// Whether the stream is detached, and still by the detach numbered `detach`.
    pub(crate) fn detached_by(&self, detach: u64) -> bool {
        let state = self.state.lock();
        state.detached && state.detaches == detach
    }

    pub(crate) fn is_detached(&self) -> bool {
        self.state.lock().detached
    }

    /// An input event of the window arrived: `true` if it is new, `false` for a duplicate (its
    /// id at or below the last received), which must not run a handler again. Under the
    /// stream's lock, so that a resume reads a number no event slips past.
    pub(crate) fn receive_event(&self, event_id: u64) -> bool {
        let mut state = self.state.lock();
        if event_id <= state.last_event {
            return false;
        }
        state.last_event = event_id;
        true
    }

    /// Re-attaches the stream for a browser that applied everything up to `client_seq`:
    /// what to send it after RESUMED, the last number given (RESUMED's) and the id of the
    /// last input event received (RESUMED's too).
    pub(crate) fn attach(&self, client_seq: u64) -> Attached {
        let mut state = self.state.lock();
        state.detached = false;
        let seq = state.seq;
        let last_event = state.last_event;
        let attached = |catchup| Attached {
            seq,
            last_event,
            catchup,
        };
        if client_seq > seq {
            return attached(Catchup::FullTree);
        }
        let first = state.buffer.front().map_or(seq + 1, |(s, _)| *s);
        if client_seq + 1 < first {
            return attached(Catchup::FullTree);
        }
        let frames = state
            .buffer
            .iter()
            .filter(|(s, _)| *s > client_seq)
            .map(|(_, frame)| frame.clone())
            .collect();
        attached(Catchup::Replay(frames))
    }
}

/// 128 random bits as 22 base64url characters without padding.
pub(crate) fn new_token() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 16];
    // Without an OS random source the server cannot run safely at all; a fixed token would
    // let anyone resume anything.
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("no random source for resume tokens: {error}");
    }
    let bits = u128::from_be_bytes(bytes);
    let token: String = (0..RESUME_TOKEN_LEN)
        .map(|i| {
            // 22 digits of 6 bits cover 132 bits; the first carries the top 2.
            let shift = 6 * (RESUME_TOKEN_LEN - 1 - i);
            let digit = if shift >= 128 {
                0
            } else {
                (bits >> shift) & 63
            };
            char::from(ALPHABET[digit as usize])
        })
        .collect();
    token
}

/// Whether two tokens are equal, in a time that depends on their length only, so that timing
/// a guess tells nothing about a token (resume and adopt tokens).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(max_bytes: usize) -> AckStream {
        AckStream::new(WindowId(1), RuntimeId(1), max_bytes)
    }

    #[test]
    fn tokens_are_well_formed_and_differ() {
        let (a, b) = (stream(10), stream(10));
        assert!(lona_protocol::is_resume_token(a.token()));
        assert_ne!(a.token(), b.token());
        assert!(a.token_matches(a.token()));
        assert!(!a.token_matches(b.token()));
        assert!(!a.token_matches(""));
    }

    #[test]
    fn a_resume_replays_exactly_what_the_browser_missed() {
        let s = stream(1 << 20);
        for i in 0..5 {
            s.stamp(format!(r#"lona:[1,"1",103,{i}]"#));
        }
        s.ack(2).expect("sent");
        assert!(s.ack(9).is_err(), "an ACK above what was sent is malformed");
        s.detach();
        let attached = s.attach(3);
        assert_eq!((attached.seq, attached.last_event), (5, 0));
        let Catchup::Replay(frames) = attached.catchup else {
            panic!("{attached:?}")
        };
        assert_eq!(
            frames,
            [r#"lona:[1,"1",103,3,4]"#, r#"lona:[1,"1",103,4,5]"#]
        );
    }

    #[test]
    fn a_buffer_over_its_bound_leaves_a_gap_and_a_whole_tree() {
        let s = stream(40);
        for i in 0..5 {
            s.stamp(format!(r#"lona:[1,"1",103,{i}]"#));
        }
        // Only the frames after the overflow are kept: the browser at 1 missed some.
        assert!(matches!(s.attach(1).catchup, Catchup::FullTree));
        assert!(matches!(s.attach(5).catchup, Catchup::Replay(f) if f.is_empty()));
    }

    #[test]
    fn an_event_at_or_below_the_last_received_is_a_duplicate() {
        let s = stream(10);
        assert!(s.receive_event(1));
        assert!(
            s.receive_event(3),
            "a gap is no duplicate: ids are the client's"
        );
        assert!(!s.receive_event(3));
        assert!(!s.receive_event(2));
        assert!(s.receive_event(u64::MAX));
        assert!(!s.receive_event(u64::MAX));
        assert_eq!(s.attach(0).last_event, u64::MAX);
    }
}
