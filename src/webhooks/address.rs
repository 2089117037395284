//! Where a webhook may go: the URL check made when an endpoint is created, and the
//! address check made after every DNS resolution (at creation and at each delivery,
//! by the HTTP client's resolver, which connects only to the addresses it checked).
//!
//! Only `http` and `https`, no user name or password in the URL, no fragment. Unless
//! `--allow-private-webhooks`, a host must not be (or resolve to) a loopback, private
//! (RFC 1918), shared (CGNAT 100.64/10), link-local, unique-local, unspecified,
//! multicast, broadcast, documentation, benchmarking or reserved address, also when it
//! is wrapped in an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address. Hosts
//! written as numbers other than dotted decimal (`2130706433`, `0x7f.1`, `0177.0.0.1`)
//! are refused outright: resolvers read them differently. Pure, except [`resolve`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use ureq::http::Uri;

/// Longest accepted webhook URL, in bytes.
pub const MAX_URL_LEN: usize = 2048;

/// A checked webhook URL's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// True for `https`.
    pub https: bool,
    /// The host as written (lower-cased), without brackets for IPv6.
    pub host: String,
    /// The port (the scheme's default when the URL names none).
    pub port: u16,
}

/// Parses and checks a URL's form (not where it resolves to): see the module header.
/// With `allow_private`, only the form is checked.
pub fn check_url(url: &str, allow_private: bool) -> Result<Target, String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("the URL is longer than {MAX_URL_LEN} bytes"));
    }
    let uri: Uri = url
        .parse()
        .map_err(|_| "the URL is not a valid absolute URL".to_string())?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("the URL must start with http:// or https://".into()),
    };
    if url.contains('#') {
        return Err("the URL must not have a #fragment".into());
    }
    let authority = uri.authority().ok_or("the URL has no host")?;
    if authority.as_str().contains('@') {
        return Err("the URL must not hold a user name or password".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
    let target = Target { https, host, port };
    match host_ip(&target.host)? {
        Some(ip) if !allow_private => check_ip(ip)?,
        Some(_) => {}
        None => {
            let name = target.host.trim_end_matches('.');
            let valid = !name.is_empty()
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !valid {
                return Err(
                    "the host must be a domain name (IDN as punycode) or an IP address".into(),
                );
            }
            if !allow_private && (name == "localhost" || name.ends_with(".localhost")) {
                return Err("the host is this machine (localhost)".into());
            }
        }
    }
    Ok(target)
}

/// The host as an IP address, None for a domain name, or an error for numeric forms
/// other than dotted decimal.
fn host_ip(host: &str) -> Result<Option<IpAddr>, String> {
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return Ok(Some(IpAddr::V6(v6)));
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return Ok(Some(IpAddr::V4(v4)));
    }
    // WHATWG's rule: a host whose last label is a number is an IPv4 address. Top-level
    // domains are never numeric, so any such host is an unusual spelling of an address.
    let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || (last.starts_with("0x") && last[2..].bytes().all(|b| b.is_ascii_hexdigit())));
    if numeric {
        return Err("write an IPv4 address as four decimal numbers (a.b.c.d)".into());
    }
    Ok(None)
}

/// Refuses an address that is not a public unicast address (see the module header).
pub fn check_ip(ip: IpAddr) -> Result<(), String> {
    match ip {
        IpAddr::V4(v4) => check_v4(v4),
        IpAddr::V6(v6) => check_v6(v6),
    }
}

fn check_v4(ip: Ipv4Addr) -> Result<(), String> {
    let [a, b, c, _] = ip.octets();
    let why = match (a, b, c) {
        _ if ip.is_unspecified() || a == 0 => "unspecified (0.0.0.0/8)",
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_private() => "private (RFC 1918)",
        (100, 64..=127, _) => "shared address space (CGNAT, 100.64.0.0/10)",
        _ if ip.is_link_local() => "link-local",
        (192, 0, 0) => "IETF protocol assignments (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        _ if ip.is_broadcast() => "broadcast",
        _ if ip.is_multicast() => "multicast",
        (240..=255, _, _) => "reserved (240.0.0.0/4)",
        _ => return Ok(()),
    };
    Err(format!("{ip} is {why}"))
}

fn check_v6(ip: Ipv6Addr) -> Result<(), String> {
    let s = ip.segments();
    // Addresses that carry an IPv4 address: judged by it.
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    let inner = match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(embedded(hi, lo)), // ::ffff:a.b.c.d
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 => Some(embedded(hi, lo)), // ::a.b.c.d
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(embedded(hi, lo)), // NAT64
        [0x2002, hi, lo, ..] => Some(embedded(hi, lo)),            // 6to4
        _ => None,
    };
    if let Some(v4) = inner {
        return check_v4(v4).map_err(|why| format!("{ip} wraps an address that {why}"));
    }
    let why = match s[0] {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_loopback() => "loopback",
        0xfc00..=0xfdff => "unique-local (fc00::/7)",
        0xfe80..=0xfebf => "link-local",
        0xfec0..=0xfeff => "site-local",
        0xff00..=0xffff => "multicast",
        0x2001 if s[1] == 0x0db8 => "documentation (2001:db8::/32)",
        0x2001 if s[1] == 0 => "Teredo (2001::/32)",
        0x0100 if s[1..4] == [0, 0, 0] => "discard-only (100::/64)",
        0 => "reserved (::/8)",
        _ => return Ok(()),
    };
    Err(format!("{ip} is {why}"))
}

/// Resolves `target` (blocking: call it off the executor) and checks every address:
/// the addresses to connect to, all checked, or why not. A name that resolves to any
/// refused address is refused as a whole.
pub fn resolve(target: &Target, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", target.host))?
        .collect();
    checked(target, addrs, allow_private)
}

/// [`resolve`]'s check of resolved addresses.
pub fn checked(
    target: &Target,
    addrs: Vec<SocketAddr>,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, String> {
    if addrs.is_empty() {
        return Err(format!("{} has no address", target.host));
    }
    if !allow_private {
        for addr in &addrs {
            check_ip(addr.ip())
                .map_err(|why| format!("{} resolves to {why}; refused", target.host))?;
        }
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        check_url(url, false).expect_err(url)
    }

    #[test]
    fn public_urls_pass() {
        let t = check_url("https://hooks.example.com/in?x=1", false).expect("ok");
        assert_eq!(
            (t.https, t.host.as_str(), t.port),
            (true, "hooks.example.com", 443)
        );
        let t = check_url("http://93.184.215.14:8080/", false).expect("ok");
        assert_eq!((t.https, t.port), (false, 8080));
        check_url("https://[2606:4700::1111]/x", false).expect("public v6");
        check_url("https://Shop.Example./", false).expect("trailing dot");
    }

    #[test]
    fn forms_are_refused() {
        for url in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "gopher://example.com/",
            "/relative",
            "example.com",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "https://exa mple.com/",
            "https://bücher.example/",
            "http:///x",
        ] {
            refused(url);
        }
        assert!(refused(&format!("https://e.com/{}", "a".repeat(MAX_URL_LEN))).contains("longer"));
    }

    #[test]
    fn local_and_private_hosts_are_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://127.1.2.3:9000/",
            "http://localhost/",
            "http://LOCALHOST:8080/",
            "http://api.localhost/",
            "http://0.0.0.0/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://100.127.255.254/",
            "http://169.254.169.254/latest/meta-data/",
            "http://192.0.2.1/",
            "http://198.51.100.7/",
            "http://203.0.113.9/",
            "http://198.18.0.1/",
            "http://224.0.0.1/",
            "http://240.0.0.1/",
            "http://255.255.255.255/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:7f00:1::]/",
            "http://[fc00::1]/",
            "http://[fd12:3456::1]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
            "http://[2001:db8::1]/",
            "http://[2001::1]/",
            // Numeric spellings that resolvers read as 127.0.0.1.
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://127.0.1/",
        ] {
            refused(url);
        }
        // Private ones are allowed with the flag; a malformed one still is not.
        check_url("http://127.0.0.1:9/", true).expect("allowed");
        check_url("http://localhost:9/", true).expect("allowed");
        assert!(check_url("ftp://127.0.0.1/", true).is_err());
    }

    #[test]
    fn resolved_addresses_are_checked_again() {
        let target = check_url("https://rebind.example/", false).expect("form is fine");
        let public: SocketAddr = "93.184.215.14:443".parse().expect("addr");
        let local: SocketAddr = "127.0.0.1:443".parse().expect("addr");
        let mapped: SocketAddr = "[::ffff:192.168.0.1]:443".parse().expect("addr");
        assert_eq!(checked(&target, vec![public], false), Ok(vec![public]));
        assert!(checked(&target, vec![public, local], false).is_err());
        assert!(checked(&target, vec![mapped], false).is_err());
        assert!(checked(&target, vec![], true).is_err());
        assert_eq!(checked(&target, vec![local], true), Ok(vec![local]));
    }

    #[test]
    fn a_name_for_this_machine_is_refused_after_resolution() {
        let target = check_url("http://localhost:9/", true).expect("form");
        let err = resolve(&target, false).expect_err("loopback");
        assert!(err.contains("loopback"), "{err}");
    }
}
