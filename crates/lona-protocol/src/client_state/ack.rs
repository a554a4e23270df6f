//! The client side of the acknowledged stream (docs/protocol.md, "The acknowledged stream"):
//! asking for it in VIEW, keeping each window's last applied sequence number and resume token,
//! dropping duplicates after a replay, and building ACK and RESUME frames.

use crate::client::ClientMessage;
use crate::{DecodedServerMessage, ResumeFailure, WindowId};

use super::{ClientState, Received, Window};

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
}

impl AckState {
    /// A VIEW starts a new attachment, whose numbers start at 1 again.
    pub(super) fn restart(&mut self) {
        self.token = None;
        self.applied = 0;
        self.acked = 0;
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
    ///     [r#"lona:[1,"7",107,["http://127.0.0.1/",1,"AAAAAAAAAAAAAAAAAAAAAA"]]"#]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn view_acked(&mut self, window: WindowId, url: &str) -> String {
        self.windows.entry(window).or_default().ack.requested = true;
        self.view(window, url)
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

    /// The RESUME frames to send on a new socket, one per window whose view speaks the
    /// acknowledged stream, with its URL, last applied number and token. Each window forgets
    /// its last resume's outcome ([`Window::last_resume`]) until the answer comes.
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
    use crate::{ClientState, Received, ResumeFailure, WindowId};

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
            .receive(r#"lona:[1,"7",207,{"seq":3},3]"#)
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
