//! End to end: the frame's multi-cluster view, the global search and the stream's reconnect,
//! in headless Chromium against the kernel on two kube-sim clusters (two demo worlds, so the
//! same object names exist in both).
//!
//! Needs `make ui` and `make plugins`. Without chromium/chromedriver the tests say they are
//! skipped and why. Screenshots go to target/screenshots/.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};

/// kube-sim's demo world without churn (stable rows), as cluster `demo` and cluster `lab`.
async fn two_clusters() -> Kernel {
    let quiet = || SimConfig {
        churn: false,
        ..SimConfig::demo()
    };
    start_kernel_with_clusters(quiet(), vec![("lab", quiet())], AppState::local).await
}

/// Narrows the table to rows matching `text` (only rows near the viewport are in the DOM).
async fn filter_rows(client: &Client, text: &str) {
    set_value(client, "input.filter", text).await;
}

fn row_of(cluster: &str, name: &str) -> String {
    format!("div[role=row][data-cluster='{cluster}'][data-name='{name}']")
}

/// Presses keys as the keyboard would, wherever the focus is (`modifier` held, if any).
async fn press(client: &Client, modifier: Option<char>, key: char) {
    let mut keys = KeyActions::new("keyboard".into());
    if let Some(m) = modifier {
        keys = keys.then(KeyAction::Down { value: m });
    }
    keys = keys
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    if let Some(m) = modifier {
        keys = keys.then(KeyAction::Up { value: m });
    }
    client.perform_actions(keys).await.unwrap();
}

async fn attr(client: &Client, css: &str, name: &str) -> Option<String> {
    client
        .find(Locator::Css(css))
        .await
        .ok()?
        .attr(name)
        .await
        .ok()?
}

async fn wait_for(client: &Client, what: &str, css: &str) {
    eventually(what, || async { exists(client, css).await.then_some(()) }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_clusters_chosen_together_merge_their_rows_and_one_down_errs_in_place() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "SKIPPED two_clusters_chosen_together_merge_their_rows_and_one_down_errs_in_place: {why}"
            );
            return;
        }
    };
    let mut kernel = two_clusters().await;
    let client = browser(&driver).await;

    // One cluster: no Cluster column.
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    wait_for(&client, "demo's postgres-0", &row_of("demo", "postgres-0")).await;
    assert!(
        !column_titles(&client)
            .await
            .contains(&"Cluster".to_string())
    );

    // The chooser's checkbox adds lab: the URL names both, and the rows of both show.
    click(&client, "#cluster-chooser-button").await;
    click(&client, "input[type=checkbox][data-cluster=lab]").await;
    wait_for(&client, "lab's rows", "div[role=row][data-cluster=lab]").await;
    screenshot(&client, "frame-cluster-chooser").await;
    filter_rows(&client, "postgres").await;
    wait_for(
        &client,
        "lab's postgres-0 beside demo's",
        &row_of("lab", "postgres-0"),
    )
    .await;
    assert!(exists(&client, &row_of("demo", "postgres-0")).await);
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/c/demo+lab/pods"
    );
    assert!(
        column_titles(&client)
            .await
            .contains(&"Cluster".to_string())
    );
    let count = text_of(&client, ".toolbar .count")
        .await
        .unwrap_or_default();
    assert!(count.contains("in 2 clusters"), "{count}");
    press(&client, None, '\u{E00C}').await; // Escape closes the chooser.
    screenshot(&client, "frame-two-clusters").await;

    // A reload keeps both; each row links to its own cluster.
    client.refresh().await.unwrap();
    wait_for(
        &client,
        "lab's rows after a reload",
        "div[role=row][data-cluster=lab]",
    )
    .await;
    filter_rows(&client, "postgres").await;
    wait_for(
        &client,
        "both clusters' rows after a reload",
        &row_of("lab", "postgres-0"),
    )
    .await;
    wait_for(
        &client,
        "demo's rows after a reload",
        &row_of("demo", "postgres-0"),
    )
    .await;
    let lab_link = attr(
        &client,
        &format!("{} a", row_of("lab", "postgres-0")),
        "href",
    )
    .await;
    assert_eq!(lab_link.as_deref(), Some("/c/lab/pods/shop/postgres-0"));
    let demo_link = attr(
        &client,
        &format!("{} a", row_of("demo", "postgres-0")),
        "href",
    )
    .await;
    assert_eq!(demo_link.as_deref(), Some("/c/demo/pods/shop/postgres-0"));
    // Sidebar links keep the selection.
    assert!(exists(&client, "nav a[href='/c/demo+lab/deployments']").await);

    // A pod created in lab only arrives live, in lab's rows only.
    let (_, lab) = &kernel.more[0];
    let pods: Api<Pod> = Api::namespaced(lab.client(), "default");
    let pod: Pod = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "only-in-lab", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"}
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    filter_rows(&client, "only-in").await;
    wait_for(&client, "lab's new pod", &row_of("lab", "only-in-lab")).await;
    assert!(!exists(&client, &row_of("demo", "only-in-lab")).await);

    // lab goes down: the next table shows lab's error in place, and demo's rows.
    kernel.more[0].1.stop_server().await;
    click(&client, "nav a[href='/c/demo+lab/deployments']").await;
    wait_for(
        &client,
        "lab's error in place",
        ".error-box[data-cluster=lab]",
    )
    .await;
    wait_for(
        &client,
        "demo's deployments",
        "div[role=row][data-cluster=demo]",
    )
    .await;
    assert!(!exists(&client, "div[role=row][data-cluster=lab]").await);
    let error = text_of(&client, ".error-box[data-cluster=lab]")
        .await
        .unwrap();
    assert!(error.starts_with("lab:"), "{error}");
    screenshot(&client, "frame-one-cluster-down").await;

    // "only" switches back to one cluster.
    click(&client, "#cluster-chooser-button").await;
    click(&client, "button[aria-label='Show only demo']").await;
    eventually("the URL of demo alone", || async {
        (client.current_url().await.ok()?.path() == "/c/demo/deployments").then_some(())
    })
    .await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_global_search_finds_loaded_objects_and_opens_one_from_the_keyboard() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "SKIPPED the_global_search_finds_loaded_objects_and_opens_one_from_the_keyboard: {why}"
            );
            return;
        }
    };
    let kernel = two_clusters().await;
    let client = browser(&driver).await;
    client
        .goto(&format!("{}/c/demo+lab/pods", kernel.url))
        .await
        .unwrap();
    wait_for(&client, "lab's pods", "div[role=row][data-cluster=lab]").await;
    // Deployments too, then back: a table left stays searchable.
    click(&client, "nav a[href='/c/demo+lab/deployments']").await;
    wait_for(
        &client,
        "the deployments",
        "div[role=row][data-cluster=lab]",
    )
    .await;

    // `/` focuses the search from the page.
    press(&client, None, '/').await;
    let focused = client
        .execute(
            "return document.activeElement && document.activeElement.id",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, json!("global-search"), "`/` focuses the search");
    let input = client.find(Locator::Css("#global-search")).await.unwrap();
    input.send_keys("postgr").await.unwrap();
    let options = eventually("postgres-0 of both clusters in the results", || async {
        let options = client
            .find_all(Locator::Css("#search-results [role=option]"))
            .await
            .ok()?;
        let mut found = Vec::new();
        for o in options {
            found.push((
                o.attr("data-name").await.ok()??,
                o.attr("data-cluster").await.ok()??,
                o.text().await.ok()?,
            ));
        }
        found
            .iter()
            .any(|(n, c, _)| n == "postgres-0" && c == "lab")
            .then_some(found)
    })
    .await;
    assert_eq!(
        options[0].0, "postgres-0",
        "the prefix match first: {options:?}"
    );
    assert!(
        options.iter().all(|(n, _, _)| n.contains("postgr")),
        "{options:?}"
    );
    let (_, _, text) = &options[0];
    assert!(
        text.contains("Pod") && text.contains("shop"),
        "kind and namespace: {text}"
    );
    assert_eq!(
        attr(&client, "#global-search", "aria-expanded")
            .await
            .as_deref(),
        Some("true")
    );
    screenshot(&client, "frame-search").await;

    // Arrows move the active option (wrapping), Enter opens it.
    input.send_keys("\u{E015}").await.unwrap(); // Down
    assert_eq!(
        attr(&client, "#global-search", "aria-activedescendant")
            .await
            .as_deref(),
        Some("search-option-0")
    );
    input.send_keys("\u{E015}").await.unwrap();
    let second = attr(&client, "#search-option-1", "data-cluster")
        .await
        .unwrap();
    assert_eq!(
        attr(&client, "#search-option-1", "aria-selected")
            .await
            .as_deref(),
        Some("true")
    );
    input.send_keys("\u{E007}").await.unwrap(); // Enter
    let expected = format!("/c/{second}/pods/shop/postgres-0");
    eventually("the chosen pod's details page", || async {
        (client.current_url().await.ok()?.path() == expected).then_some(())
    })
    .await;

    // Ctrl+K focuses it again; nothing matching says so; Escape closes the list.
    press(&client, Some('\u{E009}'), 'k').await;
    let input = client.find(Locator::Css("#global-search")).await.unwrap();
    input.send_keys("no-such-object").await.unwrap();
    wait_for(
        &client,
        "the no-match note",
        "#search-results .search-empty",
    )
    .await;
    input.send_keys("\u{E00C}").await.unwrap();
    eventually("the list closed", || async {
        let expanded = attr(&client, "#global-search", "aria-expanded").await?;
        (expanded == "false" && !exists(&client, "#search-results").await).then_some(())
    })
    .await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropped_connection_reconnects_resubscribes_and_keeps_the_selection() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "SKIPPED a_dropped_connection_reconnects_resubscribes_and_keeps_the_selection: {why}"
            );
            return;
        }
    };
    let kernel = start_kernel(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await;
    // The browser reaches the kernel through a relay that can cut its connections.
    let relay = Relay::start(&kernel.url).await;
    let client = browser(&driver).await;
    client
        .goto(&format!("{}/c/demo/pods", relay.url))
        .await
        .unwrap();
    // One cluster's pods: every row is in the DOM.
    wait_for(&client, "the pods", &row_of("demo", "postgres-0")).await;
    click(&client, "input[aria-label='Select postgres-0']").await;
    wait_for(&client, "the ticked row", "button.delete-selected").await;

    // The network drops: the banner says so, and the rows stay.
    relay.pause(true);
    relay.cut();
    wait_for(&client, "the connection-lost banner", ".connection-banner").await;
    let banner = text_of(&client, ".connection-banner").await.unwrap();
    assert!(
        banner.contains("connection to the kernel was lost"),
        "{banner}"
    );
    assert!(exists(&client, &row_of("demo", "postgres-0")).await);
    screenshot(&client, "frame-connection-lost").await;

    // Meanwhile a pod is created; once the network is back the table subscribes again and
    // its fresh snapshot has the pod.
    let pods: Api<Pod> = Api::namespaced(kernel.sim.client(), "default");
    let pod: Pod = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "made-while-offline", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"}
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    relay.pause(false);
    toast_containing(&client, "Reconnected").await;
    wait_for(
        &client,
        "the pod made while offline",
        &row_of("demo", "made-while-offline"),
    )
    .await;
    assert!(
        !exists(&client, ".connection-banner").await,
        "the banner is gone"
    );
    let ticked = client
        .find(Locator::Css("input[aria-label='Select postgres-0']"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(
        ticked.as_deref(),
        Some("true"),
        "the selection survived the reconnect"
    );
    assert!(exists(&client, "button.delete-selected").await);
    screenshot(&client, "frame-reconnected").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_views_action_button_runs_on_its_object_and_answers_in_a_dialog() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "SKIPPED a_views_action_button_runs_on_its_object_and_answers_in_a_dialog: {why}"
            );
            return;
        }
    };
    // The greeter test plugin: a ConfigMap view with Greet and Scale buttons, an app-bar Hello.
    let kernel = start_kernel_with_plugins(
        SimConfig {
            churn: false,
            ..SimConfig::demo()
        },
        vec![test_plugin("headlamp_ui_test_plugin_greeter.wasm")],
    )
    .await;
    let maps: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(kernel.sim.client(), "default");
    let map = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "greet-me", "namespace": "default"}, "data": {"a": "b"}
    }))
    .unwrap();
    maps.create(&PostParams::default(), &map).await.unwrap();
    let client = browser(&driver).await;
    client
        .goto(&format!("{}/c/demo/greetings/default/greet-me", kernel.url))
        .await
        .unwrap();

    // The plugin's own action is offered; Scale, which a ConfigMap's row never allows, is
    // not, and says why once the row's actions are known.
    let greet = "main button.view-action[data-action='plugin:greeter:greet']";
    wait_for(&client, "the view's Greet button", greet).await;
    let why = eventually("the Scale button's reason", || async {
        let title = attr(
            &client,
            "main button.view-action[data-action=scale]",
            "title",
        )
        .await?;
        title.contains("may not scale").then_some(title)
    })
    .await;
    assert!(why.contains("may not scale"), "{why}");
    assert_eq!(
        attr(
            &client,
            "main button.view-action[data-action=scale]",
            "disabled"
        )
        .await
        .as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&client, greet, "disabled").await,
        None,
        "Greet is enabled"
    );

    // Greet runs on the page's object; its view answer opens in a dialog.
    click(&client, greet).await;
    let dialog = eventually("the dialog with the plugin's view", || async {
        text_of(&client, "[role=dialog]")
            .await
            .filter(|t| t.contains("Hello, default/greet-me!"))
    })
    .await;
    assert!(dialog.contains("Greeter"), "{dialog}");
    screenshot(&client, "frame-plugin-view-dialog").await;
    click(&client, "[role=dialog] .dialog-buttons button").await;
    eventually("the dialog closed", || async {
        (!exists(&client, "[role=dialog]").await).then_some(())
    })
    .await;

    // The app-bar action runs about no object, in the current cluster.
    click(
        &client,
        "button.appbar-button[data-action='plugin:greeter:hello']",
    )
    .await;
    eventually("the app-bar action's view", || async {
        text_of(&client, "[role=dialog]")
            .await
            .filter(|t| t.contains("Hello from cluster demo"))
    })
    .await;
    client.close().await.unwrap();
}
