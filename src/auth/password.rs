//! Password hashing with argon2id (PHC strings) and the rules for new passwords.
//!
//! Hashing and verifying each take tens of milliseconds of CPU and 19 MiB of memory
//! by design. Callers must run them off the executor threads, e.g. inside
//! `app.hash(move || verify_password(&pw, &phc))`, or one login stalls every
//! connection on that thread.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::AuthError;

/// Fewest characters (Unicode scalar values) a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters (Unicode scalar values) a new password may have.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Memory cost in KiB (19 MiB, the OWASP minimum for argon2id).
const M_COST_KIB: u32 = 19 * 1024;
/// Number of passes over memory.
const T_COST: u32 = 2;
/// Degree of parallelism (lanes).
const P_COST: u32 = 1;
/// Largest memory cost (KiB) accepted from a stored hash, so a corrupt or hostile
/// record cannot make one verification allocate gigabytes.
const MAX_VERIFY_M_COST_KIB: u32 = 256 * 1024;
/// Largest pass count accepted from a stored hash.
const MAX_VERIFY_T_COST: u32 = 16;

/// Hashes `password` with argon2id (m=19 MiB, t=2, p=1) and a fresh random 16-byte
/// salt, returning a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$…$…`.
///
/// Takes tens of milliseconds of CPU: run it on `App::hash`, never on an
/// executor thread.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let params =
        Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(|e| AuthError::Hash(e.into()))?;
    hash_with_params(password, params)
}

/// Hashes with explicit parameters (tests use cheap ones).
fn hash_with_params(password: &str, params: Params) -> Result<String, AuthError> {
    let mut salt = [0u8; argon2::RECOMMENDED_SALT_LEN];
    getrandom::fill(&mut salt).map_err(AuthError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(AuthError::Hash)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let hash = argon
        .hash_password(password.as_bytes(), &salt)
        .map_err(AuthError::Hash)?;
    Ok(hash.to_string())
}

/// Checks `password` against a PHC string made by [`hash_password`].
///
/// Returns `false` for a wrong password and for a malformed, non-argon2 or
/// absurdly expensive hash; never panics. The parameters stored in the hash are
/// used, so hashes made with older parameters keep working. Takes tens of
/// milliseconds of CPU: run it on `App::hash`.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    if Algorithm::try_from(hash.algorithm).is_err() {
        return false;
    }
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_VERIFY_M_COST_KIB || params.t_cost() > MAX_VERIFY_T_COST {
        return false;
    }
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}

/// Checks the rules for a new password: 8 to 256 characters, not only whitespace.
///
/// Cheap; call it before [`hash_password`] so bad input never costs a hash.
pub fn check_new_password(password: &str) -> Result<(), AuthError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooLong {
            max: MAX_PASSWORD_CHARS,
        });
    }
    if password.chars().all(char::is_whitespace) {
        return Err(AuthError::PasswordBlank);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters so the tests stay fast in debug builds.
    fn cheap() -> Params {
        Params::new(64, 1, 1, None).expect("valid params")
    }

    #[test]
    fn real_parameters_round_trip() {
        let phc = hash_password("correct horse battery").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc));
    }

    #[test]
    fn wrong_password_is_rejected() {
        let phc = hash_with_params("hunter2hunter2", cheap()).expect("hash");
        assert!(verify_password("hunter2hunter2", &phc));
        assert!(!verify_password("hunter2hunter3", &phc));
        assert!(!verify_password("", &phc));
    }

    #[test]
    fn salts_differ() {
        let a = hash_with_params("same password", cheap()).expect("hash");
        let b = hash_with_params("same password", cheap()).expect("hash");
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_hashes_are_false_not_panics() {
        let good = hash_with_params("password1", cheap()).expect("hash");
        let truncated = &good[..good.len() - 5];
        let expensive = good.replace("m=64,t=1", "m=4194304,t=1");
        for phc in [
            "",
            "$",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=0,t=0,p=0$c2FsdHNhbHQ$aGFzaA",
            "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            truncated,
            &expensive,
        ] {
            assert!(!verify_password("password1", phc), "{phc:?}");
        }
    }

    #[test]
    fn unicode_passwords_work() {
        let phc = hash_with_params("pässwörd 密码 🔔", cheap()).expect("hash");
        assert!(verify_password("pässwörd 密码 🔔", &phc));
    }

    #[test]
    fn new_password_rules() {
        assert!(matches!(
            check_new_password("short"),
            Err(AuthError::PasswordTooShort { min: 8 })
        ));
        assert!(check_new_password("12345678").is_ok());
        assert!(matches!(
            check_new_password("        "),
            Err(AuthError::PasswordBlank)
        ));
        assert!(matches!(
            check_new_password("\t\n \u{3000}    "),
            Err(AuthError::PasswordBlank)
        ));
        assert!(check_new_password(&"a".repeat(256)).is_ok());
        assert!(matches!(
            check_new_password(&"a".repeat(257)),
            Err(AuthError::PasswordTooLong { max: 256 })
        ));
        // Counted in characters, not bytes: 8 four-byte characters are enough.
        assert!(check_new_password("🔔🔔🔔🔔🔔🔔🔔🔔").is_ok());
        assert!(check_new_password(&"é".repeat(256)).is_ok());
    }
}
