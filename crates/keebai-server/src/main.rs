//! The `keebai-server` command: see `keebai-server --help`.

fn main() -> std::process::ExitCode {
    keebai_server::cli::main()
}
