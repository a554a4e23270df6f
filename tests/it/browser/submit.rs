//! Forms submitted in the view in a real browser: `await_submit` gets every field typed,
//! after a submit button and after Enter in a text input, and the page stays (no navigation:
//! the history does not grow, the page's JavaScript keeps its variables); a form without a
//! submit handler still navigates.

use lona::prelude::*;
use serde_json::json;

use super::support::{Page, Result, app, run};

/// `#order` is submitted in the view (`await_submit` in a loop); `#plain` is a POST form
/// without a handler. `#out` shows what the view got.
struct Order;

impl View for Order {
    fn handle_request(&self, cx: &Context, request: &Request) -> ViewResult {
        let name = TextInput::new().with_id("name").with_name("name");
        let agree = Checkbox::new().with_id("agree").with_name("agree");
        let size = Select::new()
            .with_id("size")
            .with_name("size")
            .with_options([("s", "S"), ("m", "M"), ("l", "L")]);
        // Both forms have an action of their own, so that a navigation would show in the
        // history and the address bar.
        let order = tags::form()
            .with_id("order")
            .with_attr("method", "post")
            .with_attr("action", "/ordered")
            .with_child(&name)
            .with_child(&agree)
            .with_child(&size)
            .with_child(Submit::new("Order").with_id("go").with_name("go"));
        let plain = tags::form()
            .with_id("plain")
            .with_attr("method", "post")
            .with_attr("action", "/sent")
            .with_child(TextInput::new().with_id("note").with_name("note"))
            .with_child(Submit::new("Send").with_id("send"));
        let out =
            tags::p()
                .with_id("out")
                .with_text(format!("{} {:?}", request.method(), request.post));
        let root = tags::div()
            .with_child(&order)
            .with_child(&plain)
            .with_child(&out);
        cx.show(&root)?;
        loop {
            let submitted = cx.await_submit(&order)?;
            out.set_text(format!(
                "name={:?} agree={} size={:?} go={:?} | typed {:?} {:?} {:?} | tree {:?} {} {:?}",
                submitted.text("name"),
                submitted.checked("agree"),
                submitted.selected("size"),
                submitted.text("go"),
                submitted.get(&name),
                submitted.get(&agree),
                submitted.get(&size),
                name.value(),
                agree.value(),
                size.value(),
            ));
            cx.show(&root)?;
        }
    }
}

/// Opens the page, waits for the marked form, and leaves a variable on the page that a
/// navigation of the document would lose. Returns the history's length.
async fn open(page: &Page<'_>) -> Result<u64> {
    page.open("/").await?;
    page.wait_text("#out", "GET PostData([])").await?;
    page.wait_until(
        "the form to be submitted in the view",
        "const f = document.querySelector('#order'); \
         return f !== null && f.getAttribute('data-lona-events') === '306';",
        Vec::new(),
    )
    .await?;
    let length = page
        .eval(
            "window.submitMarker = 'kept'; return history.length;",
            Vec::new(),
        )
        .await?;
    Ok(length.as_u64().unwrap_or_default())
}

/// The history's length, the address bar's path and the page's marker variable.
async fn page_state(page: &Page<'_>) -> Result<serde_json::Value> {
    page.eval(
        "return [history.length, location.pathname, window.submitMarker || null];",
        Vec::new(),
    )
    .await
}

#[test]
fn await_submit_gets_typed_fields_from_a_button_and_from_enter_without_navigating() {
    let mut app = app();
    app.view("/", |_| Order);
    app.view("/sent", |_| Order);
    app.view("/ordered", |_| Order);
    run(app, async |page| {
        let length = open(page).await?;
        // The name's change may still be delayed when the button submits; the select's value
        // reaches the server only with the submit.
        page.type_into("#name", "Ada").await?;
        page.click("#agree").await?;
        page.eval(
            "document.querySelector('#size').value = 'l'; return null;",
            Vec::new(),
        )
        .await?;
        page.click("#go").await?;
        page.wait_text(
            "#out",
            r#"name=Some("Ada") agree=true size=["l"] go=Some("Order") | typed Some("Ada") Some(true) Some(["l"]) | tree "Ada" true Some("l")"#,
        )
        .await?;
        assert_eq!(page_state(page).await?, json!([length, "/", "kept"]));

        // Enter in the text input submits too; its submitter is the form's default button, as
        // in any browser.
        page.type_into("#name", " L\u{e007}").await?;
        page.wait_text(
            "#out",
            r#"name=Some("Ada L") agree=true size=["l"] go=Some("Order") | typed Some("Ada L") Some(true) Some(["l"]) | tree "Ada L" true Some("l")"#,
        )
        .await?;
        assert_eq!(page_state(page).await?, json!([length, "/", "kept"]));
        Ok(())
    });
}

#[test]
fn a_form_without_a_submit_handler_still_navigates() {
    let mut app = app();
    app.view("/", |_| Order);
    app.view("/sent", |_| Order);
    app.view("/ordered", |_| Order);
    run(app, async |page| {
        let length = open(page).await?;
        page.type_into("#note", "hi").await?;
        page.click("#send").await?;
        page.wait_text("#out", r#"POST PostData([("note", Text("hi"))])"#)
            .await?;
        // A navigation in the window: a new view at the action's URL, with a history entry
        // (the page itself stays, as with Lona's client).
        assert_eq!(
            page_state(page).await?,
            json!([length + 1, "/sent", "kept"])
        );
        Ok(())
    });
}
