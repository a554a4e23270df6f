//! The client side of the acknowledged stream (docs/protocol.md, "The acknowledged stream"):
//! asking for it in VIEW, keeping each window's last applied sequence number and resume token,
//! dropping duplicates after a replay, building ACK and RESUME frames, and keeping the input
//! events sent and not yet known received, to send again after RESUMED those the server
//! did not get.

use std::collections::VecDeque;

use crate::client::ClientMessage;
use crate::{DecodedServerMessage, ResumeFailure, WindowId};

use super::{ClientState, InputFrame, Received, Window};

/// The most input events a window keeps for a resend, as the browser client
/// (`UNCONFIRMED_LIMIT` in `stream.js`); beyond, the oldest is forgotten.
const UNCONFIRMED_LIMIT: usize = 64;

/// A window's acknowledged-stream state.
#[derive(Debug, Default)]
pub(super) struct AckState {
    /// Whether the window's VIEWs ask for the acknowledged stream.
    pub(super) requested: bool,
    /// The resume token of the view's VIEW_START; `None` in the plain protocol.
    pub(super) token: Option<String>,
    /// The sequence number of the last message applied.
    applied: u64,
    /// The last sequence number acknowledged with ACK.
    acked: u64,
    /// The input events built for the view and not known received (no INPUT_EVENT_ACK of
    /// them or a later one, no RESUMED naming them), oldest first, at most
    /// [`UNCONFIRMED_LIMIT`].
    unconfirmed: VecDeque<InputFrame>,
    /// How many events were forgotten past the limit.
    forgotten: u64,
    /// The events RESUMED said the server did not get, to send again before anything else.
    resend: Vec<String>,
}

impl AckState {
    /// A VIEW starts a new attachment, whose numbers start at 1 again.
    pub(super) fn restart(&mut self) {
        self.token = None;
        self.applied = 0;
        self.acked = 0;
        self.forget_events();
    }

    /// A new view (or none): no event of the window is waiting to be sent again.
    pub(super) fn forget_events(&mut self) {
        self.unconfirmed.clear();
        self.resend.clear();
    }

    /// An input event built for the window: kept, in the acknowledged stream, until it is
    /// known received.
    pub(super) fn keep(&mut self, input: &InputFrame) {
        if self.token.is_none() {
            return;
        }
        self.unconfirmed.push_back(input.clone());
        while self.unconfirmed.len() > UNCONFIRMED_LIMIT {
            self.unconfirmed.pop_front();
            self.forgotten += 1;
        }
    }

    /// INPUT_EVENT_ACK of `event_id`: it and every event sent before it were received (one
    /// socket delivers in order, and each resend goes before anything newer).
    pub(super) fn confirm(&mut self, event_id: u64) {
        while self
            .unconfirmed
            .front()
            .is_some_and(|input| input.event_id <= event_id)
        {
            self.unconfirmed.pop_front();
        }
    }

    /// RESUMED naming `event` the last received: the events kept above it go again, in
    /// order, with their ids; they stay kept until confirmed.
    pub(super) fn resumed(&mut self, event: u64) {
        self.confirm(event);
        self.resend = self
            .unconfirmed
            .iter()
            .map(|input| input.frame.clone())
            .collect();
    }
}

impl Window {
    /// Whether the window's view speaks the acknowledged stream: its VIEW_START carried a
    /// resume token.
    pub fn is_acked_stream(&self) -> bool {
        self.ack.token.is_some()
    }

    /// The resume token of the window's view, in the acknowledged stream.
    pub fn resume_token(&self) -> Option<&str> {
        self.ack.token.as_deref()
    }

    /// What the last RESUME of the window got: RESUMED with the server's last number, or
    /// RESUME_FAILED with its reason; `None` before any.
    pub fn last_resume(&self) -> Option<Result<u64, ResumeFailure>> {
        self.resumed
    }

    /// Forgets the last resume's outcome, before sending a new RESUME.
    pub(super) fn clear_resume(&mut self) {
        self.resumed = None;
    }

    /// The sequence number of the last message the window applied (0 before any, and always
    /// in the plain protocol).
    pub fn applied_seq(&self) -> u64 {
        self.ack.applied
    }

    /// The ids of the input events built for the view and not known received, oldest first:
    /// a RESUMED sends again those above the last the server got. Always empty in the plain
    /// protocol.
    pub fn unconfirmed_events(&self) -> Vec<u64> {
        self.ack.unconfirmed.iter().map(|i| i.event_id).collect()
    }

    /// How many events were forgotten past 64 unconfirmed ones (the oldest goes).
    pub fn forgotten_events(&self) -> u64 {
        self.ack.forgotten
    }
}

impl ClientState {
    /// VIEW asking for the acknowledged stream (`{"ack":1}`): the server then numbers the
    /// window's messages, gives a resume token, and keeps the view through a reconnect. The
    /// window's later VIEWs (navigation) ask for it too.
    ///
    /// ```
    /// use lona_protocol::{ClientState, WindowId};
    ///
    /// let mut state = ClientState::new();
    /// let view = state.view_acked(WindowId(1), "http://127.0.0.1/");
    /// assert_eq!(view, r#"lona:[1,null,101,["http://127.0.0.1/",{},{"ack":1}]]"#);
    ///
    /// state.receive(r#"lona:[1,"7",204,{"resume":"AAAAAAAAAAAAAAAAAAAAAA"},1]"#)?;
    /// assert_eq!(state.acks_due(), [r#"lona:[1,"7",106,1]"#]);
    /// assert!(state.acks_due().is_empty());
    /// assert_eq!(
    ///     state.resumes(),
    ///     [r#"lona:[1,"7",107,["http://127.0.0.1/",1,"AAAAAAAAAAAAAAAAAAAAAA",0]]"#]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn view_acked(&mut self, window: WindowId, url: &str) -> String {
        self.ask_acked(window);
        self.view(window, url)
    }

    /// Makes every later VIEW of `window` ask for the acknowledged stream, as
    /// [`ClientState::view_acked`] does; for a VIEW built another way
    /// ([`ClientState::view_adopting`]).
    pub fn ask_acked(&mut self, window: WindowId) {
        self.windows.entry(window).or_default().ack.requested = true;
    }

    /// Checks a frame's sequence number against its window: a number at or below the last
    /// applied is a duplicate (the frame is dropped); otherwise it becomes the last applied.
    /// RESUMED repeats the last number the server sent without being that message, so it
    /// changes nothing.
    pub(super) fn take_seq(
        &mut self,
        message: &DecodedServerMessage,
        seq: Option<u64>,
    ) -> Option<Received> {
        let seq = seq?;
        let window = message_window(message)?;
        let state = self.windows.entry(window).or_default();
        match message {
            // A new attachment counts from its VIEW_START.
            DecodedServerMessage::ViewStart { .. } => {
                state.ack.applied = seq;
                state.ack.acked = 0;
                return None;
            }
            DecodedServerMessage::Resumed { .. } => return None,
            // Between a VIEW and its VIEW_START the old view's frames are ignored, and must not
            // count for the new one.
            _ if state.runtime.is_none() => return None,
            _ => {}
        }
        if seq <= state.ack.applied {
            return Some(Received::Duplicate { window, seq });
        }
        state.ack.applied = seq;
        None
    }

    /// The ACK frames due: one per acknowledged-stream window that applied something since its
    /// last ACK. A client sends them before an INPUT_EVENT, with every PING, and within a
    /// second of applying a message otherwise.
    pub fn acks_due(&mut self) -> Vec<String> {
        let mut frames = Vec::new();
        for (window, state) in &mut self.windows {
            let (Some(runtime), Some(_)) = (state.runtime, &state.ack.token) else {
                continue;
            };
            if state.ack.applied > state.ack.acked {
                state.ack.acked = state.ack.applied;
                frames.push(
                    ClientMessage::Ack {
                        window: *window,
                        runtime,
                        seq: state.ack.applied,
                    }
                    .encode(),
                );
            }
        }
        frames
    }

    /// The input events to send again after RESUMED, in order and before any new event: those
    /// of each window the server said it did not receive. A client sends them as soon as
    /// RESUMED is read.
    pub fn resends_due(&mut self) -> Vec<String> {
        self.windows
            .values_mut()
            .flat_map(|state| std::mem::take(&mut state.ack.resend))
            .collect()
    }

    /// The RESUME frames to send on a new socket, one per window whose view speaks the
    /// acknowledged stream, with its URL, last applied number, token and the id of the last
    /// input event it built. Each window forgets its last resume's outcome
    /// ([`Window::last_resume`]) until the answer comes.
    pub fn resumes(&mut self) -> Vec<String> {
        self.windows
            .iter_mut()
            .filter_map(|(window, state)| {
                state.clear_resume();
                Some(
                    ClientMessage::Resume {
                        window: *window,
                        runtime: state.runtime?,
                        url: state.url.clone()?,
                        seq: state.ack.applied,
                        token: state.ack.token.clone()?,
                        last_event: Some(state.next_event_id.saturating_sub(1)),
                    }
                    .encode(),
                )
            })
            .collect()
    }
}

/// The window a message is for; PONG has none.
fn message_window(message: &DecodedServerMessage) -> Option<WindowId> {
    match message {
        DecodedServerMessage::Pong => None,
        DecodedServerMessage::ViewStart { window, .. }
        | DecodedServerMessage::ViewStop { window, .. }
        | DecodedServerMessage::InputEventAck { window, .. }
        | DecodedServerMessage::Redirect { window, .. }
        | DecodedServerMessage::HttpRedirect { window, .. }
        | DecodedServerMessage::Data { window, .. }
        | DecodedServerMessage::Resumed { window, .. }
        | DecodedServerMessage::ResumeFailed { window, .. } => Some(*window),
    }
}

#[cfg(test)]
mod tests {
    use crate::{ClientState, Received, ResumeFailure, Window, WindowId};

    const W: WindowId = WindowId(1);
    const TOKEN: &str = "abcdefghijklmnopqrs-_0";

    fn started() -> ClientState {
        let mut state = ClientState::new();
        state.view_acked(W, "http://127.0.0.1/");
        state
            .receive(&format!(r#"lona:[1,"7",204,{{"resume":"{TOKEN}"}},1]"#))
            .expect("VIEW_START");
        state
            .receive(r#"lona:[1,"7",203,["",[501,"<p>a</p>"]],2]"#)
            .expect("DATA");
        state
    }

    #[test]
    fn a_replayed_frame_already_applied_is_dropped() {
        let mut state = started();
        assert_eq!(
            state.receive(r#"lona:[1,"7",203,["",[501,"<p>old</p>"]],2]"#),
            Ok(Received::Duplicate { window: W, seq: 2 })
        );
        let window = state.window(W).expect("the window");
        assert_eq!(
            (window.applied_seq(), window.html().as_str()),
            (2, "<p>a</p>")
        );
        assert!(window.is_acked_stream());
    }

    #[test]
    fn resumed_changes_no_number_and_the_replay_after_it_applies() {
        let mut state = started();
        assert_eq!(state.resumes().len(), 1);
        state
            .receive(r#"lona:[1,"7",207,{"seq":3,"event":0},3]"#)
            .expect("RESUMED");
        assert_eq!(state.window(W).map(|w| w.applied_seq()), Some(2));
        state
            .receive(r#"lona:[1,"7",203,["",[501,"<p>b</p>"]],3]"#)
            .expect("the replay");
        let window = state.window(W).expect("the window");
        assert_eq!(window.last_resume(), Some(Ok(3)));
        assert_eq!(
            (window.applied_seq(), window.html().as_str()),
            (3, "<p>b</p>")
        );
    }

    #[test]
    fn resume_failed_forgets_the_view_and_a_new_view_counts_from_one() {
        let mut state = started();
        state
            .receive(r#"lona:[1,null,208,"expired"]"#)
            .expect("RESUME_FAILED");
        let window = state.window(W).expect("the window");
        assert_eq!(window.last_resume(), Some(Err(ResumeFailure::Expired)));
        assert!(!window.view_started() && !window.is_acked_stream());
        assert!(state.resumes().is_empty());
        let view = state.view(W, "http://127.0.0.1/");
        assert!(view.ends_with(r#",{"ack":1}]]"#), "{view}");
        state
            .receive(&format!(r#"lona:[1,"8",204,{{"resume":"{TOKEN}"}},1]"#))
            .expect("a fresh VIEW_START");
        assert_eq!(state.window(W).map(|w| w.applied_seq()), Some(1));
    }

    /// A window in the acknowledged stream showing a button `#go`, its frames up to 2 applied.
    fn with_button() -> (ClientState, lona_html::Node) {
        let mut state = ClientState::new();
        state.view_acked(W, "http://127.0.0.1/");
        state
            .receive(&format!(r#"lona:[1,"7",204,{{"resume":"{TOKEN}"}},1]"#))
            .expect("VIEW_START");
        state
            .receive(r#"lona:[1,"7",203,["",[502,[401,"3","","button",["go"],[],{},{"data-lona-events":"301"},[[402,"4","Go"]],"",null]]],2]"#)
            .expect("DATA");
        let button = state.window(W).and_then(|w| w.query("#go"));
        (state, button.expect("the button"))
    }

    #[test]
    fn events_not_known_received_are_sent_again_after_resumed_with_their_ids() {
        let (mut state, button) = with_button();
        let clicks: Vec<_> = (0..4)
            .map(|_| state.click(&button).expect("a click"))
            .collect();
        state
            .receive(r#"lona:[1,"7",103,1,3]"#)
            .expect("the ACK of 1");
        let unconfirmed = |state: &ClientState| state.window(W).map(Window::unconfirmed_events);
        assert_eq!(unconfirmed(&state), Some(vec![2, 3, 4]));
        assert_eq!(
            state.resumes(),
            [format!(
                r#"lona:[1,"7",107,["http://127.0.0.1/",3,"{TOKEN}",4]]"#
            )],
            "RESUME names the last event built"
        );
        assert_eq!(
            state.receive(r#"lona:[1,"7",207,{"seq":5,"event":2},5]"#),
            Ok(Received::Resumed {
                window: W,
                seq: 5,
                event: 2
            })
        );
        assert_eq!(
            state.resends_due(),
            [clicks[2].frame.clone(), clicks[3].frame.clone()],
            "3 and 4, as first sent"
        );
        assert!(state.resends_due().is_empty(), "once");
        assert_eq!(
            unconfirmed(&state),
            Some(vec![3, 4]),
            "kept until acknowledged"
        );
        assert_eq!(state.click(&button).map(|c| c.event_id), Ok(5));

        // A server that got more than this copy of the page sent: new ids go above its.
        state.resumes();
        state
            .receive(r#"lona:[1,"7",207,{"seq":5,"event":40},5]"#)
            .expect("RESUMED");
        assert!(state.resends_due().is_empty());
        assert_eq!(state.click(&button).map(|c| c.event_id), Ok(41));
    }

    #[test]
    fn at_most_64_events_are_kept_and_none_after_resume_failed_or_in_the_plain_protocol() {
        let (mut state, button) = with_button();
        for _ in 0..70 {
            state.click(&button).expect("a click");
        }
        let window = state.window(W).expect("the window");
        assert_eq!(window.unconfirmed_events(), (7..=70).collect::<Vec<u64>>());
        assert_eq!(window.forgotten_events(), 6);
        state
            .receive(r#"lona:[1,null,208,"expired"]"#)
            .expect("RESUME_FAILED");
        assert!(state.resends_due().is_empty());
        assert_eq!(
            state.window(W).map(|w| w.unconfirmed_events().len()),
            Some(0)
        );

        let mut plain = ClientState::new();
        plain.view(W, "http://127.0.0.1/");
        plain
            .receive(r#"lona:[1,"7",204,null]"#)
            .expect("VIEW_START");
        plain
            .receive(r#"lona:[1,"7",203,["",[502,[401,"3","","button",["go"],[],{},{"data-lona-events":"301"},[[402,"4","Go"]],"",null]]]]"#)
            .expect("DATA");
        let button = plain
            .window(W)
            .and_then(|w| w.query("#go"))
            .expect("the button");
        plain.click(&button).expect("a click");
        assert_eq!(
            plain.window(W).map(|w| w.unconfirmed_events().len()),
            Some(0)
        );
    }

    #[test]
    fn a_plain_window_sends_no_acks_and_no_resumes() {
        let mut state = ClientState::new();
        state.view(W, "http://127.0.0.1/");
        state
            .receive(r#"lona:[1,"7",204,null]"#)
            .expect("VIEW_START");
        assert!(state.acks_due().is_empty());
        assert!(state.resumes().is_empty());
    }
}
