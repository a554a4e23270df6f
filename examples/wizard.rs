//! A blocking wizard: three steps written as plain sequential code. Each step shows its page
//! and waits for Back or Next; what the user typed stays in the typed controls from step to
//! step, and the last step reads them.
//!
//! `cargo run -p examples --example wizard`, then open http://127.0.0.1:8080/

use lona::prelude::*;

/// Name (`#name`), then pizza size (`#size`), then a summary (`#summary`); `#back` and
/// `#next` move between them and the last `#next` orders.
#[derive(Debug)]
pub struct Wizard;

impl View for Wizard {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let name = TextInput::new()
            .with_id("name")
            .with_placeholder("Your name");
        let size = Select::new()
            .with_id("size")
            .with_options([("small", "Small"), ("large", "Large")]);
        let (back, next) = (
            tags::button().with_id("back").with("Back"),
            tags::button().with_id("next").with("Next"),
        );
        let mut step = 1;
        while step <= 3 {
            let page = match step {
                1 => tags::p().with(("Who is hungry? ", &name)),
                2 => tags::p().with(("Which size? ", &size)),
                _ => tags::p().with_id("summary").with(format!(
                    "{} orders a {} pizza.",
                    name.value(),
                    size.value().unwrap_or_default()
                )),
            };
            cx.show(&tags::div().with((
                tags::h1().with(format!("Step {step} of 3")),
                page,
                (step > 1).then_some(&back),
                " ",
                &next,
            )))?;
            let click = cx.await_click(&[&back, &next])?;
            step = if click.node.as_ref() == Some(&back) {
                step - 1
            } else {
                step + 1
            };
        }
        Ok(tags::h1()
            .with_id("thanks")
            .with(format!("Thanks, {}!", name.value()))
            .into())
    }
}

/// The app: the wizard on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Wizard);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
