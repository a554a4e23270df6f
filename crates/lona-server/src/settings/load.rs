//! Settings from TOML documents and files and from `LONA_*` environment variables, and back to
//! TOML; `SettingsError`: why settings from a file or the environment were refused.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Settings, shell_socket_path};

/// Lona's names for settings whose field is named differently here; either name works.
const ALIASES: &[(&str, &str)] = &[
    ("sessions_key_name", "session_cookie_name"),
    ("buckets_url_prefix", "bucket_url_prefix"),
];

/// The prefix of the environment variables that set settings: `LONA_MAX_RUNTIME_THREADS=50`.
const ENV_PREFIX: &str = "LONA_";

impl Settings {
    /// Applies the settings of a TOML document over these; `origin` names it in errors (a
    /// file's path). Keys are setting names in either case: `max_runtime_threads` or Lona's
    /// `MAX_RUNTIME_THREADS`. Durations are seconds (an integer or a float). Optional paths
    /// take `""` for "none".
    ///
    /// ```
    /// # use lona_server::Settings;
    /// let mut settings = Settings::default();
    /// settings.apply_toml("MAX_RUNTIME_THREADS = 50\nshutdown_timeout = 2.5", "deploy.toml")?;
    /// assert_eq!(settings.max_runtime_threads, 50);
    /// assert_eq!(settings.shutdown_timeout, std::time::Duration::from_millis(2500));
    /// # Ok::<(), lona_server::SettingsError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A document that is not TOML, an unknown key, or a value of the wrong type. Nothing is
    /// changed then.
    pub fn apply_toml(&mut self, text: &str, origin: &str) -> Result<(), SettingsError> {
        let table: toml::Table =
            text.parse()
                .map_err(|error: toml::de::Error| SettingsError::Syntax {
                    origin: origin.to_owned(),
                    message: error.message().to_owned(),
                })?;
        // Applied to a copy so that a bad key leaves the settings as they were.
        let mut next = self.clone();
        for (key, value) in &table {
            next.set(key, Input::Toml(value), origin)?;
        }
        *self = next;
        Ok(())
    }

    /// Reads the TOML file at `path` and applies it (see [`Settings::apply_toml`]).
    ///
    /// # Errors
    ///
    /// An unreadable file, or as [`Settings::apply_toml`], naming the file.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<(), SettingsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.apply_toml(&text, &path.display().to_string())
    }

    /// Applies the TOML files in order: a later file overrides an earlier one.
    ///
    /// # Errors
    ///
    /// As [`Settings::load_file`], for the first file that fails.
    pub fn load_files<P: AsRef<Path>>(
        &mut self,
        paths: impl IntoIterator<Item = P>,
    ) -> Result<(), SettingsError> {
        paths.into_iter().try_for_each(|path| self.load_file(path))
    }

    /// Applies the process's `LONA_*` environment variables (see [`Settings::apply_env`]).
    ///
    /// # Errors
    ///
    /// As [`Settings::apply_env`].
    pub fn load_env(&mut self) -> Result<(), SettingsError> {
        self.apply_env(std::env::vars_os().filter_map(|(name, value)| {
            // A variable that is not UTF-8 cannot be a setting of ours.
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    /// Applies the variables named `LONA_` + a setting's name in upper case
    /// (`LONA_MAX_RUNTIME_THREADS=50`). Values are written as in TOML without quotes for
    /// strings: `50`, `true`, `2.5`, `Lona`; lists are comma-separated (`a.css,b.js`) or a TOML
    /// array. Other `LONA_*` variables are ignored: the prefix is shared with tools and tests
    /// (`LONA_SKIP_BROWSER_TESTS`), so an unknown one is not an error.
    ///
    /// # Errors
    ///
    /// A value of the wrong type, naming the variable. Nothing is changed then.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), SettingsError> {
        let mut vars: Vec<_> = vars
            .into_iter()
            .filter_map(|(name, value)| {
                let key = name.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
                (canonical(&key).is_some() && name.bytes().all(|b| !b.is_ascii_lowercase()))
                    .then_some((name, key, value))
            })
            .collect();
        // The environment has no order; sorting makes the first error reported stable.
        vars.sort();
        let mut next = self.clone();
        for (name, key, value) in &vars {
            next.set(
                key,
                Input::Env(value),
                &format!("environment variable {name}"),
            )?;
        }
        *self = next;
        Ok(())
    }

    /// The settings as a TOML document, every setting with its value, in declaration order;
    /// what `my-app settings` prints. Settings that are `None` are written as comments.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        macro_rules! write_all {
            ($($field:ident),* $(,)?) => {$(
                let value = if stringify!($field) == "session_secret" {
                    // A secret is not printed: the output ends up in terminals and tickets.
                    None
                } else if stringify!($field) == "shell_server_url" {
                    self.shell_server_url
                        .as_ref()
                        .map(|path| toml::Value::String(format!("file://{}", path.display())))
                } else {
                    SettingValue::to_toml(&self.$field)
                };
                if stringify!($field) == "session_secret" && self.session_secret.is_some() {
                    out.push_str("# session_secret is set (not printed)\n");
                } else {
                    write_line(&mut out, stringify!($field), value);
                }
            )*};
        }
        for_each_setting!(write_all);
        out
    }

    fn set(&mut self, key: &str, input: Input<'_>, origin: &str) -> Result<(), SettingsError> {
        let Some(field) = canonical(&key.to_ascii_lowercase()) else {
            return Err(SettingsError::UnknownKey {
                key: key.to_owned(),
                origin: origin.to_owned(),
            });
        };
        let wrong_type = |expected: &'static str| SettingsError::WrongType {
            key: key.to_owned(),
            origin: origin.to_owned(),
            expected,
            found: input.describe(),
        };
        if field == "shell_server_url" {
            let url: Option<PathBuf> = input.read().ok_or_else(|| wrong_type("a file:// URL"))?;
            self.shell_server_url = match url {
                None => None,
                Some(url) => Some(
                    shell_socket_path(&url.to_string_lossy())
                        .ok_or_else(|| wrong_type("a file:// URL"))?,
                ),
            };
            return Ok(());
        }
        macro_rules! set_field {
            ($($field:ident),* $(,)?) => {
                match field {
                    $(stringify!($field) => {
                        self.$field = input
                            .read()
                            .ok_or_else(|| wrong_type(expected_of(&self.$field)))?;
                    })*
                    _ => unreachable!("canonical() returned a name the list does not have"),
                }
            };
        }
        for_each_setting!(set_field);
        Ok(())
    }
}

/// The field a key names, through Lona's aliases; `key` is lower case.
fn canonical(key: &str) -> Option<&'static str> {
    if let Some(&(_, field)) = ALIASES.iter().find(|(alias, _)| *alias == key) {
        return Some(field);
    }
    Settings::names().iter().copied().find(|name| *name == key)
}

fn expected_of<T: SettingValue>(_: &T) -> &'static str {
    T::EXPECTED
}

fn write_line(out: &mut String, key: &str, value: Option<toml::Value>) {
    use std::fmt::Write as _;
    match value {
        Some(value) => {
            let _ = writeln!(out, "{key} = {value}");
        }
        None => {
            let _ = writeln!(out, "# {key} is not set");
        }
    }
}

/// Parses one TOML value (`50`, `[1, 2]`), as the right-hand side of a key.
fn parse_value(text: &str) -> Option<toml::Value> {
    let mut table: toml::Table = format!("value = {text}").parse().ok()?;
    table.remove("value")
}

/// A value as given in a TOML file or in an environment variable.
#[derive(Debug, Clone, Copy)]
enum Input<'a> {
    Toml(&'a toml::Value),
    Env(&'a str),
}

impl Input<'_> {
    fn read<T: SettingValue>(self) -> Option<T> {
        match self {
            Input::Toml(value) => T::from_toml(value),
            Input::Env(text) => T::from_env(text),
        }
    }

    /// What was found instead, for the error message.
    fn describe(self) -> String {
        match self {
            Input::Toml(value) => format!("{} {value}", value.type_str()),
            Input::Env(text) => format!("{text:?}"),
        }
    }
}

/// A type a setting can have: how it is read from TOML and from an environment variable, and
/// written back as TOML.
trait SettingValue: Sized {
    /// What the error says was expected.
    const EXPECTED: &'static str;
    fn from_toml(value: &toml::Value) -> Option<Self>;
    fn from_env(text: &str) -> Option<Self> {
        // Most values are written in the environment as they would be in TOML.
        Self::from_toml(&parse_value(text)?)
    }
    /// `None` for a value TOML cannot hold (an absent optional).
    fn to_toml(&self) -> Option<toml::Value>;
}

macro_rules! unsigned {
    ($($ty:ty),*) => {$(
        impl SettingValue for $ty {
            const EXPECTED: &'static str = "a non-negative integer";
            fn from_toml(value: &toml::Value) -> Option<Self> {
                value.as_integer().and_then(|n| <$ty>::try_from(n).ok())
            }
            fn from_env(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }
            fn to_toml(&self) -> Option<toml::Value> {
                // Values beyond i64 cannot be written; none of ours come near.
                i64::try_from(*self).ok().map(toml::Value::Integer)
            }
        }
    )*};
}
unsigned!(usize, u64, u32);

impl SettingValue for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_bool()
    }
    fn from_env(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" => Some(false),
            _ => None,
        }
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(toml::Value::Boolean(*self))
    }
}

impl SettingValue for String {
    const EXPECTED: &'static str = "a string";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
    fn from_env(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(toml::Value::String(self.clone()))
    }
}

impl SettingValue for PathBuf {
    const EXPECTED: &'static str = "a path";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_str().map(PathBuf::from)
    }
    fn from_env(text: &str) -> Option<Self> {
        Some(PathBuf::from(text))
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(toml::Value::String(self.display().to_string()))
    }
}

impl SettingValue for Option<PathBuf> {
    const EXPECTED: &'static str = "a path, or \"\" for none";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        let text = value.as_str()?;
        Some((!text.is_empty()).then(|| PathBuf::from(text)))
    }
    fn from_env(text: &str) -> Option<Self> {
        Some((!text.is_empty()).then(|| PathBuf::from(text)))
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.as_ref().and_then(SettingValue::to_toml)
    }
}

impl SettingValue for Option<String> {
    const EXPECTED: &'static str = "a string, or \"\" for none";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        let text = value.as_str()?;
        Some((!text.is_empty()).then(|| text.to_owned()))
    }
    fn from_env(text: &str) -> Option<Self> {
        Some((!text.is_empty()).then(|| text.to_owned()))
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.clone().map(toml::Value::String)
    }
}

impl<T: SettingValue> SettingValue for Vec<T> {
    const EXPECTED: &'static str = "an array";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        value.as_array()?.iter().map(T::from_toml).collect()
    }
    fn from_env(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.starts_with('[') {
            return Self::from_toml(&parse_value(text)?);
        }
        // Comma-separated is what a shell user types; empty means an empty list.
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(T::from_env)
            .collect()
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.iter()
            .map(T::to_toml)
            .collect::<Option<_>>()
            .map(toml::Value::Array)
    }
}

impl SettingValue for Option<Duration> {
    const EXPECTED: &'static str = "a number of seconds, or \"\" for none";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        match value {
            toml::Value::String(text) if text.is_empty() => Some(None),
            _ => Duration::from_toml(value).map(Some),
        }
    }
    fn from_env(text: &str) -> Option<Self> {
        if text.trim().is_empty() {
            return Some(None);
        }
        Duration::from_env(text).map(Some)
    }
    fn to_toml(&self) -> Option<toml::Value> {
        self.as_ref().and_then(SettingValue::to_toml)
    }
}

impl SettingValue for Duration {
    const EXPECTED: &'static str = "a number of seconds";
    fn from_toml(value: &toml::Value) -> Option<Self> {
        let seconds = match value {
            toml::Value::Integer(n) => *n as f64,
            toml::Value::Float(x) => *x,
            _ => return None,
        };
        Duration::try_from_secs_f64(seconds).ok()
    }
    fn from_env(text: &str) -> Option<Self> {
        Duration::try_from_secs_f64(text.trim().parse().ok()?).ok()
    }
    fn to_toml(&self) -> Option<toml::Value> {
        Some(if self.subsec_nanos() == 0 {
            i64::try_from(self.as_secs())
                .map_or(toml::Value::Float(self.as_secs_f64()), toml::Value::Integer)
        } else {
            toml::Value::Float(self.as_secs_f64())
        })
    }
}

/// Why settings from a file or the environment were refused. The server does not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum SettingsError {
    /// A settings file could not be read; check the path given with `-s`.
    Read {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A settings file is not valid TOML; fix the line the message names.
    Syntax {
        /// The file.
        origin: String,
        /// The TOML parser's message.
        message: String,
    },
    /// A key is not a setting (a typo, or a Lona setting lona has no use for); remove or
    /// rename it.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The file, or `environment variable LONA_...`.
        origin: String,
    },
    /// A setting has a value of the wrong type; fix the value.
    WrongType {
        /// The key as written.
        key: String,
        /// The file, or `environment variable LONA_...`.
        origin: String,
        /// What the setting takes.
        expected: &'static str,
        /// What was given.
        found: String,
    },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Read { path, source } => {
                write!(f, "cannot read settings file {}: {source}", path.display())
            }
            SettingsError::Syntax { origin, message } => {
                write!(f, "{origin} is not valid TOML: {}", message.trim_end())
            }
            SettingsError::UnknownKey { key, origin } => {
                write!(f, "unknown setting `{key}` in {origin}")
            }
            SettingsError::WrongType {
                key,
                origin,
                expected,
                found,
            } => write!(
                f,
                "setting `{key}` in {origin}: expected {expected}, found {found}"
            ),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingsError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}
