//! End to end: the Plugins page's Enabled switch turns a built-in off, and its sidebar entry
//! leaves the sidebar of the tab that did it, without a reload; switched on, it comes back.
//!
//! Needs `make ui` and `make plugins`; without chromium/chromedriver it says it is skipped.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use headlamp_kernel::plugin_manager::PluginManager;

/// Whether the sidebar has a link labelled `label`.
async fn sidebar_has(client: &Client, label: &str) -> bool {
    let Ok(links) = client.find_all(Locator::Css("ul.nav a.nav-link")).await else {
        return false;
    };
    for link in links {
        if link
            .text()
            .await
            .is_ok_and(|text| text.trim().ends_with(label))
        {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn switching_a_plugin_off_and_on_removes_and_restores_its_sidebar_entry() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "SKIPPED switching_a_plugin_off_and_on_removes_and_restores_its_sidebar_entry: {why}"
            );
            return;
        }
    };
    let state_dir = std::env::temp_dir().join(format!(
        "headlamp-e2e-plugins-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let dir = state_dir.clone();
    let kernel = start_kernel_with(
        SimConfig {
            churn: false,
            ..SimConfig::demo()
        },
        move |host| AppState {
            plugin_manager: Some(Arc::new(
                PluginManager::local(host.clone(), &dir, "http://127.0.0.1:9").unwrap(),
            )),
            ..AppState::local(host)
        },
    )
    .await;
    let client = browser(&driver).await;

    // A cluster page first, so the sidebar shows the cluster's entries (Map among them).
    client
        .goto(&format!("{}/c/demo/", kernel.url))
        .await
        .unwrap();
    eventually("the Map entry in the sidebar", || async {
        sidebar_has(&client, "Map").await.then_some(())
    })
    .await;

    click(&client, "a.appbar-link[href='/plugins']").await;
    click(&client, "input[aria-label='Enabled: map']").await;
    toast_containing(&client, "map disabled").await;
    eventually("the Map entry to leave the sidebar", || async {
        (!sidebar_has(&client, "Map").await).then_some(())
    })
    .await;
    screenshot(&client, "plugins-map-disabled").await;
    let state = std::fs::read_to_string(state_dir.join("plugins.json")).unwrap();
    assert!(state.contains("\"map\""), "{state}");

    // Still listed, as disabled; switching it on brings the entry back.
    eventually("map listed as disabled", || async {
        text_of(&client, "table[aria-label='Plugins']")
            .await
            .filter(|t| {
                t.lines()
                    .any(|l| l.starts_with("map") && l.contains("disabled"))
            })
    })
    .await;
    click(&client, "input[aria-label='Enabled: map']").await;
    toast_containing(&client, "map enabled").await;
    eventually("the Map entry back in the sidebar", || async {
        sidebar_has(&client, "Map").await.then_some(())
    })
    .await;
    let _ = std::fs::remove_dir_all(&state_dir);
}
