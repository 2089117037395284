//! Address ranges for `--trusted-proxy` and `--metrics-allow`: `10.0.0.0/8`,
//! `2001:db8::/32`, or a bare address (one host). Pure: parsing and membership only.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IPv4 or IPv6 network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The network address (host bits are cleared when parsed).
    network: IpAddr,
    /// Leading bits that must match (0–32 for IPv4, 0–128 for IPv6).
    prefix: u8,
}

/// Why a range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an address range like 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32")]
pub struct CidrError(pub String);

impl Cidr {
    /// True when `address` lies inside this range. An IPv4 address written as IPv6
    /// (`::ffff:10.0.0.1`) counts as the IPv4 address.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => mask32(u32::from(a), self.prefix) == u32::from(net),
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                mask128(u128::from(a), self.prefix) == u128::from(net)
            }
            _ => false,
        }
    }
}

/// `::ffff:a.b.c.d` as `a.b.c.d`; every other address unchanged.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// True when any of `ranges` contains `address`.
pub fn any_contains(ranges: &[Cidr], address: IpAddr) -> bool {
    ranges.iter().any(|r| r.contains(address))
}

fn mask32(value: u32, prefix: u8) -> u32 {
    value & u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask128(value: u128, prefix: u8) -> u128 {
    value & u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Cidr, CidrError> {
        let bad = || CidrError(text.to_string());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let address = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
            None => max,
        };
        if prefix > max {
            return Err(bad());
        }
        let network = match address {
            IpAddr::V4(a) => IpAddr::V4(mask32(u32::from(a), prefix).into()),
            IpAddr::V6(a) => IpAddr::V6(mask128(u128::from(a), prefix).into()),
        };
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    fn cidr(text: &str) -> Cidr {
        text.parse().expect("test range")
    }

    #[test]
    fn ipv4_ranges() {
        let net = cidr("10.1.0.0/16");
        assert!(net.contains(ip("10.1.255.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(!cidr("0.0.0.0/0").contains(ip("::1")));
        assert_eq!(cidr("192.168.7.9/24").to_string(), "192.168.7.0/24");
    }

    #[test]
    fn bare_addresses_are_one_host() {
        assert!(cidr("127.0.0.1").contains(ip("127.0.0.1")));
        assert!(!cidr("127.0.0.1").contains(ip("127.0.0.2")));
        assert!(cidr("::1").contains(ip("::1")));
        assert_eq!(cidr("::1").to_string(), "::1/128");
    }

    #[test]
    fn ipv6_ranges_and_mapped_ipv4() {
        let net = cidr("2001:db8::/32");
        assert!(net.contains(ip("2001:db8:cafe::17")));
        assert!(!net.contains(ip("2001:db9::1")));
        assert!(cidr("::/0").contains(ip("fe80::1")));
        assert!(cidr("10.0.0.0/8").contains(ip("::ffff:10.9.8.7")));
        assert!(cidr("::ffff:10.0.0.1").contains(ip("10.0.0.1")));
    }

    #[test]
    fn nonsense_is_refused() {
        for text in [
            "",
            "/8",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "host/8",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
        ] {
            assert!(text.parse::<Cidr>().is_err(), "{text}");
        }
    }
}
