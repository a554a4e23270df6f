//! What goes wrong stays contained: a panicking view shows the 500 page and the app goes on,
//! an unknown URL gets a real 404, and text that looks like HTML is only ever text.

use lona::prelude::*;
use serde_json::json;

use super::support::{app, http_request, run};

/// A view that works, with a link to a URL that has no route.
struct Hello;

impl View for Hello {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(
            tags::div()
                .with_child(tags::h1().with_id("title").with_text("Hello"))
                .with_child(
                    tags::a()
                        .with_id("nowhere")
                        .with_attr("href", "/nowhere")
                        .with_text("nowhere"),
                ),
        ))
    }
}

/// A view with a bug.
struct Panics;

impl View for Panics {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        panic!("a bug in a view (the browser suite panics on purpose)");
    }
}

#[test]
fn a_panicking_view_shows_the_500_page_and_the_next_page_load_works() {
    let mut app = app();
    app.view("/", |_| Hello);
    app.view("/panic", |_| Panics);
    run(app, async |page| {
        page.open("/panic").await?;
        page.wait_text("#lona h1", "500 Internal Error").await?;
        page.open("/").await?;
        page.wait_text("#title", "Hello").await?;
        assert_eq!(page.server().metrics().view_panics, 1);
        Ok(())
    });
}

#[test]
fn an_unknown_url_gets_the_404_page_with_status_404() {
    let mut app = app();
    app.view("/", |_| Hello);
    run(app, async |page| {
        let (status, response) = http_request(page.server().local_addr(), "GET", "/nowhere")?;
        assert_eq!(status, 404, "{response}");

        page.open("/nowhere").await?;
        page.wait_text("h1", "404 Not Found").await?;
        assert_eq!(page.client().title().await?, "404 Not Found");

        // A working route still works afterwards.
        page.open("/").await?;
        page.wait_text("#title", "Hello").await?;

        // Followed inside the app, the unknown URL shows the 404 page in the window.
        page.click("#nowhere").await?;
        page.wait_text("#lona h1", "404 Not Found").await?;
        let url = page.client().current_url().await?;
        assert_eq!(url.path(), "/nowhere");
        Ok(())
    });
}

/// Shows HTML-looking text in a text node and in an attribute, first in the whole tree and
/// then, after a click, in a patch.
struct Untrusted;

const PAYLOAD: &str = "<img src=x onerror=\"window.lonaTestXss = 1\">";
const ATTRIBUTE_PAYLOAD: &str = "\"><img src=x onerror=\"window.lonaTestXss = 2\">";
const PATCHED: &str = "</p><script>window.lonaTestXss = 3</script><img src=x onerror=alert(4)>";

impl View for Untrusted {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let text = tags::p().with_id("text").with_text(PAYLOAD);
        let attribute = tags::span()
            .with_id("attribute")
            .with_attr("title", ATTRIBUTE_PAYLOAD)
            .with_text("hover me");
        let button = tags::button().with_id("patch").with_text("Patch");
        cx.on_click(&button, {
            let text = text.clone();
            move |_cx, _event| {
                text.set_text(PATCHED);
                Flow::Handled
            }
        });
        Ok(Response::Node(
            tags::div()
                .with_child(&text)
                .with_child(&attribute)
                .with_child(&button),
        ))
    }
}

#[test]
fn text_that_looks_like_html_is_shown_literally() {
    let mut app = app();
    app.view("/", |_| Untrusted);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#text", PAYLOAD).await?;
        let title = page
            .eval(
                "return document.querySelector('#attribute').getAttribute('title');",
                Vec::new(),
            )
            .await?;
        assert_eq!(title, json!(ATTRIBUTE_PAYLOAD));

        page.click("#patch").await?;
        page.wait_text("#text", PATCHED).await?;

        let injected = page
            .eval(
                "return { elements: document.querySelectorAll('#lona img, #lona script').length, \
                          ran: window.lonaTestXss || null };",
                Vec::new(),
            )
            .await?;
        assert_eq!(injected, json!({ "elements": 0, "ran": null }));
        // No alert() opened either.
        assert!(page.client().get_alert_text().await.is_err());
        Ok(())
    });
}
