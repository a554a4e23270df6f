//! The browser client of lona: plain ES modules and a stylesheet, embedded into the binary.
//!
//! The files live in `js/` next to this crate and are served by the server under a URL prefix
//! of its choosing (e.g. `/static/lona/`). The page imports [`ENTRY`], hands it the protocol
//! codes (`lona_protocol::codes_json`) and the client settings, and sets up a context:
//!
//! ```html
//! <div id="lona"></div>
//! <script type="module">
//!   import { Lona } from "/static/lona/lona.js";
//!   Lona.setProtocol(/* codes_json() */);
//!   Lona.setSettings({"ping_interval": 60, "view_start_timeout": 2, "input_event_timeout": 2,
//!                     "auto_reconnect": true, "reconnect_timeout": 1000, "reconnect_max_timeout": 30000, "live_reload": false});
//!   const context = new Lona.LonaContext({target: "#lona", title: "Lona", update_address_bar: true,
//!     update_title: true, follow_redirects: true, follow_http_redirects: true,
//!     scroll_to_top_on_view_start: true});
//!   window.lona_context = context;
//!   context.setup();
//! </script>
//! ```
//!
//! The modules import each other by relative path (`./window.js`), so every [`Asset`] must be
//! served under the same prefix. `context.setup()` links `lona.css` from next to the modules
//! unless the page links it already.
//! The JavaScript hard-codes no protocol code: it reads them all from `Lona.setProtocol`.
//!
//! There is no Rust logic here beyond embedding; the client's tests run with
//! `node --test crates/lona-client/js/tests/`.

/// One embedded file of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// The path relative to the client's URL prefix, e.g. `"lona.js"`.
    pub path: &'static str,
    /// The `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// The file's text.
    pub body: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!("../js/", $path)),
        }
    };
}

/// Every file of the client. Paths are unique; the test files under `js/tests/` are not here.
pub const ASSETS: &[Asset] = &[
    asset!("lona.js", JS),
    asset!("protocol.js", JS),
    asset!("context.js", JS),
    asset!("window.js", JS),
    asset!("stream.js", JS),
    asset!("rendering.js", JS),
    asset!("input-events.js", JS),
    asset!("submit.js", JS),
    asset!("widgets.js", JS),
    asset!("notices.js", JS),
    asset!("lona.css", CSS),
];

/// The module the page imports: it exports `Lona` and sets `window.Lona`.
pub const ENTRY: &str = "lona.js";

/// The asset at `path` (relative to the client's URL prefix, without a leading `/`).
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

#[cfg(test)]
mod tests;
