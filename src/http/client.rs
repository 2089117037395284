//! Who is the client? The TCP peer, unless that peer is a `--trusted-proxy`: then the
//! right-most address in `Forwarded: for=` (or `X-Forwarded-For`) that is not itself a
//! trusted proxy. Every per-address limit uses this address. Pure, unit-tested here.

use std::net::IpAddr;

use hyper::header::{self, HeaderMap, HeaderName};

use crate::cidr::{Cidr, any_contains, canonical};

/// The client as the request shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr {
    /// The client's address (after trusted forwarding).
    pub address: IpAddr,
    /// True when the request carries forwarding headers from a peer that is not a
    /// trusted proxy: a local proxy we were not told about may be relaying a stranger,
    /// so such a request never counts as coming from loopback.
    pub untrusted_forwarding: bool,
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// Resolves the client address of a request from TCP peer `peer`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> ClientAddr {
    let peer = canonical(peer);
    if !any_contains(trusted, peer) {
        let forwarded = [header::FORWARDED, X_FORWARDED_FOR, X_REAL_IP]
            .iter()
            .any(|name| headers.contains_key(name));
        return ClientAddr {
            address: peer,
            untrusted_forwarding: forwarded,
        };
    }
    let chain = if headers.contains_key(header::FORWARDED) {
        forwarded_chain(headers)
    } else {
        x_forwarded_chain(headers)
    };
    // Walk from the nearest hop outwards; each trusted hop vouches for the one before.
    let mut address = peer;
    for hop in chain.iter().rev() {
        let Some(hop) = hop else { break };
        address = canonical(*hop);
        if !any_contains(trusted, address) {
            break;
        }
    }
    ClientAddr {
        address,
        untrusted_forwarding: false,
    }
}

/// The `for=` addresses of every `Forwarded` element, in order; None for one that is
/// not an address (`unknown`, an obfuscated `_name`).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all(header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value))
            })
        })
        .collect()
}

/// The addresses of every `X-Forwarded-For` entry, in order.
fn x_forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(parse_node)
        .collect()
}

/// `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:4711"`, `2001:db8::1` → the address.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse() {
        return Some(address);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.split_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn trusted(ranges: &[&str]) -> Vec<Cidr> {
        ranges.iter().map(|r| r.parse().expect("range")).collect()
    }

    #[test]
    fn untrusted_peers_are_taken_at_their_word_only_for_their_own_address() {
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        let c = resolve(ip("127.0.0.1"), &h, &[]);
        assert_eq!(c.address, ip("127.0.0.1"));
        assert!(c.untrusted_forwarding);
        let c = resolve(ip("127.0.0.1"), &HeaderMap::new(), &[]);
        assert!(!c.untrusted_forwarding);
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let proxies = trusted(&["127.0.0.1", "10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7, 10.1.2.3")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &proxies).address,
            ip("203.0.113.7")
        );
        let h = headers(&[(
            "forwarded",
            "for=198.51.100.1, for=\"[2001:db8:cafe::17]:4711\";proto=https",
        )]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &h, &proxies).address,
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "For=192.0.2.60:8080;by=10.0.0.1")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &proxies).address,
            ip("192.0.2.60")
        );
    }

    #[test]
    fn odd_chains() {
        let proxies = trusted(&["127.0.0.1"]);
        // No header from a trusted proxy: the proxy itself.
        let c = resolve(ip("127.0.0.1"), &HeaderMap::new(), &proxies);
        assert_eq!(c.address, ip("127.0.0.1"));
        assert!(!c.untrusted_forwarding);
        // `unknown` stops the walk at the last trusted hop.
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &proxies).address,
            ip("127.0.0.1")
        );
        // Every hop trusted: the left-most.
        let h = headers(&[("x-forwarded-for", "127.0.0.1")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &proxies).address,
            ip("127.0.0.1")
        );
        // Forwarded wins over X-Forwarded-For; mapped IPv4 is IPv4.
        let h = headers(&[
            ("forwarded", "for=192.0.2.1"),
            ("x-forwarded-for", "192.0.2.2"),
        ]);
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &h, &proxies).address,
            ip("192.0.2.1")
        );
    }
}
