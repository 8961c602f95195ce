//! End to end: actions (scale, delete, edit YAML), what a read-only viewer is offered, table
//! tools (column choices, label filter) and the settings page, in headless Chromium against
//! the kernel and kube-sim in-process.
//!
//! Needs `make ui` and `make plugins`. Without chromium/chromedriver the tests say they are
//! skipped and why. Screenshots go to target/screenshots/.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use k8s_openapi::api::apps::v1::Deployment;

/// A deterministic demo world (no churn) with its controllers running.
fn demo() -> SimConfig {
    SimConfig {
        churn: false,
        ..SimConfig::demo()
    }
}

/// chromedriver and a browser, or why this machine cannot run browser tests.
async fn open_browser(test: &str) -> Option<(Driver, Client)> {
    match start_driver() {
        Ok(driver) => {
            let client = browser(&driver).await;
            Some((driver, client))
        }
        Err(why) => {
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}

/// The names of the pods of deployment `app` in its namespace, as the cluster has them.
async fn pods_of(kernel: &Kernel, namespace: &str, app: &str) -> Vec<String> {
    let pods: Api<Pod> = Api::namespaced(kernel.sim.client(), namespace);
    pods.list(&kube::api::ListParams::default().labels(&format!("app={app}")))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter_map(|p| p.metadata.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scale_a_deployment_from_its_details_page_and_its_pods_appear_live() {
    let Some((_driver, client)) = open_browser("scale_a_deployment_from_its_details_page").await
    else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    let before = eventually("the hello deployment's two pods", || async {
        let pods = pods_of(&kernel, "default", "hello").await;
        (pods.len() == 2).then_some(pods)
    })
    .await;

    client
        .goto(&format!("{}/c/demo/deployments/default/hello", kernel.url))
        .await
        .unwrap();
    eventually("the Scale button in the page header", || async {
        exists(&client, ".object-actions button[data-action=scale]")
            .await
            .then_some(())
    })
    .await;
    screenshot(&client, "details-actions").await;
    click(&client, ".object-actions button[data-action=scale]").await;
    let dialog = "[role=dialog][aria-modal=true]";
    eventually("the replica count prefilled with the current 2", || async {
        let input = client
            .find(Locator::Css(&format!("{dialog} input[type=number]")))
            .await
            .ok()?;
        (input.prop("value").await.ok()??.as_str() == "2").then_some(())
    })
    .await;
    let input = client
        .find(Locator::Css(&format!("{dialog} input[type=number]")))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("4").await.unwrap();
    screenshot(&client, "scale-dialog").await;
    click(&client, &format!("{dialog} button.primary")).await;
    let said = toast_containing(&client, "scaled").await;
    assert!(said.contains("4"), "{said}");
    assert!(
        !exists(&client, dialog).await,
        "the dialog closes after scaling"
    );

    // The new pods show up live in the Pods table, narrowed to the deployment's label.
    click(&client, "nav a[href='/c/demo/pods']").await;
    let labels = eventually("the label filter", || async {
        client.find(Locator::Css("input.label-input")).await.ok()
    })
    .await;
    labels.send_keys("app=hello\u{E007}").await.unwrap();
    let rows = eventually("four hello pods in the table", || async {
        let names = row_names(&client).await;
        (names.len() == 4 && names.iter().all(|n| n.starts_with("hello-"))).then_some(names)
    })
    .await;
    for pod in &before {
        assert!(rows.contains(pod), "{pod} stays: {rows:?}");
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_a_pod_through_its_row_menu() {
    let Some((_driver, client)) = open_browser("delete_a_pod_through_its_row_menu").await else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    let pods: Api<Pod> = Api::namespaced(kernel.sim.client(), "default");
    let pod: Pod = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "e2e-doomed", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"}
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();

    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    let row = "div[role=row][data-name='e2e-doomed']";
    click(&client, &format!("{row} button.row-actions")).await;
    eventually("the row's menu", || async {
        exists(&client, "[role=menu] [role=menuitem][data-action=delete]")
            .await
            .then_some(())
    })
    .await;
    screenshot(&client, "row-menu").await;
    click(&client, "[role=menu] [role=menuitem][data-action=delete]").await;
    let question = eventually("the confirm dialog", || async {
        text_of(&client, "[role=dialog] .dialog-text").await
    })
    .await;
    assert!(question.contains("default/e2e-doomed"), "{question}");
    click(&client, "[role=dialog] button.danger").await;
    toast_containing(&client, "deleted").await;
    screenshot(&client, "toast").await;
    eventually("the pod's row to go", || async {
        let names = row_names(&client).await;
        (!names.is_empty() && !names.iter().any(|n| n == "e2e-doomed")).then_some(())
    })
    .await;
    let gone = pods.get_opt("e2e-doomed").await.unwrap();
    assert!(
        gone.is_none_or(|p| p.metadata.deletion_timestamp.is_some()),
        "the pod is deleted in the cluster"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_only_viewer_sees_no_scale_button() {
    let Some((_driver, client)) = open_browser("a_read_only_viewer_sees_no_scale_button").await
    else {
        return;
    };
    let kernel = start_kernel_in_token_mode(demo()).await;
    let details = format!("{}/c/demo/deployments/default/hello", kernel.url);
    client.goto(&kernel.url).await.unwrap();

    // Admin, through the same cookie, is offered Scale: the check below is not vacuous.
    log_in_as(&client, &kernel, "admin").await;
    client.goto(&details).await.unwrap();
    eventually("admin's Scale button", || async {
        exists(&client, ".object-actions button[data-action=scale]")
            .await
            .then_some(())
    })
    .await;

    log_in_as(&client, &kernel, "viewer").await;
    client.goto(&details).await.unwrap();
    eventually("the viewer's actions to be known", || async {
        exists(&client, ".object-actions[data-loaded=true]")
            .await
            .then_some(())
    })
    .await;
    eventually("the details view for the viewer", || async {
        text_of(&client, "main .view")
            .await
            .filter(|t| t.contains("hello"))
    })
    .await;
    assert!(
        !exists(&client, ".object-actions button").await,
        "a read-only viewer is offered no action on the details page"
    );
    screenshot(&client, "details-read-only").await;

    // Nor in the table: no selection boxes, no row menus.
    client
        .goto(&format!("{}/c/demo/deployments", kernel.url))
        .await
        .unwrap();
    eventually("the deployments for the viewer", || async {
        row_names(&client)
            .await
            .iter()
            .any(|n| n == "hello")
            .then_some(())
    })
    .await;
    assert!(!exists(&client, "button.row-actions").await);
    assert!(!exists(&client, "input.select").await);
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hidden_column_stays_hidden_after_a_reload() {
    let Some((_driver, client)) = open_browser("a_hidden_column_stays_hidden_after_a_reload").await
    else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    eventually("the Node column", || async {
        column_titles(&client)
            .await
            .iter()
            .any(|t| t == "Node")
            .then_some(())
    })
    .await;
    click(&client, "button.columns-button").await;
    let item = "[role=menu] [role=menuitemcheckbox][data-column=node]";
    eventually("Node checked in the column menu", || async {
        let e = client.find(Locator::Css(item)).await.ok()?;
        (e.attr("aria-checked").await.ok()??.as_str() == "true").then_some(())
    })
    .await;
    screenshot(&client, "column-menu").await;
    click(&client, item).await;
    eventually("the Node column gone", || async {
        let titles = column_titles(&client).await;
        (titles.iter().any(|t| t == "IP") && !titles.iter().any(|t| t == "Node")).then_some(())
    })
    .await;

    client.refresh().await.unwrap();
    eventually("the rows after the reload", || async {
        (!row_names(&client).await.is_empty()).then_some(())
    })
    .await;
    let titles = column_titles(&client).await;
    assert!(titles.iter().any(|t| t == "IP"), "{titles:?}");
    assert!(
        !titles.iter().any(|t| t == "Node"),
        "Node stays hidden: {titles:?}"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_label_filter_narrows_the_rows() {
    let Some((_driver, client)) = open_browser("the_label_filter_narrows_the_rows").await else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    eventually("pods of several apps", || async {
        let names = row_names(&client).await;
        (names.iter().any(|n| n == "postgres-0") && names.iter().any(|n| n.starts_with("grafana-")))
            .then_some(())
    })
    .await;
    let labels = client
        .find(Locator::Css("input.label-input"))
        .await
        .unwrap();

    // A malformed selector is reported while typing, and not applied.
    labels.send_keys("app in (grafana").await.unwrap();
    let problem = eventually("the selector's problem", || async {
        text_of(&client, ".label-filter .field-error")
            .await
            .filter(|t| !t.is_empty())
    })
    .await;
    assert!(problem.contains("not closed"), "{problem}");

    // Select all and type over it, as a person would (WebDriver's clear fires no input event).
    labels
        .send_keys("\u{E009}a\u{E000}app=grafana,tier!=db\u{E007}")
        .await
        .unwrap();
    let names = eventually("only grafana's pods", || async {
        let names = row_names(&client).await;
        (!names.is_empty() && names.iter().all(|n| n.starts_with("grafana-"))).then_some(names)
    })
    .await;
    assert_eq!(names.len(), 1, "grafana has one replica: {names:?}");
    screenshot(&client, "label-filter").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edit_yaml_applies_a_label_change() {
    let Some((_driver, client)) = open_browser("edit_yaml_applies_a_label_change").await else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    client
        .goto(&format!("{}/c/demo/deployments/default/hello", kernel.url))
        .await
        .unwrap();
    click(&client, ".object-actions button[data-action=edit]").await;
    let area = "[role=dialog] textarea";
    let yaml = eventually("the deployment's YAML in the editor", || async {
        let text = client
            .find(Locator::Css(area))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()??;
        text.contains("resourceVersion").then_some(text)
    })
    .await;
    assert!(!yaml.contains("managedFields"));
    let metadata_labels = "\n  labels:\n    app: hello\n";
    assert!(yaml.contains(metadata_labels), "{yaml}");
    let edited = yaml.replacen(
        metadata_labels,
        "\n  labels:\n    app: hello\n    edited-by: e2e\n",
        1,
    );
    set_value(&client, area, &edited).await;
    screenshot(&client, "edit-dialog").await;
    click(&client, "[role=dialog] button.primary").await;
    toast_containing(&client, "saved").await;

    let deployments: Api<Deployment> = Api::namespaced(kernel.sim.client(), "default");
    let labels = deployments
        .get("hello")
        .await
        .unwrap()
        .metadata
        .labels
        .unwrap_or_default();
    assert_eq!(
        labels.get("edited-by").map(String::as_str),
        Some("e2e"),
        "{labels:?}"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edit_conflict_shows_the_diff_and_reloads_the_current_object() {
    let Some((_driver, client)) = open_browser("an_edit_conflict_shows_the_diff").await else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    client
        .goto(&format!("{}/c/demo/deployments/default/hello", kernel.url))
        .await
        .unwrap();
    click(&client, ".object-actions button[data-action=edit]").await;
    let area = "[role=dialog] textarea";
    let yaml = eventually("the YAML in the editor", || async {
        let text = client
            .find(Locator::Css(area))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()??;
        text.contains("resourceVersion").then_some(text)
    })
    .await;
    // Someone else changes the deployment after the editor loaded it.
    let deployments: Api<Deployment> = Api::namespaced(kernel.sim.client(), "default");
    deployments
        .patch(
            "hello",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"changed-by": "someone-else"}}})),
        )
        .await
        .unwrap();
    set_value(
        &client,
        area,
        &yaml.replacen("    app: hello\n", "    app: hello\n    mine: 'yes'\n", 1),
    )
    .await;
    click(&client, "[role=dialog] button.primary").await;
    let diff = eventually("the conflict's diff in the dialog", || async {
        text_of(&client, "[role=dialog] pre.diff").await
    })
    .await;
    assert!(diff.contains("mine"), "{diff}");
    let message = text_of(&client, "[role=dialog] .editor-problem p")
        .await
        .unwrap();
    assert!(message.contains("changed since it was loaded"), "{message}");
    screenshot(&client, "edit-conflict").await;
    let no_mine = deployments.get("hello").await.unwrap().metadata.labels;
    assert!(
        !no_mine.unwrap_or_default().contains_key("mine"),
        "nothing was saved"
    );

    click(&client, "[role=dialog] .editor-problem button").await;
    eventually("the current object in the editor", || async {
        let text = client
            .find(Locator::Css(area))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()??;
        (text.contains("changed-by: someone-else") && !text.contains("mine")).then_some(())
    })
    .await;
    assert!(!exists(&client, "[role=dialog] pre.diff").await);
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settings_apply_theme_density_and_default_namespace_and_survive_a_reload() {
    let Some((_driver, client)) = open_browser("settings_apply").await else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    client
        .goto(&format!("{}/settings", kernel.url))
        .await
        .unwrap();
    click(&client, "input[name=theme][value=dark]").await;
    click(&client, "input[name=density][value=compact]").await;
    let namespace = eventually("the demo cluster's default namespace field", || async {
        client
            .find(Locator::Css("input[data-cluster=demo]"))
            .await
            .ok()
    })
    .await;
    namespace.send_keys("shop\u{E007}").await.unwrap();
    let root = |attr: &'static str| {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css("html"))
                .await
                .unwrap()
                .attr(attr)
                .await
                .unwrap()
        }
    };
    assert_eq!(root("data-theme").await.as_deref(), Some("dark"));
    assert_eq!(root("data-density").await.as_deref(), Some("compact"));
    screenshot(&client, "settings").await;

    client.refresh().await.unwrap();
    eventually("the settings page after a reload", || async {
        exists(&client, "input[name=theme][value=dark]")
            .await
            .then_some(())
    })
    .await;
    assert_eq!(root("data-theme").await.as_deref(), Some("dark"));
    assert_eq!(root("data-density").await.as_deref(), Some("compact"));
    let checked = client
        .find(Locator::Css("input[name=theme][value=dark]"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(checked.as_deref(), Some("true"));

    // Opening the cluster applies its default namespace.
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    eventually("only the pods of namespace shop", || async {
        let names = row_names(&client).await;
        (names.iter().any(|n| n == "postgres-0") && !names.iter().any(|n| n.starts_with("coredns")))
            .then_some(())
    })
    .await;
    let chosen = client
        .find(Locator::Css("select[aria-label=Namespace]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(chosen.as_deref(), Some("shop"));
    screenshot(&client, "pods-dark-compact").await;
    client.close().await.unwrap();
}

/// The id of the focused element.
async fn focused_id(client: &Client) -> String {
    client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The text of the focused element.
async fn focused_text(client: &Client) -> String {
    client
        .active_element()
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_row_menu_and_its_dialog_work_from_the_keyboard() {
    let Some((_driver, client)) =
        open_browser("the_row_menu_and_its_dialog_work_from_the_keyboard").await
    else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    let button = eventually("postgres-0's actions button", || async {
        client
            .find(Locator::Css(
                "div[role=row][data-name='postgres-0'] button.row-actions",
            ))
            .await
            .ok()
    })
    .await;
    let button_id = button.attr("id").await.unwrap().unwrap();
    button.send_keys("\u{E007}").await.unwrap(); // Enter
    eventually("the menu, its first item focused", || async {
        (focused_text(&client).await == "Edit YAML").then_some(())
    })
    .await;
    let keys = |k: &'static str| {
        let client = client.clone();
        async move {
            client
                .active_element()
                .await
                .unwrap()
                .send_keys(k)
                .await
                .unwrap()
        }
    };
    keys("\u{E015}").await; // ArrowDown
    assert_eq!(focused_text(&client).await, "Delete");
    keys("\u{E007}").await;
    eventually("the confirm dialog, focus inside", || async {
        (exists(&client, "[role=dialog][aria-modal=true]").await
            && focused_text(&client).await == "Cancel")
            .then_some(())
    })
    .await;
    // Tab stays in the dialog: Cancel, Delete, then Cancel again.
    keys("\u{E004}").await;
    assert_eq!(focused_text(&client).await, "Delete");
    keys("\u{E004}").await;
    assert_eq!(focused_text(&client).await, "Cancel");
    keys("\u{E00C}").await; // Escape
    eventually(
        "the dialog closed, focus back on the row's button",
        || async {
            (!exists(&client, "[role=dialog]").await && focused_id(&client).await == button_id)
                .then_some(())
        },
    )
    .await;
    assert!(
        row_names(&client).await.iter().any(|n| n == "postgres-0"),
        "Escape deleted nothing"
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_selected_removes_every_ticked_row() {
    let Some((_driver, client)) = open_browser("delete_selected_removes_every_ticked_row").await
    else {
        return;
    };
    let kernel = start_kernel(demo()).await;
    let pods: Api<Pod> = Api::namespaced(kernel.sim.client(), "default");
    for name in ["e2e-bulk-a", "e2e-bulk-b", "e2e-bulk-keep"] {
        let pod: Pod = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"}
        }))
        .unwrap();
        pods.create(&PostParams::default(), &pod).await.unwrap();
    }
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    for name in ["e2e-bulk-a", "e2e-bulk-b"] {
        click(
            &client,
            &format!("div[role=row][data-name='{name}'] input.select"),
        )
        .await;
    }
    click(&client, "button.delete-selected").await;
    let question = eventually("the confirm dialog", || async {
        text_of(&client, "[role=dialog] .dialog-text").await
    })
    .await;
    assert!(
        question.contains("default/e2e-bulk-a") && question.contains("default/e2e-bulk-b"),
        "{question}"
    );
    assert!(!question.contains("e2e-bulk-keep"), "{question}");
    click(&client, "[role=dialog] button.danger").await;
    toast_containing(&client, "Deleted 2 of 2").await;
    eventually("both ticked rows gone, the other kept", || async {
        let names = row_names(&client).await;
        (names.iter().any(|n| n == "e2e-bulk-keep")
            && !names.iter().any(|n| n == "e2e-bulk-a" || n == "e2e-bulk-b"))
        .then_some(())
    })
    .await;
    assert!(
        !exists(&client, "button.delete-selected").await,
        "nothing is selected any more"
    );
    client.close().await.unwrap();
}
