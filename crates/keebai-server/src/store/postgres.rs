//! PostgreSQL engine (arrives with issue 4).

/// Connects to PostgreSQL and applies pending migrations.
pub async fn open(_url: &str) -> anyhow::Result<super::DynStore> {
    anyhow::bail!("PostgreSQL storage is not available in this build yet; use sqlite://PATH")
}
