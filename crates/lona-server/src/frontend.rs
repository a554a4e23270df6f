//! The pages the server renders itself: the frontend page that loads the client, and the error
//! pages of plain HTTP requests and of windows. With the `templates` feature they are minijinja
//! templates (autoescape on) that apps override by name with [`crate::App::template`]
//! ([`templates`]); without it, the built-in templates below are filled in by [`plain`]
//! substitution, to the same bytes.

use lona_html::Node;
use lona_html::tags::div;

use crate::settings::Settings;

// Compiled in tests with the feature too, to check that it renders what minijinja does.
#[cfg(any(not(feature = "templates"), test))]
mod plain;
#[cfg(feature = "templates")]
mod templates;

#[cfg(not(feature = "templates"))]
pub(crate) use plain::Templates;
#[cfg(feature = "templates")]
pub(crate) use templates::TemplateConfig;
#[cfg(feature = "templates")]
pub use templates::Templates;

/// The frontend page: the window `#lona`, the client, and what the client needs to know.
pub const FRONTEND_TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{ static_url }}lona/lona.css">
{{ static_tags }}
</head>
<body>
{% include "lona/header.html" %}
<div id="lona">{{ first_paint }}</div>
{% include "lona/footer.html" %}
<script type="module">
import { Lona } from {{ client_url }};
Lona.setProtocol({{ protocol }});
Lona.setSettings({{ client_settings }});
const context = new Lona.LonaContext({{ context_settings }});
window.lona_context = context;
{% include "lona/frontend.js" %}
context.setup();
</script>
</body>
</html>
"#;

/// The error page of plain HTTP requests (403, 404, 500, 503).
pub const ERROR_TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ status }} {{ reason }}</title>
</head>
<body>
{% include "lona/error-view.html" %}
</body>
</html>
"#;

/// What a window shows when its view fails (Lona's 403/404/500 views); the body of
/// [`ERROR_TEMPLATE`] too, so that overriding it changes both.
pub const ERROR_VIEW_TEMPLATE: &str =
    r#"<div class="lona-error"><h1>{{ status }} {{ reason }}</h1></div>"#;

/// The templates lona brings, each overridable by a template of the same name.
#[cfg(feature = "shell")]
const BUILT_IN_TEMPLATES: [&str; 6] = [
    "lona/frontend.html",
    "lona/error.html",
    "lona/error-view.html",
    "lona/header.html",
    "lona/footer.html",
    "lona/frontend.js",
];

/// What the frontend page sees of the request that loads it (Lona passes `request`).
#[cfg_attr(
    not(feature = "templates"),
    expect(
        dead_code,
        reason = "the built-in page does not show it; an app's template may"
    )
)]
pub(crate) struct PageRequest<'a> {
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
}

/// A first paint for the page (docs/protocol.md, "First paint"): the view's tree, rendered and
/// escaped by `lona-html`, and the token its window adopts the view with.
#[derive(Debug, Default)]
pub(crate) struct FirstPaint {
    pub(crate) html: String,
    pub(crate) token: Option<String>,
}

/// Whether `template` is lona's own frontend page, whose client adopts a painted view.
pub(crate) const PAINTED_TEMPLATE: &str = "lona/frontend.html";

/// What the frontend page shows besides the request, computed once whichever renders it. All
/// but `title` and `static_url` are safe to put into the page as they are.
struct PageValues {
    title: String,
    static_url: String,
    /// The `<link>` and `<script>` tags of the app's static files.
    static_tags: String,
    /// The rest is JSON for the page's `<script>` (see [`script_json`]).
    client_url: String,
    protocol: String,
    client_settings: String,
    context_settings: String,
    /// The first paint's HTML, safe: `lona-html` escaped it.
    first_paint: String,
}

impl PageValues {
    fn new(
        settings: &Settings,
        statics: &lona_static::StaticFiles,
        paint: Option<&FirstPaint>,
    ) -> PageValues {
        let client_settings = serde_json::json!({
            "ping_interval": settings.client_ping_interval,
            "view_start_timeout": settings.client_view_start_timeout,
            "input_event_timeout": settings.client_input_event_timeout,
            "auto_reconnect": settings.client_auto_reconnect,
            "reconnect_timeout": settings.client_auto_reconnect_timeout,
            "reconnect_max_timeout": 30_000,
            "live_reload": settings.live_reload,
        });
        let mut context_settings = serde_json::json!({
            "target": "#lona",
            "title": settings.title,
            "update_address_bar": true,
            "update_title": true,
            "follow_redirects": true,
            "follow_http_redirects": true,
            "scroll_to_top_on_view_start": true,
        });
        if let Some(token) = paint.and_then(|p| p.token.as_deref())
            && let Some(map) = context_settings.as_object_mut()
        {
            map.insert("adopt".to_owned(), serde_json::Value::from(token));
        }
        let client_url = format!("{}lona/{}", settings.static_url_prefix, lona_client::ENTRY);
        PageValues {
            title: settings.title.clone(),
            static_url: settings.static_url_prefix.clone(),
            static_tags: statics.tags(),
            client_url: script_json(&serde_json::Value::String(client_url).to_string()),
            protocol: script_json(&lona_protocol::codes_json()),
            client_settings: script_json(&client_settings.to_string()),
            context_settings: script_json(&context_settings.to_string()),
            first_paint: paint.map(|p| p.html.clone()).unwrap_or_default(),
        }
    }
}

/// JSON for a `<script>`: serde_json leaves `<` alone, and `</script>` inside a string would
/// end the script, so every `<` becomes `\u003c` (the same string to JavaScript).
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
}

/// Lona's words for the three pages a view can end in.
fn error_view_reason(status: u16) -> &'static str {
    match status {
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Internal Error",
    }
}

/// The tree a window shows for the HTML of `lona/error-view.html`.
fn error_view_tree(html: &str) -> Node {
    let mut nodes = lona_html::parse_html(html);
    match (nodes.pop(), nodes.is_empty()) {
        (Some(node), true) => node,
        (last, _) => div().with_children(nodes.into_iter().chain(last)),
    }
}
