//! Where pushes may go: the rule against server-side request forgery. A push endpoint
//! comes from a browser, so it could name the shop's own network (a router's admin page,
//! a cloud metadata service). Unless `--allow-insecure-push`, deskbell connects only to
//! public addresses, checked after DNS resolution (in [`PublicOnly`], the resolver the
//! HTTP client uses), so a name that resolves to `127.0.0.1` is refused as well.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::cidr::canonical;

/// Whether `ip` is an ordinary public unicast address (not loopback, private, shared
/// (CGNAT), link-local, unique-local, documentation, benchmarking, multicast,
/// unspecified or reserved). IPv4 written as IPv6 counts as the IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first & 0xffc0) == 0xfec0 // site local (deprecated)
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || (first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64: an IPv4 behind it
        || (first == 0x2002)) // 6to4: an IPv4 inside it
}

/// ureq's resolver, keeping only the addresses the rule allows; a name with none left
/// fails as "host not found" and is logged as refused by the caller.
#[derive(Debug, Default)]
pub struct PublicOnly {
    /// Keep every address (`--allow-insecure-push`).
    pub allow_any: bool,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = DefaultResolver::default().resolve(uri, config, timeout)?;
        if self.allow_any {
            return Ok(found);
        }
        let mut kept = self.empty();
        for addr in found.iter().filter(|a| is_public(a.ip())) {
            kept.push(*addr);
        }
        if kept.is_empty() {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                REFUSED,
            )));
        }
        Ok(kept)
    }
}

/// The error text of a refused address (the sink recognises it).
pub const REFUSED: &str = "the endpoint resolves to a loopback, private or link-local address (see --allow-insecure-push)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        let public = ["1.1.1.1", "8.8.8.8", "2a00:1450::1", "::ffff:8.8.8.8"];
        for ip in public {
            assert!(is_public(ip.parse().expect(ip)), "{ip}");
        }
        let refused = [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::",
            "::1",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
        ];
        for ip in refused {
            assert!(!is_public(ip.parse().expect(ip)), "{ip}");
        }
    }
}
