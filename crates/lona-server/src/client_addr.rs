//! Who a request comes from: the client's IP address and whether it came over HTTPS, read from
//! the peer itself or, when the peer is a trusted reverse proxy, from `X-Forwarded-For` and
//! `X-Forwarded-Proto`. A header from any other peer is ignored, so a client cannot pose as
//! another address to slip past the per-address limits.

use std::net::{IpAddr, SocketAddr};

use hyper::HeaderMap;

/// The reverse proxies whose forwarding headers are believed (`trusted_proxies`).
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedProxies(Vec<(IpAddr, u8)>);

/// A `trusted_proxies` entry that is neither an IP address nor a CIDR range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadProxy(pub(crate) String);

impl TrustedProxies {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub(crate) fn parse(entries: &[String]) -> Result<TrustedProxies, BadProxy> {
        entries
            .iter()
            .map(|entry| {
                let (ip, bits) = match entry.trim().split_once('/') {
                    Some((ip, bits)) => (ip, Some(bits)),
                    None => (entry.trim(), None),
                };
                let ip: IpAddr = ip.parse().map_err(|_| BadProxy(entry.clone()))?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let bits = match bits {
                    Some(bits) => bits
                        .parse::<u8>()
                        .ok()
                        .filter(|b| *b <= max)
                        .ok_or_else(|| BadProxy(entry.clone()))?,
                    None => max,
                };
                Ok((ip, bits))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is one of the proxies.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0
            .iter()
            .any(|(net, bits)| in_range(ip, canonical(*net), *bits))
    }

    /// The client behind `peer`: the peer itself, unless it is a trusted proxy, in which case
    /// the right-most `X-Forwarded-For` address that is not a trusted proxy (the one the first
    /// trusted hop saw; anything to its left was written by the client and proves nothing).
    pub(crate) fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> Client {
        let peer_ip = canonical(peer.ip());
        if !self.contains(peer_ip) {
            return Client {
                ip: peer_ip,
                https: false,
            };
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| parse_forwarded_ip(part.trim()))
            .collect();
        let ip = forwarded
            .iter()
            .rev()
            .copied()
            .map(canonical)
            .find(|ip| !self.contains(*ip))
            .or_else(|| forwarded.first().copied().map(canonical))
            .unwrap_or(peer_ip);
        let https = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        Client { ip, https }
    }
}

/// Who a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Client {
    /// The client's address (IPv4-mapped IPv6 addresses as IPv4).
    pub(crate) ip: IpAddr,
    /// Whether a trusted proxy says the client used HTTPS.
    pub(crate) https: bool,
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`, as proxies write them.
fn parse_forwarded_ip(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, hyper::header::HeaderValue::from_static(value));
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().expect("an address"), 4711)
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".to_owned()]).expect("valid");
        let client = proxies.client(
            peer("192.0.2.7"),
            &headers(&[
                ("x-forwarded-for", "10.1.1.1"),
                ("x-forwarded-proto", "https"),
            ]),
        );
        assert_eq!(client.ip, "192.0.2.7".parse::<IpAddr>().expect("ip"));
        assert!(!client.https);
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["127.0.0.1".to_owned(), "10.0.0.0/8".to_owned()])
            .expect("valid");
        // The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
        let client = proxies.client(
            peer("127.0.0.1"),
            &headers(&[
                ("x-forwarded-for", "6.6.6.6, 198.51.100.4"),
                ("x-forwarded-for", "10.2.3.4"),
                ("x-forwarded-proto", "https"),
            ]),
        );
        assert_eq!(client.ip, "198.51.100.4".parse::<IpAddr>().expect("ip"));
        assert!(client.https);
        // Without the header the proxy itself is the client.
        let bare = proxies.client(peer("::ffff:127.0.0.1"), &HeaderMap::new());
        assert_eq!(bare.ip, "127.0.0.1".parse::<IpAddr>().expect("ip"));
    }

    #[test]
    fn entries_are_checked() {
        for bad in ["localhost", "10.0.0.0/33", "::1/129", "1.2.3.4/x"] {
            assert_eq!(
                TrustedProxies::parse(&[bad.to_owned()]).map(|_| ()),
                Err(BadProxy(bad.to_owned()))
            );
        }
        let v6 = TrustedProxies::parse(&["fd00::/8".to_owned()]).expect("valid");
        assert!(v6.contains("fd12::1".parse().expect("ip")));
        assert!(!v6.contains("fe80::1".parse().expect("ip")));
        let all = TrustedProxies::parse(&["0.0.0.0/0".to_owned()]).expect("valid");
        assert!(all.contains("203.0.113.9".parse().expect("ip")));
        assert_eq!(
            parse_forwarded_ip("[2001:db8::1]:443"),
            Some("2001:db8::1".parse().expect("ip"))
        );
    }
}
