//! Throwaway PostgreSQL databases for tests (the `testing` feature): one per test run, so runs
//! never see each other's rows and leave nothing behind.

use tokio_postgres::NoTls;

use super::describe;

/// A throwaway database for one test run: created on the server named by an administrative
/// URL (a role allowed to `CREATE DATABASE`), dropped by [`ScratchDatabase::drop_database`].
///
/// Tests use it so runs never see each other's rows and leave nothing behind; the server's
/// integration tests can use it the same way to run against PostgreSQL.
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates `keebai_test_<uuid>` next to the database of `admin_url`.
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("keebai_test_{}", uuid::Uuid::now_v7().simple());
        let url = with_database(admin_url, &name);
        let admin = admin_client(admin_url).await?;
        // The name is generated here from hex digits, so formatting it into DDL is safe.
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|e| anyhow::anyhow!("CREATE DATABASE {name}: {}", describe(&e)))?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// The URL of the scratch database (same server and credentials as the admin URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database, closing any connection still open to it (PostgreSQL 13+).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        let admin = admin_client(&self.admin_url).await?;
        admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .map_err(|e| anyhow::anyhow!("DROP DATABASE {}: {}", self.name, describe(&e)))?;
        Ok(())
    }
}

async fn admin_client(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| anyhow::anyhow!("connecting to PostgreSQL: {}", describe(&e)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "admin connection ended");
        }
    });
    Ok(client)
}

/// `postgres://u:p@h:5432/old?x=y` with the database replaced by `db`. Percent-encoded
/// userinfo is kept as it is; a URL without a path gets one.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    // The authority ends at the first '/' after the userinfo (whose password may contain '/').
    let host_start = rest.rfind('@').map_or(0, |i| i + 1);
    let authority_end = rest[host_start..]
        .find('/')
        .map_or(rest.len(), |i| host_start + i);
    let mut out = format!("{scheme}://{}/{db}", &rest[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "x"),
            "postgres://postgres@127.0.0.1:55432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p/w@h/db?sslmode=disable", "x"),
            "postgresql://u:p/w@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }
}
