//! The pages the server renders itself: the frontend page that loads the client, and the error
//! pages of plain HTTP requests. Templates are minijinja with autoescape on; apps override them
//! by name with [`crate::App::template`].

use minijinja::{AutoEscape, Environment, Value, context};

use crate::settings::Settings;

/// The frontend page: the window `#lona`, the client, and what the client needs to know.
pub const FRONTEND_TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="{{ static_url }}lona/lona.css">
{{ static_tags }}
</head>
<body>
<div id="lona"></div>
<script type="module">
import { Lona } from {{ client_url }};
Lona.setProtocol({{ protocol }});
Lona.setSettings({{ client_settings }});
const context = new Lona.LonaContext({{ context_settings }});
window.lona_context = context;
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
<div class="lona-error"><h1>{{ status }} {{ reason }}</h1></div>
</body>
</html>
"#;

pub(crate) struct Templates {
    env: Environment<'static>,
    statics: std::sync::Arc<lona_static::StaticFiles>,
}

/// JSON for a `<script>`: serde_json leaves `<` alone, and `</script>` inside a string would
/// end the script, so every `<` becomes `\u003c` (the same string to JavaScript).
pub(crate) fn script_json(value: &serde_json::Value) -> Value {
    script_json_text(&value.to_string())
}

/// [`script_json`] for JSON that is already text.
fn script_json_text(json: &str) -> Value {
    Value::from_safe_string(json.replace('<', "\\u003c"))
}

impl Templates {
    pub(crate) fn new(
        overrides: &[(String, String)],
        statics: std::sync::Arc<lona_static::StaticFiles>,
    ) -> Result<Templates, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        // `static_url("app.css")`: the hashed, cacheable-forever URL of a static file.
        let for_templates = std::sync::Arc::clone(&statics);
        env.add_function("static_url", move |name: String| {
            for_templates.hashed_url(&name).unwrap_or_default()
        });
        env.add_template_owned("lona/frontend.html", FRONTEND_TEMPLATE)?;
        env.add_template_owned("lona/error.html", ERROR_TEMPLATE)?;
        for (name, source) in overrides {
            env.add_template_owned(name.clone(), source.clone())?;
        }
        Ok(Templates { env, statics })
    }

    pub(crate) fn frontend(&self, settings: &Settings) -> Result<String, minijinja::Error> {
        let client_settings = serde_json::json!({
            "ping_interval": settings.client_ping_interval,
            "view_start_timeout": settings.client_view_start_timeout,
            "input_event_timeout": settings.client_input_event_timeout,
            "auto_reconnect": settings.client_auto_reconnect,
            "reconnect_timeout": settings.client_auto_reconnect_timeout,
            "reconnect_max_timeout": 30_000,
        });
        let context_settings = serde_json::json!({
            "target": "#lona",
            "title": settings.title,
            "update_address_bar": true,
            "update_title": true,
            "follow_redirects": true,
            "follow_http_redirects": true,
            "scroll_to_top_on_view_start": true,
        });
        let client_url = format!("{}lona/{}", settings.static_url_prefix, lona_client::ENTRY);
        self.env
            .get_template("lona/frontend.html")?
            .render(context! {
                title => settings.title.clone(),
                static_url => settings.static_url_prefix.clone(),
            static_tags => Value::from_safe_string(self.statics.tags()),
                client_url => script_json(&serde_json::Value::String(client_url)),
                protocol => script_json_text(&lona_protocol::codes_json()),
                client_settings => script_json(&client_settings),
                context_settings => script_json(&context_settings),
            })
    }

    pub(crate) fn error(&self, status: u16, reason: &str) -> Result<String, minijinja::Error> {
        self.env
            .get_template("lona/error.html")?
            .render(context! { status => status, reason => reason })
    }
}
