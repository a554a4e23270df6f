//! The app's templates, with minijinja (the `templates` feature): the built-in pages and the
//! app's own, looked up in code, then in folders, then among the built-ins.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lona_html::Node;
use lona_runtime::ErrorPage;
use minijinja::value::{Kwargs, Serde};
use minijinja::{AutoEscape, Environment, ErrorKind, Value, context};
use serde::Serialize;

use super::{
    ERROR_TEMPLATE, ERROR_VIEW_TEMPLATE, FRONTEND_TEMPLATE, FirstPaint, PAINTED_TEMPLATE,
    PageRequest, PageValues, error_view_reason, error_view_tree,
};
use crate::routing::{ReverseError, Router};
use crate::settings::Settings;
use lona_static::URL_ESCAPED;

/// Files listed per template folder at most, so that a folder set to `/` by mistake does not
/// make the admin shell walk the disk.
#[cfg(feature = "shell")]
const MAX_LISTED_PER_DIR: usize = 10_000;

/// The app's templates (minijinja, autoescape on): the frontend and error pages and the
/// app's own. Cheap to clone. Views reach it with `cx.state::<Templates>()`, HTTP handlers
/// with `request.templates()`.
///
/// A name is looked up in this order, first match wins: templates given with
/// [`crate::App::template`], then each folder given with [`crate::App::template_dir`] in the
/// order added, then the built-in `lona/frontend.html` and `lona/error.html`. So a folder can
/// override the built-ins, as Lona's `TEMPLATE_DIRS` come before its core templates.
///
/// Every template sees `static_url(name)` (the hashed URL of a static file),
/// `reverse(name, arg=value...)` (the URL of a named route), `settings` (`title`,
/// `static_url_prefix`) and the globals given with [`crate::App::template_global`].
#[derive(Clone)]
pub struct Templates {
    inner: Arc<Inner>,
}

struct Inner {
    env: Environment<'static>,
    /// Whether the app overrides `lona/frontend.html` (no first paint then).
    frontend_overridden: bool,
    statics: Arc<lona_static::StaticFiles>,
    routes: Arc<Router<()>>,
    /// Names given in code, and the folders: for the admin shell's listing.
    #[cfg_attr(
        not(feature = "shell"),
        expect(dead_code, reason = "the admin shell lists them")
    )]
    code_names: Vec<String>,
    #[cfg_attr(
        not(feature = "shell"),
        expect(dead_code, reason = "the admin shell lists them")
    )]
    dirs: Vec<PathBuf>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

/// A change to the template environment, kept until the app starts.
pub(crate) type EnvSetup = Box<dyn FnOnce(&mut Environment<'static>) + Send>;

/// Everything the app configured for its templates.
#[derive(Default)]
pub(crate) struct TemplateConfig {
    /// Templates by name, highest priority.
    pub(crate) sources: Vec<(String, String)>,
    /// Folders, in priority order.
    pub(crate) dirs: Vec<PathBuf>,
    /// Globals, filters, functions.
    pub(crate) setup: Vec<EnvSetup>,
}

/// The URL of the route `name` with `args` percent-encoded: the router decodes them again
/// when the URL comes back.
fn reverse_encoded(
    routes: &Router<()>,
    name: &str,
    args: &[(&str, &str)],
) -> Result<String, ReverseError> {
    let encoded: Vec<(&str, String)> = args
        .iter()
        .map(|(key, value)| {
            let value = percent_encoding::utf8_percent_encode(value, URL_ESCAPED);
            (*key, value.to_string())
        })
        .collect();
    let encoded: Vec<(&str, &str)> = encoded.iter().map(|(k, v)| (*k, v.as_str())).collect();
    routes.reverse(name, &encoded)
}

/// The file `name` (a template name such as `pages/home.html`) in `dir`; `None` for names
/// that could leave the folder.
fn template_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for segment in name.split('/') {
        if segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.contains(['\\', '\0'])
            || segment.contains(':')
        {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// The files under `dir` as template names (`/`-separated, relative), up to
/// [`MAX_LISTED_PER_DIR`]; symlinked folders are not entered, so a loop cannot trap the walk.
#[cfg(feature = "shell")]
fn list_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if out.len() >= MAX_LISTED_PER_DIR {
            return;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if kind.is_dir() {
            list_files(&entry.path(), &format!("{name}/"), out);
        } else if kind.is_file() || kind.is_symlink() {
            out.push(name);
        }
    }
}

impl Templates {
    pub(crate) fn new(
        config: TemplateConfig,
        settings: &Settings,
        routes: Router<()>,
        statics: Arc<lona_static::StaticFiles>,
    ) -> Result<Templates, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        let dirs = config.dirs;
        let listed_dirs = dirs.clone();
        env.set_loader(move |name| {
            for dir in &dirs {
                let Some(path) = template_path(dir, name) else {
                    return Ok(None);
                };
                match std::fs::read_to_string(&path) {
                    Ok(source) => return Ok(Some(source)),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => {
                        return Err(minijinja::Error::new(
                            ErrorKind::TemplateNotFound,
                            format!("cannot read {}: {error}", path.display()),
                        ));
                    }
                }
            }
            Ok(match name {
                "lona/frontend.html" => Some(FRONTEND_TEMPLATE.to_owned()),
                "lona/error.html" => Some(ERROR_TEMPLATE.to_owned()),
                "lona/error-view.html" => Some(ERROR_VIEW_TEMPLATE.to_owned()),
                // Lona's hooks into the frontend page, empty until a folder overrides them:
                // markup before and after `#lona`, and script run before the client starts
                // (`context` is the `LonaContext`: add hooks and message handlers there).
                "lona/header.html" | "lona/footer.html" | "lona/frontend.js" => Some(String::new()),
                _ => None,
            })
        });
        // `static_url("app.css")`: the hashed, cacheable-forever URL of a static file.
        let for_templates = Arc::clone(&statics);
        // The path is percent-encoded and the prefix is the app's own setting, so the URL
        // goes into HTML as it is (escaped, `/` would become `&#x2f;`).
        env.add_function("static_url", move |name: String| {
            Value::from_safe_string(for_templates.hashed_url(&name).unwrap_or_default())
        });
        // `reverse("user", name="ada")`: the URL of a named route.
        let routes = Arc::new(routes);
        let for_reverse = Arc::clone(&routes);
        env.add_function(
            "reverse",
            move |name: String, kwargs: Kwargs| -> Result<Value, minijinja::Error> {
                let mut args = Vec::new();
                for key in kwargs.args() {
                    args.push((key, kwargs.get::<String>(key)?));
                }
                kwargs.assert_all_used()?;
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                // Percent-encoded, the URL is safe in HTML as it is.
                reverse_encoded(&for_reverse, &name, &args)
                    .map(Value::from_safe_string)
                    .map_err(|error| {
                        minijinja::Error::new(ErrorKind::InvalidOperation, error.to_string())
                    })
            },
        );
        env.add_global(
            "settings",
            context! {
                title => settings.title.clone(),
                static_url_prefix => settings.static_url_prefix.clone(),
            },
        );
        for setup in config.setup {
            setup(&mut env);
        }
        let mut code_names = Vec::new();
        for (name, source) in config.sources {
            code_names.push(name.clone());
            env.add_template_owned(name, source)?;
        }
        let frontend_overridden = code_names.iter().any(|n| n == PAINTED_TEMPLATE)
            || listed_dirs
                .iter()
                .any(|dir| template_path(dir, PAINTED_TEMPLATE).is_some_and(|path| path.exists()));
        // Fail at start, not at the first page load, if a built-in's override is broken.
        env.get_template("lona/frontend.html")?;
        env.get_template("lona/error.html")?;
        env.get_template("lona/error-view.html")?;
        Ok(Templates {
            inner: Arc::new(Inner {
                env,
                frontend_overridden,
                statics,
                routes,
                code_names,
                dirs: listed_dirs,
            }),
        })
    }

    /// Renders the template `name` with `context` (anything serde can serialize, e.g.
    /// `minijinja::context! { user => name }` or a `#[derive(Serialize)]` struct).
    ///
    /// # Errors
    ///
    /// An unknown template, a syntax error, or an error while rendering.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, minijinja::Error> {
        self.inner.env.get_template(name)?.render(Serde(context))
    }

    /// Renders a template given as a string (Lona's `TemplateStringResponse`).
    ///
    /// # Errors
    ///
    /// A syntax error, or an error while rendering.
    pub fn render_str(
        &self,
        source: &str,
        context: impl Serialize,
    ) -> Result<String, minijinja::Error> {
        self.inner.env.render_str(source, Serde(context))
    }

    /// Whether a template of this name exists.
    pub fn exists(&self, name: &str) -> bool {
        self.inner.env.get_template(name).is_ok()
    }

    /// The URL of the route named `name` with `args` filled in and percent-encoded, as
    /// `reverse()` in templates: for views and handlers (`cx.state::<Templates>()`,
    /// `request.templates()`).
    ///
    /// # Errors
    ///
    /// [`ReverseError`] if there is no such route or an argument is missing.
    pub fn reverse(&self, name: &str, args: &[(&str, &str)]) -> Result<String, ReverseError> {
        reverse_encoded(&self.inner.routes, name, args)
    }

    /// Every template name the app can render, sorted, with where it comes from: `code`,
    /// the folder that holds it (the first folder wins, as when rendering), or `built in`.
    /// The admin shell's `templates`.
    #[cfg(feature = "shell")]
    pub(crate) fn listing(&self) -> Vec<(String, String)> {
        let mut names: std::collections::BTreeMap<String, String> = Default::default();
        for name in &self.inner.code_names {
            names
                .entry(name.clone())
                .or_insert_with(|| "code".to_owned());
        }
        for dir in &self.inner.dirs {
            let mut found = Vec::new();
            list_files(dir, "", &mut found);
            for name in found {
                names
                    .entry(name)
                    .or_insert_with(|| dir.display().to_string());
            }
        }
        for name in super::BUILT_IN_TEMPLATES {
            names
                .entry(name.to_owned())
                .or_insert_with(|| "built in".to_owned());
        }
        names.into_iter().collect()
    }

    pub(crate) fn frontend(
        &self,
        settings: &Settings,
        template: &str,
        request: &PageRequest<'_>,
        paint: Option<&FirstPaint>,
    ) -> Result<String, minijinja::Error> {
        let page = PageValues::new(settings, &self.inner.statics, paint);
        self.inner.env.get_template(template)?.render(context! {
            title => page.title,
            request => context! { path => request.path, query => request.query },
            static_url => page.static_url,
            static_tags => Value::from_safe_string(page.static_tags),
            client_url => Value::from_safe_string(page.client_url),
            protocol => Value::from_safe_string(page.protocol),
            client_settings => Value::from_safe_string(page.client_settings),
            context_settings => Value::from_safe_string(page.context_settings),
            first_paint => Value::from_safe_string(page.first_paint),
        })
    }

    /// Whether pages of `template` get a first paint: lona's own frontend page, unless the app
    /// overrides it (in code or in a template folder, at start), since its script may be
    /// another client, one that would not adopt the view.
    pub(crate) fn paints(&self, template: &str) -> bool {
        template == PAINTED_TEMPLATE && !self.inner.frontend_overridden
    }

    /// The tree a window shows when its view fails with `status`, from
    /// `lona/error-view.html`; the built-in page if that template fails.
    pub(crate) fn error_view(&self, status: u16) -> Node {
        let reason = error_view_reason(status);
        let rendered = self
            .inner
            .env
            .get_template("lona/error-view.html")
            .and_then(|template| template.render(context! { status => status, reason => reason }));
        match rendered {
            Ok(html) => error_view_tree(&html),
            Err(error) => {
                tracing::error!(%error, "the error view template failed");
                ErrorPage::builtin().build(status)
            }
        }
    }

    pub(crate) fn error(&self, status: u16, reason: &str) -> Result<String, minijinja::Error> {
        self.inner
            .env
            .get_template("lona/error.html")?
            .render(context! { status => status, reason => reason })
    }
}
