//! What the user does reaches the view: a click ends an `await_click`, typing is debounced into
//! change events, a checkbox and a multiple select send their values.

use examples::button::MyView as Button;
use lona::prelude::*;

use super::support::{app, run};

#[test]
fn a_click_ends_await_click_and_the_message_changes() {
    let mut app = app();
    app.view("/", |_| Button);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#message", "Button not clicked").await?;
        page.wait_text("h1", "Click the button!").await?;
        page.click("#button").await?;
        page.wait_text("#message", "Button clicked").await?;
        Ok(())
    });
}

/// A text input whose debounced change events are echoed into `#echo`, with a count of the
/// events the server received.
struct Echo;

impl View for Echo {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let input = tags::input().with_id("name").with_attr("type", "text");
        let echo = tags::span().with_id("echo");
        let events = tags::span().with_id("events").with_text("0");
        cx.on(&input, Event::Change { delay_ms: 100 }, {
            let (echo, events) = (echo.clone(), events.clone());
            move |_cx, event| {
                let _lock = echo.lock();
                match event.value() {
                    Some(ChangeValue::Text(text)) => echo.set_text(text.clone()),
                    other => echo.set_text(format!("unexpected: {other:?}")),
                }
                let n: u32 = events.text_content().parse().unwrap_or(0);
                events.set_text((n + 1).to_string());
                Flow::Handled
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(&input)
                .with_child(tags::p().with_child("You typed: ").with_child(&echo))
                .with_child(tags::p().with_child("Events: ").with_child(&events)),
        ))
    }
}

#[test]
fn typing_into_a_debounced_input_reaches_the_server() {
    let mut app = app();
    app.view("/", |_| Echo);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#events", "0").await?;
        page.type_into("#name", "hello lona").await?;
        page.wait_text("#echo", "hello lona").await?;
        // Debounced: at most one event per key, and usually one for the whole word.
        let events: usize = page.text("#events").await?.unwrap_or_default().parse()?;
        assert!(
            (1..="hello lona".len()).contains(&events),
            "{events} change events"
        );
        // Editing again sends the new value, not an append to the old one.
        page.type_into("#name", "!").await?;
        page.wait_text("#echo", "hello lona!").await?;
        Ok(())
    });
}

/// A checkbox and a multiple select; each change is shown as the value the server received.
struct Choices;

impl View for Choices {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let agree = tags::input().with_id("agree").with_attr("type", "checkbox");
        let colors = tags::select()
            .with_id("colors")
            .with_attr("multiple", true)
            .with_children(["red", "green", "blue"].map(|color| {
                tags::option()
                    .with_id(color)
                    .with_attr("value", color)
                    .with_text(color)
            }));
        let (agree_out, colors_out) = (
            tags::span().with_id("agree-out").with_text("none"),
            tags::span().with_id("colors-out").with_text("none"),
        );
        for (input, out) in [(&agree, &agree_out), (&colors, &colors_out)] {
            let out = out.clone();
            cx.on(input, Event::CHANGE, move |_cx, event| {
                out.set_text(format!("{:?}", event.value()));
                Flow::Handled
            });
        }
        Ok(Response::Node(
            tags::div()
                .with_child(tags::label().with_child(&agree).with_child(" I agree"))
                .with_child(&colors)
                .with_child(tags::p().with_child(&agree_out))
                .with_child(tags::p().with_child(&colors_out)),
        ))
    }
}

#[test]
fn a_checkbox_and_a_multiple_select_send_their_values() {
    let mut app = app();
    app.view("/", |_| Choices);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#agree-out", "none").await?;
        page.click("#agree").await?;
        page.wait_text("#agree-out", "Some(Checked(true))").await?;
        page.click("#agree").await?;
        page.wait_text("#agree-out", "Some(Checked(false))").await?;

        // In a multiple select, a click toggles one option and keeps the others.
        page.click("#red").await?;
        page.wait_text("#colors-out", "Some(Selected([0]))").await?;
        page.click("#blue").await?;
        page.wait_text("#colors-out", "Some(Selected([0, 2]))")
            .await?;
        Ok(())
    });
}
