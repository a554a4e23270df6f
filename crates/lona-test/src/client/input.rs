//! The input events a user makes on a page: clicking, changing a field, focusing, a widget's
//! events and data, submitting a form (in the view, or as a navigation with its fields).

use lona_html::{Event, Key, Node, Value};
use lona_protocol::client::{ChangeValue, PostData, PostValue};
use lona_protocol::{EventError, InputFrame, Window};

use super::TestClient;
use super::navigation::{form_encode, form_fields, resolve};
use crate::error::TestError;

impl TestClient {
    /// Clicks the first node matching `selector` (waiting for it to appear) and waits for the
    /// server's ACK. The event goes to the innermost element that listens to clicks, the
    /// node or an ancestor; a link (`<a href>`) without a click listener navigates instead,
    /// as in a browser.
    ///
    /// It is a [`TestClient::press`] then a [`TestClient::release`], in a browser's order: the
    /// press blurs the focused field (its change and blur go out), the server's answers to
    /// those are applied, and the click is dropped (with `Ok`, counted in
    /// [`TestClient::dropped_clicks`]) if they changed or removed the pressed element.
    ///
    /// # Errors
    ///
    /// [`TestError::Event`] if nothing listens to the click; else as
    /// [`TestClient::wait_for`].
    pub fn click(&mut self, selector: &str) -> Result<(), TestError> {
        self.press(selector)?;
        self.release().map(drop)
    }

    /// Changes the value of the first node matching `selector` and waits for the ACK.
    /// `ChangeValue::Text` for inputs and textareas, `Checked` for checkboxes and radio
    /// buttons, `Selected` (option indexes) for selects.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`].
    pub fn change(&mut self, selector: &str, value: ChangeValue) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        self.flush_delayed()?;
        let input = self.state.change(&node, value)?;
        self.send_input(input)
    }

    /// Focuses the first node matching `selector` and waits for the ACK.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`].
    pub fn focus(&mut self, selector: &str) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        self.flush_delayed()?;
        let input = self.state.focus(&node)?;
        self.send_input(input)
    }

    /// Blurs the first node matching `selector` and waits for the ACK.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`].
    pub fn blur(&mut self, selector: &str) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        self.flush_delayed()?;
        let input = self.state.blur(&node)?;
        self.send_input(input)
    }

    /// Fires the custom event `name` with `data` on the first node matching `selector`, as a
    /// widget would, and waits for the ACK.
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`].
    pub fn custom(&mut self, selector: &str, name: &str, data: Value) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        self.flush_delayed()?;
        let input = self.state.custom(&node, name, data)?;
        self.send_input(input)
    }

    /// A widget on the first node matching `selector` changes its own data at `path` (`[]`:
    /// all of it), as its JavaScript does with `lona_window.set_widget_data(path, value)`; waits
    /// for the ACK. The window's copy changes at once; the server applies the change only if
    /// the node allows it (`Node::with_widget_sync`).
    ///
    /// # Errors
    ///
    /// As [`TestClient::click`]; [`TestError::Event`] also if the data has no place at `path`.
    pub fn set_widget_data(
        &mut self,
        selector: &str,
        path: &[Key],
        value: Value,
    ) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        self.flush_delayed()?;
        let input = self.state.set_widget_data(&node, path, value)?;
        self.send_input(input)
    }

    /// Submits the form matching `selector` (or the form around the node matching it), as the
    /// browser client does: its fields, as a browser's `FormData` has them, become the POST
    /// data of a navigation to its `action` (`method="post"`), or the query of one (any other
    /// method). Waits for VIEW_START, as [`TestClient::navigate`]. A form that listens to
    /// submits (`on_submit`, `await_submit`) is submitted in the view instead: a SUBMIT event
    /// with its fields, the node as submitter if it is a button; then this waits for the ACK.
    ///
    /// # Errors
    ///
    /// [`TestError::Event`] if the node is in no form; else as [`TestClient::navigate`].
    pub fn submit(&mut self, selector: &str) -> Result<(), TestError> {
        let node = self.wait_for_selector(selector)?;
        let form = node.closest("form").ok().flatten().ok_or_else(|| {
            TestError::Event(EventError::NotListening {
                node: format!("{node:?}"),
                event: "submit",
            })
        })?;
        if form.events().contains(&Event::Submit) {
            return self.submit_in_view(&node, &form);
        }
        let attribute = |name: &str| form.attributes().get(name).map(|v| v.to_string());
        let post = attribute("method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
        let action = attribute("action").unwrap_or_default();
        let fields = form_fields(&form);
        if !post {
            let query: Vec<String> = fields
                .iter()
                .flat_map(|(name, value)| match value {
                    PostValue::Text(text) => vec![(name, text)],
                    PostValue::List(list) => list.iter().map(|text| (name, text)).collect(),
                })
                .map(|(name, text)| format!("{}={}", form_encode(name), form_encode(text)))
                .collect();
            // A GET form replaces the query of its action (the window's URL without one).
            let base = action.split(['?', '#']).next().unwrap_or_default();
            return self.navigate(&format!("{base}?{}", query.join("&")));
        }
        let base = self
            .state
            .window(self.window)
            .and_then(Window::url)
            .map_or_else(|| format!("http://{}/", self.addr), str::to_owned);
        let url = if action.is_empty() {
            base
        } else {
            resolve(&base, &action)
        };
        let starts = |w: &Window| w.view_starts();
        let before = self.state.window(self.window).map_or(0, starts);
        let frame = self
            .state
            .view_with_post(self.window, &url, PostData(fields));
        self.send_raw(&frame)?;
        self.wait_until(format!("VIEW_START for the POST to {url}"), |w| {
            starts(w) != before
        })
    }

    pub(super) fn send_input(&mut self, input: InputFrame) -> Result<(), TestError> {
        self.send_acks()?;
        self.send_raw(&input.frame)?;
        let id = input.event_id;
        self.wait_until(format!("the ACK of input event {id}"), |w| w.is_acked(id))
    }

    /// [`TestClient::submit`] of a form that listens to submits: the browser client sends
    /// its fields as a SUBMIT input event, with `node` as the submitter if it is a button of
    /// the form, and the browser stays on the page. Waits for the ACK.
    fn submit_in_view(&mut self, node: &Node, form: &Node) -> Result<(), TestError> {
        let is_button = |n: &Node| {
            let tag = n.tag().unwrap_or_default().to_ascii_lowercase();
            let kind = n
                .attributes()
                .get("type")
                .map(|v| v.to_string().to_ascii_lowercase());
            tag == "button" && kind.as_deref().is_none_or(|k| k == "submit")
                || tag == "input" && matches!(kind.as_deref(), Some("submit" | "image"))
        };
        let submitter = (!node.ptr_eq(form) && is_button(node)).then_some(node);
        // As the browser client: the window's held changes go out before the submit.
        self.flush_delayed()?;
        let input = self.state.submit(form, submitter)?;
        self.send_input(input)
    }
}
