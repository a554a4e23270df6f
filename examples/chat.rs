//! A chat room on Lona's channels: every open page shows every message, live.
//! Each view subscribes to `chat.lobby`; sending publishes a `Said` there, and the
//! subscription's handler appends it to that view's list (the patch goes out after each
//! message). Messages are the app's own `serde` type; across processes (Redis) they travel as
//! JSON.
//!
//! `cargo run -p examples --example chat`, then open http://127.0.0.1:8080/ in two tabs.

use lona::prelude::*;
use serde::{Deserialize, Serialize};

/// The topic of the one room.
pub const LOBBY: &str = "chat.lobby";

/// One line of the chat: what a view publishes and every view receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    /// Who said it.
    pub nick: String,
    /// What they said.
    pub text: String,
}

/// The lobby: the messages so far, a text input and a send button.
#[derive(Debug)]
pub struct Chat;

impl View for Chat {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        // The app's channels: local, or Redis when `channel_broker_url` is set.
        let channels = cx.channels()?;
        // The session id is a secret: show a short, stable nickname instead.
        let nick = format!(
            "guest-{}",
            request.session.0.chars().take(4).collect::<String>()
        );
        let messages = tags::ul().with_id("messages");
        let text = TextInput::new().with_id("text");
        let send = tags::button().with_id("send").with("Send");
        let root = tags::div().with((
            tags::h1().with("Lobby"),
            tags::p().with(format!("You are {nick}")),
            &messages,
            &text,
            &send,
        ));
        cx.subscribe_typed(&channels, LOBBY, move |_view, said: TypedMessage<Said>| {
            let Said { nick, text } = said.data;
            messages.append(tags::li().with(format!("{nick}: {text}")));
        });
        cx.on_click(&send, move |_cx, _event| {
            let said = text.value();
            if !said.trim().is_empty() {
                let said = Said {
                    nick: nick.clone(),
                    text: said,
                };
                // Fails only for data JSON cannot hold; two strings always serialize.
                let _ = channels.publish_typed(LOBBY, &said);
                text.set_value("");
            }
        });
        Ok(root.into())
    }
}

/// The app: the chat on `/`. Every app has channels: local ones, or Redis's when the
/// `channel_broker_url` setting names a server.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Chat);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
