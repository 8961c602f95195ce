//! The plugin driven natively, as the kernel drives the component.

use headlamp_plugin_sdk::testing::Harness;
use widgets::{DETAILS, TABLE, WidgetsPlugin};

const WIDGET: &str = r#"{"apiVersion":"demo.headlamp.dev/v1","kind":"Widget","metadata":{"name":"w1","namespace":"default"},"spec":{"size":3},"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#;

#[test]
fn ready_column_reads_the_ready_condition() {
    let mut h = Harness::new(WidgetsPlugin);
    h.init().unwrap();
    let rows = h.rows(TABLE, &["ready"], &[WIDGET]).unwrap();
    assert_eq!(rows[0][0].text, "Ready");
}

#[test]
fn details_view_shows_the_spec() {
    let mut h = Harness::new(WidgetsPlugin);
    h.init().unwrap();
    let view = h.render_details(DETAILS, WIDGET).unwrap();
    assert!(view.find_section("Spec").is_some());
}
