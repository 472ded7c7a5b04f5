//! The Activity screen: the audit trail — who created, rotated or revoked which token, signed
//! in or failed to, changed a role or a user — the caller's own, or the whole tenant's for
//! `developer.audit_tokens`. Cached like the token list, so it can be reviewed offline.
//!
//! A sync reads the newest [`KEEP`] events, [`PAGE`] at a time, and stores them only once every
//! page has arrived: a server that vanishes between pages leaves the previous copy whole (and
//! the answer is that copy, marked offline), never a mix of two syncs.

use chrono::Utc;
use keebai_api::wire::AuditEvent;

use super::{lock, AppService};
use crate::cache::{Cached, Kind};
use crate::dto::{ActivityView, AUDIT_TOKENS};
use crate::error::{AppError, AppResult, ErrorCode};

/// Events read per request (the server's maximum).
pub const PAGE: u32 = 500;
/// The newest events a sync keeps; older ones are left on the server.
pub const KEEP: usize = 2_000;

impl AppService {
    /// The newest events from the server, cached; the cached copy, marked offline, when the
    /// server can't be reached.
    pub async fn list_activity(&self) -> AppResult<ActivityView> {
        let (client, secret, account) = self.current()?;
        let whole_tenant = lock(&self.session)?
            .as_ref()
            .ok_or_else(AppError::not_signed_in)?
            .me
            .permissions
            .iter()
            .any(|p| p == AUDIT_TOKENS);
        let mut events: Vec<AuditEvent> = Vec::new();
        let mut cursor: Option<String> = None;
        let complete = loop {
            let page = client.audit_events(&secret, cursor.as_deref(), PAGE).await;
            match self.checked(page) {
                Ok(page) => {
                    events.extend(page.events);
                    match page.next_cursor {
                        None => break true,
                        Some(_) if events.len() >= KEEP => break false,
                        Some(next) => cursor = Some(next),
                    }
                }
                Err(e) if e.code == ErrorCode::ServerUnreachable => {
                    return match self.cache.get::<Vec<AuditEvent>>(
                        &account.key(),
                        Kind::Activity,
                        "",
                    )? {
                        Some(Cached { value, fetched_at }) => Ok(ActivityView {
                            events: value,
                            fetched_at,
                            offline: true,
                            complete: true,
                            whole_tenant,
                        }),
                        None => Err(e),
                    };
                }
                Err(e) => return Err(e),
            }
        };
        events.truncate(KEEP);
        let now = Utc::now();
        if let Err(e) = self
            .cache
            .put(&account.key(), Kind::Activity, "", &events, now)
        {
            tracing::warn!(error = %e, "activity not cached");
        }
        Ok(ActivityView {
            events,
            fetched_at: now,
            offline: false,
            complete,
            whole_tenant,
        })
    }
}
