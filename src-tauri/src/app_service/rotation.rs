//! Rotating a token: the **Rotate** dialog's four choices of when the old token stops, the
//! call, and the new secret handled exactly like a created one (held in `created` for **Copy
//! token** until the one-time view closes, then dropped and zeroized; never cached or logged).

use keebai_api::wire::{Retire, RotateTokenRequest, TokenRecord, TokenStatus};
use serde::Deserialize;

use super::{lock, AppService};
use crate::dto::{OneTimeSecret, RotatedTokenView};
use crate::error::{AppError, AppResult, ErrorCode};

/// When the old token stops working, as the dialog offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RetireChoice {
    /// Revoked at once (grace 0, `after_grace`).
    Now,
    /// One hour after the rotation.
    #[serde(rename = "after_1_hour")]
    After1Hour,
    /// 24 hours after the rotation.
    #[serde(rename = "after_24_hours")]
    After24Hours,
    /// When the new token is first used (and at the latest 7 days after the rotation).
    OnFirstUse,
}

impl RetireChoice {
    pub const ALL: [Self; 4] = [
        Self::Now,
        Self::After1Hour,
        Self::After24Hours,
        Self::OnFirstUse,
    ];

    /// The request body this choice sends.
    pub fn request(self) -> RotateTokenRequest {
        let (grace, retire) = match self {
            Self::Now => (0, Retire::AfterGrace),
            Self::After1Hour => (3_600, Retire::AfterGrace),
            Self::After24Hours => (86_400, Retire::AfterGrace),
            Self::OnFirstUse => (0, Retire::OnFirstUse),
        };
        RotateTokenRequest {
            grace_seconds: Some(grace),
            retire: Some(retire),
        }
    }

    /// Whether the old token keeps working for a while, so the rotation needs a free slot.
    pub fn keeps_old_working(self) -> bool {
        self != Self::Now
    }
}

impl AppService {
    /// Rotates `id` and returns the new secret for the one-time view. A 401 ends the session
    /// like every other call; a refusal gets words the dialog can show.
    pub async fn rotate_token(
        &self,
        id: &str,
        choice: RetireChoice,
    ) -> AppResult<RotatedTokenView> {
        let (client, secret, account) = self.current()?;
        let answer = match client.rotate_token(&secret, id, &choice.request()).await {
            // Two refusals share 409 — replaced already, or revoked or expired since the list
            // was read — and the dialog's advice differs: the token as it stands says which
            // (and the cached list learns it).
            Err(e) if e.code == ErrorCode::Conflict => {
                let now = client.token(&secret, id).await.ok();
                if let Some(record) = &now {
                    if let Err(e) = self.cache.update_record(&account.key(), record) {
                        tracing::warn!(error = %e, "cache not updated after a refused rotation");
                    }
                }
                Err(explain_conflict(e, now.as_ref()))
            }
            other => other.map_err(|e| explain(e, choice)),
        };
        let answer = self.checked(answer)?;
        let view = RotatedTokenView {
            token: OneTimeSecret::new(answer.token.0.expose()),
            record: answer.record.clone(),
            replaced: answer.replaced.clone(),
        };
        if let Err(e) = self.cache.update_record(&account.key(), &answer.replaced) {
            tracing::warn!(error = %e, "cache not updated after rotate");
        }
        tracing::info!(
            old = %answer.replaced.prefix,
            new = %answer.record.prefix,
            ?choice,
            "token rotated"
        );
        // As after creation: replacing an undiscarded secret drops (and zeroizes) it.
        *lock(&self.created)? = Some(answer.token.0.clone());
        Ok(view)
    }
}

/// The dialog's words for a 409, given the token as the server has it now (`None` if that
/// could not be read); the server's own sentence follows.
fn explain_conflict(e: AppError, now: Option<&TokenRecord>) -> AppError {
    let message =
        match now {
            Some(t) if t.replaced_by.is_some() => format!(
                "This token was already rotated, so nothing changed. Its replacement is in the \
             list; rotate that one instead. ({})",
                e.message
            ),
            Some(t) if t.status != TokenStatus::Active => format!(
            "This token is {} now, so there is nothing to rotate and nothing changed. Create a \
             new token instead. ({})",
            if t.status == TokenStatus::Revoked { "revoked" } else { "expired" },
            e.message
        ),
            _ => format!("Nothing changed: {}.", e.message),
        };
    AppError { message, ..e }
}

/// The dialog's words for the other refusals a rotation can meet; the server's own sentence
/// follows where it names something (the missing permission).
fn explain(e: AppError, choice: RetireChoice) -> AppError {
    let message = match e.code {
        ErrorCode::TokenLimitReached if choice.keeps_old_working() => {
            "While the old token keeps working both tokens count toward your limit of active \
             tokens, and there is no free slot. Choose \u{201c}Now\u{201d}, or revoke a token \
             you no longer use first."
                .to_owned()
        }
        ErrorCode::Forbidden => format!(
            "You no longer hold every permission this token has, so it can't be rotated. \
             Create a new token with the scopes you hold instead. ({})",
            e.message
        ),
        _ => return e,
    };
    AppError { message, ..e }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_choice_sends_its_grace_and_mode() {
        let sent: Vec<(Option<u32>, Option<Retire>)> = RetireChoice::ALL
            .iter()
            .map(|c| {
                let r = c.request();
                (r.grace_seconds, r.retire)
            })
            .collect();
        assert_eq!(
            sent,
            vec![
                (Some(0), Some(Retire::AfterGrace)),
                (Some(3_600), Some(Retire::AfterGrace)),
                (Some(86_400), Some(Retire::AfterGrace)),
                (Some(0), Some(Retire::OnFirstUse)),
            ]
        );
    }

    #[test]
    fn choices_are_read_from_the_dialog_words() {
        for (text, want) in [
            ("now", RetireChoice::Now),
            ("after_1_hour", RetireChoice::After1Hour),
            ("after_24_hours", RetireChoice::After24Hours),
            ("on_first_use", RetireChoice::OnFirstUse),
        ] {
            let got: RetireChoice =
                serde_json::from_value(serde_json::Value::String(text.into())).expect(text);
            assert_eq!(got, want);
        }
        assert!(serde_json::from_value::<RetireChoice>("later".into()).is_err());
    }

    #[test]
    fn refusals_get_dialog_words_and_keep_their_code() {
        let limit = explain(
            AppError::new(ErrorCode::TokenLimitReached, "limit"),
            RetireChoice::After1Hour,
        );
        assert_eq!(limit.code, ErrorCode::TokenLimitReached);
        assert!(limit.message.contains("Now"), "{}", limit.message);
        let forbidden = explain(
            AppError::new(ErrorCode::Forbidden, "contacts.write"),
            RetireChoice::Now,
        );
        assert!(forbidden.message.contains("contacts.write"));
        let other = AppError::new(ErrorCode::ServerUnreachable, "down");
        assert_eq!(explain(other.clone(), RetireChoice::Now), other);
    }

    fn record(status: TokenStatus, replaced_by: Option<&str>) -> TokenRecord {
        TokenRecord {
            id: "t1".into(),
            name: "ci".into(),
            prefix: "kbai_pk_0000".into(),
            scopes: vec!["messages.read".into()],
            created_at: chrono::Utc::now(),
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
            status,
            rotated_from: None,
            replaced_by: replaced_by.map(str::to_owned),
        }
    }

    #[test]
    fn a_conflict_is_explained_by_what_the_token_is_now() {
        let refusal = || AppError::new(ErrorCode::Conflict, "server words");
        let replaced = explain_conflict(refusal(), Some(&record(TokenStatus::Active, Some("t2"))));
        assert!(
            replaced.message.contains("already rotated"),
            "{}",
            replaced.message
        );
        let revoked = explain_conflict(refusal(), Some(&record(TokenStatus::Revoked, None)));
        assert!(
            revoked.message.contains("is revoked now"),
            "{}",
            revoked.message
        );
        assert!(!revoked.message.contains("already rotated"));
        let expired = explain_conflict(refusal(), Some(&record(TokenStatus::Expired, None)));
        assert!(
            expired.message.contains("is expired now"),
            "{}",
            expired.message
        );
        let unknown = explain_conflict(refusal(), None);
        assert_eq!(unknown.message, "Nothing changed: server words.");
        for e in [replaced, revoked, expired, unknown] {
            assert_eq!(e.code, ErrorCode::Conflict);
            assert!(e.message.contains("server words"));
        }
    }
}
