//! Registry credentials the way `docker login` left them: `auths` entries of Docker's config
//! file, or a credential helper (`credHelpers` for one registry, `credsStore` for all), run as
//! `docker-credential-NAME get` with the registry on stdin, as Docker itself does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use serde_json::Value;

/// Credentials for `registry` (`host[:port]`) from Docker's config file at `path` (default:
/// `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`); `None` when it has none.
pub fn credentials(registry: &str, path: Option<&Path>) -> Option<(String, String)> {
    // Found on PATH, as Docker finds them.
    credentials_with(registry, path, |helper| {
        PathBuf::from(format!("docker-credential-{helper}"))
    })
}

fn credentials_with(
    registry: &str,
    path: Option<&Path>,
    helper_program: impl Fn(&str) -> PathBuf,
) -> Option<(String, String)> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("DOCKER_CONFIG") {
            Some(dir) => PathBuf::from(dir).join("config.json"),
            None => PathBuf::from(std::env::var_os("HOME")?).join(".docker/config.json"),
        },
    };
    let config: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let helper = config["credHelpers"]
        .as_object()
        .and_then(|helpers| find_registry(helpers, registry))
        .or_else(|| config.get("credsStore"))
        .and_then(Value::as_str);
    if let Some(helper) = helper
        && let Some(found) = from_helper(&helper_program(helper), registry)
    {
        return Some(found);
    }
    let entry = find_registry(config["auths"].as_object()?, registry)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(entry["auth"].as_str()?)
        .ok()?;
    String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))
}

/// The entry whose key names `registry` (keys may be URLs; Docker Hub has two names).
fn find_registry<'a>(
    entries: &'a serde_json::Map<String, Value>,
    registry: &str,
) -> Option<&'a Value> {
    entries.iter().find_map(|(key, value)| {
        let host = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()?;
        let same = host == registry || (registry == "docker.io" && host == "index.docker.io");
        same.then_some(value)
    })
}

/// Asks `docker-credential-HELPER get`; `None` if it is missing or knows nothing of `registry`.
fn from_helper(program: &Path, registry: &str) -> Option<(String, String)> {
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(registry.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    let answer: Value = serde_json::from_slice(&output.stdout).ok()?;
    Some((
        answer["Username"].as_str()?.to_string(),
        answer["Secret"].as_str()?.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auths_entry_gives_the_user_and_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
        std::fs::write(
            &path,
            format!(r#"{{"auths":{{"https://registry.example:5000":{{"auth":"{auth}"}}}}}}"#),
        )
        .unwrap();
        assert_eq!(
            credentials("registry.example:5000", Some(&path)),
            Some(("alice".into(), "s3cret".into()))
        );
        assert_eq!(credentials("other.example", Some(&path)), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_credential_helper_is_asked_for_its_registry() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A helper that answers only for registry.example, as `docker-credential-*` do.
        let helper = dir.path().join("docker-credential-fake");
        std::fs::write(
            &helper,
            "#!/bin/sh\nread registry\n[ \"$registry\" = registry.example ] || exit 1\n\
             echo '{\"ServerURL\":\"registry.example\",\"Username\":\"bob\",\"Secret\":\"t0k\"}'\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"credHelpers": {"registry.example": "fake"}, "auths": {}}"#,
        )
        .unwrap();
        let program = |name: &str| dir.path().join(format!("docker-credential-{name}"));
        assert_eq!(
            credentials_with("registry.example", Some(&path), program),
            Some(("bob".into(), "t0k".into()))
        );
        assert_eq!(
            credentials_with("elsewhere.example", Some(&path), program),
            None
        );
    }
}
