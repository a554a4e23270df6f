//! Time to the first contentful HTML of an interactive page, as a new visitor sees it: with
//! the server's first paint the page's own response carries the view's content; without it
//! the content comes after the socket opens and the view's first tree arrives.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use lona_protocol::WindowId;
use serde_json::json;

use crate::view::{View, get_raw, set_cookie_of};
use crate::{check_loopback, histogram};

/// `samples` new visitors load `path`, one after the other; each is timed from its request to
/// `marker` (a text of the view's first show) in hand: in the page's HTML if the server painted
/// it, else in the view's first tree over the page's socket.
pub(crate) async fn first_html(
    addr: SocketAddr,
    path: &str,
    marker: &str,
    samples: u64,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let mut times = histogram();
    let mut painted = 0u64;
    for _ in 0..samples {
        let started = Instant::now();
        let response = get_raw(addr, path, None, None).await?;
        let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        if body.contains(marker) {
            painted += 1;
        } else {
            let cookie = set_cookie_of(&response);
            let mut view = View::socket(addr, path, cookie, None).await?;
            let frame = view
                .state
                .view(WindowId(1), &format!("http://{addr}{path}"));
            view.send(frame).await?;
            view.until(Duration::from_secs(30), |state| {
                state
                    .window(WindowId(1))
                    .is_some_and(|w| w.text().contains(marker))
            })
            .await?;
        }
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let _ = times.record(nanos.max(1_000));
    }
    Ok(json!({
        "samples": samples,
        "painted": painted,
        "p50_ns": times.value_at_quantile(0.5),
        "p99_ns": times.value_at_quantile(0.99),
    }))
}
