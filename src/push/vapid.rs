//! VAPID (RFC 8292): the server's P-256 key pair and the `Authorization: vapid t=…, k=…`
//! header that proves to a push service that a push comes from the server the browser
//! subscribed with. The token is a JWT (RFC 7519) signed with ES256 (ECDSA P-256 and
//! SHA-256, RFC 7518 §3.4: the signature is `r || s`, 64 bytes).

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;

/// How long a token is valid: RFC 8292 §2 allows at most 24 hours; 12 leaves room for a
/// push service's clock being ahead of ours.
pub const TOKEN_LIFETIME_S: u64 = 12 * 3600;

/// The server's VAPID key pair.
#[derive(Clone)]
pub struct VapidKey {
    /// The private key.
    signing: SigningKey,
    /// The public key, uncompressed (65 bytes), base64url without padding: what
    /// browsers take as `applicationServerKey` and the `k` of the header.
    public_b64: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("VapidKey")
            .field("public", &self.public_b64)
            .finish()
    }
}

/// The stored key bytes are not a P-256 private key.
#[derive(Debug, thiserror::Error)]
#[error("the stored VAPID key is not a P-256 private key")]
pub struct BadKey;

impl VapidKey {
    /// The key pair from its stored private scalar (32 bytes, big-endian).
    pub fn from_bytes(secret: &[u8; 32]) -> Result<VapidKey, BadKey> {
        let signing = SigningKey::from_slice(secret).map_err(|_| BadKey)?;
        let point = signing.verifying_key().as_affine().to_encoded_point(false);
        Ok(VapidKey {
            public_b64: Base64UrlUnpadded::encode_string(point.as_bytes()),
            signing,
        })
    }

    /// The public key as browsers take it (`applicationServerKey`).
    pub fn public_b64(&self) -> &str {
        &self.public_b64
    }

    /// The `Authorization` header value for a push to a service at `audience` (the
    /// endpoint's origin, `https://host[:port]`), valid from `now_s` (Unix seconds) for
    /// [`TOKEN_LIFETIME_S`], naming `contact` (`mailto:` or `https:`) as `sub`.
    pub fn authorization(&self, audience: &str, contact: &str, now_s: u64) -> String {
        let header = Base64UrlUnpadded::encode_string(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now_s + TOKEN_LIFETIME_S,
            "sub": contact,
        });
        let claims = Base64UrlUnpadded::encode_string(claims.to_string().as_bytes());
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(signed.as_bytes());
        let signature = Base64UrlUnpadded::encode_string(&signature.to_bytes());
        format!("vapid t={signed}.{signature}, k={}", self.public_b64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    #[test]
    fn the_header_carries_a_token_that_verifies_under_the_public_key() {
        let key = VapidKey::from_bytes(&[7u8; 32]).expect("a valid scalar");
        let header = key.authorization("https://push.example", "mailto:a@b.example", 1000);
        let rest = header.strip_prefix("vapid t=").expect("scheme");
        let (token, k) = rest.split_once(", k=").expect("two parameters");
        assert_eq!(k, key.public_b64());
        let public = Base64UrlUnpadded::decode_vec(k).expect("base64url");
        assert_eq!((public.len(), public[0]), (65, 4));
        let verifying = VerifyingKey::from_sec1_bytes(&public).expect("a point");
        let (signed, signature) = token.rsplit_once('.').expect("three parts");
        let signature = Base64UrlUnpadded::decode_vec(signature).expect("base64url");
        let signature = Signature::from_slice(&signature).expect("r || s");
        verifying
            .verify(signed.as_bytes(), &signature)
            .expect("verifies");
        let claims = signed.split('.').nth(1).expect("claims");
        let claims: serde_json::Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(claims).expect("b64"))
                .expect("json");
        assert_eq!(claims["aud"], "https://push.example");
        assert_eq!(claims["sub"], "mailto:a@b.example");
        assert_eq!(claims["exp"], 1000 + TOKEN_LIFETIME_S);
        assert!(!format!("{key:?}").contains("07070707"));
    }

    #[test]
    fn a_zero_key_is_refused() {
        assert!(VapidKey::from_bytes(&[0u8; 32]).is_err());
    }
}
