//! Typing and clicking in the order a browser sends the events: a debounced change is held for
//! its delay, any other event flushes it first, a click is a press (which blurs the focused
//! field) and a release, and a click whose element changed under the pointer is dropped.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use lona_html::forms::{self, ClientValue};
use lona_html::{Event, Node};
use lona_protocol::client::ChangeValue;

use super::{TestClient, link};
use crate::error::TestError;
use lona_protocol::EventError;

/// How long a press lasts by default, from the mouse button going down to it coming up: about
/// a person's click. The server's answers to what the press sent are applied before the click.
pub(crate) const PRESS_TIME: Duration = Duration::from_millis(100);

/// How many sent frames [`TestClient::sent_frames`] keeps.
const SENT_FRAMES: usize = 256;

/// What the tab's keyboard and mouse hold between calls.
#[derive(Debug)]
pub(crate) struct Pointer {
    /// The field with the focus, and whether a value was typed into it since it got it (its
    /// DOM `change` fires when it loses the focus).
    focused: Option<(Node, bool)>,
    /// Debounced changes not sent yet, oldest first, each with the time its delay ends.
    delayed: Vec<(Node, Instant)>,
    /// The pressed node and the window's patch count at the press.
    pressed: Option<(Node, u64)>,
    press_time: Duration,
    dropped_clicks: u64,
    sent: VecDeque<String>,
}

impl Default for Pointer {
    fn default() -> Pointer {
        Pointer {
            focused: None,
            delayed: Vec::new(),
            pressed: None,
            press_time: PRESS_TIME,
            dropped_clicks: 0,
            sent: VecDeque::new(),
        }
    }
}

impl Pointer {
    /// When the first delayed change is due, if one waits.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.delayed.iter().map(|(_, due)| *due).min()
    }

    pub(crate) fn record_sent(&mut self, frame: &str) {
        if self.sent.len() == SENT_FRAMES {
            self.sent.pop_front();
        }
        self.sent.push_back(frame.to_owned());
    }
}

/// The element whose change listener gets what is typed into `node`, and its debounce delay
/// in ms (0: the DOM `change` event, sent when the field loses the focus).
fn change_listener(node: &Node) -> Option<(Node, u32)> {
    let mut current = Some(node.clone());
    while let Some(element) = current {
        if element.is_element() {
            let delay = element
                .events()
                .to_vec()
                .iter()
                .find_map(|event| match event {
                    Event::Change { delay_ms } => Some(*delay_ms),
                    _ => None,
                });
            if let Some(delay) = delay {
                return Some((element, delay));
            }
        }
        current = element.parent();
    }
    None
}

/// Whether a press on `node` gives it the focus: form fields take it (buttons, which Chromium
/// also focuses, have no value to send on blur).
fn focusable(node: &Node) -> bool {
    matches!(
        node.tag().unwrap_or_default().to_ascii_lowercase().as_str(),
        "input" | "textarea" | "select"
    )
}

/// The text value of a field in the window's DOM, as the browser reads `element.value`.
fn text_value(node: &Node) -> String {
    node.attributes()
        .get("value")
        .map(|value| value.to_string())
        .unwrap_or_default()
}

impl TestClient {
    /// Types `text` into the first node matching `selector` (waiting for it), replacing its
    /// value, as a user does: the node gets the focus first (the field that had it loses it,
    /// see [`TestClient::click`] for what that sends), and the window's DOM shows the value at
    /// once. What goes to the server follows the node's change listener (the node or an
    /// ancestor), as in a browser:
    ///
    /// - a debounced change (`data-lona-events` `302:<ms>`, `Node::with_change_delay`) is
    ///   held for its delay, then sent while the test waits for something; any other event
    ///   of the tab sends it first, so a click right after typing comes after the value;
    /// - a plain change (`302`) is sent when the field loses the focus: a press elsewhere, or
    ///   typing into another field;
    /// - without a listener nothing is sent.
    ///
    /// Nothing is waited for: the browser does not wait for the server while one types.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`], for the focus and blur events it sends.
    pub fn type_text(&mut self, selector: &str, text: &str) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        self.give_focus(&node)?;
        forms::apply_client_value(&node, ClientValue::Text(text));
        match change_listener(&node) {
            None => {}
            Some((_, 0)) => {
                if let Some((_, typed)) = &mut self.pointer.focused {
                    *typed = true;
                }
            }
            Some((_, delay)) => {
                let due = Instant::now() + Duration::from_millis(u64::from(delay));
                let delayed = &mut self.pointer.delayed;
                // A new keystroke restarts the timer, as the client's debounce does.
                delayed.retain(|(pending, _)| *pending != node);
                delayed.push((node, due));
            }
        }
        Ok(())
    }

    /// Presses the mouse button on the first node matching `selector` (waiting for it), the
    /// first half of [`TestClient::click`]: the focused field loses the focus (its change, if
    /// a value was typed and it listens to plain changes, then its blur, if it listens, each
    /// after the delayed changes), a form field pressed gets it (its focus event, if it
    /// listens), and if anything was sent the server's answers are read and applied: the ACKs,
    /// then every frame that comes until the press time (100 ms) passes without one.
    ///
    /// # Errors
    ///
    /// As [`TestClient::wait_for`].
    pub fn press(&mut self, selector: &str) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        // The pointer is on the node from here: what the press makes the server change counts.
        let mark = self.window().patch_count();
        let sent = if focusable(&node) {
            self.give_focus(&node)?
        } else {
            self.take_focus()?
        };
        if !sent.is_empty() {
            for id in sent {
                self.wait_until(format!("the ACK of input event {id}"), |w| w.is_acked(id))?;
            }
            self.settle()?;
        }
        self.pointer.pressed = Some((node, mark));
        Ok(())
    }

    /// Releases the mouse button: the click on the node of the last [`TestClient::press`],
    /// sent after the delayed changes, and its ACK waited for. As the browser client, it drops
    /// the click if a patch changed the pressed element (its ids, classes, style, attributes,
    /// widget data or children) or removed it since the press: the click would land on content
    /// the user did not press. Returns whether the click was sent.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`].
    ///
    /// # Panics
    ///
    /// Without a press before it: a test that releases nothing cannot pass.
    pub fn release(&mut self) -> Result<bool, TestError> {
        let Some((node, mark)) = self.pointer.pressed.take() else {
            panic!("release without a press");
        };
        if self.window().patched_since(&node, mark) {
            self.pointer.dropped_clicks += 1;
            return Ok(false);
        }
        self.flush_delayed()?;
        match self.state.click(&node) {
            Ok(input) => self.send_input(input).map(|()| true),
            Err(error @ EventError::NotListening { .. }) => match link(&node) {
                Some(href) => self.navigate(&href).map(|()| true),
                None => Err(error.into()),
            },
            Err(error) => Err(error.into()),
        }
    }

    /// How many clicks [`TestClient::release`] dropped because their element changed under
    /// the pointer.
    pub fn dropped_clicks(&self) -> u64 {
        self.pointer.dropped_clicks
    }

    /// Sets how long a press lasts (100 ms by default): how long the server has to answer
    /// what the press sent before the click is decided.
    pub fn set_press_time(&mut self, press_time: Duration) {
        self.pointer.press_time = press_time;
    }

    /// The last frames the tab sent (up to 256), oldest first, to check their order.
    pub fn sent_frames(&self) -> Vec<String> {
        self.pointer.sent.iter().cloned().collect()
    }

    /// Sends every delayed change now, oldest first, as the browser client does before any
    /// other event of the window; returns their event ids. A field that left the DOM sends
    /// nothing, as its timer in the browser does.
    pub(crate) fn flush_delayed(&mut self) -> Result<Vec<u64>, TestError> {
        let delayed = std::mem::take(&mut self.pointer.delayed);
        self.send_changes(delayed.into_iter().map(|(node, _)| node))
    }

    /// Sends the delayed changes whose delay has passed.
    pub(crate) fn fire_due(&mut self) -> Result<(), TestError> {
        let now = Instant::now();
        if self.pointer.next_due().is_none_or(|due| due > now) {
            return Ok(());
        }
        let (mut due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pointer.delayed)
            .into_iter()
            .partition(|(_, due)| *due <= now);
        self.pointer.delayed = waiting;
        // Their timers fire in the order they end.
        due.sort_by_key(|(_, due)| *due);
        self.send_changes(due.into_iter().map(|(node, _)| node))
            .map(drop)
    }

    fn send_changes(&mut self, nodes: impl Iterator<Item = Node>) -> Result<Vec<u64>, TestError> {
        let mut sent = Vec::new();
        for node in nodes {
            let value = ChangeValue::Text(text_value(&node));
            match self.state.change(&node, value) {
                Ok(input) => {
                    self.send_raw(&input.frame)?;
                    sent.push(input.event_id);
                }
                Err(EventError::UnknownNode { .. } | EventError::NotListening { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(sent)
    }

    /// Moves the focus to `node`: the focused field loses it, then `node`'s focus event if it
    /// listens. Returns the ids of the events sent.
    fn give_focus(&mut self, node: &Node) -> Result<Vec<u64>, TestError> {
        if self
            .pointer
            .focused
            .as_ref()
            .is_some_and(|(f, _)| f == node)
        {
            return Ok(Vec::new());
        }
        let mut sent = self.take_focus()?;
        self.pointer.focused = Some((node.clone(), false));
        if node.events().contains(&Event::Focus) {
            sent.extend(self.flush_delayed()?);
            let input = self.state.focus(node)?;
            sent.push(input.event_id);
            self.send_raw(&input.frame)?;
        }
        Ok(sent)
    }

    /// The focused field loses the focus: its DOM `change` (if a value was typed and it
    /// listens to plain changes), then its blur (if it listens), each after the delayed
    /// changes. Returns the ids of the events sent.
    fn take_focus(&mut self) -> Result<Vec<u64>, TestError> {
        let Some((node, typed)) = self.pointer.focused.take() else {
            return Ok(Vec::new());
        };
        let mut sent = Vec::new();
        let plain_change = change_listener(&node).is_some_and(|(_, delay)| delay == 0);
        if typed && plain_change {
            sent.extend(self.flush_delayed()?);
            sent.extend(self.send_changes(std::iter::once(node.clone()))?);
        }
        if node.events().contains(&Event::Blur) && self.window().wire_id(&node).is_some() {
            sent.extend(self.flush_delayed()?);
            let input = self.state.blur(&node)?;
            sent.push(input.event_id);
            self.send_raw(&input.frame)?;
        }
        Ok(sent)
    }

    /// Reads and applies frames until none has come for the press time (or the timeout).
    fn settle(&mut self) -> Result<(), TestError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let quiet = (Instant::now() + self.pointer.press_time).min(deadline);
            match self.read(quiet)? {
                super::Read::Frame => {}
                super::Read::Timeout => return Ok(()),
                super::Read::Closed => {
                    return Err(TestError::Closed {
                        waiting_for: "the answers to a press".to_owned(),
                        reason: self.closed.clone().unwrap_or_default(),
                        html: self.window().html(),
                    });
                }
            }
            if Instant::now() >= deadline {
                return Ok(());
            }
        }
    }
}
