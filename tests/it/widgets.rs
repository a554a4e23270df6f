//! Widgets over the wire: widget data goes from the server to every window as WIDGET_DATA
//! patches, a widget's own change comes back as the custom event `lona.widget_data` and is
//! applied only on nodes that allow it, and an ignored node carries `data-lona-ignore`.

use lona::html::WIDGET_DATA_EVENT;
use lona::prelude::*;
use lona_test::{TestClient, TestError, TestServer, Window};

/// A counter widget that syncs both ways, one that only the server may change, and buttons.
struct Widgets;

impl View for Widgets {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        cx.daemonize();
        let counter = tags::div()
            .with_id("counter")
            .with_widget("Counter", Value::map([("count", 0)]))
            .with_widget_sync();
        let locked = tags::div()
            .with_id("locked")
            .with_widget("Counter", Value::map([("count", 0)]));
        let out = tags::span().with_id("out").with_text("-");
        let plus = tags::button().with_id("plus").with_text("+10");
        let ignored = tags::div()
            .with_id("chart")
            .with_ignore()
            .with_child(tags::a().with_attr("href", "/elsewhere").with_text("away"));
        cx.on(&counter, Event::Custom(WIDGET_DATA_EVENT.to_owned()), {
            let (counter, out) = (counter.clone(), out.clone());
            move |_, _| {
                let data = counter.widget_data().get();
                let count = data.get(&Key::from("count")).and_then(Value::as_i64);
                out.set_text(format!("server sees {count:?}"));
                Flow::Handled
            }
        });
        cx.on_click(&plus, {
            let counter = counter.clone();
            move |_, _| {
                let _lock = counter.lock();
                let data = counter.widget_data().get();
                let count = data.get(&Key::from("count")).and_then(Value::as_i64);
                counter
                    .widget_data()
                    .set(&[], "count", count.unwrap_or(0) + 10);
                Flow::Handled
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(&counter)
                .with_child(&locked)
                .with_child(&plus)
                .with_child(&out)
                .with_child(&ignored),
        ))
    }
}

/// Whether the window's `#counter` widget holds `count`.
fn counts(window: &Window, count: i64) -> bool {
    window
        .query("#counter")
        .is_some_and(|n| n.widget_data().get() == Value::map([("count", count)]))
}

fn count(client: &TestClient, selector: &str) -> Option<i64> {
    let data = client.query(selector)?.widget_data().get();
    data.get(&Key::from("count")).and_then(Value::as_i64)
}

fn server() -> TestServer {
    let mut app = App::new();
    app.view("/", |_| Widgets);
    TestServer::start(app)
}

#[test]
fn widget_data_syncs_both_ways_and_reaches_other_tabs() -> Result<(), TestError> {
    let server = server();
    let mut widget_tab = server.open("/")?;
    let mut other_tab = widget_tab.open_tab("/")?;
    widget_tab.wait_for_selector("#counter")?;
    assert_eq!(count(&widget_tab, "#counter"), Some(0));

    // The widget's JavaScript changes its data: the server sees it, the other tab gets it.
    widget_tab.set_widget_data("#counter", &[Key::from("count")], Value::Int(5))?;
    widget_tab.wait_for_node_text("#out", "server sees Some(5)")?;
    other_tab.wait_for(|w| counts(w, 5))?;
    assert_eq!(count(&widget_tab, "#counter"), Some(5));

    // The server changes the data: every tab gets it.
    other_tab.click("#plus")?;
    for tab in [&mut widget_tab, &mut other_tab] {
        tab.wait_for(|w| counts(w, 15))?;
    }
    Ok(())
}

#[test]
fn a_widget_cannot_change_data_the_server_did_not_open_to_it() -> Result<(), TestError> {
    let server = server();
    let mut client = server.open("/")?;
    client.wait_for_selector("#locked")?;
    // The browser changes its own copy and sends the change, but the node does not listen
    // to `lona.widget_data`: the server keeps its data.
    client.set_widget_data("#locked", &[Key::from("count")], Value::Int(9))?;
    assert_eq!(count(&client, "#locked"), Some(9));
    // A path the data has no place for is refused too, and the event is still acknowledged.
    client.custom(
        "#counter",
        WIDGET_DATA_EVENT,
        Value::map([
            ("path", Value::list(["no", "such"])),
            ("value", Value::Int(1)),
        ]),
    )?;
    client.wait_for_node_text("#out", "server sees Some(0)")?;
    client.click("#plus")?;
    client.wait_for(|w| counts(w, 10))?;
    let mut server_side = client.open_tab("/")?;
    server_side.wait_for_selector("#locked")?;
    assert_eq!(count(&server_side, "#locked"), Some(0));
    Ok(())
}

#[test]
fn an_ignored_node_is_marked_for_the_client() -> Result<(), TestError> {
    let server = server();
    let mut client = server.open("/")?;
    let chart = client.wait_for_selector("#chart")?;
    assert!(chart.is_ignored());
    assert!(
        client
            .html()
            .contains(r#"<div id="chart" data-lona-ignore>"#),
        "{}",
        client.html()
    );
    Ok(())
}

#[test]
fn the_widgets_examples_summary_follows_its_controls_the_widget_and_the_suggestion()
-> Result<(), TestError> {
    let server = TestServer::start(examples::widgets::app());
    let mut client = server.open("/")?;
    client.wait_for_selector("#summary")?;
    client.change("input[name=name]", ChangeValue::Text("Ann".into()))?;
    client.wait_for(|w| {
        w.query("#summary")
            .is_some_and(|s| s.text_content().starts_with("Ann orders a small pizza"))
    })?;
    client.set_widget_data("#rating", &[Key::from("stars")], Value::Int(4))?;
    client.wait_for(|w| {
        w.query("#summary")
            .is_some_and(|s| s.text_content().ends_with("rated 4 stars."))
    })?;
    client.click("#suggest")?;
    client.wait_for_node_text(
        "#summary",
        "Margherita fan orders a large pizza on thin dough, with basil; rated 5 stars.",
    )?;
    Ok(())
}

/// The widgets and scoreboard examples add their widget classes in the page's footer; a
/// footer that never reaches the page (an override of a template piece that moved) would
/// leave their widgets empty in a browser, which the test kit cannot see by itself.
#[test]
fn the_examples_pages_carry_their_widget_classes_and_the_first_paint() -> Result<(), TestError> {
    for (app, class) in [
        (examples::widgets::app(), "register_widget_class('Stars'"),
        (examples::scoreboard::app(), "register_widget_class('Watch'"),
    ] {
        let server = TestServer::start(app);
        let page = server.get("/")?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(class), "{class} in {}", page.body);
        assert!(
            page.body.contains("data-lona-node-id"),
            "the page is painted: {}",
            page.body
        );
    }
    Ok(())
}
