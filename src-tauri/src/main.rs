// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = keebai_keys::run() {
        eprintln!("Keebai Keys could not start: {e}");
        std::process::exit(1);
    }
}
