//! The seed's first app, the main example: a heading, a message and a button.
//! `handle_request` blocks in `await_click` until the button is clicked, then sets the message.
//!
//! `cargo run -p examples --example button`, then open http://127.0.0.1:8080/
//! (another address: `cargo run -p examples --example button -- run-server --port 9000`;
//! `-- --help` lists the commands, `-- routes` and `-- settings` show the app).

use lona::prelude::*;

/// A heading, a message and a button; the message changes once the button is clicked.
#[derive(Debug)]
pub struct MyView;

impl View for MyView {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let message = tags::div().with_id("message").with("Button not clicked");
        let button = tags::button().with_id("button").with("Click me!");
        let html = tags::div().with((tags::h1().with("Click the button!"), &message, &button));
        cx.show(&html)?;
        // This call blocks until the button was clicked.
        let event = cx.await_click(&[&button])?;
        if event.is_from(&button) {
            message.set_text("Button clicked");
        }
        Ok(html.into())
    }
}

/// The app: the view on `/`, with pools sized for it.
pub fn app() -> App {
    let mut app = App::new();
    app.settings.max_runtime_threads = 50;
    app.settings.max_worker_threads = 100;
    app.settings.max_static_threads = 20;
    app.view("/", |_request| MyView);
    app
}

/// Runs the example with its command line.
pub fn main() -> lona::Result<()> {
    // Request lines and view start/stop on stderr; `RUST_LOG` filters them (docs/operations.md).
    lona::init_logging();
    // The app's command line: `run-server` (the default, on 127.0.0.1:8080),
    // `collect-static`, `routes`, `settings`; `-s FILES` and `LONA_*` variables set settings.
    app().main()
}
