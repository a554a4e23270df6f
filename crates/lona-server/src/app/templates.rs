//! Setting up the app's templates (the `templates` feature): templates given in code, template
//! folders, globals, filters, and a route's own frontend page.

use std::sync::Arc;

use crate::app::{App, RouteName};
use crate::routing::Router;
use crate::target::Target;

impl RouteName<'_> {
    /// Lona's per-route `frontend_view`: a plain GET of this interactive route gets the page
    /// rendered from `template` instead of `lona/frontend.html`. It sees what that one sees
    /// (see [`crate::FRONTEND_TEMPLATE`]), so it usually `extends` it and fills its blocks.
    pub fn frontend(mut self, template: &str) -> Self {
        let target = self.router.as_deref_mut().and_then(Router::last_target_mut);
        if let Some(Target::View(_, frontend)) = target {
            *frontend = Some(Arc::from(template));
        }
        self
    }
}

impl App {
    /// Adds a template by name, or overrides one: `lona/frontend.html` (the page that loads
    /// the client), `lona/error.html` (the error pages). It wins over template folders.
    /// Autoescape is on.
    pub fn template(&mut self, name: &str, source: &str) {
        self.templates
            .sources
            .push((name.to_owned(), source.to_owned()));
    }

    /// Adds a template folder (Lona's `TEMPLATE_DIRS`): searched after the templates given
    /// with [`App::template`] and the folders added before, and before the built-in
    /// templates, which it may override. Names are paths inside the folder
    /// (`pages/home.html`); names that would leave it are not found.
    pub fn template_dir(&mut self, dir: impl Into<std::path::PathBuf>) {
        self.templates.dirs.push(dir.into());
    }

    /// Makes `value` visible in every template as `name` (Lona's `TEMPLATE_EXTRA_CONTEXT`).
    pub fn template_global(&mut self, name: &str, value: impl serde::Serialize) {
        let name = name.to_owned();
        let value = minijinja::Value::from(minijinja::value::Serde(value));
        self.templates
            .setup
            .push(Box::new(move |env| env.add_global(name, value)));
    }

    /// Adds a template filter (Lona's `TEMPLATE_EXTRA_FILTERS`), e.g.
    /// `app.template_filter("shout", |s: String| s.to_uppercase())`, used as
    /// `{{ name|shout }}`. Any function minijinja accepts as a filter will do.
    pub fn template_filter<F, Rv, Args>(&mut self, name: &str, filter: F)
    where
        F: minijinja::functions::Function<Rv, Args> + Send + Sync + 'static,
        Rv: minijinja::value::FunctionResult,
        Args: for<'a> minijinja::value::FunctionArgs<'a>,
    {
        let name = name.to_owned();
        self.templates
            .setup
            .push(Box::new(move |env| env.add_filter(name, filter)));
    }

    /// Changes the template environment in any other way minijinja allows (functions,
    /// tests, syntax), before the app starts.
    pub fn configure_templates(
        &mut self,
        setup: impl FnOnce(&mut minijinja::Environment<'static>) + Send + 'static,
    ) {
        self.templates.setup.push(Box::new(setup));
    }
}
