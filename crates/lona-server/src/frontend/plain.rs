//! The built-in pages without a template engine (the `templates` feature off): the templates
//! of [`super`] filled in by substituting their `{{ name }}` fields and `{% include %}` tags,
//! to the same bytes minijinja renders them to. Nothing else of Jinja is understood, and
//! nothing else is needed: apps cannot add or override templates without the feature.

use std::convert::Infallible;
use std::sync::Arc;

use lona_html::Node;

use super::{
    ERROR_TEMPLATE, ERROR_VIEW_TEMPLATE, FRONTEND_TEMPLATE, FirstPaint, PageRequest, PageValues,
    error_view_reason, error_view_tree,
};
use crate::settings::Settings;

/// The built-in pages. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Templates {
    statics: Arc<lona_static::StaticFiles>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

/// A value for a `{{ name }}` field: text is HTML-escaped as minijinja's autoescape does,
/// safe markup goes in as it is.
enum Field<'a> {
    Text(&'a str),
    Safe(&'a str),
}

impl Templates {
    pub(crate) fn new(statics: Arc<lona_static::StaticFiles>) -> Templates {
        Templates { statics }
    }

    /// The frontend page; `template` is always the built-in one here.
    pub(crate) fn frontend(
        &self,
        settings: &Settings,
        _template: &str,
        _request: &PageRequest<'_>,
        paint: Option<&FirstPaint>,
    ) -> Result<String, Infallible> {
        let page = PageValues::new(settings, &self.statics, paint);
        Ok(fill(
            FRONTEND_TEMPLATE,
            &|name| match name {
                "title" => Some(Field::Text(&page.title)),
                "static_url" => Some(Field::Text(&page.static_url)),
                "static_tags" => Some(Field::Safe(&page.static_tags)),
                "client_url" => Some(Field::Safe(&page.client_url)),
                "protocol" => Some(Field::Safe(&page.protocol)),
                "client_settings" => Some(Field::Safe(&page.client_settings)),
                "context_settings" => Some(Field::Safe(&page.context_settings)),
                "first_paint" => Some(Field::Safe(&page.first_paint)),
                _ => None,
            },
            // The header, footer and script hooks are empty.
            &|_| String::new(),
        ))
    }

    /// Whether pages of `template` get a first paint: the built-in one, which apps cannot
    /// override without the `templates` feature.
    #[cfg(not(feature = "templates"))]
    pub(crate) fn paints(&self, template: &str) -> bool {
        template == super::PAINTED_TEMPLATE
    }

    /// The error page of a plain HTTP request.
    pub(crate) fn error(&self, status: u16, reason: &str) -> Result<String, Infallible> {
        let status = status.to_string();
        let fields = |name: &str| match name {
            "status" => Some(Field::Text(&status)),
            "reason" => Some(Field::Text(reason)),
            _ => None,
        };
        let view = fill(ERROR_VIEW_TEMPLATE, &fields, &|_| String::new());
        Ok(fill(ERROR_TEMPLATE, &fields, &|_| view.clone()))
    }

    /// The tree a window shows when its view fails with `status`.
    pub(crate) fn error_view(&self, status: u16) -> Node {
        let code = status.to_string();
        let reason = error_view_reason(status);
        let html = fill(
            ERROR_VIEW_TEMPLATE,
            &|name| match name {
                "status" => Some(Field::Text(&code)),
                "reason" => Some(Field::Text(reason)),
                _ => None,
            },
            &|_| String::new(),
        );
        error_view_tree(&html)
    }

    /// The templates there are, for the admin shell: the built-in ones.
    #[cfg(all(feature = "shell", not(feature = "templates")))]
    pub(crate) fn listing(&self) -> Vec<(String, String)> {
        let mut names: Vec<(String, String)> = super::BUILT_IN_TEMPLATES
            .iter()
            .map(|name| ((*name).to_owned(), "built in".to_owned()))
            .collect();
        names.sort();
        names
    }
}

/// `template` with each `{{ name }}` replaced by its field (nothing if it has none) and each
/// `{% include "name" %}` by `include(name)`; one trailing newline is dropped, as minijinja
/// drops it.
fn fill<'v>(
    template: &str,
    field: &dyn Fn(&str) -> Option<Field<'v>>,
    include: &dyn Fn(&str) -> String,
) -> String {
    let template = template.strip_suffix('\n').unwrap_or(template);
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let tag = [("{{", "}}"), ("{%", "%}")]
            .into_iter()
            .find_map(|(open, close)| {
                let inner = tail.strip_prefix(open)?;
                let end = inner.find(close)?;
                Some((open, inner[..end].trim(), open.len() + end + close.len()))
            });
        match tag {
            Some(("{{", name, len)) => {
                match field(name) {
                    Some(Field::Text(text)) => escape_into(&mut out, text),
                    Some(Field::Safe(html)) => out.push_str(html),
                    None => {}
                }
                rest = &tail[len..];
            }
            Some((_, statement, len)) => {
                if let Some(name) = statement
                    .strip_prefix("include")
                    .map(|name| name.trim().trim_matches('"'))
                {
                    out.push_str(&include(name));
                }
                rest = &tail[len..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// HTML escaping as minijinja's autoescape does it.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
}

#[cfg(all(test, feature = "templates"))]
mod tests {
    use std::sync::Arc;

    use super::{PageRequest, Templates};
    use crate::routing::Router;
    use crate::settings::Settings;

    /// Both renderers, over the same settings and static files.
    fn both() -> (Templates, crate::frontend::Templates, Settings) {
        let settings = Settings {
            title: "Tom & \"Jerry\" </script>".to_owned(),
            ..Settings::default()
        };
        let statics = Arc::new(crate::statics::build(&settings, &[], &[]).expect("static files"));
        let jinja = crate::frontend::Templates::new(
            crate::frontend::TemplateConfig::default(),
            &settings,
            Router::default(),
            Arc::clone(&statics),
        )
        .expect("the built-in templates compile");
        (Templates::new(statics), jinja, settings)
    }

    #[test]
    fn the_frontend_page_is_the_one_minijinja_renders() {
        let (plain, jinja, settings) = both();
        let request = PageRequest {
            path: "/a",
            query: "b=c",
        };
        let template = "lona/frontend.html";
        assert_eq!(
            plain.frontend(&settings, template, &request, None).ok(),
            jinja.frontend(&settings, template, &request, None).ok(),
        );
        let paint = crate::frontend::FirstPaint {
            html: "<p data-lona-node-id=\"1\">a &lt;b&gt;</p>".to_owned(),
            token: Some("abcdefghijklmnopqrs-_0".to_owned()),
        };
        assert_eq!(
            plain
                .frontend(&settings, template, &request, Some(&paint))
                .ok(),
            jinja
                .frontend(&settings, template, &request, Some(&paint))
                .ok(),
        );
    }

    #[test]
    fn the_error_pages_are_the_ones_minijinja_renders() {
        let (plain, jinja, _) = both();
        for (status, reason) in [(404, "Not Found"), (500, "Internal Server Error")] {
            assert_eq!(
                plain.error(status, reason).ok(),
                jinja.error(status, reason).ok()
            );
        }
        for status in [403, 404, 500] {
            assert_eq!(
                plain.error_view(status).to_html(),
                jinja.error_view(status).to_html()
            );
        }
    }
}
