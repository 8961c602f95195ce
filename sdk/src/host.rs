//! Services of the kernel: logging, settings, notifications, navigation, the clock.

use serde::de::DeserializeOwned;

use crate::Tone;
use crate::backend;

pub use crate::wit::headlamp::plugin::host::LogLevel;

/// Writes to the kernel's log, tagged with the plugin's id.
pub fn log(level: LogLevel, message: &str) {
    backend::with(|b| b.log(level, message));
}

/// The setting `key` (the user's value, else the manifest's default), as JSON.
pub fn setting(key: &str) -> Option<serde_json::Value> {
    let raw = backend::with(|b| b.setting(key))?;
    serde_json::from_str(&raw).ok()
}

/// The setting `key` read into `T`; `None` when unset or of another type.
pub fn setting_as<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_value(setting(key)?).ok()
}

/// Shows a notification to the viewer.
pub fn notify(tone: Tone, message: &str) {
    backend::with(|b| b.notify(tone, message));
}

/// Asks the UI to go to `route`.
pub fn navigate(route: &str) {
    backend::with(|b| b.navigate(route));
}

/// Wall-clock time in milliseconds since the Unix epoch (WASI has no clock for plugins).
pub fn now_millis() -> u64 {
    backend::with(|b| b.now_millis())
}
