//! [`SecretClipboard`] over the Tauri clipboard plugin, whose `write_secret` adds the
//! clipboard-history exclusion hints of each OS (`x-kde-passwordManagerHint` on Linux).

use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::clipboard_guard::SecretClipboard;

pub struct PluginClipboard<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> PluginClipboard<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> SecretClipboard for PluginClipboard<R> {
    fn write_secret(&self, text: &str) -> Result<(), String> {
        self.app
            .clipboard()
            .write_secret(text)
            .map_err(|e| e.to_string())
    }

    fn read_text(&self) -> Result<String, String> {
        self.app.clipboard().read_text().map_err(|e| e.to_string())
    }

    fn clear(&self) -> Result<(), String> {
        self.app.clipboard().clear().map_err(|e| e.to_string())
    }
}
