//! Form controls and a JavaScript widget: a pizza order whose summary follows every change, a
//! "Suggest" button that fills the form from the server, a submit that shows the fields, and a
//! star rating drawn by a widget whose data syncs both ways.
//!
//! `cargo run -p examples --example widgets`, then open http://127.0.0.1:8080/ in two tabs:
//! what one tab types shows in the other (the view is a daemon).

use lona::html::WIDGET_DATA_EVENT;
use lona::prelude::*;
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

/// The order's controls and the summary that describes them: one handle the handlers share
/// (each clone is a set of node handles, not a copy of the tree).
#[derive(Clone)]
struct Pizza {
    name: TextInput,
    extra_cheese: Checkbox,
    size: RadioGroup,
    dough: Select,
    toppings: Select,
    rating: Node,
    summary: Node,
}

impl Pizza {
    fn new() -> Pizza {
        Pizza {
            name: TextInput::new()
                .with_name("name")
                .with_placeholder("Your name"),
            extra_cheese: Checkbox::new().with_name("cheese"),
            size: RadioGroup::new()
                .with_name("size")
                .with_radio("small", "Small")
                .with_radio("large", "Large")
                .with_value("small"),
            dough: Select::new()
                .with_name("dough")
                .with_options([("thin", "Thin"), ("thick", "Thick")]),
            toppings: Select::multiple().with_name("toppings").with_options([
                ("ham", "Ham"),
                ("olives", "Olives"),
                ("basil", "Basil"),
            ]),
            rating: tags::div()
                .with_id("rating")
                .with_widget("Stars", Value::map([("stars", 3)]))
                // Without this the server refuses the widget's changes.
                .with_widget_sync(),
            summary: tags::p().with_id("summary"),
        }
    }

    /// Writes the summary from the controls' typed values.
    fn show_summary(&self) {
        let name = Some(self.name.value())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Someone".to_owned());
        let cheese = if self.extra_cheese.value() {
            " and extra cheese"
        } else {
            ""
        };
        let toppings = Some(self.toppings.values().join(", "))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "nothing".to_owned());
        self.summary.set_text(format!(
            "{name} orders a {} pizza on {} dough{cheese}, with {toppings}; rated {} stars.",
            self.size.value().unwrap_or_default(),
            self.dough.value().unwrap_or_default(),
            stars(&self.rating),
        ));
    }
}

impl View for Order {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        // Tabs of one browser share the view. A daemon's tabs re-attach to it on a VIEW of
        // its URL, so the form posts to another route.
        cx.daemonize();
        let pizza = Pizza::new();
        pizza.show_summary();
        let suggest = tags::button()
            .with_id("suggest")
            .with_attr("type", "button")
            .with("Suggest");
        let form = tags::form()
            .with_attr("method", "post")
            .with_attr("action", "/ordered")
            .with((
                tags::p().with(&pizza.name),
                tags::p().with(tags::label().with((&pizza.extra_cheese, " Extra cheese"))),
                tags::p().with(&pizza.size),
                tags::p().with((&pizza.dough, " ", &pizza.toppings)),
                tags::p().with((&suggest, " ", Submit::new("Order"))),
            ));
        let html = tags::div().with((
            tags::h1().with("Pizza"),
            form,
            tags::h2().with("Rate us"),
            &pizza.rating,
            &pizza.summary,
        ));

        // Every value is up to date in a handler: the runtime applied what the browser sent.
        let controls: [&Node; 5] = [
            &pizza.name,
            &pizza.extra_cheese,
            &pizza.size,
            &pizza.dough,
            &pizza.toppings,
        ];
        for control in controls {
            let pizza = pizza.clone();
            cx.on_change(control, move |_cx, _event| pizza.show_summary());
        }
        let rated = pizza.clone();
        cx.on(
            &pizza.rating,
            Event::Custom(WIDGET_DATA_EVENT.to_owned()),
            move |_cx, _event| rated.show_summary(),
        );
        cx.on_click(&suggest, move |_cx, _event| {
            // The browser shows every value the server sets.
            pizza.name.set_value("Margherita fan");
            pizza.size.set_value(Some("large"));
            pizza.toppings.set_values(["basil"]);
            pizza.rating.widget_data().set(&[], "stars", 5);
            pizza.show_summary();
        });
        Ok(html.into())
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
    // The page's footer, below `#lona`: the built-in frontend (and its first paint) stays.
    app.template("lona/footer.html", STARS_SCRIPT);
    app.view("/", |_request| Order);
    app.view("/ordered", |_request| Ordered);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
