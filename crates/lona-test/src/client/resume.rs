//! The test client's side of the acknowledged stream (docs/protocol.md): opening a tab that
//! asks for it, acknowledging what it applied, and [`TestClient::reconnect`], which opens a
//! new socket in the same session and resumes each window's view.

use std::net::SocketAddr;
use std::time::Duration;

use lona_protocol::ResumeFailure;

use super::{Session, TestClient, connect};
use crate::error::TestError;

impl TestClient {
    /// [`TestClient::connect`] asking for the acknowledged stream: the server numbers the
    /// tab's frames, the tab acknowledges what it applied, and after a dropped socket
    /// [`TestClient::reconnect`] resumes the same running view.
    /// [`crate::TestServer::open_acked`] does the same on the server's own address.
    ///
    /// # Errors
    ///
    /// As [`crate::TestServer::open`].
    pub fn connect_acked(
        addr: SocketAddr,
        path: &str,
        session: Option<&Session>,
        timeout: Duration,
    ) -> Result<TestClient, TestError> {
        TestClient::open_with(addr, path, session, timeout, true)
    }

    /// Sends what is due in the acknowledged stream: first the input events a RESUMED said
    /// the server did not get (the browser client's order: before anything new), then the
    /// ACKs, one per acknowledged window that applied something new. Called before each
    /// input event and PING, and after each frame read. A write that fails is left to the
    /// next read to report (the socket is gone).
    pub(super) fn send_acks(&mut self) -> Result<(), TestError> {
        if !self.acked || self.closed.is_some() {
            return Ok(());
        }
        let mut frames = self.state.resends_due();
        frames.extend(self.state.acks_due());
        for frame in frames {
            if self.send_raw(&frame).is_err() {
                break;
            }
        }
        Ok(())
    }

    /// Opens a new socket on the tab's path in the same session, as the browser client does
    /// after a dropped connection, and sends RESUME for the tab's window with the last number
    /// it applied and the id of the last input event it sent. On RESUMED it sends again, with
    /// their ids, the events the server says it did not get (the tab keeps those not known
    /// received: [`lona_protocol::Window::unconfirmed_events`]), waits until the replay (or
    /// the whole tree) is applied and returns `None`: the same view goes on, the DOM kept. On
    /// RESUME_FAILED it starts a fresh view of the window's URL, as the browser client does,
    /// and returns the reason.
    ///
    /// A tab opened without the acknowledged stream has nothing to resume: it reconnects and
    /// navigates to its URL again (a new view), and gets `Some(ResumeFailure::Expired)`.
    ///
    /// ```no_run
    /// # #[allow(dead_code)]
    /// # fn demo(server: &lona_test::TestServer) -> Result<(), lona_test::TestError> {
    /// let mut tab = server.open_acked("/ticker")?;
    /// // ... the socket drops (see `lona_test::FaultProxy`) ...
    /// assert_eq!(tab.reconnect()?, None, "the same view, nothing lost");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// If the socket does not open, or no answer (or replay) comes within the timeout.
    pub fn reconnect(&mut self) -> Result<Option<ResumeFailure>, TestError> {
        // The old socket is dead or dying: do not wait on it.
        self.closed = Some("replaced by a new socket".to_owned());
        self.socket = connect(self.addr, &self.path, self.session.cookie(), self.timeout)?;
        self.closed = None;
        self.recent.clear();
        let resumes = self.state.resumes();
        if resumes.is_empty() {
            let url = self.window().url().unwrap_or(&self.path).to_owned();
            self.navigate(&url)?;
            return Ok(Some(ResumeFailure::Expired));
        }
        for frame in resumes {
            self.send_raw(&frame)?;
        }
        self.wait_until("RESUMED or RESUME_FAILED", |w| w.last_resume().is_some())?;
        if let Some(Err(reason)) = self.window().last_resume() {
            let url = self.window().url().unwrap_or(&self.path).to_owned();
            self.navigate(&url)?;
            return Ok(Some(reason));
        }
        let last = self
            .window()
            .last_resume()
            .and_then(Result::ok)
            .unwrap_or(0);
        self.wait_until(format!("the replay up to {last}"), |w| {
            w.applied_seq() >= last
        })?;
        Ok(None)
    }

    /// Clicks the first node matching `selector` (no press first) and returns the event's id
    /// at once, without waiting for its ACK: for a test whose network holds or loses the
    /// click ([`crate::FaultProxy`]). A tab in the acknowledged stream keeps the event until
    /// it is known received, and [`TestClient::reconnect`] sends it again if the server did
    /// not get it.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`].
    pub fn click_unacknowledged(&mut self, selector: &str) -> Result<u64, TestError> {
        let node = self.wait_for_selector(selector)?;
        self.flush_delayed()?;
        let input = self.state.click(&node)?;
        self.send_acks()?;
        self.send_raw(&input.frame)?;
        Ok(input.event_id)
    }

    /// Whether the tab asks for the acknowledged stream.
    pub fn is_acked(&self) -> bool {
        self.acked
    }
}
