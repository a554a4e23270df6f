//! A chat room on Lona's channels: every open page shows every message, live.
//! Each view subscribes to `chat.lobby`; sending publishes there, and the subscription's
//! handler appends the message to that view's list (the patch goes out after each message).
//!
//! `cargo run -p examples --example chat`, then open http://127.0.0.1:8080/ in two tabs.

use lona::prelude::*;

/// The lobby: the messages so far, a text input and a send button.
#[derive(Debug)]
pub struct Chat;

impl View for Chat {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let channels = cx.channels().ok_or(ViewError::NotFound)?;
        // The session id is a secret: show a short, stable nickname instead.
        let nick = format!(
            "guest-{}",
            &request.session.0[..4.min(request.session.0.len())]
        );
        let messages = tags::ul().with_id("messages");
        let text = TextInput::new().with_id("text");
        let send = tags::button().with_id("send").with_text("Send");
        let root = tags::div()
            .with_child(tags::h1().with_text("Lobby"))
            .with_child(tags::p().with_text(format!("You are {nick}")))
            .with_child(&messages)
            .with_child(&text)
            .with_child(&send);
        cx.subscribe(&channels, "chat.lobby", move |_view, message| {
            let line = message.data.as_str().unwrap_or_default();
            messages.append(tags::li().with_text(line));
        });
        cx.on_click(&send, move |_cx, _event| {
            let said = text.value();
            if !said.trim().is_empty() {
                channels.publish("chat.lobby", format!("{nick}: {said}"));
                text.set_value("");
            }
            Flow::Handled
        });
        Ok(Response::Node(root))
    }
}

/// The app: the chat on `/`, with local channels in its state.
pub fn app() -> App {
    let mut app = App::new();
    app.state(lona::channels::Channels::local());
    app.view("/", |_request| Chat);
    app
}

/// Runs the example on `LONA_ADDR` (127.0.0.1:8080 unless set).
pub fn main() -> lona::Result<()> {
    let addr = std::env::var("LONA_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    app().run(&addr)?;
    Ok(())
}
