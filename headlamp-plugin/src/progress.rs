//! Progress on long steps: a spinner when stderr is a terminal and the output is for a person,
//! nothing otherwise (CI logs and `--json` consumers must not see control characters).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How a command talks while it works.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ui {
    /// Machine-readable output requested: no spinners, no chatter.
    pub json: bool,
}

impl Ui {
    /// Starts a spinner with `message`, or a silent handle when spinners are not wanted.
    pub fn spinner(&self, message: impl Into<String>) -> Spinner {
        let message = message.into();
        if self.json || !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner(Some(bar))
    }

    /// Whether child processes may write their own output to the terminal.
    pub fn passthrough(&self) -> bool {
        !self.json
    }
}

/// A running spinner; it clears itself when dropped.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    /// Changes the message.
    pub fn set(&self, message: impl Into<String>) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.into());
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
