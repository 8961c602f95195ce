//! The Dioxus shell for headlamp-rs (web and desktop); it arrives with the UI issue.
