//! A lona page through the fault proxy: the test kit's client opens it over the proxy's
//! address, and a cut closes its socket.

use lona::prelude::*;

use crate::{DEFAULT_TIMEOUT, FaultProxy, TestClient, TestError, TestServer};

struct Counter;

impl View for Counter {
    fn handle_request(&self, cx: &Context, _request: &Request) -> ViewResult {
        let count = tags::span().with_id("count").with_text("0");
        let plus = tags::button().with_id("plus").with_text("+1");
        cx.on_click(&plus, {
            let count = count.clone();
            move |_cx, _event| {
                let _lock = count.lock();
                let n: u64 = count.text_content().parse().unwrap_or(0);
                count.set_text((n + 1).to_string());
            }
        });
        Ok(tags::div().with((&count, &plus)).into())
    }
}

#[test]
fn a_page_works_through_the_proxy_until_a_cut() {
    let mut app = App::new();
    app.view("/", |_request| Counter);
    let server = TestServer::start(app);
    let proxy = FaultProxy::start(server.addr()).unwrap();
    let mut client = TestClient::connect(proxy.addr(), "/", None, DEFAULT_TIMEOUT).unwrap();
    client.click("#plus").unwrap();
    client.wait_for_node_text("#count", "1").unwrap();
    // The page load and the WebSocket.
    assert_eq!(proxy.stats().accepted, 2);

    proxy.cut_now();
    match client.wait_for(|_| false) {
        Err(TestError::Closed { .. } | TestError::WebSocket(_)) => {}
        other => panic!("expected the socket to close, got {other:?}"),
    }
    assert_eq!(proxy.stats().open, 0);
    // The session lives on the server: a new tab in it opens through the proxy again.
    let session = client.session();
    drop(client);
    let mut again =
        TestClient::connect(proxy.addr(), "/", Some(&session), DEFAULT_TIMEOUT).unwrap();
    again.wait_for_node_text("#count", "0").unwrap();
}
