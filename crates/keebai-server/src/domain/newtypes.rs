//! Validated input types: once parsed, a value satisfies the contract's rules everywhere.

use chrono::{DateTime, TimeZone, Utc};

use super::error::{DomainError, DomainResult};
use super::permissions;

/// Maximum length of names, in characters, after trimming.
pub const MAX_NAME_CHARS: usize = 100;

/// A token or role name: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        parse_name(raw, "name").map(Self)
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

fn parse_name(raw: &str, field: &'static str) -> DomainResult<String> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if chars > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A role name; same rules as a token name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleName(String);

impl RoleName {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        parse_name(raw, "name").map(Self)
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A person's display name; same rules as a token name.
pub fn person_name(raw: &str) -> DomainResult<String> {
    parse_name(raw, "name")
}

/// A non-empty, duplicate-free list of catalog permission keys (order kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// `allow_empty` is for role permissions, which may be empty; token scopes may not.
    pub fn parse(raw: &[String], field: &'static str, allow_empty: bool) -> DomainResult<Self> {
        if raw.is_empty() && !allow_empty {
            return Err(DomainError::invalid(field, "choose at least one scope"));
        }
        let mut out: Vec<String> = Vec::with_capacity(raw.len());
        for key in raw {
            if !permissions::is_known(key) {
                return Err(DomainError::invalid(
                    field,
                    format!("unknown permission {:?}", truncate(key, 64)),
                ));
            }
            if !out.contains(key) {
                out.push(key.clone());
            }
        }
        Ok(Self(out))
    }
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
    pub fn into_inner(self) -> Vec<String> {
        self.0
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// An expiry time: in the future, at whole seconds, within the representable range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiresAt(DateTime<Utc>);

impl ExpiresAt {
    pub fn parse(raw: DateTime<Utc>, now: DateTime<Utc>) -> DomainResult<Self> {
        // Round up so a fractional expiry never ends earlier than asked.
        let secs = raw.timestamp() + i64::from(raw.timestamp_subsec_nanos() > 0);
        let latest = Utc
            .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .single()
            .map_or(i64::MAX, |d| d.timestamp());
        if raw <= now {
            return Err(DomainError::invalid("expires_at", "must be in the future"));
        }
        if secs > latest {
            return Err(DomainError::invalid(
                "expires_at",
                "must be no later than 9999-12-31; use null for a token that never expires",
            ));
        }
        Utc.timestamp_opt(secs, 0)
            .single()
            .map(Self)
            .ok_or_else(|| DomainError::invalid("expires_at", "is out of range"))
    }
    pub fn timestamp(self) -> i64 {
        self.0.timestamp()
    }
}

/// Why an administrator revoked a token: 1–500 characters after trimming, no control
/// characters (it is shown in audit trails, one line each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeReason(String);

impl RevokeReason {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        let max = keebai_api::wire::MAX_REASON_CHARS;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::invalid(
                "reason",
                "must not be empty: say why the token is revoked",
            ));
        }
        if trimmed.chars().count() > max {
            return Err(DomainError::invalid(
                "reason",
                format!("must be at most {max} characters"),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "reason",
                "must not contain control characters (one line)",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lowercased e-mail address with one `@` and no whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> DomainResult<Self> {
        let e = raw.trim().to_lowercase();
        let valid = e.len() <= 254
            && e.split('@').count() == 2
            && e.split('@').all(|p| !p.is_empty())
            && !e.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(e))
        } else {
            Err(DomainError::invalid("email", "must be an e-mail address"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Minimum length of a new user's password.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            TokenName::parse("  Zapier production ")
                .expect("ok")
                .into_inner(),
            "Zapier production"
        );
        assert!(TokenName::parse("   ").is_err());
        assert!(TokenName::parse(&"é".repeat(100)).is_ok());
        assert!(TokenName::parse(&"é".repeat(101)).is_err());
        assert!(TokenName::parse("tab\there").is_err());
        assert!(TokenName::parse("nul\0").is_err());
        assert!(TokenName::parse("'; DROP TABLE tokens; --").is_ok());
    }

    #[test]
    fn scopes_are_known_deduplicated_and_nonempty() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(Scopes::parse(&[], "scopes", false).is_err());
        assert!(Scopes::parse(&[], "permissions", true).is_ok());
        assert!(Scopes::parse(&s(&["messages.read", "nope"]), "scopes", false).is_err());
        let ok =
            Scopes::parse(&s(&["messages.read", "messages.read"]), "scopes", false).expect("ok");
        assert_eq!(ok.as_slice(), ["messages.read"]);
    }

    #[test]
    fn expiry_must_be_future_and_representable() {
        let now = Utc::now();
        assert!(ExpiresAt::parse(now - chrono::Duration::seconds(1), now).is_err());
        assert!(ExpiresAt::parse(now, now).is_err());
        let soon = ExpiresAt::parse(now + chrono::Duration::milliseconds(1500), now).expect("ok");
        assert!(soon.timestamp() > now.timestamp());
        let far = Utc
            .with_ymd_and_hms(12000, 1, 1, 0, 0, 0)
            .single()
            .expect("date");
        assert!(ExpiresAt::parse(far, now).is_err());
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse(" Dev@Acme.Test ").expect("ok").as_str(),
            "dev@acme.test"
        );
        for bad in ["", "no-at", "a@b@c", "@x", "x@", "a b@c"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_revoke_reason_is_one_trimmed_line_of_at_most_500_characters() {
        assert_eq!(
            RevokeReason::parse("  left the company ")
                .expect("ok")
                .as_str(),
            "left the company"
        );
        assert!(RevokeReason::parse("x".repeat(500).as_str()).is_ok());
        for bad in ["", "   ", "two\nlines", &"x".repeat(501)] {
            assert!(RevokeReason::parse(bad).is_err(), "{bad:?}");
        }
    }
}
