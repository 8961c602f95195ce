//! `headlamp.toml` through the real binary: the precedence of flags, env and file
//! (`headlamp config show`), and `headlamp config check` on broken files.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `headlamp` with only the given environment, so that a `HEADLAMP_*` variable of the
/// machine running the tests cannot change the outcome.
fn headlamp(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_headlamp"));
    command.env_clear().args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("headlamp runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "headlamp failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn flags_win_over_env_which_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "headlamp.toml",
        "listen = \"127.0.0.1:5000\"\n[auth]\nmode = \"token\"\n[plugins]\nmemory_mib = 3\ndeadline_ms = 40\n",
    );
    // The file alone: its values replace the defaults.
    let shown = stdout(&headlamp(&["--config", &file, "config", "show"], &[]));
    assert!(shown.contains("listen = \"127.0.0.1:5000\""), "{shown}");
    assert!(shown.contains("mode = \"token\""), "{shown}");
    assert!(shown.contains("memory_mib = 3\n"), "{shown}");
    assert!(shown.contains("deadline_ms = 40\n"), "{shown}");

    // The file named by HEADLAMP_CONFIG, and an env variable over one of its keys.
    let shown = stdout(&headlamp(
        &["config", "show"],
        &[
            ("HEADLAMP_CONFIG", &file),
            ("HEADLAMP_PLUGIN_MEMORY_MIB", "7"),
        ],
    ));
    assert!(shown.contains("memory_mib = 7\n"), "{shown}");
    assert!(shown.contains("deadline_ms = 40\n"), "{shown}");

    // A flag over both.
    let shown = stdout(&headlamp(
        &[
            "--plugin-memory-mib",
            "9",
            "--listen",
            "127.0.0.1:6000",
            "config",
            "show",
        ],
        &[
            ("HEADLAMP_CONFIG", &file),
            ("HEADLAMP_PLUGIN_MEMORY_MIB", "7"),
        ],
    ));
    assert!(shown.contains("memory_mib = 9\n"), "{shown}");
    assert!(shown.contains("listen = \"127.0.0.1:6000\""), "{shown}");
    assert!(shown.contains("deadline_ms = 40\n"), "{shown}");

    // Without any file, the defaults.
    let shown = stdout(&headlamp(&["config", "show"], &[]));
    assert!(shown.contains("listen = \"127.0.0.1:4466\""), "{shown}");
    assert!(shown.contains("memory_mib = 64\n"), "{shown}");
}

#[test]
fn secrets_are_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "headlamp.toml",
        "[auth]\ncsrf_secret = \"hunter2\"\n",
    );
    let shown = stdout(&headlamp(&["--config", &file, "config", "show"], &[]));
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("csrf_secret = \"<set>\""), "{shown}");
}

#[test]
fn config_check_explains_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "unknown-key.toml",
            "demo = true\n\n[plugins]\nmemory = 3\n",
            &[
                "unknown-key.toml:4:1:",
                "unknown field `memory`",
                "memory_mib",
            ],
        ),
        (
            "wrong-type.toml",
            "[plugins]\ndeadline_ms = \"fast\"\n",
            &["wrong-type.toml:2:15:", "invalid type: string \"fast\""],
        ),
        (
            "bad-address.toml",
            "# the address to listen on\nlisten = \"localhost\"\n",
            &["bad-address.toml:2:", "socket address"],
        ),
        (
            "bad-mode.toml",
            "[auth]\nmode = \"oidc\"\n",
            &["bad-mode.toml:2:", "local", "token"],
        ),
        (
            "half-oidc.toml",
            "[oidc]\nissuer = \"https://id.example.com\"\n",
            &["half-oidc.toml:", "client_id", "redirect_url"],
        ),
        (
            "not-toml.toml",
            "listen = \n",
            &["not-toml.toml:1:", "1 | listen ="],
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, text);
        let output = headlamp(&["config", "check", &path], &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name} passed the check");
        for needle in *expected {
            assert!(
                stderr.contains(needle),
                "{name}: {needle:?} not in {stderr}"
            );
        }
    }
    let missing = dir.path().join("absent.toml");
    let output = headlamp(&["config", "check", missing.to_str().unwrap()], &[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the config file"));

    let good = write(
        dir.path(),
        "good.toml",
        "listen = \"0.0.0.0:4466\"\n[auth]\nmode = \"token\"\n",
    );
    let output = headlamp(&["config", "check", &good], &[]);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn a_broken_config_stops_the_kernel_before_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "headlamp.toml", "[plugins]\nmemory = 3\n");
    // `config show` needs the merged config, so a broken file fails it like it fails a start.
    let output = headlamp(&["--config", &file, "config", "show"], &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("headlamp.toml:2:1"), "{stderr}");
}
