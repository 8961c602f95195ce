//! Test plugin for the UI's browser tests (`ui/tests/e2e_frame.rs`): a details view of
//! ConfigMaps at `/greetings/:namespace/:name` whose tree holds `action-button` nodes, and
//! two actions that answer with a view (shown by the UI in a dialog): `greet`, run on the
//! page's object, and `hello`, an app-bar action about no object.

use headlamp_plugin_sdk::prelude::*;

/// The details view.
pub const VIEW: &str = "greeter-greeting";
/// The action the view's button runs on the object.
pub const GREET: &str = "greet";
/// The app-bar action.
pub const HELLO: &str = "hello";

fn config_map() -> Gvk {
    Gvk::core("v1", "ConfigMap")
}

/// The plugin.
pub struct GreeterPlugin;

impl Plugin for GreeterPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(Registration::new()
            .details_route("/greetings/:namespace/:name", "Greeting", VIEW)
            .details_view(DetailsView::new(VIEW, config_map(), "Greeting"))
            .action(Action::new(
                GREET,
                "Greet",
                ActionPlacement::DetailsHeader(config_map()),
            ))
            .action(Action::new(HELLO, "Hello", ActionPlacement::AppBar)))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::DetailsView(id) if id == VIEW => {
                let object = ctx.require_object()?;
                let name = object.name().unwrap_or("?").to_string();
                Ok(View::section(format!("Greeting for {name}"))
                    .child(View::text("The buttons below run actions on this object."))
                    // A bare id: an action of this plugin.
                    .child(View::action_button("Greet", GREET))
                    // A generic action, offered only when the viewer's row allows it.
                    .child(View::action_button("Scale", "scale"))
                    .build())
            }
            other => Err(format!("the greeter renders only `{VIEW}`, not {other:?}")),
        }
    }

    fn invoke(&mut self, action: &str, ctx: &ActionContext) -> Result<ActionResult, String> {
        let text = match action {
            GREET => {
                let object = ctx
                    .object
                    .as_ref()
                    .ok_or_else(|| format!("`{GREET}` runs on an object; none was given"))?;
                format!(
                    "Hello, {}/{}!",
                    object.namespace().unwrap_or("-"),
                    object.name().unwrap_or("?")
                )
            }
            HELLO => format!("Hello from cluster {}", ctx.cluster),
            other => {
                return Err(format!(
                    "the greeter has no action `{other}`; it runs `{GREET}` and `{HELLO}`"
                ));
            }
        };
        Ok(ActionResult::Show(
            View::section("Greeter").child(View::text(text)).build(),
        ))
    }
}

headlamp_plugin_sdk::export_plugin!(GreeterPlugin);
