//! Configuration values: database URLs, the PostgreSQL engine's settings from the
//! environment, and the default data location.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Where the data lives: `sqlite://PATH` or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for DbUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(path) = s.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(
                    "sqlite:// needs a file path, e.g. sqlite:///var/lib/keebai/keebai.db".into(),
                );
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(Self::Postgres(s.to_owned()))
        } else {
            Err("use sqlite://PATH or postgres://USER@HOST/DB".into())
        }
    }
}

impl fmt::Debug for DbUrl {
    /// Never prints a PostgreSQL password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            Self::Postgres(url) => write!(f, "{}", redact_password(url)),
        }
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Hides every password a PostgreSQL URL can carry: in the user info
/// (`postgres://user:secret@host/db` → `postgres://user:***@host/db`, the last `@` of the
/// authority ending it, since a password may itself hold `@`) and in the query
/// (`?password=secret` or `&password=…`, any case → `password=***`).
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{user}:***@{host}")
        }
        _ => authority.to_owned(),
    };
    let mut out = format!("{scheme}://{authority}{path}");
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// The OS data directory for the server (e.g. `~/.local/share/keebai-server` on Linux).
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("com", "Keebai", "keebai-server")
        .map(|d| d.data_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The default database: `keebai.db` in the data directory.
pub fn default_db() -> DbUrl {
    DbUrl::Sqlite(data_dir().join("keebai.db"))
}

/// The PostgreSQL engine's settings, read from the environment at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgSettings {
    /// Connections per replica (`KEEBAI_PG_POOL_SIZE`, default 16: three replicas use 48 of
    /// PostgreSQL's default 100).
    pub pool_size: usize,
    /// Whether credentials are cached, kept coherent across replicas
    /// (`KEEBAI_PG_AUTH_CACHE=on|off`, default on).
    pub auth_cache: bool,
}

impl Default for PgSettings {
    fn default() -> Self {
        Self {
            pool_size: 16,
            auth_cache: true,
        }
    }
}

impl PgSettings {
    /// Reads `KEEBAI_PG_POOL_SIZE` and `KEEBAI_PG_AUTH_CACHE`; a bad value is an error that
    /// names the variable.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::parse(
            std::env::var("KEEBAI_PG_POOL_SIZE").ok().as_deref(),
            std::env::var("KEEBAI_PG_AUTH_CACHE").ok().as_deref(),
        )
    }

    /// The settings from the variables' values (`None` when unset).
    pub fn parse(pool_size: Option<&str>, auth_cache: Option<&str>) -> anyhow::Result<Self> {
        let defaults = Self::default();
        let pool_size =
            match pool_size {
                Some(v) => v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    anyhow::anyhow!("KEEBAI_PG_POOL_SIZE must be a positive number")
                })?,
                None => defaults.pool_size,
            };
        let auth_cache = match auth_cache {
            Some("on" | "1" | "true" | "") | None => true,
            Some("off" | "0" | "false") => false,
            Some(_) => anyhow::bail!("KEEBAI_PG_AUTH_CACHE must be `on` or `off`"),
        };
        Ok(Self {
            pool_size,
            auth_cache,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_engines_and_refuses_others() {
        assert_eq!(
            "sqlite:///tmp/x.db".parse::<DbUrl>(),
            Ok(DbUrl::Sqlite("/tmp/x.db".into()))
        );
        assert!(matches!(
            "postgres://u@h/db".parse::<DbUrl>(),
            Ok(DbUrl::Postgres(_))
        ));
        assert!("mysql://x".parse::<DbUrl>().is_err());
        assert!("sqlite://".parse::<DbUrl>().is_err());
    }

    #[test]
    fn display_hides_the_postgres_password() {
        let u: DbUrl = "postgres://keebai:s3cret@db.internal:5432/keebai"
            .parse()
            .expect("url");
        assert_eq!(
            u.to_string(),
            "postgres://keebai:***@db.internal:5432/keebai"
        );
    }

    #[test]
    fn every_form_of_password_is_hidden() {
        for (url, want) in [
            (
                "postgres://keebai:p@ss:w@rd@db/keebai",
                "postgres://keebai:***@db/keebai",
            ),
            (
                "postgresql://db.internal/keebai?user=keebai&password=s3cret&sslmode=require",
                "postgresql://db.internal/keebai?user=keebai&password=***&sslmode=require",
            ),
            (
                "postgres://keebai@db/keebai?PASSWORD=s3cret",
                "postgres://keebai@db/keebai?PASSWORD=***",
            ),
            (
                "postgres://u:one@db/k?password=two",
                "postgres://u:***@db/k?password=***",
            ),
            ("postgres://keebai@db/keebai", "postgres://keebai@db/keebai"),
        ] {
            let u: DbUrl = url.parse().expect("url");
            let shown = u.to_string();
            assert_eq!(shown, want);
            for secret in ["s3cret", "p@ss", "w@rd", "one", "two"] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
    }

    #[test]
    fn postgres_settings_parse_and_name_the_bad_variable() {
        assert_eq!(
            PgSettings::parse(None, None).expect("defaults"),
            PgSettings::default()
        );
        let s = PgSettings::parse(Some("4"), Some("off")).expect("set");
        assert_eq!((s.pool_size, s.auth_cache), (4, false));
        for (pool, cache, names) in [
            (Some("0"), None, "KEEBAI_PG_POOL_SIZE"),
            (Some("many"), None, "KEEBAI_PG_POOL_SIZE"),
            (None, Some("maybe"), "KEEBAI_PG_AUTH_CACHE"),
        ] {
            let err = PgSettings::parse(pool, cache)
                .expect_err("refused")
                .to_string();
            assert!(err.contains(names), "{err}");
        }
    }
}
