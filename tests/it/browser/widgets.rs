//! Widgets and ignored nodes in a real browser: a widget's JavaScript gets its data, changes
//! it and the server sees it, the server changes it and the widget shows it, Lona's legacy
//! widget hooks run, and an ignored node keeps what the page's JavaScript put into it.

use lona::html::WIDGET_DATA_EVENT;
use lona::prelude::*;
use lona::server::FRONTEND_TEMPLATE;
use lona::view::EventKind;
use serde_json::json;

use super::support::{Page, Result, app, run};

/// Two widget classes, registered before the client starts: `Counter` with Lona's current
/// API (constructor arguments, `onDataUpdated`) and `set_widget_data`, `Legacy` with Lona's
/// legacy hooks (`setup`, `data_updated`, `deconstruct`, `this.data`, `this.root_node`,
/// `this.nodes`) and a custom input event.
const WIDGETS_SCRIPT: &str = r#"<script type="module">
import { Lona } from {{ client_url }};

class Counter {
    constructor(lona_window, root_node, widget_data) {
        this.lona_window = lona_window;
        this.widget_data = widget_data;
        this.label = document.createElement('span');
        this.label.className = 'count';
        const plus = document.createElement('button');
        plus.className = 'js-plus';
        plus.textContent = '+1 in JavaScript';
        plus.addEventListener('click', () => {
            const count = this.widget_data.data.count + 1;
            this.lona_window.set_widget_data(['count'], count);
            this.render();
        });
        root_node.append(this.label, plus);
        this.render();
    }

    onDataUpdated(widget_data) {
        this.widget_data = widget_data;
        this.render();
    }

    render() {
        this.label.textContent = String(this.widget_data.data.count);
    }
}

class Legacy {
    constructor(lona_window) {
        this.lona_window = lona_window;
    }

    setup() {
        this.label = document.createElement('span');
        this.label.className = 'count';
        const bump = document.createElement('button');
        bump.className = 'bump';
        bump.textContent = 'bump';
        bump.onclick = () => this.lona_window.fire_input_event(null, 'bump', { by: 2 });
        this.root_node.append(this.label, bump);
        window.legacy_nodes = this.nodes.length;
        this.render();
    }

    data_updated() {
        this.render();
    }

    deconstruct() {
        window.legacy_deconstructed = true;
    }

    render() {
        this.label.textContent = String(this.data.count);
    }
}

Lona.register_widget_class('Counter', Counter);
Lona.register_widget_class('Legacy', Legacy);
</script>
"#;

/// The frontend page with [`WIDGETS_SCRIPT`] ahead of the script that starts the client.
fn widgets_app() -> lona::App {
    let mut app = app();
    let page = FRONTEND_TEMPLATE.replacen(
        "<div id=\"lona\">{{ first_paint }}</div>\n",
        &format!("<div id=\"lona\">{{{{ first_paint }}}}</div>\n{WIDGETS_SCRIPT}"),
        1,
    );
    assert_ne!(page, FRONTEND_TEMPLATE, "the widget script is in the page");
    app.template("lona/frontend.html", &page);
    app.view("/", |_| Widgets);
    app.view("/plain", |_| Plain);
    app
}

fn count_of(node: &Node) -> i64 {
    let data = node.widget_data().get();
    data.get(&Key::from("count"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// A `Counter` that syncs both ways, a `Legacy` widget, an ignored canvas the page draws in,
/// an ignored link, and buttons for the server's side.
struct Widgets;

impl View for Widgets {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let counter = tags::div()
            .with_id("counter")
            .with_widget("Counter", Value::map([("count", 0)]))
            .with_widget_sync();
        let legacy = tags::div()
            .with_id("legacy")
            .with_widget("Legacy", Value::map([("count", 0)]));
        let canvas = tags::div().with_id("canvas").with_ignore();
        let out = tags::span().with_id("out").with_text("-");
        cx.on(&counter, Event::Custom(WIDGET_DATA_EVENT.to_owned()), {
            let (counter, out) = (counter.clone(), out.clone());
            move |_, _| {
                out.set_text(format!("server sees {}", count_of(&counter)));
                Flow::Handled
            }
        });
        cx.on(&legacy, Event::Custom("bump".to_owned()), {
            let legacy = legacy.clone();
            move |_, event| {
                let by = match &event.kind {
                    EventKind::Custom { data, .. } => {
                        data.get(&Key::from("by")).and_then(Value::as_i64)
                    }
                    _ => None,
                };
                let _lock = legacy.lock();
                let count = count_of(&legacy) + by.unwrap_or(0);
                legacy.widget_data().set(&[], "count", count);
                Flow::Handled
            }
        });
        let plus = tags::button()
            .with_id("server-plus")
            .with_text("+10 on the server");
        cx.on_click(&plus, {
            let counter = counter.clone();
            move |_, _| {
                let _lock = counter.lock();
                let count = count_of(&counter) + 10;
                counter.widget_data().set(&[], "count", count);
                Flow::Handled
            }
        });
        let remove = tags::button()
            .with_id("remove")
            .with_text("Remove the legacy widget");
        cx.on_click(&remove, {
            let legacy = legacy.clone();
            move |_, _| {
                legacy.remove();
                Flow::Handled
            }
        });
        let root = tags::div();
        let shuffle = tags::button().with_id("move").with_text("Move the canvas");
        cx.on_click(&shuffle, {
            let (root, canvas) = (root.clone(), canvas.clone());
            move |_, _| {
                // Detached and inserted again in one batch: the client re-renders the node.
                let _lock = root.lock();
                root.remove_child(&canvas);
                root.append(&canvas);
                canvas.class_list().add("moved");
                Flow::Handled
            }
        });
        let link = tags::p().with_ignore().with_child(
            tags::a()
                .with_id("plain")
                .with_attr("href", "/plain")
                .with_text("plain"),
        );
        Ok(Response::Node(
            root.with_child(&counter)
                .with_child(&legacy)
                .with_child(&plus)
                .with_child(&remove)
                .with_child(&shuffle)
                .with_child(&out)
                .with_child(link)
                .with_child(&canvas),
        ))
    }
}

struct Plain;

impl View for Plain {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(
            tags::h1().with_id("title").with_text("Plain"),
        ))
    }
}

/// Waits until the global `name` of the page is `expected`.
async fn wait_global(page: &Page<'_>, name: &str, expected: serde_json::Value) -> Result {
    page.wait_until(
        &format!("window.{name} to be {expected}"),
        "return JSON.stringify(window[arguments[0]]) === JSON.stringify(arguments[1]);",
        vec![json!(name), expected],
    )
    .await
}

#[test]
fn a_widget_changes_its_data_the_server_sees_it_and_the_other_way_round() {
    run(widgets_app(), async |page| {
        page.open("/").await?;
        page.wait_text("#counter .count", "0").await?;
        page.click("#counter .js-plus").await?;
        page.wait_text("#out", "server sees 1").await?;
        page.wait_text("#counter .count", "1").await?;
        page.click("#counter .js-plus").await?;
        page.wait_text("#out", "server sees 2").await?;
        page.click("#server-plus").await?;
        page.wait_text("#counter .count", "12").await?;
        // The JavaScript goes on from the server's value.
        page.click("#counter .js-plus").await?;
        page.wait_text("#out", "server sees 13").await?;
        Ok(())
    });
}

#[test]
fn lonas_legacy_widget_hooks_run() {
    run(widgets_app(), async |page| {
        page.open("/").await?;
        page.wait_text("#legacy .count", "0").await?;
        wait_global(page, "legacy_nodes", json!(1)).await?;
        page.click("#legacy .bump").await?;
        page.wait_text("#legacy .count", "2").await?;
        page.click("#legacy .bump").await?;
        page.wait_text("#legacy .count", "4").await?;
        page.click("#remove").await?;
        wait_global(page, "legacy_deconstructed", json!(true)).await?;
        Ok(())
    });
}

#[test]
fn an_ignored_node_keeps_what_the_page_put_into_it() {
    run(widgets_app(), async |page| {
        page.open("/").await?;
        page.find("#canvas").await?;
        page.eval(
            "const drawn = document.createElement('b'); drawn.id = 'drawn'; \
             drawn.textContent = 'drawn by JavaScript'; \
             document.querySelector('#canvas').append(drawn); \
             window.marker = 'same page';",
            Vec::new(),
        )
        .await?;
        page.click("#move").await?;
        page.find("#canvas.moved").await?;
        page.wait_text("#canvas #drawn", "drawn by JavaScript")
            .await?;
        let last = page
            .eval(
                "return document.querySelector('#canvas').parentNode.lastElementChild.id;",
                Vec::new(),
            )
            .await?;
        assert_eq!(last, json!("canvas"), "the server's move happened");

        // A link in an ignored node is the browser's: a full page load, not a VIEW.
        page.click("#plain").await?;
        page.wait_until(
            "a new page load of /plain",
            "return location.pathname === '/plain' && window.marker === undefined \
             && document.querySelector('#title') !== null;",
            Vec::new(),
        )
        .await?;
        Ok(())
    });
}
