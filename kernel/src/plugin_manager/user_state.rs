//! The desktop user's plugin choices, kept in one JSON file in the kernel's config dir
//! (`plugins.json`): which plugins are disabled, the values given to their settings, and
//! which plugins were installed from the catalog.
//!
//! Written atomically (a temporary file renamed over the old one), so a crash mid-write leaves
//! the previous choices. A file that cannot be read is an error naming it: the kernel never
//! starts over with empty choices and then overwrites what the user had.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file's name in the config dir.
pub const FILE_NAME: &str = "plugins.json";

/// A plugin installed from the catalog: where it came from, for updates and the Plugins page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installed {
    /// The Artifact Hub package, `REPO/NAME`.
    pub package: String,
    /// The version installed.
    pub version: String,
    /// `sha256:<hex>` of the archive it came in.
    pub digest: String,
}

/// Everything the file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPluginState {
    /// Plugins the user turned off, by id.
    #[serde(default)]
    pub disabled: BTreeSet<String>,
    /// Setting values by plugin id, then key (JSON values).
    #[serde(default)]
    pub settings: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Plugins installed from the catalog, by plugin id.
    #[serde(default)]
    pub installed: BTreeMap<String, Installed>,
}

/// Why the file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("{}: {error}; check the permissions of the kernel's config dir", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        error: std::io::Error,
    },
    /// The file is not what the kernel writes.
    #[error(
        "{} is not a valid plugin state file ({error}): fix it, or move it away to start with every plugin enabled and default settings",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        error: String,
    },
}

/// The state file at a known path.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// The file `plugins.json` in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE_NAME),
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file; a missing file is the empty state.
    pub fn load(&self) -> Result<UserPluginState, StateError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(UserPluginState::default());
            }
            Err(error) => {
                return Err(StateError::Io {
                    path: self.path.clone(),
                    error,
                });
            }
        };
        serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
            path: self.path.clone(),
            error: e.to_string(),
        })
    }

    /// Writes `state` atomically: a temporary file beside it, renamed over it.
    pub fn save(&self, state: &UserPluginState) -> Result<(), StateError> {
        let io = |error| StateError::Io {
            path: self.path.clone(),
            error,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(state).map_err(|e| StateError::Io {
            path: self.path.clone(),
            error: std::io::Error::other(e),
        })?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, text).map_err(io)?;
        std::fs::rename(&temporary, &self.path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_state_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::in_dir(dir.path());
        assert_eq!(file.load().unwrap(), UserPluginState::default());
        let mut state = UserPluginState::default();
        state.disabled.insert("map".into());
        state
            .settings
            .entry("tuned".into())
            .or_default()
            .insert("greeting".into(), serde_json::json!("hi"));
        file.save(&state).unwrap();
        assert_eq!(file.load().unwrap(), state);
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::in_dir(dir.path());
        std::fs::write(file.path(), "{ not json").unwrap();
        let error = file.load().unwrap_err().to_string();
        assert!(error.contains("plugins.json"), "{error}");
        assert!(error.contains("move it away"), "{error}");
    }
}
