//! `net_sim` (`LONA_NET_SIM=latency=100ms,jitter=20ms,loss=0.01`): a development setting that
//! makes the server's WebSockets behave as over a slow, lossy network, so that a developer
//! feels on localhost what a phone feels (the round trip of a click, the reconnect notice, a
//! resume), without a proxy. Parsed strictly here; applied by the socket's writer
//! (`socket.rs`); refused in a release build unless `net_sim_in_release` says otherwise.
//!
//! What each part means:
//! - `latency`: every write of the socket's writer waits this long before it goes out; the
//!   frames that queued meanwhile leave with it, in order (as over a slow link, where the
//!   outbox merges a busy view's updates). A click's round trip grows by it: the server
//!   answers late.
//! - `jitter`: up to this much more per write, drawn each time; order is kept.
//! - `loss`: the probability, per frame, that the connection is cut instead of sending it.
//!   A WebSocket runs over TCP, which never loses a frame and keeps the rest: a lossy network
//!   shows up as a connection that stalls and breaks, never as a missing frame in the middle
//!   of a stream (dropping frames would break the protocol, not simulate a network). So a
//!   "lost" frame closes the socket without a close frame, as a dropped connection does: the
//!   browser sees 1006, reconnects, and an acknowledged window resumes its view and gets the
//!   frame replayed.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The largest latency or jitter accepted: anything longer is a typo (`100s` for `100ms`),
/// and would look like a hung server rather than a slow one.
const MAX_DELAY: Duration = Duration::from_secs(60);

/// A network to simulate, parsed from `net_sim`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct NetSim {
    /// Added to every write.
    pub(crate) latency: Duration,
    /// Up to this much more per write.
    pub(crate) jitter: Duration,
    /// The probability, per frame, that the connection is cut instead: in `[0, 1)`.
    pub(crate) loss: f64,
}

/// Why a `net_sim` value was refused; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetSimError(String);

impl fmt::Display for NetSimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NetSimError {}

fn error(message: impl Into<String>) -> NetSimError {
    NetSimError(message.into())
}

impl FromStr for NetSim {
    type Err = NetSimError;

    /// `key=value` pairs separated by commas, each key at most once: `latency` and `jitter`
    /// as a number with the unit `ms` or `s` (`100ms`, `0.5s`), `loss` as a fraction below 1
    /// (`0.01`). Nothing else: an unknown key, a missing unit or a probability of 1 or more
    /// is an error, not a guess.
    fn from_str(text: &str) -> Result<NetSim, NetSimError> {
        const EXPECTED: &str = "expected `key=value` pairs separated by commas, with the keys \
                                latency, jitter and loss (e.g. `latency=100ms,jitter=20ms,\
                                loss=0.01`)";
        let text = text.trim();
        if text.is_empty() {
            return Err(error(format!("empty: {EXPECTED}, or leave it unset")));
        }
        let mut latency = None;
        let mut jitter = None;
        let mut loss = None;
        for part in text.split(',') {
            let part = part.trim();
            let Some((key, value)) = part.split_once('=') else {
                return Err(error(format!("`{part}` is not `key=value`: {EXPECTED}")));
            };
            let (key, value) = (key.trim(), value.trim());
            let (slot, parsed) = match key {
                "latency" => (&mut latency, Parsed::Delay(delay(key, value)?)),
                "jitter" => (&mut jitter, Parsed::Delay(delay(key, value)?)),
                "loss" => (&mut loss, Parsed::Loss(probability(value)?)),
                other => {
                    return Err(error(format!("unknown key `{other}`: {EXPECTED}")));
                }
            };
            if slot.replace(parsed).is_some() {
                return Err(error(format!("`{key}` is given twice")));
            }
        }
        let delay_of = |slot: Option<Parsed>| match slot {
            Some(Parsed::Delay(delay)) => delay,
            _ => Duration::ZERO,
        };
        Ok(NetSim {
            latency: delay_of(latency),
            jitter: delay_of(jitter),
            loss: match loss {
                Some(Parsed::Loss(loss)) => loss,
                _ => 0.0,
            },
        })
    }
}

/// A parsed value, so that the three keys share one "given twice" check.
#[derive(Debug, Clone, Copy)]
enum Parsed {
    Delay(Duration),
    Loss(f64),
}

/// A plain decimal number: digits with at most one point, digits on both sides of it if it
/// has one. No sign, exponent, `inf` or `NaN`, which `f64::from_str` would take.
fn decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    text.parse().ok()
}

fn delay(key: &str, value: &str) -> Result<Duration, NetSimError> {
    let (number, scale) = if let Some(ms) = value.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = value.strip_suffix('s') {
        (s, 1.0)
    } else {
        return Err(error(format!(
            "{key} `{value}`: expected a duration with its unit, `ms` or `s` (`100ms`, `0.5s`)"
        )));
    };
    let seconds = decimal(number.trim()).ok_or_else(|| {
        error(format!(
            "{key} `{value}`: expected a number before the unit (`100ms`, `0.5s`)"
        ))
    })? * scale;
    match Duration::try_from_secs_f64(seconds) {
        Ok(delay) if delay <= MAX_DELAY => Ok(delay),
        _ => Err(error(format!(
            "{key} `{value}`: at most {}s",
            MAX_DELAY.as_secs()
        ))),
    }
}

fn probability(value: &str) -> Result<f64, NetSimError> {
    match decimal(value) {
        Some(loss) if loss < 1.0 => Ok(loss),
        // 1 would cut every connection at its first frame: no page would ever load.
        _ => Err(error(format!(
            "loss `{value}`: expected a probability per frame from 0 up to, not including, 1 \
             (`0.01`)"
        ))),
    }
}

impl fmt::Display for NetSim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "latency={}ms,jitter={}ms,loss={}",
            self.latency.as_millis(),
            self.jitter.as_millis(),
            self.loss
        )
    }
}

/// Whether the simulation may run in this build. A debug build always may. A release build
/// is what serves users: a simulation left on by a stray environment variable would slow and
/// cut every visitor's page, so it runs only when `net_sim_in_release` says so as well.
///
/// # Errors
///
/// The message to refuse startup with.
pub(crate) fn permitted(debug_build: bool, in_release: bool) -> Result<(), String> {
    if debug_build || in_release {
        return Ok(());
    }
    Err(
        "net_sim (LONA_NET_SIM) simulates a bad network for development and is refused in a \
         release build; unset it, or set net_sim_in_release (LONA_NET_SIM_IN_RELEASE=1) as \
         well to run it here on purpose"
            .to_owned(),
    )
}

/// What the writer does with its next write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Step {
    /// How long the write waits.
    pub(crate) delay: Duration,
}

impl NetSim {
    /// The wait before the next write: the latency and a draw of the jitter.
    pub(crate) fn step(&self, dice: &mut Dice) -> Step {
        Step {
            delay: self.latency + self.jitter.mul_f64(dice.fraction()),
        }
    }

    /// Whether the connection is cut instead of sending the next frame.
    pub(crate) fn loses(&self, dice: &mut Dice) -> bool {
        self.loss > 0.0 && dice.fraction() < self.loss
    }
}

/// A small random source per socket (xorshift64*): what it draws decides only simulated
/// delays and cuts, so it needs to be cheap and varied, not unpredictable.
#[derive(Debug, Clone)]
pub(crate) struct Dice(u64);

impl Dice {
    /// Seeded from the OS, or from the clock where the OS has no random source.
    pub(crate) fn new() -> Dice {
        let mut seed = [0u8; 8];
        let seed = match getrandom::fill(&mut seed) {
            Ok(()) => u64::from_le_bytes(seed),
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        };
        Dice::seeded(seed)
    }

    pub(crate) fn seeded(seed: u64) -> Dice {
        // Zero is xorshift's one fixed point.
        Dice(seed.max(1))
    }

    /// A number in `[0, 1)`.
    pub(crate) fn fraction(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        // The top 53 bits, as many as an f64 holds exactly.
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NetSim, String> {
        text.parse::<NetSim>().map_err(|e| e.to_string())
    }

    #[test]
    fn good_values_parse_with_their_units() {
        assert_eq!(
            parse("latency=100ms,jitter=20ms,loss=0.01"),
            Ok(NetSim {
                latency: Duration::from_millis(100),
                jitter: Duration::from_millis(20),
                loss: 0.01,
            })
        );
        assert_eq!(
            parse(" latency = 0.5s "),
            Ok(NetSim {
                latency: Duration::from_millis(500),
                ..NetSim::default()
            })
        );
        assert_eq!(
            parse("loss=0"),
            Ok(NetSim::default()),
            "each key is optional"
        );
        assert_eq!(
            parse("jitter=2s").map(|s| s.jitter),
            Ok(Duration::from_secs(2))
        );
        assert_eq!(parse("latency=60s").map(|s| s.latency), Ok(MAX_DELAY));
        let sim = parse("latency=100ms,jitter=20ms,loss=0.25").expect("parses");
        assert_eq!(parse(&sim.to_string()), Ok(sim), "printed as it parses");
    }

    #[test]
    fn garbage_is_refused_with_what_was_expected() {
        for (text, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("garbage", "is not `key=value`"),
            ("latency=100", "with its unit"),
            ("latency=100us", "expected a number before the unit"),
            ("latency=fast", "with its unit"),
            ("latency=-5ms", "a number before the unit"),
            ("latency=1e3ms", "a number before the unit"),
            ("latency=.5s", "a number before the unit"),
            ("latency=5.s", "a number before the unit"),
            ("latency=infs", "a number before the unit"),
            ("latency=NaNms", "a number before the unit"),
            ("latency=61s", "at most 60s"),
            ("latency=99999999999999999999999s", "at most 60s"),
            ("jitter=", "with its unit"),
            ("loss=1", "not including, 1"),
            ("loss=1.5", "not including, 1"),
            ("loss=-0.1", "expected a probability"),
            ("loss=1%", "expected a probability"),
            ("loss=NaN", "expected a probability"),
            ("delay=100ms", "unknown key `delay`"),
            ("LATENCY=100ms", "unknown key `LATENCY`"),
            ("latency=100ms,latency=200ms", "given twice"),
            ("latency=100ms,", "is not `key=value`"),
            ("latency=100ms;loss=0.1", "with its unit"),
        ] {
            match parse(text) {
                Ok(sim) => panic!("{text:?} parsed as {sim:?}"),
                Err(message) => assert!(message.contains(says), "{text:?}: {message}"),
            }
        }
    }

    #[test]
    fn a_release_build_runs_the_simulation_only_when_told_twice() {
        assert_eq!(permitted(true, false), Ok(()), "a debug build");
        assert_eq!(permitted(true, true), Ok(()));
        assert_eq!(permitted(false, true), Ok(()), "release, on purpose");
        let refused = permitted(false, false).expect_err("release, by accident");
        assert!(refused.contains("LONA_NET_SIM_IN_RELEASE"), "{refused}");
    }

    #[test]
    fn delays_stay_within_latency_and_jitter_and_loss_follows_its_probability() {
        let sim = NetSim {
            latency: Duration::from_millis(100),
            jitter: Duration::from_millis(20),
            loss: 0.25,
        };
        let mut dice = Dice::seeded(7);
        let steps: Vec<Step> = (0..1000).map(|_| sim.step(&mut dice)).collect();
        assert!(
            steps
                .iter()
                .all(|s| { s.delay >= sim.latency && s.delay < sim.latency + sim.jitter })
        );
        assert!(
            steps.iter().any(|s| s.delay > Duration::from_millis(110)),
            "the jitter varies"
        );
        let cuts = (0..10_000).filter(|_| sim.loses(&mut dice)).count();
        assert!((2_000..3_000).contains(&cuts), "{cuts} of 10000 at 0.25");
        let perfect = NetSim::default();
        assert!((0..1000).all(|_| !perfect.loses(&mut dice)));
    }
}
