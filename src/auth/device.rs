//! Known-device cookies: proof that a browser logged in to an account before, so it
//! keeps working while strangers guess that account's password (rule 4 of the
//! throttle). Pure: the caller passes the key and the header text in.
//!
//! The cookie value is `1.AGENT.DEVICE.MAC`: the format version, the agent id in
//! decimal, 16 random bytes naming the browser, and HMAC-SHA256 under the store's
//! server key ([`crate::store::Store::server_key`]) over a domain label, the agent id
//! and the device id, all in lowercase hex. Nothing is stored: the MAC alone makes it
//! valid, so it survives restarts and costs nothing per device. It grants no access by
//! itself (the password is still needed); a stolen one only lets its thief guess at the
//! rule-1 pace of one device. It is set on every successful login, `HttpOnly`,
//! `SameSite=Strict` and only sent to `/api/login`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AuthError;
use super::throttle::DeviceId;
use super::token::to_hex;

/// Name of the known-device cookie.
pub const DEVICE_COOKIE: &str = "deskbell_device";
/// How long a browser keeps the cookie: 400 days, the most browsers allow.
pub const DEVICE_COOKIE_MAX_AGE_SECS: u64 = 400 * 24 * 60 * 60;
/// Domain separation: this key signs other things too (visitor tokens).
const LABEL: &[u8] = b"deskbell known-device v1\0";
/// Format version, the value's first field.
const VERSION: &str = "1";

/// A device id and the agent it logged in as, from a cookie that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownDevice {
    /// The agent the browser logged in as.
    pub agent: u64,
    /// The browser's id.
    pub id: DeviceId,
}

/// A fresh random device id.
pub fn new_device_id() -> Result<DeviceId, AuthError> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(AuthError::Random)?;
    Ok(id)
}

/// The signed cookie value for `device`.
pub fn sign_device(key: &[u8; 32], device: &KnownDevice) -> String {
    let mac = mac(key, device).finalize().into_bytes();
    format!(
        "{VERSION}.{}.{}.{}",
        device.agent,
        to_hex(&device.id),
        to_hex(&mac)
    )
}

/// The device a cookie value names, if its MAC verifies under `key` (compared in
/// constant time); `None` for anything malformed, foreign or forged.
pub fn verify_device(key: &[u8; 32], value: &str) -> Option<KnownDevice> {
    let mut fields = value.trim().split('.');
    let (version, agent, id, tag) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if version != VERSION || fields.next().is_some() || agent.len() > 20 {
        return None;
    }
    let device = KnownDevice {
        agent: agent.parse().ok()?,
        id: from_hex::<16>(id)?,
    };
    let tag = from_hex::<32>(tag)?;
    mac(key, &device).verify_slice(&tag).ok()?;
    Some(device)
}

/// The device cookie's value among `Cookie` header values (the first that names it).
pub fn device_cookie<'a>(cookie_headers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    cookie_headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == DEVICE_COOKIE)
        .map(|(_, value)| value)
}

/// The `Set-Cookie` value that stores `signed` in the browser; `secure` adds `Secure`
/// (under the same rule as the session cookie).
pub fn device_set_cookie(signed: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{DEVICE_COOKIE}={signed}; HttpOnly; SameSite=Strict; Path=/api/login; \
         Max-Age={DEVICE_COOKIE_MAX_AGE_SECS}{secure}"
    )
}

/// HMAC-SHA256 over the label, the agent id and the device id.
fn mac(key: &[u8; 32], device: &KnownDevice) -> Hmac<Sha256> {
    // A 32-byte key is always accepted: HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(LABEL);
    mac.update(&device.agent.to_be_bytes());
    mac.update(&device.id);
    mac
}

/// Exactly `N` bytes from `2 * N` lowercase hex digits.
fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn device() -> KnownDevice {
        KnownDevice {
            agent: 42,
            id: [0xab; 16],
        }
    }

    #[test]
    fn a_signed_cookie_verifies_and_names_its_agent() {
        let signed = sign_device(&KEY, &device());
        assert!(signed.starts_with("1.42.abababab"), "{signed}");
        assert_eq!(verify_device(&KEY, &signed), Some(device()));
        let fresh = KnownDevice {
            agent: 1,
            id: new_device_id().expect("random"),
        };
        assert_eq!(verify_device(&KEY, &sign_device(&KEY, &fresh)), Some(fresh));
    }

    #[test]
    fn forged_or_foreign_cookies_do_not_verify() {
        let signed = sign_device(&KEY, &device());
        assert_eq!(verify_device(&[8; 32], &signed), None, "another server");
        let other_agent = signed.replacen("1.42.", "1.43.", 1);
        assert_eq!(verify_device(&KEY, &other_agent), None, "moved to an agent");
        let mut flipped = signed.clone();
        let last = flipped.pop().map(|c| if c == '0' { '1' } else { '0' });
        flipped.extend(last);
        assert_eq!(verify_device(&KEY, &flipped), None, "tampered MAC");
        for bad in [
            "",
            "1",
            "1.42",
            "2.42.abababababababababababababababab.00",
            "1.x.ab.cd",
            &format!("{signed}.extra"),
            &signed.to_uppercase(),
            &format!("1.{}", "9".repeat(500)),
        ] {
            assert_eq!(verify_device(&KEY, bad), None, "{bad}");
        }
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let headers = ["a=1; deskbell_session=xyz", "deskbell_device=1.2.3; b=2"];
        assert_eq!(device_cookie(headers), Some("1.2.3"));
        assert_eq!(device_cookie(["deskbell_devicex=1"]), None);
        assert_eq!(device_cookie([]), None);
    }

    #[test]
    fn set_cookie_attributes() {
        let plain = device_set_cookie("v", false);
        assert_eq!(
            plain,
            "deskbell_device=v; HttpOnly; SameSite=Strict; Path=/api/login; Max-Age=34560000"
        );
        assert!(device_set_cookie("v", true).ends_with("; Secure"));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(from_hex::<2>("00ff"), Some([0, 255]));
        assert_eq!(from_hex::<2>("00FF"), None);
        assert_eq!(from_hex::<2>("00f"), None);
        assert_eq!(from_hex::<1>("g0"), None);
        let id = [0x12; 16];
        assert_eq!(from_hex::<16>(&to_hex(&id)), Some(id));
    }
}
