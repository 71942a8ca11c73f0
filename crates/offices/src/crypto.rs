//! Encryption at rest of identifying details: XChaCha20-Poly1305 (RustCrypto's
//! `chacha20poly1305`), a random 192-bit nonce per write, the case id as associated data (a
//! ciphertext moved to another case does not open). The key comes from the environment
//! (`SOZIALATLAS_OFFICE_KEY`) or a file, never from the store; the store keeps only a key id
//! (a hash prefix), so that a wrong key is reported as such instead of producing garbage.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroize;

/// The environment variable holding the key (64 hexadecimal characters).
pub const KEY_ENV: &str = "SOZIALATLAS_OFFICE_KEY";

/// The scheme name stored with each encrypted row.
pub const SCHEME: &str = "xchacha20poly1305";

/// A problem with the office key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The key text is malformed.
    #[error(
        "{source_name}: expected a 256-bit key as 64 hexadecimal characters (make one with `sozialatlas offices keygen`), found {found}"
    )]
    Malformed {
        /// Where the key came from.
        source_name: String,
        /// A description of what was found (never the key).
        found: String,
    },
    /// The key file cannot be read.
    #[error("{path}: cannot read the office key file: {err}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        err: String,
    },
    /// Encrypted details exist but no key is configured.
    #[error(
        "the identifying details of case {case} are encrypted (key {key_id}), but no office key is configured: set {KEY_ENV} or pass --office-key-file"
    )]
    Missing {
        /// The case.
        case: String,
        /// The key id the row was written with.
        key_id: String,
    },
    /// The configured key is not the one the details were encrypted with.
    #[error(
        "the identifying details of case {case} were encrypted with key {stored}, but the configured office key is {configured}: configure the key they were written with"
    )]
    Mismatch {
        /// The case.
        case: String,
        /// Key id stored with the row.
        stored: String,
        /// Key id of the configured key.
        configured: String,
    },
    /// Decryption failed although the key id matches: the row was altered.
    #[error(
        "the identifying details of case {case} fail authentication (altered or damaged in the store); nothing is shown"
    )]
    Tampered {
        /// The case.
        case: String,
    },
}

impl KeyError {
    /// The message in German (for the pages).
    pub fn de(&self) -> String {
        match self {
            KeyError::Malformed { source_name, found } => format!(
                "{source_name}: erwartet wird ein 256-Bit-Schlüssel aus 64 Hexadezimalzeichen, gefunden: {found}"
            ),
            KeyError::File { path, err } => {
                format!("{path}: die Schlüsseldatei ist nicht lesbar: {err}")
            }
            KeyError::Missing { case, key_id } => format!(
                "Die Personendaten von Fall {case} sind verschlüsselt (Schlüssel {key_id}), aber es ist kein Schlüssel eingerichtet ({KEY_ENV} oder --office-key-file)."
            ),
            KeyError::Mismatch {
                case,
                stored,
                configured,
            } => format!(
                "Die Personendaten von Fall {case} wurden mit Schlüssel {stored} verschlüsselt, eingerichtet ist Schlüssel {configured}. Bitte den Schlüssel einrichten, mit dem sie geschrieben wurden."
            ),
            KeyError::Tampered { case } => format!(
                "Die Personendaten von Fall {case} bestehen die Echtheitsprüfung nicht (im Speicher verändert oder beschädigt); sie werden nicht angezeigt."
            ),
        }
    }
}

/// The 256-bit key that encrypts identifying details.
pub struct OfficeKey {
    bytes: [u8; 32],
    id: String,
}

impl Drop for OfficeKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl std::fmt::Debug for OfficeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OfficeKey({})", self.id)
    }
}

impl OfficeKey {
    /// Parses 64 hexadecimal characters (surrounding whitespace is ignored).
    pub fn parse(text: &str, source_name: &str) -> Result<OfficeKey, KeyError> {
        let t = text.trim();
        let malformed = |found: String| KeyError::Malformed {
            source_name: source_name.to_string(),
            found,
        };
        if t.len() != 64 {
            return Err(malformed(format!("{} characters", t.chars().count())));
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(t, &mut bytes)
            .map_err(|_| malformed("characters other than 0-9 and a-f".into()))?;
        Ok(OfficeKey::from_bytes(bytes))
    }

    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> OfficeKey {
        let mut h = Sha256::new();
        h.update(b"sozialatlas office key id\0");
        h.update(bytes);
        let id = hex::encode(&h.finalize()[..6]);
        OfficeKey { bytes, id }
    }

    /// A fresh random key.
    pub fn generate() -> Result<OfficeKey, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(OfficeKey::from_bytes(bytes))
    }

    /// The key as 64 hexadecimal characters (for `keygen` only).
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// The key id stored with encrypted rows (a hash prefix; reveals nothing about the key).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key from a file, else from `SOZIALATLAS_OFFICE_KEY`, else none.
    pub fn from_env_or_file(file: Option<&Path>) -> Result<Option<OfficeKey>, KeyError> {
        if let Some(p) = file {
            let text = std::fs::read_to_string(p).map_err(|e| KeyError::File {
                path: p.display().to_string(),
                err: e.to_string(),
            })?;
            return OfficeKey::parse(&text, &p.display().to_string()).map(Some);
        }
        match std::env::var(KEY_ENV) {
            Ok(v) if !v.trim().is_empty() => OfficeKey::parse(&v, KEY_ENV).map(Some),
            _ => Ok(None),
        }
    }

    /// Encrypts `plain` for `case`: (nonce, ciphertext), both hexadecimal.
    pub fn seal(&self, case: &str, plain: &[u8]) -> (String, String) {
        let cipher = XChaCha20Poly1305::new((&self.bytes).into());
        let mut nonce = [0u8; 24];
        // The OS random source failing is not recoverable; a zero nonce must never be used.
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let ct = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: case.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption of a short message cannot fail");
        (hex::encode(nonce), hex::encode(ct))
    }

    /// Decrypts what [`OfficeKey::seal`] made for `case`.
    pub fn open(
        &self,
        case: &str,
        stored_key_id: &str,
        nonce: &str,
        ct: &str,
    ) -> Result<Vec<u8>, KeyError> {
        if stored_key_id != self.id {
            return Err(KeyError::Mismatch {
                case: case.into(),
                stored: stored_key_id.into(),
                configured: self.id.clone(),
            });
        }
        let tampered = || KeyError::Tampered { case: case.into() };
        let mut n = [0u8; 24];
        hex::decode_to_slice(nonce, &mut n).map_err(|_| tampered())?;
        let ct = hex::decode(ct).map_err(|_| tampered())?;
        XChaCha20Poly1305::new((&self.bytes).into())
            .decrypt(
                &XNonce::from(n),
                Payload {
                    msg: &ct,
                    aad: case.as_bytes(),
                },
            )
            .map_err(|_| tampered())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_errors() {
        let k = OfficeKey::parse(&"ab".repeat(32), "test").unwrap();
        let (n, c) = k.seal("A1B2-C3D4-E5F6", b"Erika Mustermann");
        assert!(!c.contains(&hex::encode("Erika")));
        assert_eq!(
            k.open("A1B2-C3D4-E5F6", k.id(), &n, &c).unwrap(),
            b"Erika Mustermann"
        );
        // Moved to another case: fails authentication.
        assert!(matches!(
            k.open("ZZZZ-C3D4-E5F6", k.id(), &n, &c),
            Err(KeyError::Tampered { .. })
        ));
        // Another key: reported as a mismatch, not garbage.
        let other = OfficeKey::parse(&"cd".repeat(32), "test").unwrap();
        assert!(matches!(
            other.open("A1B2-C3D4-E5F6", k.id(), &n, &c),
            Err(KeyError::Mismatch { .. })
        ));
        // Same id claimed, flipped byte: tampered.
        let mut bad = hex::decode(&c).unwrap();
        bad[0] ^= 1;
        assert!(matches!(
            k.open("A1B2-C3D4-E5F6", k.id(), &n, &hex::encode(bad)),
            Err(KeyError::Tampered { .. })
        ));
        // Two seals of the same text differ (random nonce).
        assert_ne!(k.seal("x", b"same").1, k.seal("x", b"same").1);
    }

    #[test]
    fn malformed_keys_are_named() {
        let e = OfficeKey::parse("abc", "SOZIALATLAS_OFFICE_KEY").unwrap_err();
        assert!(e.to_string().contains("64 hexadecimal"));
        assert!(e.to_string().contains("found 3 characters"));
        let e = OfficeKey::parse(&"zz".repeat(32), "key.txt").unwrap_err();
        assert!(e.to_string().starts_with("key.txt:"));
        assert!(!e.to_string().contains("zzzz"));
    }
}
