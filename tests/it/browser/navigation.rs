//! Moving between views inside one page load: links become VIEWs, a view's redirect is
//! followed, and the browser's history goes back to the views the user saw.

use lona::prelude::*;
use serde_json::json;

use super::support::{Page, Result, app, fail, run};

/// A page with a heading and one link (`#link`); `handle_request` returns at once.
struct Linked {
    title: &'static str,
    link: &'static str,
}

impl View for Linked {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(
            tags::div()
                .with_child(tags::h1().with_id("title").with_text(self.title))
                .with_child(
                    tags::a()
                        .with_id("link")
                        .with_attr("href", self.link)
                        .with_text(self.link),
                ),
        ))
    }
}

/// A view that only redirects, as a login check would.
struct Redirect(&'static str);

impl View for Redirect {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Redirect(self.0.to_owned()))
    }
}

fn navigation_app() -> lona::App {
    let mut app = app();
    app.view("/", |_| Linked {
        title: "One",
        link: "/two",
    });
    app.view("/two", |_| Linked {
        title: "Two",
        link: "/redirect",
    });
    app.view("/redirect", |_| Redirect("/three"));
    app.view("/three", |_| Linked {
        title: "Three",
        link: "/",
    });
    app
}

/// Waits until the window shows `title` at `path`, in the same page load as before.
async fn shows(page: &Page<'_>, title: &str, path: &str) -> Result {
    page.wait_text("#title", title).await?;
    let url = page.client().current_url().await?;
    if url.path() != path {
        return Err(fail(format!("{title} is shown at {url}, not at {path}")));
    }
    let marker = page
        .eval("return window.lonaTestMarker || null;", Vec::new())
        .await?;
    if marker != json!("first load") {
        return Err(fail(format!(
            "the page was reloaded on the way to {path} (marker: {marker})"
        )));
    }
    Ok(())
}

#[test]
fn links_redirects_and_back_stay_in_one_page_load() {
    run(navigation_app(), async |page| {
        page.open("/").await?;
        page.wait_text("#title", "One").await?;
        // Survives only as long as the page is not reloaded.
        page.eval(
            "window.lonaTestMarker = 'first load'; return true;",
            Vec::new(),
        )
        .await?;

        page.click("#link").await?;
        shows(page, "Two", "/two").await?;

        // A view that redirects lands on its target.
        page.click("#link").await?;
        shows(page, "Three", "/three").await?;

        // Back shows the view before the redirect, not the redirect again.
        page.client().back().await?;
        shows(page, "Two", "/two").await?;
        page.client().back().await?;
        shows(page, "One", "/").await?;

        // And forward again.
        page.client().forward().await?;
        shows(page, "Two", "/two").await?;
        Ok(())
    });
}
