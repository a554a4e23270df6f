//! lona inside an axum app, in Chromium: the example's counter page, served by axum on the
//! same origin as an axum JSON route, counts clicks, and the page can fetch the route.

use std::net::SocketAddr;

use serde_json::json;

use super::support::{app, fail, run_at};

#[test]
fn a_lona_page_served_by_axum_counts_clicks_and_fetches_an_axum_route() {
    // axum and lona on a runtime of the test's own, as an app's `#[tokio::main]` would be.
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut app = app();
    app.view("/", |_| examples::axum::Counter);
    let (addr, stop, served): (SocketAddr, _, _) = tokio.block_on(async {
        let lona = app.into_service().await.expect("lona starts");
        crate::axum_app::serve_example(lona).await
    });
    run_at(addr, async |page| {
        page.open("/").await?;
        page.wait_text("#count", "0").await?;
        page.click("#plus").await?;
        page.wait_text("#count", "1").await?;
        page.click("#plus").await?;
        page.wait_text("#count", "2").await?;
        let time = page
            .eval(
                "return fetch('/api/time?label=browser').then(r => r.json());",
                Vec::new(),
            )
            .await?;
        if time["label"] != json!("browser") || !time["unix_seconds"].is_u64() {
            return Err(fail(format!("the axum route answered {time}")));
        }
        Ok(())
    });
    let _ = stop.send(());
    tokio.block_on(served).expect("axum and lona shut down");
}
