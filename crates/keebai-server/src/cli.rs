//! The command line: `init`, `serve`, `demo` and `backup` (in [`crate::backup`]).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use crate::config::{self, DbUrl};
use crate::connections::Limits;
use crate::domain::{Service, Settings};
use crate::http::client_ip::Cidr;
use crate::telemetry::{self, LogFormat};
use crate::{backup, demo, server, store};

#[derive(Debug, Parser)]
#[command(
    name = "keebai-server",
    version,
    about = "The Keebai backend's token service: tenants, users, roles, sign-in sessions and personal access tokens.",
    long_about = "The Keebai backend's token service.\n\n\
        Users sign in with a password (POST /v1/sessions) and mint personal access tokens\n\
        (kbai_pk_…) with explicit scopes, optional expiry and immediate revocation. Only SHA-256\n\
        hashes of tokens are stored. The HTTP contract is served as OpenAPI at /v1/openapi.json.\n\n\
        Quick start:\n  keebai-server demo                      # seeded demo tenant on 127.0.0.1:8080\n\n\
        For real:\n  KEEBAI_ADMIN_PASSWORD=… keebai-server init --tenant acme --admin-email you@acme.com\n  keebai-server serve\n\n\
        Logs go to stderr (RUST_LOG sets the level, default info); never a secret."
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        env = "KEEBAI_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the schema if needed and a tenant with one Admin user.
    ///
    /// The admin's password is $KEEBAI_ADMIN_PASSWORD when set; otherwise one is generated and
    /// printed once.
    Init {
        /// Database: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite file in the data directory]
        #[arg(long, env = "KEEBAI_DB", hide_env_values = true)]
        db: Option<DbUrl>,
        /// Tenant slug (lowercase letters, digits, dashes), e.g. acme.
        #[arg(long)]
        tenant: String,
        /// Display name of the tenant [default: the slug].
        #[arg(long)]
        tenant_name: Option<String>,
        /// E-mail of the tenant's first Admin user.
        #[arg(long)]
        admin_email: String,
    },
    /// Serve the HTTP API until SIGINT or SIGTERM.
    ///
    /// Prints `listening on http://IP:PORT` on stdout once bound (useful with port 0).
    Serve {
        /// Database: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite file in the data directory]
        #[arg(long, env = "KEEBAI_DB", hide_env_values = true)]
        db: Option<DbUrl>,
        /// Address to listen on.
        #[arg(long, env = "KEEBAI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// A load balancer or proxy (address or CIDR range) whose X-Forwarded-For / Forwarded
        /// headers name the client; repeat for several. From any other peer those headers are
        /// ignored, so audit events and last-used addresses cannot be spoofed.
        #[arg(
            long = "trusted-proxy",
            value_name = "CIDR",
            env = "KEEBAI_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<Cidr>,
        /// Most connections served at once; beyond it new clients wait until one closes.
        /// Idle connections, and clients that take over 10 s to send a request's head, are
        /// disconnected, so slow or stalled clients cannot hold slots for long.
        #[arg(long, env = "KEEBAI_MAX_CONNECTIONS", default_value_t = 512,
              value_parser = clap::value_parser!(u32).range(1..=100_000))]
        max_connections: u32,
    },
    /// Serve a seeded demo tenant `acme` (users, roles, tokens with usage history) and print
    /// how to sign in.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "KEEBAI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Database: only a new one that holds no tenant yet [default: a fresh SQLite file in
        /// a temporary folder of its own, removed on exit; a --db you give is kept]. KEEBAI_DB
        /// is deliberately not read: the demo seeds published passwords, which must never land
        /// in a real database.
        #[arg(long)]
        db: Option<DbUrl>,
    },
    /// Copy the SQLite database to a new file while the server keeps serving (VACUUM INTO):
    /// a consistent snapshot that `serve --db sqlite://FILE` opens as it is.
    Backup(backup::BackupArgs),
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    forbid_core_dumps();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Backup(args) => backup::run(args),
        Command::Init {
            db,
            tenant,
            tenant_name,
            admin_email,
        } => {
            let db = db.unwrap_or_else(config::default_db);
            let store = store::open(&db).await?;
            let svc = Service::new(store, Settings::default());
            let (password, generated) = match std::env::var("KEEBAI_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (generate_password()?, true),
            };
            let name = tenant_name.unwrap_or_else(|| tenant.clone());
            let created = svc
                .create_tenant(&tenant, &name, &admin_email, password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created tenant {} in {db}", created.tenant.slug);
            println!("admin: {}", created.admin.email);
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(())
        }
        Command::Serve {
            db,
            listen,
            trusted_proxies,
            max_connections,
        } => {
            let db = db.unwrap_or_else(config::default_db);
            let store = store::open(&db).await?;
            tracing::info!(db = %db, "database ready");
            if !trusted_proxies.is_empty() {
                tracing::info!(proxies = ?trusted_proxies, "forwarding headers trusted from these peers only");
            }
            let limits = Limits {
                max_connections: max_connections as usize,
                ..Limits::default()
            };
            serve_on(store, listen, trusted_proxies, limits).await
        }
        Command::Demo { listen, db } => {
            // Only the folder made here is ever removed: a `--db` the user named is theirs,
            // wherever it lies (even a `demo.db` directly in /tmp).
            let mut _throwaway = None;
            let db = match db {
                Some(db) => db,
                None => {
                    let dir = tempdir()?;
                    let url = DbUrl::Sqlite(dir.join("demo.db"));
                    _throwaway = Some(Throwaway(dir));
                    url
                }
            };
            let store = store::open(&db).await?;
            if store.has_tenants().await? {
                anyhow::bail!(
                    "{db} already holds tenants; the demo seeds accounts with published passwords, \
                     so it only runs on a new, empty database (omit --db for a throwaway one)"
                );
            }
            let svc = Service::new(store.clone(), Settings::default());
            demo::seed(&svc).await?;
            drop(svc);
            println!("Keebai demo tenant `{}` in {db}", demo::TENANT);
            println!("Sign in with Tenant `{}` and one of:", demo::TENANT);
            for a in &demo::ACCOUNTS {
                println!("  {:<18} {:<22} {}", a.email, a.password, a.what);
            }
            serve_on(store, listen, Vec::new(), Limits::default()).await
        }
    }
}

/// New secrets (a minted token, a session token) pass through this process's memory for a
/// moment; a core dump would write them to disk. Setting the core size limit to zero (soft
/// and hard) rules that out for the process's lifetime.
fn forbid_core_dumps() {
    #[cfg(unix)]
    if let Err(e) = rlimit::setrlimit(rlimit::Resource::CORE, 0, 0) {
        tracing::warn!(error = %e, "could not disable core dumps");
    }
}

async fn serve_on(
    store: store::DynStore,
    listen: SocketAddr,
    trusted_proxies: Vec<Cidr>,
    limits: Limits,
) -> anyhow::Result<()> {
    // Before the address is printed: whoever reads it may signal us at once.
    let shutdown = server::shutdown_signal();
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, engine = store.engine(), "serving");
    server::serve(
        store,
        listener,
        Settings::default(),
        trusted_proxies,
        limits,
        shutdown,
    )
    .await
}

/// 24 characters from the OS CSPRNG, without look-alike characters.
fn generate_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("OS random source: {e}"))?;
    // 256 % 55 bias is under 0.4 bits over the whole password; acceptable for a one-time
    // bootstrap secret the admin is told to change.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// The demo's own throwaway folder, removed when the demo ends, however it ends (a refusal,
/// an error, or a shutdown signal).
struct Throwaway(std::path::PathBuf);

impl Drop for Throwaway {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("keebai-demo-{}", crate::domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
