//! Passwords: Argon2id (RFC 9106) with the OWASP parameters, stored as a PHC string that names
//! its algorithm and parameters, so that stronger parameters later still verify old hashes.
//!
//! Hashing and verifying take ~19 MiB and tens of milliseconds of one core each. They run on
//! a pool of [`concurrent_hashes`] low-priority threads ([`sozialatlas_cpu::Workers`]), never on
//! the async workers that serve pages: a storm of failed sign-ins waits in a queue and yields
//! the cores to the pages instead of starving every other request and filling memory.

use std::sync::OnceLock;

use sozialatlas_cpu::Workers;

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

/// How many hashes or verifications run at once: one fewer than the cores (at least one), so
/// that a storm of sign-ins leaves a core to the pages (on 2 cores, both hashing made the
/// cached atlas page's p99 12 times slower: bench/RESULTS.md, run 7).
pub fn concurrent_hashes() -> usize {
    sozialatlas_cpu::cores().saturating_sub(1).max(1)
}

/// The threads that hash and verify passwords.
static HASHERS: Workers = Workers::new("argon2", concurrent_hashes);

/// Runs `f` (an Argon2 computation) on [`HASHERS`], at most [`concurrent_hashes`] at a time.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountError> {
    HASHERS
        .run(f)
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Hashes a password with Argon2id and a fresh 16-byte random salt, off the async threads;
/// returns the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash_password(password: &str) -> Result<String, AccountError> {
    let password = password.to_string();
    off_thread(move || hash_now(&password)).await?
}

/// Whether `password` matches the stored PHC string, checked off the async threads.
pub async fn verify_password(stored: &str, password: &str) -> Result<bool, AccountError> {
    let (stored, password) = (stored.to_string(), password.to_string());
    off_thread(move || verify_now(&stored, &password)).await
}

/// Spends the time of one verification without a stored hash, so that "no such account" takes
/// as long as "wrong password" (no user enumeration through timing).
pub async fn burn_verification(password: &str) -> Result<(), AccountError> {
    let password = password.to_string();
    off_thread(move || burn_now(&password)).await
}

fn hash_now(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string (any Argon2 variant and parameters).
fn verify_now(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

fn burn_now(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| {
        let mut pw = [0u8; 24];
        rand::rng().fill_bytes(&mut pw);
        hash_now(&hex::encode(pw)).unwrap_or_default()
    });
    // The answer is not wanted, only the time it takes.
    std::hint::black_box(verify_now(stored, password));
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

    #[tokio::test]
    async fn argon2id_with_owasp_parameters() {
        let h = hash_password("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let parsed = PasswordHash::new(&h).unwrap();
        assert_eq!(parsed.salt.unwrap().as_str().len(), 22, "16-byte salt");
        assert!(verify_password(&h, "correct horse battery").await.unwrap());
        assert!(!verify_password(&h, "correct horse batterY").await.unwrap());
        assert!(!verify_password("not a hash", "x").await.unwrap());
        // A fresh salt every time.
        assert_ne!(h, hash_password("correct horse battery").await.unwrap());
    }

    /// The hashes run on blocking threads, at most one per core: the async thread that asked is
    /// free meanwhile (a current-thread runtime still ticks while eight hashes run).
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_leaves_the_async_thread_free() {
        let ticks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let t = ticks.clone();
        let ticker = tokio::spawn(async move {
            loop {
                t.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        });
        let hashes: Vec<_> = (0..8)
            .map(|i| tokio::spawn(async move { hash_password(&format!("password {i}")).await }))
            .collect();
        for h in hashes {
            assert!(h.await.unwrap().is_ok());
        }
        ticker.abort();
        assert!(
            ticks.load(std::sync::atomic::Ordering::Relaxed) >= 8,
            "the async thread was blocked while hashing"
        );
    }

    /// At most one Argon2 computation per core runs at a time.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn at_most_one_hash_per_core() {
        let most =
            sozialatlas_test_support::most_at_once(4 * concurrent_hashes() + 2, |job| async {
                off_thread(job).await.unwrap();
            })
            .await;
        assert!((1..=concurrent_hashes()).contains(&most), "{most} at once");
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new_password("short", "").is_err());
        assert!(check_new_password(&"x".repeat(300), "").is_err());
        assert!(check_new_password("a@example.org", "A@example.org").is_err());
        assert!(check_new_password("lang genug 1", "a@example.org").is_ok());
    }
}
