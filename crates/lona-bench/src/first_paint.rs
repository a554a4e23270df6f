//! `lona-bench first-paint`: how long a page takes to show its first content. Each load GETs
//! the page (timed until the whole answer is read: with the server's first paint it holds the
//! view's tree) and then does what the browser client does next: opens the socket with the
//! page's cookie and sends VIEW (adopting the painted view by the page's token), timed until
//! the view's tree arrives. The first content is the page when it was painted, the socket's
//! tree otherwise; run it against a server with `LONA_FIRST_PAINT=false` for the other number.
//! Loads go one after the other, so each number is a latency, not a throughput.

use std::net::SocketAddr;
use std::time::Instant;

use serde_json::json;

use crate::view::{View, get_raw, is_painted, set_cookie_of};
use crate::{check_loopback, histogram};

pub(crate) async fn run(
    addr: SocketAddr,
    path: &str,
    loads: u64,
) -> Result<serde_json::Value, String> {
    check_loopback(addr)?;
    let (mut page, mut tree, mut content) = (histogram(), histogram(), histogram());
    let mut painted = 0u64;
    for _ in 0..loads {
        let start = Instant::now();
        let response = get_raw(addr, path, None, None).await?;
        let page_ns = nanos(start);
        if !response.starts_with("HTTP/1.1 200") {
            return Err(format!(
                "GET {path}: {}",
                response.lines().next().unwrap_or("")
            ));
        }
        let mut view = View::socket(addr, path, set_cookie_of(&response), None).await?;
        view.adopt = lona_protocol::adopt_token_in_page(&response).map(str::to_owned);
        view.start(addr, path).await?;
        let tree_ns = nanos(start);
        let _ = page.record(page_ns);
        let _ = tree.record(tree_ns);
        if is_painted(&response) {
            painted += 1;
            let _ = content.record(page_ns);
        } else {
            let _ = content.record(tree_ns);
        }
    }
    let quantiles = |h: &hdrhistogram::Histogram<u64>| {
        json!({
            "p50_ns": h.value_at_quantile(0.5),
            "p90_ns": h.value_at_quantile(0.9),
            "p99_ns": h.value_at_quantile(0.99),
        })
    };
    Ok(json!({
        "loads": loads,
        "painted": painted,
        "page": quantiles(&page),
        "socket_tree": quantiles(&tree),
        "first_content": quantiles(&content),
    }))
}

fn nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
