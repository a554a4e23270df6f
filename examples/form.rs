//! A form with typed controls (a `TextInput`, a `Checkbox` and a `Select`): every change
//! reaches the server, and the summary below follows the controls' typed values as you type.
//!
//! `cargo run -p examples --example form`, then open http://127.0.0.1:8080/

use std::ops::Deref;

use lona::prelude::*;

/// The colors to pick from: (value, label).
const COLORS: [(&str, &str); 3] = [("red", "Red"), ("green", "Green"), ("blue", "Blue")];

/// A text input, a checkbox and a select, each with a line that follows its typed value.
#[derive(Debug)]
pub struct Form;

/// Writes `show(control)` into `out` whenever the browser changes `control`. The handler reads
/// the control's typed value: what the browser sent is applied before any handler runs.
fn follow<C>(cx: &Context, control: &C, out: Node, show: fn(&C) -> String)
where
    C: Clone + Deref<Target = Node> + Send + Sync + 'static,
{
    let read = control.clone();
    cx.on_change(control, move |_cx, _event| out.set_text(show(&read)));
}

impl View for Form {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new()
            .with_id("name")
            .with_placeholder("Your name");
        let subscribe = Checkbox::new().with_id("subscribe");
        let color = Select::new().with_id("color").with_options(COLORS);
        let name_out = tags::span().with_id("name-out");
        let subscribe_out = tags::span().with_id("subscribe-out").with("no");
        let color_out = tags::span().with_id("color-out").with("red");
        let html = tags::div().with((
            tags::h1().with("A form"),
            tags::p().with(&name),
            tags::p().with(tags::label().with((&subscribe, " Subscribe"))),
            tags::p().with(&color),
            tags::p().with(("Name: ", &name_out)),
            tags::p().with(("Subscribed: ", &subscribe_out)),
            tags::p().with(("Color: ", &color_out)),
        ));
        follow(cx, &name, name_out, TextInput::value);
        follow(cx, &subscribe, subscribe_out, |subscribe| {
            (if subscribe.value() { "yes" } else { "no" }).to_owned()
        });
        follow(cx, &color, color_out, |color| {
            color.value().unwrap_or_default()
        });
        Ok(html.into())
    }
}

/// The app: the form on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Form);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
