//! The socket between the browser and a view: the client reconnects by itself when the server
//! drops it or the network cuts it (through `lona-test`'s fault proxy), two tabs of one browser
//! share a daemon view, and with live reload the page reloads itself when a restarted server
//! is back.

use examples::daemon::SharedCounter;
use lona::prelude::*;
use lona_test::{Direction, FaultProxy};
use serde_json::json;

use super::support::{app, run};

/// Records every notice the client shows, however briefly (it is gone again after the
/// reconnect, 100 ms later).
const RECORD_NOTICES: &str = "
    window.lonaTestNotices = [];
    new MutationObserver(records => {
        for (const record of records) {
            for (const node of record.addedNodes) {
                if (node.nodeType === 1 && node.classList.contains('lona-notice')) {
                    window.lonaTestNotices.push(node.className + ': ' + node.textContent);
                }
            }
        }
    }).observe(document.body, {childList: true, subtree: true});
    return true;";

#[test]
fn after_the_server_drops_the_socket_the_client_reconnects_to_its_daemon_view() {
    let mut app = app();
    app.view("/", |_| SharedCounter);
    run(app, async |page| {
        page.open("/").await?;
        page.wait_text("#count", "0").await?;
        page.click("#plus").await?;
        page.wait_text("#count", "1").await?;
        page.click("#plus").await?;
        page.wait_text("#count", "2").await?;
        page.eval(RECORD_NOTICES, Vec::new()).await?;

        page.server().disconnect_clients();
        page.wait_until(
            "the disconnect notice",
            "return window.lonaTestNotices.some(n => n.includes('lona-notice-disconnected'));",
            Vec::new(),
        )
        .await?;
        // Reconnected in the same page (the recorder is still there), the notice is gone, and
        // the window is attached to a view again (VIEW_START came).
        page.wait_until(
            "the reconnect",
            "const state = window.lona_context.state(); \
             return state.connected && state.windows[0].runtime_id !== null \
             && document.querySelector('.lona-notice-disconnected') === null \
             && Array.isArray(window.lonaTestNotices);",
            Vec::new(),
        )
        .await?;
        page.wait_text("#count", "2").await?;
        let notices = page
            .eval("return window.lonaTestNotices;", Vec::new())
            .await?;
        assert_eq!(
            notices,
            json!(["lona-notice lona-notice-disconnected: Connection lost, reconnecting..."])
        );

        // The re-attached view still answers clicks.
        page.click("#plus").await?;
        page.wait_text("#count", "3").await?;
        Ok(())
    });
}

#[test]
fn after_the_network_cuts_the_socket_the_client_reconnects_through_the_proxy() {
    let mut app = app();
    app.view("/", |_| SharedCounter);
    run(app, async |page| {
        let upstream = page.server().local_addr();
        let proxy = FaultProxy::start(upstream)?;
        proxy.latency(Direction::Both, std::time::Duration::from_millis(20));
        page.client().goto(&proxy.url("/")).await?;
        page.wait_text("#count", "0").await?;
        page.click("#plus").await?;
        page.wait_text("#count", "1").await?;
        page.eval(RECORD_NOTICES, Vec::new()).await?;

        proxy.cut_now();
        page.wait_until(
            "the disconnect notice",
            "return window.lonaTestNotices.some(n => n.includes('lona-notice-disconnected'));",
            Vec::new(),
        )
        .await?;
        page.wait_until(
            "the reconnect through the proxy",
            "const state = window.lona_context.state(); \
             return state.connected && state.windows[0].runtime_id !== null \
             && document.querySelector('.lona-notice-disconnected') === null;",
            Vec::new(),
        )
        .await?;
        page.click("#plus").await?;
        page.wait_text("#count", "2").await?;
        let stats = proxy.stats();
        // The page, its socket, and the socket of the reconnect.
        assert!(stats.accepted >= 3 && stats.cut >= 1, "{stats:?}");
        Ok(())
    });
}

#[test]
fn two_tabs_of_one_browser_share_a_daemon_view() {
    let mut app = app();
    app.view("/", |_| SharedCounter);
    run(app, async |page| {
        let client = page.client();
        page.open("/").await?;
        page.wait_text("#count", "0").await?;
        let first = client.window().await?;

        // A second tab of the same browser: same cookie, same session, same view.
        let second = client.new_window(true).await?.handle;
        client.switch_to_window(second.clone()).await?;
        page.open("/").await?;
        page.wait_text("#count", "0").await?;

        page.click("#plus").await?;
        page.wait_text("#count", "1").await?;
        client.switch_to_window(first.clone()).await?;
        page.wait_text("#count", "1").await?;

        page.click("#plus").await?;
        page.wait_text("#count", "2").await?;
        client.switch_to_window(second).await?;
        page.wait_text("#count", "2").await?;
        Ok(())
    });
}

/// Shows which build of the server runs it.
struct Build(&'static str);

impl View for Build {
    fn handle_request(&self, _cx: &Context, _request: &Request) -> ViewResult {
        Ok(Response::Node(tags::p().with_id("build").with_text(self.0)))
    }
}

#[test]
fn with_live_reload_the_page_reloads_itself_when_the_restarted_server_is_back() {
    let build = |name: &'static str| {
        let mut app = app();
        app.settings.live_reload = true;
        app.view("/", move |_| Build(name));
        app
    };
    run(build("old build"), async |page| {
        page.open("/").await?;
        page.wait_text("#build", "old build").await?;
        page.eval(
            "window.lonaTestMarker = 'still here'; return true;",
            Vec::new(),
        )
        .await?;

        page.restart(build("new build"))?;
        page.wait_text("#build", "new build").await?;
        // A reload, not a VIEW over the new socket: the old page's script state is gone.
        let navigation = page
            .eval(
                "return [window.lonaTestMarker === undefined, \
                 performance.getEntriesByType('navigation')[0].type];",
                Vec::new(),
            )
            .await?;
        assert_eq!(navigation, json!([true, "reload"]));
        Ok(())
    });
}
