//! Passwords: Argon2id (RFC 9106) with the OWASP parameters, stored as a PHC string that names
//! its algorithm and parameters, so that stronger parameters later still verify old hashes.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

use crate::AccountError;

/// Memory cost in KiB (19 MiB, the OWASP minimum for Argon2id).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Iterations.
pub const T_COST: u32 = 2;
/// Parallelism.
pub const P_COST: u32 = 1;
/// Shortest accepted password, in characters.
pub const MIN_LEN: usize = 10;
/// Longest accepted password, in characters (hashing cost is bounded).
pub const MAX_LEN: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id and a fresh 16-byte random salt; returns the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string (any Argon2 variant and parameters).
pub fn verify_password(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Spends the time of one verification without a stored hash, so that "no such account" takes
/// as long as "wrong password" (no user enumeration through timing).
pub fn burn_verification(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| {
        let mut pw = [0u8; 24];
        rand::rng().fill_bytes(&mut pw);
        hash_password(&hex::encode(pw)).unwrap_or_default()
    });
    let _ = verify_password(stored, password);
}

/// Checks a new password: length only (NIST SP 800-63B: no composition rules), and not the
/// e-mail address itself.
pub fn check_new_password(password: &str, email: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(AccountError::invalid(
            "password",
            format!("at least {MIN_LEN} characters are needed, {n} were given"),
        ));
    }
    if n > MAX_LEN {
        return Err(AccountError::invalid(
            "password",
            format!("at most {MAX_LEN} characters are allowed, {n} were given"),
        ));
    }
    if !email.is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(AccountError::invalid(
            "password",
            "the password must not be the e-mail address",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_with_owasp_parameters() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let parsed = PasswordHash::new(&h).unwrap();
        assert_eq!(parsed.salt.unwrap().as_str().len(), 22, "16-byte salt");
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password("not a hash", "x"));
        // A fresh salt every time.
        assert_ne!(h, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new_password("short", "").is_err());
        assert!(check_new_password(&"x".repeat(300), "").is_err());
        assert!(check_new_password("a@example.org", "A@example.org").is_err());
        assert!(check_new_password("lang genug 1", "a@example.org").is_ok());
    }
}
