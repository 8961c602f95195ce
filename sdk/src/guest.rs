//! The component's exports: one internal type implements the generated `Guest` traits and
//! forwards to the author's [`Plugin`], so plugin crates never see wit-bindgen.

use std::cell::RefCell;

use crate::plugin::describe_slot;
use crate::{
    ActionContext, ActionResult, Cell, InitContext, Object, Plugin, Registration, RenderContext,
    RowsContext, Slot, View, WatchEvent,
};

/// `init` through the same checks in a component and in [`crate::testing::Harness`].
pub(crate) fn init(plugin: &mut dyn Plugin, ctx: &InitContext) -> Result<Registration, String> {
    plugin.init(ctx)
}

/// `render`, refusing malformed trees here rather than in the kernel.
pub(crate) fn render(
    plugin: &dyn Plugin,
    slot: &Slot,
    ctx: &RenderContext,
) -> Result<View, String> {
    let view = plugin.render(slot, ctx)?;
    view.validate().map_err(|e| {
        format!(
            "the plugin built an invalid view for {}: {e}",
            describe_slot(slot)
        )
    })?;
    Ok(view)
}

/// `rows`, checking that the plugin answered one row per object and one cell per column.
pub(crate) fn rows(
    plugin: &dyn Plugin,
    ctx: &RowsContext,
    columns: &[String],
    objects: Vec<String>,
) -> Result<Vec<Vec<Cell>>, String> {
    let table = &ctx.table;
    let objects: Vec<Object> = objects.into_iter().map(Object::new).collect();
    let rows = plugin.rows(ctx, columns, &objects)?;
    if rows.len() != objects.len() {
        return Err(format!(
            "the plugin returned {} rows for {} objects of table `{table}`",
            rows.len(),
            objects.len()
        ));
    }
    if let Some(row) = rows.iter().find(|r| r.len() != columns.len()) {
        return Err(format!(
            "the plugin returned a row of {} cells for {} columns of table `{table}`",
            row.len(),
            columns.len()
        ));
    }
    Ok(rows)
}

thread_local! {
    /// The plugin instance; a component runs one call at a time on one thread.
    static PLUGIN: RefCell<Option<Box<dyn Plugin>>> = const { RefCell::new(None) };
}

fn with_plugin<R>(f: impl FnOnce(&mut dyn Plugin) -> Result<R, String>) -> Result<R, String> {
    PLUGIN.with(|cell| match cell.borrow_mut().as_mut() {
        Some(plugin) => f(plugin.as_mut()),
        None => Err("the plugin was called before `init`".to_owned()),
    })
}

#[cfg(target_arch = "wasm32")]
unsafe extern "Rust" {
    /// Defined by [`crate::export_plugin!`] in the plugin crate.
    safe fn __headlamp_plugin_create() -> Box<dyn Plugin>;
}

/// The type the generated bindings export.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Component;

#[cfg(target_arch = "wasm32")]
crate::wit::export!(Component with_types_in crate::wit);

mod exports {
    use super::*;
    use crate::wit::exports::headlamp::plugin::{actions, events, plugin, views};
    use crate::wit::headlamp::plugin::types;

    impl plugin::Guest for Component {
        fn init(context: plugin::InitContext) -> Result<plugin::Registration, String> {
            #[cfg(target_arch = "wasm32")]
            PLUGIN.with(|cell| {
                let mut slot = cell.borrow_mut();
                if slot.is_none() {
                    *slot = Some(__headlamp_plugin_create());
                }
            });
            with_plugin(|p| super::init(p, &context))
        }
    }

    impl views::Guest for Component {
        fn render(slot: views::Slot, context: views::RenderContext) -> Result<types::View, String> {
            with_plugin(|p| super::render(p, &slot, &context.into()))
        }

        fn rows(
            context: views::RowsContext,
            columns: Vec<String>,
            objects: Vec<String>,
        ) -> Result<Vec<Vec<types::Cell>>, String> {
            with_plugin(|p| super::rows(p, &context.into(), &columns, objects))
        }
    }

    impl actions::Guest for Component {
        fn invoke(
            action: String,
            context: actions::ActionContext,
        ) -> Result<actions::ActionResult, String> {
            let context = ActionContext::from(context);
            with_plugin(|p| super::invoke(p, &action, &context))
        }
    }

    impl events::Guest for Component {
        fn on_watch(subscription: u64, events: Vec<types::WatchEvent>) {
            let events: Vec<WatchEvent> = events.into_iter().map(WatchEvent::from).collect();
            // A watch batch has no error channel; before `init` there is nobody to tell.
            let _ = with_plugin(|p| {
                p.on_watch(subscription, events);
                Ok(())
            });
        }
    }
}

/// `invoke`, shared by the component and the harness.
pub(crate) fn invoke(
    plugin: &mut dyn Plugin,
    action: &str,
    ctx: &ActionContext,
) -> Result<ActionResult, String> {
    plugin.invoke(action, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::exports::headlamp::plugin::{plugin as wp, views as wv};

    /// Answers one cell per column: the object's name, or nothing for `short` tables.
    struct Names;

    impl Plugin for Names {
        fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
            Ok(Registration::new().table_route("/n", "N", "names"))
        }

        fn rows(
            &self,
            ctx: &RowsContext,
            columns: &[String],
            objects: &[Object],
        ) -> Result<Vec<Vec<Cell>>, String> {
            let cells = if ctx.table == "short" {
                0
            } else {
                columns.len()
            };
            Ok(objects
                .iter()
                .map(|o| vec![Cell::text(o.name().unwrap_or("?")); cells])
                .collect())
        }
    }

    fn install(plugin: Option<Box<dyn Plugin>>) {
        PLUGIN.with(|cell| *cell.borrow_mut() = plugin);
    }

    fn rows_ctx(table: &str) -> wv::RowsContext {
        wv::RowsContext {
            table: table.into(),
            cluster: "c".into(),
            namespace: None,
        }
    }

    fn render_ctx() -> wv::RenderContext {
        wv::RenderContext {
            cluster: "c".into(),
            object: None,
            namespace: None,
            params: Vec::new(),
        }
    }

    #[test]
    fn exports_before_init_say_so() {
        install(None);
        let err = <Component as wv::Guest>::rows(rows_ctx("t"), vec![], vec![]).unwrap_err();
        assert!(err.contains("before `init`"), "{err}");
    }

    #[test]
    fn exported_init_and_rows_forward_to_the_plugin() {
        install(Some(Box::new(Names)));
        let ctx = wp::InitContext {
            kernel_version: "k".into(),
            api_version: "0.1.0".into(),
        };
        let reg = <Component as wp::Guest>::init(ctx).unwrap();
        assert_eq!(reg.routes[0].path, "/n");
        let rows = <Component as wv::Guest>::rows(
            rows_ctx("names"),
            vec!["a".into(), "b".into()],
            vec![r#"{"metadata":{"name":"x"}}"#.into()],
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].len(), 2);
        assert_eq!(rows[0][1].text, "x");
    }

    #[test]
    fn rows_with_the_wrong_number_of_cells_are_refused() {
        install(Some(Box::new(Names)));
        let err =
            <Component as wv::Guest>::rows(rows_ctx("short"), vec!["a".into()], vec!["{}".into()])
                .unwrap_err();
        assert!(err.contains("0 cells for 1 columns"), "{err}");
    }

    #[test]
    fn default_render_and_invoke_name_what_is_missing() {
        install(Some(Box::new(Names)));
        let err = <Component as wv::Guest>::render(wv::Slot::Page("home".into()), render_ctx())
            .unwrap_err();
        assert_eq!(err, "this plugin registered no view for page `home`");
        let err = <Component as crate::wit::exports::headlamp::plugin::actions::Guest>::invoke(
            "scale".into(),
            crate::wit::exports::headlamp::plugin::actions::ActionContext {
                cluster: "c".into(),
                object: None,
                namespace: None,
                input: None,
            },
        )
        .unwrap_err();
        assert_eq!(err, "this plugin registered no action `scale`");
    }
}
