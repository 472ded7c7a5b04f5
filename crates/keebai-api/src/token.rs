//! The Keebai credential format: generation, strict parsing, prefixes and hashes.
//!
//! A credential is a fixed prefix followed by exactly 64 lowercase hex characters that encode
//! 32 bytes from the OS CSPRNG:
//!
//! * personal access tokens: `kbai_pk_` + 64 hex,
//! * sign-in session tokens: `kbai_sess_` + 64 hex.
//!
//! Parsing is deliberately strict (no trimming, no case folding) so that one credential has
//! exactly one spelling and therefore exactly one hash.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Prefix of a personal access token.
pub const PAT_PREFIX: &str = "kbai_pk_";
/// Prefix of a sign-in session token.
pub const SESSION_PREFIX: &str = "kbai_sess_";
/// Number of random bytes behind every credential.
pub const SECRET_BYTES: usize = 32;
/// Number of characters of a PAT that may be shown after creation (`kbai_pk_a1b2`).
pub const DISPLAY_PREFIX_LEN: usize = 12;

/// Which kind of credential a secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// A personal access token (`kbai_pk_…`).
    PersonalAccessToken,
    /// A sign-in session token (`kbai_sess_…`).
    Session,
}

impl CredentialKind {
    /// The literal prefix of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::PersonalAccessToken => PAT_PREFIX,
            Self::Session => SESSION_PREFIX,
        }
    }
}

/// Why a presented string is not a credential. Callers answer every variant the same way
/// (401 with one body); the variants exist for tests and for the desktop app's form hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MalformedCredential {
    #[error("the credential does not start with a Keebai prefix")]
    UnknownPrefix,
    #[error("the credential has the wrong length")]
    WrongLength,
    #[error("the credential contains characters other than lowercase hex")]
    NotLowercaseHex,
}

/// A credential secret: the full token text.
///
/// `Debug` and `Display` are redacted, the text is zeroized on drop, and it is never
/// `Serialize`d except through [`crate::wire::CreatedSecret`], the one-time creation answer.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TokenSecret {
    #[zeroize(skip)]
    kind: CredentialKind,
    text: String,
}

impl Zeroize for CredentialKind {
    fn zeroize(&mut self) {}
}

impl TokenSecret {
    /// Mints a new personal access token from the OS CSPRNG.
    pub fn generate_pat() -> Result<Self, getrandom::Error> {
        Self::generate(CredentialKind::PersonalAccessToken)
    }

    /// Mints a new session token from the OS CSPRNG.
    pub fn generate_session() -> Result<Self, getrandom::Error> {
        Self::generate(CredentialKind::Session)
    }

    /// Mints a credential of `kind`.
    pub fn generate(kind: CredentialKind) -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        let prefix = kind.prefix();
        let mut text = String::with_capacity(prefix.len() + SECRET_BYTES * 2);
        text.push_str(prefix);
        // Encode by hand into the pre-sized buffer so no intermediate copy is left unzeroized.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for b in bytes {
            text.push(char::from(HEX[usize::from(b >> 4)]));
            text.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        bytes.zeroize();
        Ok(Self { kind, text })
    }

    /// Parses a presented credential of either kind, strictly.
    pub fn parse(presented: &str) -> Result<Self, MalformedCredential> {
        let kind = if presented.starts_with(PAT_PREFIX) {
            CredentialKind::PersonalAccessToken
        } else if presented.starts_with(SESSION_PREFIX) {
            CredentialKind::Session
        } else {
            return Err(MalformedCredential::UnknownPrefix);
        };
        let body = &presented.as_bytes()[kind.prefix().len()..];
        if body.len() != SECRET_BYTES * 2 {
            return Err(MalformedCredential::WrongLength);
        }
        if !body.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(MalformedCredential::NotLowercaseHex);
        }
        Ok(Self {
            kind,
            text: presented.to_owned(),
        })
    }

    /// Parses a personal access token only; a session token is refused as an unknown prefix.
    pub fn parse_pat(presented: &str) -> Result<Self, MalformedCredential> {
        let secret = Self::parse(presented)?;
        match secret.kind {
            CredentialKind::PersonalAccessToken => Ok(secret),
            CredentialKind::Session => Err(MalformedCredential::UnknownPrefix),
        }
    }

    /// Which kind of credential this is.
    pub fn kind(&self) -> CredentialKind {
        self.kind
    }

    /// The displayable prefix: the first 12 characters (`kbai_pk_a1b2`). Safe to log and store.
    pub fn prefix(&self) -> &str {
        &self.text[..DISPLAY_PREFIX_LEN]
    }

    /// The full secret text. Call sites are few and deliberate: the one-time creation answer,
    /// an `Authorization` header, the clipboard.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// SHA-256 of the full text: what the server stores and looks credentials up by. A hash of
    /// 256 bits of CSPRNG output needs no salt or stretching.
    pub fn sha256(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.text.as_bytes()).into())
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSecret({}…[redacted])", self.prefix())
    }
}

impl PartialEq for TokenSecret {
    /// Constant-time in the secret's content.
    fn eq(&self, other: &Self) -> bool {
        self.text.as_bytes().ct_eq(other.text.as_bytes()).into()
    }
}

impl Eq for TokenSecret {}

/// The stored form of a credential: SHA-256 of its full text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// Constant-time comparison, for any place a stored hash is checked against a computed one.
    pub fn ct_eq(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// Lowercase hex, as stored in databases. (Runs once per authenticated request, so it
    /// fills a fixed buffer instead of collecting characters one by one.)
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (i, b) in self.0.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(b >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(b & 0x0f)];
        }
        // Only ASCII digits were written.
        String::from_utf8(out.to_vec()).unwrap_or_default()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &hex::encode(&self.0[..4]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pat() -> TokenSecret {
        TokenSecret::generate_pat().expect("OS RNG")
    }

    #[test]
    fn generated_pat_has_the_documented_shape() {
        let t = pat();
        let s = t.expose();
        assert!(s.starts_with("kbai_pk_"));
        assert_eq!(s.len(), 8 + 64);
        assert!(s[8..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(t.prefix(), &s[..12]);
        assert_eq!(t.kind(), CredentialKind::PersonalAccessToken);
    }

    #[test]
    fn generated_session_has_the_documented_shape() {
        let t = TokenSecret::generate_session().expect("OS RNG");
        assert!(t.expose().starts_with("kbai_sess_"));
        assert_eq!(t.expose().len(), 10 + 64);
        assert_eq!(t.kind(), CredentialKind::Session);
    }

    #[test]
    fn two_generated_tokens_differ() {
        assert_ne!(pat().expose(), pat().expose());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let t = pat();
        let dbg = format!("{t:?}");
        assert!(!dbg.contains(&t.expose()[12..]), "{dbg}");
        assert!(dbg.contains(t.prefix()));
    }

    #[test]
    fn parse_pat_refuses_a_session_token() {
        let s = TokenSecret::generate_session().expect("OS RNG");
        assert_eq!(
            TokenSecret::parse_pat(s.expose()),
            Err(MalformedCredential::UnknownPrefix)
        );
    }

    #[test]
    fn hash_is_sha256_of_the_full_text() {
        let t = TokenSecret::parse(&format!("kbai_pk_{}", "0".repeat(64))).expect("valid");
        // sha256("kbai_pk_" + 64 zeros), computed independently with coreutils' sha256sum.
        assert_eq!(
            t.sha256().to_hex(),
            "d58ccd1e02181d05b9b2bcd37a9938d0ed1fe3f7f8b6121dd3c377e90a529756"
        );
    }

    #[test]
    fn malformed_examples_are_refused() {
        let hex64 = "a".repeat(64);
        let cases = [
            String::new(),
            "kbai_pk_".to_string(),
            format!("kbai_pk_{}", &hex64[..63]),
            format!("kbai_pk_{hex64}0"),
            format!("kbai_pk_{}", "A".repeat(64)),
            format!("kbai_pk_{}", "g".repeat(64)),
            format!(" kbai_pk_{hex64}"),
            format!("kbai_pk_{hex64} "),
            format!("KBAI_PK_{hex64}"),
            format!("kbai_pat_{hex64}"),
            format!("kbai_pk_{}é", &hex64[..62]),
            format!("kbai_sess_{}", &hex64[..10]),
        ];
        for c in cases {
            assert!(TokenSecret::parse(&c).is_err(), "accepted {c:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn every_generated_token_parses_and_round_trips(session in any::<bool>()) {
            let kind = if session { CredentialKind::Session } else { CredentialKind::PersonalAccessToken };
            let t = TokenSecret::generate(kind).expect("OS RNG");
            let parsed = TokenSecret::parse(t.expose()).expect("generated token parses");
            prop_assert_eq!(parsed.kind(), kind);
            prop_assert!(parsed == t);
            prop_assert_eq!(parsed.sha256(), t.sha256());
        }

        #[test]
        fn hash_hex_is_lowercase_hex_of_the_digest(body in "[0-9a-f]{64}") {
            let t = TokenSecret::parse(&format!("kbai_pk_{body}")).expect("valid");
            prop_assert_eq!(t.sha256().to_hex(), hex::encode(t.sha256().0));
        }

        #[test]
        fn prefix_is_the_first_twelve_chars_and_stable(body in "[0-9a-f]{64}") {
            let text = format!("kbai_pk_{body}");
            let a = TokenSecret::parse(&text).expect("valid");
            let b = TokenSecret::parse(&text).expect("valid");
            prop_assert_eq!(a.prefix(), &text[..12]);
            prop_assert_eq!(a.prefix(), b.prefix());
        }

        #[test]
        fn arbitrary_strings_parse_only_when_well_formed(s in "\\PC{0,90}") {
            let well_formed = (s.starts_with("kbai_pk_") && s.len() == 72 && s[8..].bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
                || (s.starts_with("kbai_sess_") && s.len() == 74 && s[10..].bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
            prop_assert_eq!(TokenSecret::parse(&s).is_ok(), well_formed);
        }

        #[test]
        fn a_mutated_token_does_not_parse(pos in 8usize..72, replacement in "[^0-9a-f]") {
            let t = pat();
            let mut text = t.expose().to_owned();
            text.replace_range(pos..pos + 1, &replacement);
            prop_assert!(TokenSecret::parse(&text).is_err());
        }

        #[test]
        fn near_miss_strings_never_parse(body in "[0-9a-fA-F]{0,70}", prefix in "(kbai_pk_|kbai_sess_|kbai_pk|kbai_)") {
            let s = format!("{prefix}{body}");
            let complete_prefix = prefix == "kbai_pk_" || prefix == "kbai_sess_";
            let expected_len = if complete_prefix { 64 } else { usize::MAX };
            let ok = body.len() == expected_len && !body.bytes().any(|b| b.is_ascii_uppercase());
            prop_assert_eq!(TokenSecret::parse(&s).is_ok(), ok);
        }
    }
}
