//! The demo tenant `acme`: users with and without the token permission, and a dozen tokens
//! of varied age, scopes, expiry, status and last use, so the desktop app has something real
//! to show. The tokens' secrets are generated and thrown away: only their hashes exist.

use keebai_api::TokenSecret;

use crate::domain::permissions::{self, MANAGE_TOKENS};
use crate::domain::usage::{hour_of, RETENTION_HOURS};
use crate::domain::{new_id, now, passwords, Service};
use crate::store::{
    AddressUse, MessageRow, RoleId, RoleRow, TenantId, TokenRow, TokenUse, UserRow,
};

/// A demo account and its password, for printing.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub what: &'static str,
}

pub const TENANT: &str = "acme";

/// Demo-only passwords: the demo server listens on loopback and its data is throwaway.
pub const ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        email: "admin@acme.test",
        password: "admin-demo-password",
        what: "Admin: every permission",
    },
    DemoAccount {
        email: "dev@acme.test",
        password: "dev-demo-password",
        what: "Developer: Member + Manage API Tokens, a dozen tokens",
    },
    DemoAccount {
        email: "member@acme.test",
        password: "member-demo-password",
        what: "Member: no Manage API Tokens yet",
    },
];

const DAY: i64 = 86_400;

/// (name, scopes, created days ago, expires in days (None = never), last used days ago,
/// revoked days ago).
type DemoToken = (
    &'static str,
    &'static [&'static str],
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Seeds the demo tenant unless it already exists. Returns whether it seeded.
pub async fn seed(svc: &Service) -> anyhow::Result<bool> {
    if svc.store.tenant_by_slug(TENANT).await?.is_some() {
        return Ok(false);
    }
    let [admin, dev, member] = &ACCOUNTS;
    let t = svc
        .create_tenant(TENANT, "Acme Corp", admin.email, admin.password.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("creating the demo tenant: {e}"))?;
    let mut dev_perms = permissions::member_keys();
    dev_perms.push(MANAGE_TOKENS.into());
    let developer = RoleRow {
        id: new_id().into(),
        tenant_id: t.tenant.id.clone(),
        name: "Developer".into(),
        permissions: dev_perms,
        builtin: false,
    };
    svc.store.insert_role(&developer).await?;
    let dev_user = user(
        svc,
        &t.tenant.id,
        dev.email,
        "Dana Developer",
        dev.password,
        &developer.id,
    )
    .await?;
    user(
        svc,
        &t.tenant.id,
        member.email,
        "Milo Member",
        member.password,
        &t.member_role_id,
    )
    .await?;

    let now = now().timestamp();
    let dev_tokens: [DemoToken; 12] = [
        (
            "Zapier production",
            &["messages.read", "messages.write"],
            200,
            None,
            Some(0),
            None,
        ),
        (
            "n8n nightly sync",
            &["messages.read", "contacts.read"],
            85,
            Some(5),
            Some(1),
            None,
        ),
        ("Local dev", &["messages.read"], 3, Some(87), None, None),
        (
            "CRM import",
            &["contacts.read"],
            150,
            Some(30),
            Some(120),
            None,
        ),
        (
            "Support inbox bot",
            &["messages.read", "messages.write"],
            60,
            Some(30),
            Some(0),
            None,
        ),
        (
            "Analytics export",
            &["messages.read", "contacts.read"],
            40,
            Some(50),
            Some(33),
            None,
        ),
        (
            "Token admin script",
            &["developer.manage_tokens"],
            10,
            Some(80),
            Some(2),
            None,
        ),
        (
            "Old Zapier (rotated)",
            &["messages.read", "messages.write"],
            290,
            Some(-200),
            Some(201),
            Some(200),
        ),
        (
            "Leaked laptop key",
            &["messages.write"],
            45,
            Some(45),
            Some(20),
            Some(19),
        ),
        (
            "Hackathon demo",
            &["messages.read"],
            130,
            Some(-40),
            Some(45),
            None,
        ),
        (
            "Q3 migration",
            &["contacts.read"],
            120,
            Some(-30),
            None,
            None,
        ),
        (
            "Intern sandbox",
            &["messages.read"],
            95,
            None,
            None,
            Some(60),
        ),
    ];
    for (name, scopes, age, expires, used, revoked) in dev_tokens {
        let secret =
            TokenSecret::generate_pat().map_err(|e| anyhow::anyhow!("OS random source: {e}"))?;
        let row = TokenRow {
            id: new_id().into(),
            tenant_id: t.tenant.id.clone(),
            user_id: dev_user.id.clone(),
            name: name.into(),
            prefix: secret.prefix().to_owned(),
            hash: secret.sha256().to_hex(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            // Minutes of jitter so rows created "the same day" still sort stably.
            created_at: now - age * DAY - i64::from(name.len() as u8) * 60,
            expires_at: expires.map(|d| now + d * DAY),
            // Set with the usage history below, which also records the address.
            last_used_at: None,
            revoked_at: revoked.map(|d| now - d * DAY),
            last_used_ip: None,
            rotated_from: None,
            replaced_by: None,
            retire_grace: None,
        };
        svc.store
            .insert_token_within_limit(&row, now, u32::MAX)
            .await?;
        if let Some(days_ago) = used {
            let history = usage_history(&row, now - days_ago * DAY - 3600, now);
            svc.store.record_token_use(&[history]).await?;
        }
    }
    for (i, body) in [
        "Welcome to Keebai!",
        "Quarterly numbers are in.",
        "Who took the last coffee?",
    ]
    .iter()
    .enumerate()
    {
        svc.store
            .insert_message(&MessageRow {
                id: new_id(),
                tenant_id: t.tenant.id.clone(),
                author_id: t.admin.id.clone(),
                body: (*body).into(),
                created_at: now - (3 - i as i64) * DAY,
            })
            .await?;
    }
    Ok(true)
}

/// A plausible usage history for a demo token from its creation (or 90 days ago) to its last
/// use, deterministic so every demo looks the same: office hours on weekdays; a nightly sync
/// runs at 02:00–03:59 UTC every day, weekends included; the analytics export also runs on
/// weekend afternoons; and the support bot was used from a new address yesterday.
fn usage_history(token: &TokenRow, last_at: i64, now: i64) -> TokenUse {
    let start = hour_of(token.created_at.max(now - (RETENTION_HOURS - 1) * 3600));
    let seed = token
        .name
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let nightly = token.name.contains("nightly");
    let weekends = token.name.starts_with("Analytics");
    let mut hours = Vec::new();
    let mut hour = start;
    while hour <= hour_of(last_at) {
        let (day, hour_of_day) = (hour.div_euclid(DAY), hour.rem_euclid(DAY) / 3600);
        let weekday = (day + 3).rem_euclid(7) < 5; // 1970-01-01 was a Thursday
        let active = if nightly {
            (2..4).contains(&hour_of_day)
        } else {
            (weekday || weekends) && (8..18).contains(&hour_of_day)
        };
        if active {
            let mix = seed ^ (hour as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let count = (mix >> 33) % 40;
            if count > 0 {
                hours.push((hour, count));
            }
        }
        hour += 3600;
    }
    hours.push((hour_of(last_at), 1));
    let total: u64 = hours.iter().map(|(_, n)| n).sum();
    // Addresses from the documentation ranges (RFC 5737).
    let usual = format!("203.0.113.{}", 10 + seed % 200);
    let mut addresses = vec![AddressUse {
        ip: usual.clone(),
        first_seen: start,
        last_seen: last_at,
        count: total,
    }];
    let mut last_ip = usual;
    if token.name.starts_with("Support") && last_at > now - DAY {
        let new_ip = "198.51.100.23".to_owned();
        addresses[0].last_seen = last_at - DAY - 3 * 3600;
        addresses.push(AddressUse {
            ip: new_ip.clone(),
            first_seen: now - DAY,
            last_seen: last_at,
            count: 12,
        });
        last_ip = new_ip;
    }
    TokenUse {
        token_id: token.id.clone(),
        last_at,
        last_ip: Some(last_ip),
        hours,
        addresses,
    }
}

async fn user(
    svc: &Service,
    tenant_id: &TenantId,
    email: &str,
    name: &str,
    password: &str,
    role_id: &RoleId,
) -> anyhow::Result<UserRow> {
    let row = UserRow {
        id: new_id().into(),
        tenant_id: tenant_id.clone(),
        email: email.into(),
        name: name.into(),
        password_hash: passwords::hash(password.to_owned())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        role_ids: vec![role_id.clone()],
        disabled: false,
    };
    svc.store.insert_user(&row).await?;
    Ok(row)
}
