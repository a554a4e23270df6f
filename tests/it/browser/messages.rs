//! Custom messages between a view and the page's JavaScript, both ways, and `set_title`:
//! the server's message reaches a handler added with `lona_context.add_message_handler`, a
//! message the page sends reaches the app's middleware, whose answer comes back.

use lona::prelude::*;
use serde_json::json;

use super::support::{app, run};

/// Sets the title, and sends a custom message when its button is clicked.
struct Announcer;

impl View for Announcer {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let button = tags::button().with_id("announce").with_text("Announce");
        cx.show(&tags::div().with_child(&button))?;
        cx.set_title("Announcements")?;
        cx.await_click(&[&button])?;
        cx.send_custom("{\"kind\":\"announcement\",\"text\":\"<b>hi</b>\"}")?;
        Ok(Response::Empty)
    }
}

/// Answers the page's custom messages, as Lona's `handle_websocket_message` middlewares do.
struct Echo;

impl Middleware for Echo {
    fn handle_websocket_message(&self, _session: &str, message: &str) -> Decision<String> {
        Decision::Answer(format!("echo: {message}"))
    }
}

#[test]
fn custom_messages_go_both_ways_and_the_title_is_set() {
    let mut app = app();
    app.middleware(Echo);
    app.view("/", |_| Announcer);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_until(
            "the title",
            "return document.title === 'Announcements';",
            vec![],
        )
        .await?;
        // The page's own code listens for messages that are not Lona's.
        page.eval(
            "window.received = [];
             window.lona_context.add_message_handler((context, message) => {
                 window.received.push(message);
             });",
            vec![],
        )
        .await?;
        page.click("#announce").await?;
        page.wait_until(
            "the server's message",
            "return window.received.length === 1;",
            vec![],
        )
        .await?;
        let received = page.eval("return window.received[0];", vec![]).await?;
        assert_eq!(
            received,
            json!("{\"kind\":\"announcement\",\"text\":\"<b>hi</b>\"}"),
            "the message arrives as sent"
        );
        page.eval("window.lona_context.send('ping from the page');", vec![])
            .await?;
        page.wait_until(
            "the middleware's answer",
            "return window.received.includes('echo: ping from the page');",
            vec![],
        )
        .await?;
        Ok(())
    });
}
