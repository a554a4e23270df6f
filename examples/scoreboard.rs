//! A broadcast view: one scoreboard, rendered once, watched by every visitor. Open
//! http://127.0.0.1:8080/score/live in two browsers (two sessions) and click a goal in
//! either: both show it, and a third browser that comes later gets the current score. Each
//! patch is encoded once and the same bytes go to every socket.
//!
//! Per-window state composes with it: `/` is an ordinary view per window (its own pause
//! button) whose page holds the scoreboard as a second window, which a small widget opens on
//! its element with the client's `create_window`. Pausing hides the board in this window
//! only; the broadcast goes on for everyone else.
//!
//! `cargo run -p examples --example scoreboard`, then open http://127.0.0.1:8080/ twice

use lona::prelude::*;
use lona::server::FRONTEND_TEMPLATE;

/// The scoreboard every visitor watches: one instance for the app (a route with URL
/// arguments, `/match/{id}`, would run one per match). A goal from any watcher counts for all.
#[derive(Debug)]
pub struct Scoreboard;

impl View for Scoreboard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let home = Live::new_in(tags::span().with_id("home"), 0_u32);
        let away = Live::new_in(tags::span().with_id("away"), 0_u32);
        let home_goal = tags::button().with_id("home-goal").with("Goal, home");
        let away_goal = tags::button().with_id("away-goal").with("Goal, away");
        let html = tags::div().with((
            tags::h2().with("Home – Away"),
            tags::p().with_class("score").with((&home, " : ", &away)),
            &home_goal,
            " ",
            &away_goal,
        ));
        // `event.connection` says whose click it was, if a board wants to know.
        cx.on_click(&home_goal, move |_, _| home.update(|n| *n += 1));
        cx.on_click(&away_goal, move |_, _| away.update(|n| *n += 1));
        Ok(html.into())
    }
}

/// The widget that opens a second client window on its element, showing the URL in its
/// data: the page of one window holds a view that every window shares.
const WATCH_SCRIPT: &str = r#"<script type="module">
import { Lona } from {{ client_url }};

class Watch {
    constructor(lona_window, root_node, widget_data) {
        const url = new URL(widget_data.data.url, globalThis.location.href).href;
        lona_window.lona_context.create_window(root_node, url);
    }
}

Lona.register_widget_class('Watch', Watch);
</script>
"#;

/// One window's page: its own pause button around the shared scoreboard.
#[derive(Debug)]
pub struct MyPage;

impl View for MyPage {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let state = tags::span().with_id("state").with_text("live");
        let pause = tags::button().with_id("pause").with("Pause");
        let board = tags::div()
            .with_id("board")
            .with_widget("Watch", Value::map([("url", "/score/live")]));
        let html = tags::div().with((
            tags::h1().with("Your page"),
            tags::p().with(("This window is ", &state, ". ", &pause)),
            &board,
        ));
        cx.on_click(&pause, move |_, _| {
            // Only this window's view changes; the scoreboard goes on for everyone.
            let paused = state.text_content() == "live";
            state.set_text(if paused { "paused" } else { "live" });
            if paused {
                board.hide();
            } else {
                board.show();
            }
        });
        Ok(html.into())
    }
}

/// The app: the shared scoreboard on `/score/live`, one page per window around it on `/`,
/// and the widget's script in the frontend page.
pub fn app() -> App {
    let mut app = App::new();
    let page = FRONTEND_TEMPLATE.replacen(
        "<div id=\"lona\">{{ first_paint }}</div>\n",
        &format!("<div id=\"lona\">{{{{ first_paint }}}}</div>\n{WATCH_SCRIPT}"),
        1,
    );
    app.template("lona/frontend.html", &page);
    app.view("/score/live", |_request| Scoreboard).broadcast();
    app.view("/", |_request| MyPage);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
