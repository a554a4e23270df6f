//! The browser end-to-end suite: each test starts an app in-process on a free loopback port,
//! opens it in headless Chromium through chromedriver (WebDriver, with `fantoccini`), and checks
//! what a user sees after doing what a user does.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` on `PATH` (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the tests fail and say so, unless
//! `LONA_SKIP_BROWSER_TESTS=1` is set, which skips them. `LONA_CHROMIUM` and
//! `LONA_CHROMEDRIVER` point to other binaries.

mod axum_app;
mod broadcast;
mod connection;
mod errors;
mod first_paint;
mod forms;
mod input;
mod messages;
mod navigation;
mod order;
mod resume;
mod submit;
pub(crate) mod support;
mod todo;
mod uploads;
mod widgets;
