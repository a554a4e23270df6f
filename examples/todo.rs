//! A todo list: add items, tick them off, delete them, and a count of what is left that
//! follows. Each row's handlers go with the row when it is deleted.
//!
//! `cargo run -p examples --example todo`, then open http://127.0.0.1:8080/

use lona::prelude::*;

/// The list: a text input and an add button (`#title`, `#add`), the rows (`#todos`), and
/// how many are not done (`#left`).
#[derive(Debug)]
pub struct Todos;

impl View for Todos {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let title = TextInput::new()
            .with_id("title")
            .with_placeholder("What next?");
        let add = tags::button().with_id("add").with("Add");
        let list = tags::ul().with_id("todos");
        let left = Live::new_in(tags::span().with_id("left"), 0);
        let html = tags::div().with((
            tags::h1().with("Todo"),
            tags::p().with((&title, " ", &add)),
            &list,
            tags::p().with((&left, " left")),
        ));
        cx.on_click(&add, move |cx, _| {
            let text = title.value();
            if !text.trim().is_empty() {
                title.set_value("");
                list.append(row(cx, &text, &left));
            }
        });
        Ok(html.into())
    }
}

/// One item: a checkbox that marks it done, its text, and a delete button.
fn row(cx: &EventContext, text: &str, left: &Live<u32>) -> Node {
    let done = Checkbox::new().with_class("done");
    let delete = tags::button().with_class("delete").with("Delete");
    let row = tags::li().with((&done, " ", text, " ", &delete));
    left.update(|n| *n += 1);
    cx.on_change(&done, {
        let (done, left) = (done.clone(), left.clone());
        move |_, _| left.update(|n| if done.value() { *n -= 1 } else { *n += 1 })
    });
    cx.on_click(&delete, {
        let (row, left) = (row.clone(), left.clone());
        move |_, _| {
            if !done.value() {
                left.update(|n| *n -= 1);
            }
            row.remove(); // its two handlers are dropped with it
        }
    });
    row
}

/// The app: the list on `/`.
pub fn app() -> App {
    let mut app = App::new();
    app.view("/", |_request| Todos);
    app
}

/// Runs the example with its command line: on 127.0.0.1:8080, or
/// `-- run-server --host H --port P`.
pub fn main() -> lona::Result<()> {
    app().main()
}
