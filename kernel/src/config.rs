//! `headlamp.toml`: the kernel's configuration file.
//!
//! Every command-line flag of `headlamp` has a key here (see `docs/config.md`). The file is the
//! lowest layer that an operator writes: flags win over `HEADLAMP_*` environment variables, which
//! win over the file, which wins over the built-in defaults. Every key is optional so that the
//! binary can tell "not in the file" from "set to the default" when it merges the layers.
//!
//! Errors carry the file, line and column of the offending key or value, because the file is
//! usually edited by hand (or rendered by Helm) far from where the kernel runs.

use std::net::SocketAddr;
use std::num::{NonZeroU64, NonZeroUsize};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::pinned::{OnError, PinError, PinnedPlugin, PinnedSet};

/// The whole `headlamp.toml`. Unknown keys are errors, so that a typo is not silently ignored.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `--listen`: the address to listen on.
    pub listen: Option<SocketAddr>,
    /// `--kubeconfig`: kubeconfig files, merged.
    pub kubeconfig: Option<Vec<PathBuf>>,
    /// `--config-dir`: where clusters added through the UI are kept.
    pub config_dir: Option<PathBuf>,
    /// `--cache-dir`: where compiled plugins are cached between starts.
    pub cache_dir: Option<PathBuf>,
    /// `--ui-dir`: the browser UI bundle.
    pub ui_dir: Option<PathBuf>,
    /// `--demo`: start the embedded demo cluster.
    pub demo: Option<bool>,
    /// `--dev-token`: turns on the plugin hot-reload endpoint.
    pub dev_token: Option<String>,
    /// `[auth]`: who is asking, and how requests are protected.
    #[serde(default, skip_serializing_if = "AuthSection::is_empty")]
    pub auth: AuthSection,
    /// `[oidc]`: the OpenID Connect login.
    #[serde(default, skip_serializing_if = "OidcSection::is_empty")]
    pub oidc: OidcSection,
    /// `[plugins]`: where plugins come from and what they may use.
    #[serde(default, skip_serializing_if = "PluginsSection::is_empty")]
    pub plugins: PluginsSection,
    /// `[[plugin]]`: the operator's plugin set (see [`crate::pinned`]). A separate array,
    /// since TOML cannot have both a `[plugins]` table and a `[[plugins]]` array.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plugin: Vec<PinnedPlugin>,
}

/// How the kernel reaches clusters on a viewer's behalf (`--auth`, `[auth] mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AuthModeKey {
    /// The kubeconfig's own credentials (desktop).
    Local,
    /// Every request carries the viewer's bearer token (web and in-cluster deployments).
    Token,
}

/// `[auth]`.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    /// `--auth`: `local` or `token`.
    pub mode: Option<AuthModeKey>,
    /// `--csrf-secret`: the secret CSRF tokens are signed with; shared by replicas.
    pub csrf_secret: Option<String>,
    /// `--allowed-origin`: extra origins whose pages may open the stream.
    pub allowed_origins: Option<Vec<String>>,
}

impl AuthSection {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `[oidc]`. Checked as a whole: an issuer without a client id or redirect URL cannot log
/// anyone in, and the error points at the `[oidc]` table.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, try_from = "RawOidc")]
pub struct OidcSection {
    /// `--oidc-issuer`.
    pub issuer: Option<String>,
    /// `--oidc-client-id`.
    pub client_id: Option<String>,
    /// `--oidc-client-secret`.
    pub client_secret: Option<String>,
    /// `--oidc-redirect-url`.
    pub redirect_url: Option<String>,
    /// `--oidc-scopes`: extra scopes besides `openid`.
    pub scopes: Option<Vec<String>>,
}

impl OidcSection {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `[oidc]` as written, before the cross-key check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOidc {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_url: Option<String>,
    scopes: Option<Vec<String>>,
}

impl TryFrom<RawOidc> for OidcSection {
    type Error = String;

    fn try_from(raw: RawOidc) -> Result<Self, String> {
        if raw.issuer.is_some() {
            let missing: Vec<&str> = [
                ("client_id", raw.client_id.is_none()),
                ("redirect_url", raw.redirect_url.is_none()),
            ]
            .into_iter()
            .filter_map(|(key, absent)| absent.then_some(key))
            .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "[oidc] sets `issuer` but not {}: add {} (the kernel's public URL followed by /auth/callback for redirect_url)",
                    missing.join(" and "),
                    missing
                        .iter()
                        .map(|k| format!("`{k} = \"...\"`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ));
            }
        }
        Ok(Self {
            issuer: raw.issuer,
            client_id: raw.client_id,
            client_secret: raw.client_secret,
            redirect_url: raw.redirect_url,
            scopes: raw.scopes,
        })
    }
}

/// `[plugins]`.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PluginsSection {
    /// `--plugins-dir`: extra directories of plugins.
    pub dirs: Option<Vec<PathBuf>>,
    /// `--plugin-memory-mib`: memory cap of each plugin instance (at least 1).
    pub memory_mib: Option<NonZeroUsize>,
    /// `--plugin-deadline-ms`: guest-time deadline of one plugin call (at least 1).
    pub deadline_ms: Option<NonZeroU64>,
    /// Load only the `[[plugin]]` entries, each verified by its digest (file only).
    pub pinned: Option<bool>,
    /// What a pinned kernel does with an entry it cannot load (file only).
    pub on_error: Option<OnError>,
    /// `--catalog-url`: the Artifact Hub the Plugins page's catalog searches and installs from.
    pub catalog_url: Option<String>,
}

impl PluginsSection {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("cannot read the config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a key or value is not what the kernel accepts.
    #[error("{}:{line}:{column}: {message}\n{excerpt}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending key or value (1 when the parser gave no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, and for unknown keys which keys exist.
        message: String,
        /// The offending line, numbered, with a caret under the column.
        excerpt: String,
    },
}

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks the text of a config file; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |span| span.start);
            let (line, column) = line_column(text, offset);
            let source_line = text.lines().nth(line - 1).unwrap_or("");
            let gutter = format!("{line} | ");
            let excerpt = format!(
                "{gutter}{source_line}\n{}^",
                " ".repeat(gutter.len() + column - 1)
            );
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
                excerpt,
            }
        })
    }

    /// The pinned plugin set when `[plugins] pinned = true`, checked (a digest on every
    /// non-built-in entry).
    pub fn pinned_set(&self) -> Result<Option<PinnedSet>, PinError> {
        if self.plugins.pinned != Some(true) {
            return Ok(None);
        }
        let set = PinnedSet {
            entries: self.plugin.clone(),
            on_error: self.plugins.on_error.unwrap_or_default(),
        };
        set.check()?;
        Ok(Some(set))
    }

    /// The file as TOML text (for `headlamp config show`).
    pub fn to_toml(&self) -> String {
        // Every field serialises (strings, numbers, paths that are UTF-8 on the platforms we
        // build for); a failure here is a bug, not a user error.
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot print the config: {e}\n"))
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("headlamp.toml"))
    }

    fn invalid(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Err(ConfigError::Invalid {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("expected an invalid config, got {other:?}"),
        }
    }

    #[test]
    fn every_section_parses() {
        let config = parse(
            r#"
listen = "0.0.0.0:4466"
kubeconfig = ["/etc/kube/a", "/etc/kube/b"]
demo = true
[auth]
mode = "token"
allowed_origins = ["https://headlamp.example.com"]
[oidc]
issuer = "https://id.example.com"
client_id = "headlamp"
redirect_url = "https://headlamp.example.com/auth/callback"
scopes = ["email", "groups"]
[plugins]
dirs = ["/plugins"]
memory_mib = 32
deadline_ms = 100
"#,
        )
        .unwrap();
        assert_eq!(config.listen, Some("0.0.0.0:4466".parse().unwrap()));
        assert_eq!(config.kubeconfig.as_ref().map(Vec::len), Some(2));
        assert_eq!(config.auth.mode, Some(AuthModeKey::Token));
        assert_eq!(config.oidc.client_id.as_deref(), Some("headlamp"));
        assert_eq!(config.plugins.memory_mib, NonZeroUsize::new(32));
        // What `config show` prints reads back to the same config.
        assert_eq!(parse(&config.to_toml()).unwrap(), config);
    }

    #[test]
    fn a_pinned_set_is_read_and_checked() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let config = parse(&format!(
            "[plugins]\npinned = true\non_error = \"skip\"\n\n[[plugin]]\nname = \"cluster\"\nsource = \"builtin\"\n\n[[plugin]]\nname = \"x\"\nsource = \"/p/x.wasm\"\ndigest = \"{digest}\"\n"
        ))
        .unwrap();
        let set = config.pinned_set().unwrap().unwrap();
        assert_eq!(set.entries.len(), 2);
        assert_eq!(set.on_error, OnError::Skip);
        assert_eq!(parse(&config.to_toml()).unwrap(), config);

        let (line, _, message) =
            invalid("[[plugin]]\nname = \"x\"\nsource = \"/x.wasm\"\ndigest = \"md5:00\"\n");
        assert_eq!(line, 4);
        assert!(message.contains("sha256:"), "{message}");

        let unpinned_digestless =
            parse("[plugins]\npinned = true\n[[plugin]]\nname = \"x\"\nsource = \"/x.wasm\"\n")
                .unwrap();
        let err = unpinned_digestless.pinned_set().unwrap_err().to_string();
        assert!(err.contains("\"x\"") && err.contains("digest"), "{err}");
    }

    #[test]
    fn an_empty_file_is_all_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn an_unknown_key_is_reported_with_its_line_and_the_known_keys() {
        let (line, column, message) =
            invalid("listen = \"127.0.0.1:1\"\n\n[plugins]\nmemory = 3\n");
        assert_eq!((line, column), (4, 1));
        assert!(message.contains("unknown field `memory`"), "{message}");
        assert!(message.contains("memory_mib"), "{message}");
    }

    #[test]
    fn a_wrong_type_is_reported_at_the_value() {
        let (line, column, message) = invalid("[plugins]\ndeadline_ms = \"fast\"\n");
        assert_eq!((line, column), (2, 15));
        assert!(message.contains("invalid type: string"), "{message}");
    }

    #[test]
    fn bad_values_are_reported() {
        let (line, _, message) = invalid("\nlisten = \"localhost\"\n");
        assert_eq!(line, 2);
        assert!(message.contains("socket address"), "{message}");
        let (line, _, message) = invalid("[plugins]\n\nmemory_mib = 0\n");
        assert_eq!(line, 3);
        assert!(message.contains("nonzero"), "{message}");
        let (line, _, message) = invalid("[auth]\nmode = \"oidc\"\n");
        assert_eq!(line, 2);
        assert!(
            message.contains("local") && message.contains("token"),
            "{message}"
        );
    }

    #[test]
    fn an_oidc_issuer_needs_a_client_and_a_redirect() {
        let (line, _, message) = invalid("demo = false\n[oidc]\nissuer = \"https://id\"\n");
        assert!(line >= 2, "{line}");
        assert!(message.contains("client_id"), "{message}");
        assert!(message.contains("redirect_url"), "{message}");
    }

    #[test]
    fn broken_toml_is_reported_with_an_excerpt() {
        let err = parse("demo = true\nlisten = \n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("headlamp.toml:2:"), "{text}");
        assert!(text.contains("2 | listen = "), "{text}");
    }
}
