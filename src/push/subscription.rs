//! The one check of a browser's `PushSubscription` (`POST /api/push/subscriptions`):
//! the endpoint is an https URL of reasonable size with no credentials and no literal
//! private address, and the keys have the sizes RFC 8291 needs (a P-256 point and a
//! 16-byte secret). Pure; called once at the edge, so the store and the sink trust it.

use std::net::IpAddr;

use base64ct::{Base64Url, Base64UrlUnpadded, Encoding};
use serde::Deserialize;

use super::address;
use crate::store::push_records::PushSubscriptionV1;

/// Longest endpoint URL accepted (browsers' are a few hundred bytes).
pub const MAX_ENDPOINT: usize = 1024;
/// Longest device label, in characters.
pub const MAX_LABEL: usize = 64;

/// What the console posts: `PushSubscription.toJSON()` plus an optional label. Unknown
/// fields are ignored (not refused): a browser may add some to `toJSON()`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionBody {
    /// The push resource URL.
    pub endpoint: String,
    /// When the push service will drop it (ms since the epoch), if it says; unused.
    pub expiration_time: Option<f64>,
    /// The encryption keys.
    pub keys: SubscriptionKeys,
    /// A name for the device, e.g. "Firefox on Android".
    pub label: Option<String>,
}

/// `PushSubscription.keys`, base64url.
#[derive(Deserialize, Debug)]
pub struct SubscriptionKeys {
    /// The device's P-256 public key, uncompressed.
    pub p256dh: String,
    /// The 16-byte authentication secret.
    pub auth: String,
}

/// The rules that are a matter of configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndpointRules {
    /// Accept `http://` endpoints and literal loopback, private or link-local
    /// addresses (`--allow-insecure-push`: tests, a push server on the shop's LAN).
    pub allow_insecure: bool,
}

/// Checks `body` and turns it into the stored subscription of `agent`.
pub fn validate(
    body: SubscriptionBody,
    agent: u64,
    now_ms: u64,
    rules: EndpointRules,
) -> Result<PushSubscriptionV1, String> {
    check_endpoint(&body.endpoint, rules)?;
    let p256dh = decode_b64url(&body.keys.p256dh).ok_or("keys.p256dh must be base64url")?;
    if p256dh.len() != 65 || p256::PublicKey::from_sec1_bytes(&p256dh).is_err() {
        return Err("keys.p256dh must be an uncompressed P-256 public key (65 bytes)".into());
    }
    let auth = decode_b64url(&body.keys.auth).ok_or("keys.auth must be base64url")?;
    if auth.len() != 16 {
        return Err("keys.auth must be 16 bytes".into());
    }
    let label: String = body
        .label
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_LABEL)
        .collect();
    Ok(PushSubscriptionV1 {
        agent,
        endpoint: body.endpoint,
        p256dh,
        auth,
        created_ms: now_ms,
        label: label.trim().to_string(),
    })
}

/// Base64url with or without padding.
fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    Base64UrlUnpadded::decode_vec(text)
        .or_else(|_| Base64Url::decode_vec(text))
        .ok()
}

/// The endpoint rules (see the module docs).
pub fn check_endpoint(endpoint: &str, rules: EndpointRules) -> Result<(), String> {
    if endpoint.len() > MAX_ENDPOINT {
        return Err(format!("the endpoint must be at most {MAX_ENDPOINT} bytes"));
    }
    let uri: ureq::http::Uri = endpoint
        .parse()
        .map_err(|_| "the endpoint must be a URL".to_string())?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if rules.allow_insecure => {}
        _ => return Err("the endpoint must be an https URL".into()),
    }
    let Some(authority) = uri.authority() else {
        return Err("the endpoint must name a host".into());
    };
    if authority.as_str().contains('@') {
        return Err("the endpoint must not carry a user name or password".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err("the endpoint must name a host".into());
    }
    if let Ok(ip) = host.parse::<IpAddr>()
        && !rules.allow_insecure
        && !address::is_public(ip)
    {
        return Err("the endpoint is a loopback, private or link-local address".into());
    }
    Ok(())
}

/// The audience of a VAPID token for `endpoint`: its origin (`scheme://host[:port]`).
pub fn audience(endpoint: &str) -> Option<String> {
    let uri: ureq::http::Uri = endpoint.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real P-256 public key (uncompressed), base64url.
    fn p256dh() -> String {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let secret = p256::SecretKey::from_slice(&[3u8; 32]).expect("scalar");
        Base64UrlUnpadded::encode_string(secret.public_key().to_encoded_point(false).as_bytes())
    }

    fn body(endpoint: &str, p256dh: String, auth: &str) -> SubscriptionBody {
        SubscriptionBody {
            endpoint: endpoint.into(),
            expiration_time: None,
            keys: SubscriptionKeys {
                p256dh,
                auth: auth.into(),
            },
            label: Some(" Phone\n".into()),
        }
    }

    const AUTH: &str = "AAAAAAAAAAAAAAAAAAAAAA"; // 16 zero bytes

    #[test]
    fn a_browser_subscription_is_accepted() {
        let rules = EndpointRules::default();
        let s = validate(
            body("https://push.example/s/1", p256dh(), AUTH),
            4,
            9,
            rules,
        )
        .expect("valid");
        assert_eq!((s.agent, s.p256dh.len(), s.auth.len()), (4, 65, 16));
        assert_eq!((s.label.as_str(), s.created_ms), ("Phone", 9));
        // Padded base64url too.
        let padded = format!("{}=", p256dh());
        assert!(
            validate(
                body("https://p.example/", padded, "AAAAAAAAAAAAAAAAAAAAAA=="),
                4,
                9,
                rules
            )
            .is_ok()
        );
    }

    #[test]
    fn bad_endpoints_and_keys_are_refused() {
        let rules = EndpointRules::default();
        let refused = |endpoint: &str, key: String, auth: &str| {
            validate(body(endpoint, key, auth), 1, 0, rules).expect_err(endpoint)
        };
        assert!(refused("http://push.example/", p256dh(), AUTH).contains("https"));
        assert!(refused("ftp://push.example/", p256dh(), AUTH).contains("https"));
        assert!(refused("not a url", p256dh(), AUTH).contains("URL"));
        assert!(refused("https://u:p@push.example/", p256dh(), AUTH).contains("password"));
        assert!(refused("https://127.0.0.1/x", p256dh(), AUTH).contains("loopback"));
        assert!(refused("https://[::1]:8/x", p256dh(), AUTH).contains("loopback"));
        assert!(refused("https://10.1.2.3/x", p256dh(), AUTH).contains("private"));
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT));
        assert!(refused(&long, p256dh(), AUTH).contains("at most"));
        assert!(refused("https://p.example/", "BAAA".into(), AUTH).contains("p256dh"));
        assert!(refused("https://p.example/", "***".into(), AUTH).contains("base64url"));
        let off_curve = Base64UrlUnpadded::encode_string(&[4u8; 65]);
        assert!(refused("https://p.example/", off_curve, AUTH).contains("P-256"));
        assert!(refused("https://p.example/", p256dh(), "AAAA").contains("16 bytes"));
    }

    #[test]
    fn the_insecure_flag_opens_http_and_private_addresses() {
        let rules = EndpointRules {
            allow_insecure: true,
        };
        assert!(check_endpoint("http://127.0.0.1:9000/push", rules).is_ok());
        assert!(check_endpoint("ftp://127.0.0.1/", rules).is_err());
    }

    #[test]
    fn the_audience_is_the_origin() {
        assert_eq!(
            audience("https://push.example:8443/a/b?c").as_deref(),
            Some("https://push.example:8443")
        );
        assert_eq!(
            audience("https://fcm.googleapis.com/fcm/send/x").as_deref(),
            Some("https://fcm.googleapis.com")
        );
    }
}
