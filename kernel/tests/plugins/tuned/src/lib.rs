//! Test plugin with a settings form: a page `/tuned` (sidebar entry `tuned`) that shows the
//! current value of its `greeting` setting, so the kernel's tests can see a user's value reach
//! the plugin through the `setting` import.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::{Setting, SettingType, serde_json::json};

/// The page slot that renders the greeting.
pub const PAGE: &str = "tuned";

/// The settings form and the page that reads it.
fn registration() -> Registration {
    Registration::new()
        .sidebar(SidebarEntry::link("tuned", "Tuned", "/tuned"))
        .page_route("/tuned", "Tuned", PAGE)
        .setting(
            Setting::new("greeting", "Greeting", SettingType::Text, &json!("hello"))
                .description("Shown on the page"),
        )
        .setting(Setting::new(
            "repeat",
            "Repeat",
            SettingType::Number,
            &json!(1),
        ))
        .setting(Setting::new(
            "loud",
            "Loud",
            SettingType::Boolean,
            &json!(false),
        ))
        .setting(Setting::new(
            "tone",
            "Tone",
            SettingType::Choice(vec!["plain".into(), "fancy".into()]),
            &json!("plain"),
        ))
}

/// Renders `greeting` as the kernel hands it over.
pub struct Tuned;

impl Plugin for Tuned {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(registration())
    }

    fn render(&self, slot: &Slot, _ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::Page(id) if id == PAGE => {
                let greeting = host::setting_as::<String>("greeting")
                    .unwrap_or_else(|| "(no greeting)".into());
                Ok(View::stack().child(View::text(greeting)).build())
            }
            other => Err(format!(
                "this plugin renders only the page `{PAGE}`, not {other:?}"
            )),
        }
    }
}

headlamp_plugin_sdk::export_plugin!(Tuned);
