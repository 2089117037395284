//! Web origins (`https://chat.shop.example`): parsing `--public-url` and `Origin`
//! headers, and deciding whether a request comes from the console's own address.
//! Pure: no I/O, unit-tested here.

use std::fmt;

/// A web origin: scheme, host and port, compared case-insensitively with default
/// ports filled in (`https://A.example` equals `https://a.example:443`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// True for `https`, false for `http`.
    pub https: bool,
    /// The host in lower case (an IPv6 address keeps its brackets).
    pub host: String,
    /// The port, the scheme's default when none was written.
    pub port: u16,
}

/// Why a URL or origin was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?}: {why}")]
pub struct OriginError {
    /// The text that was refused.
    pub text: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl Origin {
    /// Parses an `Origin` header value (`scheme://host[:port]`, nothing after it).
    pub fn parse(text: &str) -> Result<Origin, OriginError> {
        let error = |why| OriginError {
            text: text.to_string(),
            why,
        };
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| error("must start with http:// or https://"))?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(error("must start with http:// or https://"));
        };
        if rest.contains(['/', '?', '#', '@']) {
            return Err(error(
                "must be scheme://host[:port] with no path, query or user",
            ));
        }
        let (host, port) = split_host(rest).ok_or_else(|| error("has no valid host"))?;
        let port = match port {
            Some(p) => p,
            None => default_port(https),
        };
        Ok(Origin {
            https,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// Parses `--public-url`: like an origin, but a single trailing `/` is allowed.
    pub fn parse_public_url(text: &str) -> Result<Origin, OriginError> {
        Origin::parse(text.strip_suffix('/').unwrap_or(text))
    }

    /// True when this origin (from an `Origin` header) is the server reached through a
    /// request whose `Host` header is `host_header`. With built-in TLS only `https`
    /// counts; without it both schemes do, since a TLS-terminating proxy may stand in
    /// front: either way the page must come from the very host (and port) the request
    /// was addressed to, which is this server, never a neighbouring site.
    pub fn matches_host(&self, host_header: &str, tls: bool) -> bool {
        if tls && !self.https {
            return false;
        }
        let Some((host, port)) = split_host(host_header.trim()) else {
            return false;
        };
        host.eq_ignore_ascii_case(&self.host)
            && port.unwrap_or(default_port(self.https)) == self.port
    }
}

fn default_port(https: bool) -> u16 {
    if https { 443 } else { 80 }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port` → host and optional port.
fn split_host(text: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if text.starts_with('[') {
        let end = text.find(']')?;
        let (host, rest) = text.split_at(end + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let valid_host = !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
        });
    if !valid_host {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    Some((host, port))
}

impl fmt::Display for Origin {
    /// The serialized origin, default port left out: `https://chat.shop.example`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        if self.port == default_port(self.https) {
            write!(f, "{scheme}://{}", self.host)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        Origin::parse(text).expect("test origin")
    }

    #[test]
    fn default_ports_and_case_are_normalised() {
        assert_eq!(
            origin("HTTPS://Chat.Shop.Example"),
            origin("https://chat.shop.example:443")
        );
        assert_eq!(origin("http://a.example").port, 80);
        assert_ne!(origin("http://a.example"), origin("https://a.example"));
        assert_eq!(origin("http://[::1]:8080").host, "[::1]");
        assert_eq!(
            origin("https://chat.shop.example:443").to_string(),
            "https://chat.shop.example"
        );
        assert_eq!(
            origin("http://127.0.0.1:8080").to_string(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn public_urls_allow_only_an_origin_and_a_slash() {
        assert!(Origin::parse_public_url("https://chat.shop.example/").is_ok());
        for bad in [
            "chat.shop.example",
            "ftp://chat.shop.example",
            "https://",
            "https://chat.shop.example/chat",
            "https://chat.shop.example?x=1",
            "https://user@chat.shop.example",
            "https://chat.shop.example:99999",
            "https://chat.shop.example:",
            "https://chat shop",
        ] {
            assert!(Origin::parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_header_matching() {
        let o = origin("http://127.0.0.1:8080");
        assert!(o.matches_host("127.0.0.1:8080", false));
        assert!(!o.matches_host("127.0.0.1:8081", false));
        assert!(!o.matches_host("127.0.0.1:8080", true));
        let proxied = origin("https://chat.shop.example");
        assert!(proxied.matches_host("Chat.Shop.Example", false));
        assert!(proxied.matches_host("chat.shop.example:443", true));
        assert!(!proxied.matches_host("shop.example", false));
        assert!(!origin("https://evil.example").matches_host("chat.shop.example", false));
        assert!(!o.matches_host("", false));
    }
}
