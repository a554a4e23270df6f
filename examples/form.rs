//! A form with a text input, a checkbox and a select: every change reaches the server and the
//! summary below follows as you type.
//!
//! `cargo run -p examples --example form`, then open http://127.0.0.1:8080/

use lona::prelude::*;

/// A text input, a checkbox and a select, each with a line that follows its value.
#[derive(Debug)]
pub struct Form;

/// Puts `text` into `target` whenever `input` changes; `describe` turns the value into text.
fn follow(cx: &Context, input: &Node, target: &Node, describe: fn(&ChangeValue) -> String) {
    let target = target.clone();
    cx.on(input, Event::Change { delay_ms: 300 }, move |_cx, event| {
        if let Some(value) = event.value() {
            target.set_text(describe(value));
        }
    });
}

impl View for Form {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = tags::input()
            .with_id("name")
            .with_attr("type", "text")
            .with_attr("placeholder", "Your name");
        let subscribe = tags::input()
            .with_id("subscribe")
            .with_attr("type", "checkbox");
        let color = tags::select().with_id("color").with_children(
            ["red", "green", "blue"].map(|c| tags::option().with_attr("value", c).with(c)),
        );
        let (name_out, subscribe_out, color_out) = (
            tags::span().with_id("name-out"),
            tags::span().with_id("subscribe-out").with("no"),
            tags::span().with_id("color-out").with("red"),
        );
        follow(cx, &name, &name_out, |v| match v {
            ChangeValue::Text(text) => text.clone(),
            other => format!("{other:?}"),
        });
        follow(cx, &subscribe, &subscribe_out, |v| {
            let on = matches!(v, ChangeValue::Checked(true));
            (if on { "yes" } else { "no" }).to_owned()
        });
        follow(cx, &color, &color_out, |v| match v {
            ChangeValue::Selected(indexes) => indexes
                .first()
                .and_then(|i| ["red", "green", "blue"].get(*i as usize))
                .map_or_else(String::new, |c| (*c).to_owned()),
            other => format!("{other:?}"),
        });
        Ok(tags::div()
            .with((
                tags::h1().with("A form"),
                tags::p().with(name),
                tags::p().with(tags::label().with((subscribe, " Subscribe"))),
                tags::p().with(color),
                tags::p().with(("Name: ", name_out)),
                tags::p().with(("Subscribed: ", subscribe_out)),
                tags::p().with(("Color: ", color_out)),
            ))
            .into())
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
