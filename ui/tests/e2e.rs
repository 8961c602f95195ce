//! End to end: kube-sim and the kernel in-process on loopback, the built UI bundle served by
//! the kernel, headless Chromium driven through chromedriver (WebDriver) with fantoccini.
//!
//! Needs `make ui` (the bundle in target/ui/) and `make plugins` (the built-in plugins inside
//! the kernel); `make test` does both. Without chromium/chromedriver the tests say they are
//! skipped and why. Screenshots of the pages go to target/screenshots/.

// A native test: it runs the kernel and drives a browser.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn browse_pods_live_and_open_details() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED browse_pods_live_and_open_details: {why}");
            return;
        }
    };
    let kernel = start_kernel(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await;
    let client = browser(&driver).await;

    // Home lists the cluster; the sidebar (from the plugins' registry) leads to Pods.
    client.goto(&format!("{}/", kernel.url)).await.unwrap();
    eventually("the clusters on the home page", || async {
        text_of(&client, "main table")
            .await
            .filter(|t| t.contains("demo") && t.contains("Reachable"))
    })
    .await;
    screenshot(&client, "home").await;
    let pods_link = eventually("the Pods link of the sidebar", || async {
        client
            .find(Locator::Css("nav a[href='/c/demo/pods']"))
            .await
            .ok()
    })
    .await;
    pods_link.click().await.unwrap();
    eventually("the pods of the demo world", || async {
        let names = row_names(&client).await;
        names.iter().any(|n| n == "postgres-0").then_some(())
    })
    .await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/c/demo/pods",
        "the Pods page has its own URL"
    );
    let active = text_of(&client, "nav .nav-link.active").await;
    assert!(
        active.as_deref().is_some_and(|a| a.contains("Pods")),
        "the sidebar highlights Pods, not {active:?}"
    );
    let postgres = row_cells(&client, "postgres-0").await.unwrap();
    assert_eq!(postgres[1], "shop", "the namespace column: {postgres:?}");
    assert!(postgres.iter().any(|c| c == "Running"), "{postgres:?}");
    screenshot(&client, "pods").await;

    // The namespace filter narrows the live table to one namespace, and back.
    let namespaces = client
        .find(Locator::Css("select[aria-label=Namespace]"))
        .await
        .unwrap();
    eventually("the namespaces in the filter", || async {
        client
            .find(Locator::Css(
                "select[aria-label=Namespace] option[value=shop]",
            ))
            .await
            .ok()
    })
    .await;
    namespaces.select_by_value("shop").await.unwrap();
    eventually("only the pods of namespace shop", || async {
        let names = row_names(&client).await;
        let postgres_only_in_shop = names.iter().any(|n| n == "postgres-0")
            && !names.iter().any(|n| n.starts_with("coredns"));
        postgres_only_in_shop.then_some(())
    })
    .await;
    namespaces.select_by_value("").await.unwrap();
    eventually("every namespace again", || async {
        row_names(&client)
            .await
            .iter()
            .any(|n| n.starts_with("coredns"))
            .then_some(())
    })
    .await;

    // A pod created through the cluster's API appears live, and its status change shows.
    let pods: Api<Pod> = Api::namespaced(kernel.sim.client(), "default");
    let pod: Pod = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "e2e-live", "namespace": "default", "labels": {"app": "e2e"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"}
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    // The demo's kubelet writes the whole status when it starts a pod: patch after it did,
    // or its write can replace the patched IP.
    eventually("the created pod's row, running", || async {
        row_cells(&client, "e2e-live")
            .await
            .filter(|cells| cells.iter().any(|c| c == "Running"))
    })
    .await;
    pods.patch_status(
        "e2e-live",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"podIP": "10.99.0.7"}})),
    )
    .await
    .unwrap();
    eventually("the pod's new IP in its row", || async {
        row_cells(&client, "e2e-live")
            .await
            .filter(|cells| cells.iter().any(|c| c == "10.99.0.7"))
    })
    .await;

    // Sorting and filtering.
    let name_header = client
        .find(Locator::Css("[role=columnheader]"))
        .await
        .unwrap();
    name_header.click().await.unwrap(); // Name was ascending by default: now descending.
    eventually("the rows sorted by name, descending", || async {
        let names = row_names(&client).await;
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| headlamp_ui::table::natural_cmp(b, a));
        (names.len() > 3 && names == sorted).then_some(())
    })
    .await;
    let filter = client.find(Locator::Css("input.filter")).await.unwrap();
    filter.send_keys("postgres").await.unwrap();
    eventually("only the matching rows", || async {
        (row_names(&client).await == ["postgres-0"]).then_some(())
    })
    .await;
    filter.clear().await.unwrap();
    filter.send_keys("e2e-live").await.unwrap();
    eventually("the filtered new pod", || async {
        (row_names(&client).await == ["e2e-live"]).then_some(())
    })
    .await;

    // A row opens the pod's details, at a URL that survives a reload.
    client
        .find(Locator::Css("div[role=row][data-name='e2e-live'] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the pod's details view", || async {
        text_of(&client, "main .view")
            .await
            .filter(|t| t.contains("e2e-live") && t.contains("nginx:1.27"))
    })
    .await;
    let details_url = client.current_url().await.unwrap();
    assert_eq!(details_url.path(), "/c/demo/pods/default/e2e-live");
    screenshot(&client, "pod-details").await;
    client.refresh().await.unwrap();
    eventually("the details view after a reload", || async {
        text_of(&client, "main .view")
            .await
            .filter(|t| t.contains("e2e-live") && t.contains("10.99.0.7"))
    })
    .await;

    // Back returns to the table; the pod deleted meanwhile leaves it live.
    client.back().await.unwrap();
    eventually("the Pods table again", || async {
        (client.current_url().await.ok()?.path() == "/c/demo/pods").then_some(())
    })
    .await;
    eventually("the rows after going back", || async {
        row_cells(&client, "postgres-0").await
    })
    .await;
    pods.delete("e2e-live", &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    eventually("the deleted pod's row to go", || async {
        let names = row_names(&client).await;
        (!names.is_empty() && !names.iter().any(|n| n == "e2e-live")).then_some(())
    })
    .await;

    // A details page of an object that does not exist says so in place; the frame still works.
    client
        .goto(&format!("{}/c/demo/pods/default/no-such-pod", kernel.url))
        .await
        .unwrap();
    let message = eventually("the not-found error in place", || async {
        text_of(&client, "main [role=alert]").await
    })
    .await;
    assert!(message.contains("no-such-pod"), "{message}");
    assert!(
        text_of(&client, "nav")
            .await
            .unwrap()
            .contains("Deployments")
    );

    // A cluster's own URL opens its first sidebar page; an unknown path says what exists.
    client
        .goto(&format!("{}/c/demo", kernel.url))
        .await
        .unwrap();
    eventually(
        "the cluster home to open the first sidebar page",
        || async { (client.current_url().await.ok()?.path() == "/c/demo/overview").then_some(()) },
    )
    .await;
    client
        .goto(&format!("{}/c/demo/namespaces", kernel.url))
        .await
        .unwrap();
    eventually("the namespaces of the demo world", || async {
        row_cells(&client, "kube-system").await
    })
    .await;
    client
        .goto(&format!("{}/nowhere/at/all", kernel.url))
        .await
        .unwrap();
    let message = eventually("the not-found page", || async {
        text_of(&client, "main [role=alert]").await
    })
    .await;
    assert!(message.contains("/nowhere/at/all"), "{message}");

    // The Plugins page lists the built-in plugins and their state.
    client
        .goto(&format!("{}/plugins", kernel.url))
        .await
        .unwrap();
    let plugins = eventually("the plugins table", || async {
        text_of(&client, "main table")
            .await
            .filter(|t| t.contains("workloads"))
    })
    .await;
    assert!(
        plugins.contains("cluster") && plugins.contains("ready"),
        "{plugins}"
    );
    screenshot(&client, "plugins").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_pods_render_only_the_visible_rows() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED ten_thousand_pods_render_only_the_visible_rows: {why}");
            return;
        }
    };
    let kernel = start_kernel(SimConfig::load(10_000, 0)).await;
    let client = browser(&driver).await;
    let asked = Instant::now();
    client
        .goto(&format!("{}/c/demo/pods", kernel.url))
        .await
        .unwrap();
    eventually("10,000 rows counted", || async {
        text_of(&client, ".count")
            .await
            .filter(|t| t.starts_with("10000 items"))
    })
    .await;
    eprintln!(
        "10,000 pods: first rows painted {} ms after navigation",
        asked.elapsed().as_millis()
    );
    // How much of that is the kernel (a debug build here) listing and computing the cells.
    let kernel_ms = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1]; const t = performance.now();
               fetch('/api/v1/tables/pods/rows', {method: 'POST', headers: {'content-type': 'application/json'},
                 body: JSON.stringify({cluster: 'demo'})}).then(r => r.text()).then(() => done(performance.now() - t));"#,
            vec![],
        )
        .await
        .unwrap();
    eprintln!("10,000 pods: the kernel answers the same rows over HTTP in {kernel_ms} ms");
    // And over the stream, as the UI gets them: snapshot arrival, and JSON.parse in JS.
    let stream_ms = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1]; const t = performance.now();
               const ws = new WebSocket(location.origin.replace('http', 'ws') + '/api/v1/stream');
               ws.onopen = () => ws.send(JSON.stringify({type: 'subscribe-table', id: 'm', cluster: 'demo', table: 'pods'}));
               ws.onmessage = (e) => { const got = performance.now(); JSON.parse(e.data);
                 done([got - t, performance.now() - got, e.data.length]); ws.close(); };"#,
            vec![],
        )
        .await
        .unwrap();
    eprintln!(
        "10,000 pods: the stream's snapshot arrives after / parses in ms, bytes = {stream_ms}"
    );
    // The UI's own share: leave the table and come back (the kernel keeps nothing warm for
    // it: the watch stops with the last subscriber), timed in the page.
    client
        .find(Locator::Css("nav a[href='/c/demo/deployments']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the deployments page", || async {
        text_of(&client, ".toolbar h1")
            .await
            .filter(|t| t == "Deployments")
    })
    .await;
    let again = Instant::now();
    client
        .find(Locator::Css("nav a[href='/c/demo/pods']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("10,000 rows counted again", || async {
        text_of(&client, ".count")
            .await
            .filter(|t| t.starts_with("10000 items"))
    })
    .await;
    eprintln!(
        "10,000 pods: back to the table (SPA navigation, fresh subscription): rows in {} ms",
        again.elapsed().as_millis()
    );
    let shown = client
        .find(Locator::Css(".table-scroll"))
        .await
        .unwrap()
        .attr("data-snapshot-ms")
        .await
        .unwrap();
    eprintln!(
        "10,000 pods: the UI's share, snapshot frame to rows in the DOM (parse, apply, sort, render): {} ms",
        shown.unwrap_or_default()
    );
    let in_dom = row_names(&client).await.len();
    assert!(
        (10..=120).contains(&in_dom),
        "only the visible rows are in the DOM, not {in_dom}"
    );
    // Scroll to the end: the last rows are rendered, the DOM stays small.
    client
        .execute(
            "const s = document.querySelector('.table-scroll'); s.scrollTop = s.scrollHeight;",
            vec![],
        )
        .await
        .unwrap();
    eventually("the last rows after scrolling to the end", || async {
        let last = client
            .execute(
                "return Math.max(...[...document.querySelectorAll('div[role=row][data-name]')].map(r => +r.getAttribute('aria-rowindex')));",
                vec![],
            )
            .await
            .ok()?;
        // aria-rowindex counts the header row as 1.
        (last.as_f64() == Some(10_001.0)).then_some(())
    })
    .await;
    let bottom = row_names(&client).await;
    assert!(bottom.len() <= 120, "{} rows in the DOM", bottom.len());
    // Frame time while scrolling: step through the list and measure in the page; the same
    // without scrolling is the browser's own frame interval here (headless Chromium on a
    // shared machine), to read the figure against.
    let idle = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1]; let times = []; let last = performance.now(); let n = 0;
               function step(t) { times.push(t - last); last = t;
                 if (++n < 60) requestAnimationFrame(step);
                 else { times.sort((a, b) => a - b); done([times[Math.floor(times.length / 2)], times[Math.floor(times.length * 0.95)]]); } }
               requestAnimationFrame(step);"#,
            vec![],
        )
        .await
        .unwrap();
    eprintln!("idle frame time median/p95 ms = {idle}");
    for step in [10, 400] {
        let frames = client
            .execute_async(
                r#"const [px, done] = arguments;
                   const s = document.querySelector('.table-scroll');
                   s.scrollTop = 0; let times = []; let last = performance.now(); let n = 0;
                   function step(t) { times.push(t - last); last = t; s.scrollTop += px;
                     if (++n < 120) requestAnimationFrame(step);
                     else { times.sort((a, b) => a - b); done([times[Math.floor(times.length / 2)], times[Math.floor(times.length * 0.95)]]); } }
                   requestAnimationFrame(step);"#,
                vec![json!(step)],
            )
            .await
            .unwrap();
        eprintln!("10,000 pods, scrolling {step} px a frame: frame time median/p95 ms = {frames}");
    }
    screenshot(&client, "pods-10k").await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plugin_pages_draw_the_overviews_and_the_map() {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED plugin_pages_draw_the_overviews_and_the_map: {why}");
            return;
        }
    };
    let kernel = start_kernel(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await;
    let client = browser(&driver).await;

    // The cluster overview: charts drawn from the cluster plugin's page.
    client
        .goto(&format!("{}/c/demo/overview", kernel.url))
        .await
        .unwrap();
    eventually("the overview's charts", || async {
        client
            .find(Locator::Css(".plugin-page .chart-box svg"))
            .await
            .ok()
    })
    .await;
    let text = text_of(&client, ".plugin-page").await.unwrap_or_default();
    assert!(text.contains("Nodes"), "{text}");
    screenshot(&client, "cluster-overview").await;

    // The workloads overview, and the map of a namespace as a graph.
    client
        .goto(&format!("{}/c/demo/workloads", kernel.url))
        .await
        .unwrap();
    eventually("the workloads overview's charts", || async {
        client
            .find(Locator::Css(".plugin-page .chart-box svg"))
            .await
            .ok()
    })
    .await;
    screenshot(&client, "workloads-overview").await;
    client
        .goto(&format!("{}/c/demo/map/shop", kernel.url))
        .await
        .unwrap();
    eventually("the map's graph", || async {
        client
            .find(Locator::Css(".plugin-page .graph-box svg"))
            .await
            .ok()
    })
    .await;
    screenshot(&client, "map").await;
}
