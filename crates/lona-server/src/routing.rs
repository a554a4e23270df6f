//! Routing with Lona's route syntax: `/user/<name>/`, `<id:[0-9]+>` for a custom pattern, and a
//! trailing `(/)` for an optional slash. First match wins; named routes can be reversed.

use std::fmt;

use regex::Regex;

/// A route pattern that did not compile; routes are set up at start, so this is a
/// programming error reported with the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid route `{}`: {}", self.pattern, self.message)
    }
}

impl std::error::Error for RouteError {}

/// Why [`Router::reverse`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReverseError {
    /// No route has this name.
    NoRoute(String),
    /// The route needs this URL argument.
    MissingArg(String),
}

impl fmt::Display for ReverseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReverseError::NoRoute(name) => write!(f, "no route named '{name}' found"),
            ReverseError::MissingArg(name) => write!(f, "missing URL arg: {name}"),
        }
    }
}

impl std::error::Error for ReverseError {}

/// A pattern that matches every path (Lona's `MATCH_ALL`), for a catch-all route added last.
pub const MATCH_ALL: &str = "<path:.*>";

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Arg(String),
    OptionalSlash,
}

/// A compiled route pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    raw: String,
    regex: Regex,
    args: Vec<String>,
    segments: Vec<Segment>,
    /// The whole pattern (without its optional slash) when it has no arguments: such a route
    /// matches by string comparison, which every request does for the routes before its own.
    literal: Option<String>,
    optional_slash: bool,
}

impl Pattern {
    /// Compiles a Lona route pattern.
    ///
    /// # Errors
    ///
    /// A [`RouteError`] for an unclosed `<`, an empty argument name, a duplicate argument, or
    /// an invalid custom regular expression.
    pub fn new(raw: &str) -> Result<Pattern, RouteError> {
        let error = |message: String| RouteError {
            pattern: raw.to_owned(),
            message,
        };
        let (body, optional_slash) = match raw.strip_suffix("(/)") {
            Some(body) => (body, true),
            None => (raw, false),
        };
        let mut regex = String::from("^");
        let mut segments = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let mut rest = body;
        while let Some(start) = rest.find('<') {
            let literal = &rest[..start];
            regex.push_str(&regex::escape(literal));
            if !literal.is_empty() {
                segments.push(Segment::Literal(literal.to_owned()));
            }
            let Some(end) = rest[start..].find('>') else {
                return Err(error("`<` without a closing `>`".to_owned()));
            };
            let spec = &rest[start + 1..start + end];
            let (name, custom) = match spec.split_once(':') {
                Some((name, custom)) => (name, Some(custom)),
                None => (spec, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(error(format!("`{name}` is not an argument name")));
            }
            if args.iter().any(|a| a == name) {
                return Err(error(format!("argument `{name}` appears twice")));
            }
            regex.push_str(&format!("(?P<{name}>{})", custom.unwrap_or("[^/]+")));
            args.push(name.to_owned());
            segments.push(Segment::Arg(name.to_owned()));
            rest = &rest[start + end + 1..];
        }
        regex.push_str(&regex::escape(rest));
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        if optional_slash {
            regex.push_str("/?");
            segments.push(Segment::OptionalSlash);
        }
        regex.push('$');
        let regex = Regex::new(&regex).map_err(|e| error(e.to_string()))?;
        Ok(Pattern {
            raw: raw.to_owned(),
            regex,
            literal: args.is_empty().then(|| body.to_owned()),
            args,
            segments,
            optional_slash,
        })
    }

    /// The URL arguments if `path` matches, percent-decoded (`%20` is a space, `+` stays a
    /// plus, as in any path).
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        if let Some(literal) = &self.literal {
            // Most routes take no arguments: a yes-or-no match allocates nothing, and every
            // request tries the routes before its own. `^literal/?$`, without the regex.
            let hit = path == literal
                || self.optional_slash && path.strip_suffix('/') == Some(literal.as_str());
            return hit.then(Vec::new);
        }
        let captures = self.regex.captures(path)?;
        Some(
            self.args
                .iter()
                .map(|name| {
                    let value = captures.name(name).map_or("", |m| m.as_str());
                    let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
                    (name.clone(), value.into_owned())
                })
                .collect(),
        )
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    fn reverse(&self, args: &[(&str, &str)]) -> Result<String, ReverseError> {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Arg(name) => {
                    let value = args
                        .iter()
                        .find(|(k, _)| k == name)
                        .ok_or_else(|| ReverseError::MissingArg(name.clone()))?;
                    out.push_str(value.1);
                }
                // Lona drops the optional slash when reversing.
                Segment::OptionalSlash => {}
            }
        }
        Ok(out)
    }
}

/// A route that matched a path.
#[derive(Debug)]
pub struct Resolved<'a, T> {
    /// What the route leads to.
    pub target: &'a T,
    /// The route's name, if it has one.
    pub name: Option<&'a str>,
    /// The URL arguments, in the pattern's order.
    pub args: Vec<(String, String)>,
}

/// Routes in order, each with what it leads to.
#[derive(Debug)]
pub struct Router<T> {
    routes: Vec<(Pattern, Option<String>, T)>,
}

impl<T> Default for Router<T> {
    fn default() -> Router<T> {
        Router { routes: Vec::new() }
    }
}

impl<T> Router<T> {
    /// Adds a route after the existing ones.
    pub fn add(&mut self, pattern: Pattern, name: Option<String>, target: T) {
        self.routes.push((pattern, name, target));
    }

    /// A name two routes share, if any.
    pub(crate) fn duplicate_name(&self) -> Option<&str> {
        let names: Vec<&str> = self
            .routes
            .iter()
            .filter_map(|(_, n, _)| n.as_deref())
            .collect();
        names
            .iter()
            .enumerate()
            .find(|(i, name)| names[..*i].contains(name))
            .map(|(_, name)| *name)
    }

    /// What the last route added leads to.
    pub(crate) fn last_target_mut(&mut self) -> Option<&mut T> {
        self.routes.last_mut().map(|route| &mut route.2)
    }

    /// Names the last route added.
    pub(crate) fn set_last_name(&mut self, name: String) {
        if let Some(last) = self.routes.last_mut() {
            last.1 = Some(name);
        }
    }

    /// The first route that matches `path`, with its name and URL arguments.
    pub fn resolve(&self, path: &str) -> Option<Resolved<'_, T>> {
        self.routes.iter().find_map(|(pattern, name, target)| {
            pattern.matches(path).map(|args| Resolved {
                target,
                name: name.as_deref(),
                args,
            })
        })
    }

    /// The path of the route named `name` with `args` filled in.
    ///
    /// # Errors
    ///
    /// [`ReverseError`] if there is no such route or an argument is missing.
    pub fn reverse(&self, name: &str, args: &[(&str, &str)]) -> Result<String, ReverseError> {
        let (pattern, _, _) = self
            .routes
            .iter()
            .find(|(_, n, _)| n.as_deref() == Some(name))
            .ok_or_else(|| ReverseError::NoRoute(name.to_owned()))?;
        pattern.reverse(args)
    }

    /// Route patterns, names and targets in order.
    pub fn routes(&self) -> impl Iterator<Item = (&Pattern, Option<&str>, &T)> {
        self.routes.iter().map(|(p, n, t)| (p, n.as_deref(), t))
    }
}

#[cfg(test)]
mod tests;
