//! Which Host and Origin a request may name: `allowed_hosts`, which stops DNS rebinding, and
//! the WebSocket's Origin check, which stops other sites' pages from opening a socket with the
//! visitor's cookies.

use hyper::Request as HyperRequest;
use hyper::header;

/// The Host a request names: its `Host` header, or the authority of an absolute URI.
pub(crate) fn host_of<B>(request: &HyperRequest<B>) -> Option<&str> {
    match request.headers().get(header::HOST) {
        Some(host) => host.to_str().ok(),
        None => request.uri().authority().map(|a| a.as_str()),
    }
}

/// Whether the app serves the Host the request names (`allowed_hosts`): IP addresses and
/// `localhost` always (a DNS rebinding attack needs a name of the attacker's), names when
/// listed. A request without a Host is let through: no browser sends one, and only a browser
/// can be turned against the app by rebinding.
pub(crate) fn host_allowed<B>(allowed: &[String], request: &HyperRequest<B>) -> bool {
    if request.headers().get(header::HOST).is_none() && request.uri().authority().is_none() {
        return true;
    }
    let Some(host) = host_of(request) else {
        return false;
    };
    let name = host_name(host);
    if name.is_empty() {
        return false;
    }
    if name.parse::<std::net::IpAddr>().is_ok() || name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    allowed.iter().any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_end_matches('.');
        match entry.strip_prefix('.') {
            Some(domain) => {
                name.eq_ignore_ascii_case(domain)
                    || name.len() > domain.len() + 1
                        && name.is_char_boundary(name.len() - domain.len() - 1)
                        && name[name.len() - domain.len() - 1..]
                            .eq_ignore_ascii_case(&format!(".{domain}"))
            }
            None => name.eq_ignore_ascii_case(entry),
        }
    })
}

/// A Host without its port, brackets or final dot: `[::1]:80` is `::1`, `Example.org.:8080`
/// is `Example.org`.
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or("", |(ip, _)| ip);
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name.trim_end_matches('.')
}

/// Whether the page that opens the socket is ours: its Origin is the scheme and Host the
/// request was sent with (`https` when a trusted proxy says the client used it), or an allowed
/// origin. Browsers always send Origin; a client without one is not a browser page and cannot
/// carry a victim's cookies across sites, so it is let through.
pub(crate) fn origin_allowed<B>(
    allowed_origins: &[String],
    request: &HyperRequest<B>,
    https: bool,
) -> bool {
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if allowed_origins.iter().any(|o| o == origin) {
        return true;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let scheme = if https { "https://" } else { "http://" };
    let origin_host = origin
        .get(..scheme.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(scheme))
        .and_then(|_| origin.get(scheme.len()..))
        .unwrap_or_default();
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: &str, origin: Option<&str>) -> HyperRequest<()> {
        let mut builder = HyperRequest::builder().uri("/").header(header::HOST, host);
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        builder.body(()).expect("a request")
    }

    #[test]
    fn host_names_lose_their_port_brackets_and_final_dot() {
        assert_eq!(host_name("example.org:8080"), "example.org");
        assert_eq!(host_name("Example.org."), "Example.org");
        assert_eq!(host_name("[::1]:80"), "::1");
        assert_eq!(host_name("[::1]"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn hosts_match_exactly_by_domain_or_any() {
        let allowed = ["app.test".to_owned(), ".example.org".to_owned()];
        for ok in [
            "app.test",
            "APP.test:1",
            "example.org",
            "a.b.example.org",
            "10.0.0.1",
            "[::1]:9",
            "localhost:8080",
        ] {
            assert!(host_allowed(&allowed, &request(ok, None)), "{ok}");
        }
        for refused in [
            "evil.test",
            "app.test.evil",
            "xexample.org",
            "example.org.evil",
            "",
        ] {
            assert!(
                !host_allowed(&allowed, &request(refused, None)),
                "{refused}"
            );
        }
        assert!(host_allowed(
            &["*".to_owned()],
            &request("anything.test", None)
        ));
        assert!(!host_allowed(&[], &request("rebound.test", None)));
    }

    #[test]
    fn the_origin_needs_the_scheme_and_host_of_the_request() {
        let check =
            |origin, https| origin_allowed(&[], &request("app.test:8080", Some(origin)), https);
        assert!(check("http://app.test:8080", false));
        assert!(!check("https://app.test:8080", false));
        assert!(check("https://app.test:8080", true));
        assert!(!check("http://app.test:8080", true));
        assert!(!check("http://evil.test", false));
        assert!(!check("app.test:8080", false));
    }
}
