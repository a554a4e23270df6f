//! Form controls and a JavaScript widget: a pizza order whose summary follows every change, a
//! "Suggest" button that fills the form from the server, a submit that shows the fields, and a
//! star rating drawn by a widget whose data syncs both ways.
//!
//! `cargo run -p examples --example widgets`, then open http://127.0.0.1:8080/ in two tabs:
//! what one tab types shows in the other (the view is a daemon).

use lona::html::WIDGET_DATA_EVENT;
use lona::prelude::*;
use lona::server::FRONTEND_TEMPLATE;
use lona::view::PostValue;

/// The widget's JavaScript. It is registered ahead of the script that starts the client, so
/// it is there when the first tree arrives; an app with static files would declare it with
/// `App::static_file` instead.
const STARS_SCRIPT: &str = r#"<script type="module">
import { Lona } from {{ client_url }};

class Stars {
    constructor(lona_window, root_node, widget_data) {
        this.lona_window = lona_window;
        this.root_node = root_node;
        this.render(widget_data.data);
    }

    // The server changed the data (another tab, or the "Suggest" button).
    onDataUpdated(widget_data) {
        this.render(widget_data.data);
    }

    render(data) {
        this.root_node.replaceChildren();
        for (let star = 1; star <= 5; star++) {
            const button = document.createElement('button');
            button.textContent = star <= data.stars ? '★' : '☆';
            // Changes the data here at once and on the server, which tells the other tabs.
            button.onclick = () => {
                this.lona_window.set_widget_data(['stars'], star);
                this.render({ stars: star });
            };
            this.root_node.append(button);
        }
    }
}

Lona.register_widget_class('Stars', Stars);
</script>
"#;

/// The value of a widget's `stars` entry.
fn stars(node: &Node) -> i64 {
    let data = node.widget_data().get();
    data.get(&Key::from("stars"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// A pizza order: typed controls with a summary that follows them, a "Suggest" button, a
/// submit that shows the fields, and a star rating widget.
#[derive(Debug)]
pub struct Order;

impl View for Order {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        // Tabs of one browser share the view. A daemon's tabs re-attach to it on a VIEW of
        // its URL, so the form posts to another route.
        cx.daemonize();
        let name = TextInput::new()
            .with_name("name")
            .with_placeholder("Your name");
        let extra_cheese = Checkbox::new().with_name("cheese");
        let size = RadioGroup::new()
            .with_name("size")
            .with_radio("small", "Small")
            .with_radio("large", "Large")
            .with_value("small");
        let dough = Select::new()
            .with_name("dough")
            .with_options([("thin", "Thin"), ("thick", "Thick")]);
        let toppings = Select::multiple().with_name("toppings").with_options([
            ("ham", "Ham"),
            ("olives", "Olives"),
            ("basil", "Basil"),
        ]);
        let rating = tags::div()
            .with_widget("Stars", Value::map([("stars", 3)]))
            // Without this the server refuses the widget's changes.
            .with_widget_sync();
        let summary = tags::p();

        let controls: [&Node; 6] = [&name, &extra_cheese, &size, &dough, &toppings, &rating];
        let describe = {
            let (name, extra_cheese, size, dough, toppings, rating) = (
                name.clone(),
                extra_cheese.clone(),
                size.clone(),
                dough.clone(),
                toppings.clone(),
                rating.clone(),
            );
            move || {
                format!(
                    "{} orders a {} pizza on {} dough{}, with {}; rated {} stars.",
                    Some(name.value())
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "Someone".to_owned()),
                    size.value().unwrap_or_default(),
                    dough.value().unwrap_or_default(),
                    if extra_cheese.value() {
                        " and extra cheese"
                    } else {
                        ""
                    },
                    Some(toppings.values().join(", "))
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| "nothing".to_owned()),
                    stars(&rating),
                )
            }
        };
        summary.set_text(describe());
        for control in controls {
            let (summary, describe) = (summary.clone(), describe.clone());
            let update = move |_: &EventContext, _: &InputEvent| {
                // Every value is up to date here: the runtime applied what the browser sent.
                summary.set_text(describe());
            };
            if control == &rating {
                cx.on(control, Event::Custom(WIDGET_DATA_EVENT.to_owned()), update);
            } else {
                cx.on_change(control, update);
            }
        }

        let suggest = tags::button().with_attr("type", "button").with("Suggest");
        cx.on_click(&suggest, {
            let (name, size, toppings, rating, summary) = (
                name.clone(),
                size.clone(),
                toppings.clone(),
                rating.clone(),
                summary.clone(),
            );
            move |_, _| {
                // The browser shows every value the server sets.
                name.set_value("Margherita fan");
                size.set_value(Some("large"));
                toppings.set_values(["basil"]);
                rating.widget_data().set(&[], "stars", 5);
                summary.set_text(describe());
            }
        });

        let form = tags::form()
            .with_attr("method", "post")
            .with_attr("action", "/ordered")
            .with((
                tags::p().with(&name),
                tags::p().with(tags::label().with((&extra_cheese, " Extra cheese"))),
                tags::p().with(&size),
                tags::p().with((&dough, " ", &toppings)),
                tags::p().with((&suggest, " ", Submit::new("Order"))),
            ));
        Ok(tags::div()
            .with((
                tags::h1().with("Pizza"),
                form,
                tags::h2().with("Rate us"),
                &rating,
                summary,
            ))
            .into())
    }
}

/// The page after a submit: the fields the form delivered.
#[derive(Debug)]
pub struct Ordered;

impl View for Ordered {
    fn handle_request(&self, _cx: &Context, request: &Request) -> ViewResult {
        Ok(submitted(request).into())
    }
}

fn submitted(request: &Request) -> Node {
    let list = tags::ul();
    for (name, value) in &request.post.0 {
        let value = match value {
            PostValue::Text(text) => text.clone(),
            PostValue::List(values) => values.join(", "),
        };
        list.append(tags::li().with(format!("{name}: {value}")));
    }
    tags::div().with((
        tags::h1().with("Ordered"),
        list,
        tags::a().with_attr("href", "/").with("Again"),
    ))
}

/// The app: the order on `/`, what was ordered on `/ordered`, and the widget's script in the
/// frontend page.
pub fn app() -> App {
    let mut app = App::new();
    let page = FRONTEND_TEMPLATE.replacen(
        "<div id=\"lona\"></div>\n",
        &format!("<div id=\"lona\"></div>\n{STARS_SCRIPT}"),
        1,
    );
    app.template("lona/frontend.html", &page);
    app.view("/", |_request| Order);
    app.view("/ordered", |_request| Ordered);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
