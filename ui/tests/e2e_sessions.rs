//! End to end: the pod tools (logs, terminal, port-forward) on a Pod's details page, against
//! kube-sim's fake logs, fake shell and fake port responders, through the kernel's stream.
//!
//! Needs `make ui` and `make plugins`, like `e2e.rs`. Without chromium/chromedriver the tests
//! say they are skipped and why. Screenshots go to target/screenshots/.

// A native test: it runs the kernel and drives a browser.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use fantoccini::elements::Element;

/// WebDriver's code points for keys (the WebDriver spec, "Keyboard actions").
const ENTER: &str = "\u{E007}";
const ARROW_RIGHT: &str = "\u{E014}";

/// The pod the tests open: the demo world's postgres, one container with a declared port.
const NAMESPACE: &str = "shop";
const POD: &str = "postgres-0";
const CONTAINER: &str = "postgres";
/// How long the flood test waits for 100,000 lines.
const FLOOD_WAIT: Duration = Duration::from_secs(420);

/// A browser on the demo world, or the reason the browser tests cannot run here.
async fn setup(name: &str, config: SimConfig) -> Option<(Driver, Kernel, Client)> {
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED {name}: {why}");
            return None;
        }
    };
    let kernel = start_kernel(config).await;
    let client = browser(&driver).await;
    Some((driver, kernel, client))
}

fn quiet_demo() -> SimConfig {
    SimConfig {
        churn: false,
        ..SimConfig::demo()
    }
}

/// Opens the test pod's details page and the tab labelled `tab`; returns the tab's panel.
async fn open_tab(client: &Client, kernel: &Kernel, tab: &str) -> Element {
    open_pod_tab(client, kernel, POD, tab).await
}

/// Opens the details page of `pod` (in [`NAMESPACE`]) and its tab labelled `tab`.
async fn open_pod_tab(client: &Client, kernel: &Kernel, pod: &str, tab: &str) -> Element {
    client
        .goto(&format!("{}/c/demo/pods/{NAMESPACE}/{pod}", kernel.url))
        .await
        .unwrap();
    let button = eventually(&format!("the {tab} tab"), || async {
        let tabs = client.find_all(Locator::Css("[role=tab]")).await.ok()?;
        for t in tabs {
            if t.text().await.ok()? == tab {
                return Some(t);
            }
        }
        None
    })
    .await;
    button.click().await.unwrap();
    let panel_id = button.attr("aria-controls").await.unwrap().unwrap();
    eventually(&format!("the {tab} panel shown"), || async {
        let panel = client
            .find(Locator::Css(&format!("#{panel_id}")))
            .await
            .ok()?;
        panel.is_displayed().await.ok()?.then_some(panel)
    })
    .await
}

/// The texts of the log lines in the DOM.
async fn log_lines(client: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for line in client
        .find_all(Locator::Css(".log-line"))
        .await
        .unwrap_or_default()
    {
        if let Ok(text) = line.text().await {
            out.push(text);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_logs_tab_shows_the_containers_log_and_follows_it() {
    let Some((_driver, kernel, client)) = setup(
        "the_logs_tab_shows_the_containers_log_and_follows_it",
        quiet_demo(),
    )
    .await
    else {
        return;
    };
    open_tab(&client, &kernel, "Logs").await;
    let first = kube_sim::logs::line(POD, CONTAINER, 0, false);
    eventually("the first line of kube-sim's log for postgres", || async {
        log_lines(&client).await.contains(&first).then_some(())
    })
    .await;
    // Follow is on by default: kube-sim writes a new line every second.
    let later = kube_sim::logs::line(POD, CONTAINER, 3, false);
    eventually("a line written after the viewer opened", || async {
        log_lines(&client).await.contains(&later).then_some(())
    })
    .await;
    let container = client
        .find(Locator::Css("select[aria-label=Container]"))
        .await
        .unwrap();
    assert_eq!(
        container.prop("value").await.unwrap().as_deref(),
        Some(CONTAINER)
    );
    screenshot(&client, "pod-logs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn searching_the_log_highlights_matches_and_steps_through_them() {
    let Some((_driver, kernel, client)) = setup(
        "searching_the_log_highlights_matches_and_steps_through_them",
        quiet_demo(),
    )
    .await
    else {
        return;
    };
    open_tab(&client, &kernel, "Logs").await;
    eventually("three log lines", || async {
        (log_lines(&client).await.len() >= 3).then_some(())
    })
    .await;
    let search = client
        .find(Locator::Css("input[aria-label='Search the log']"))
        .await
        .unwrap();
    // Upper case on purpose: the search ignores case.
    search.send_keys("SEQ=").await.unwrap();
    let marks = eventually("highlighted matches", || async {
        let marks = client.find_all(Locator::Css(".log-line mark")).await.ok()?;
        let mut texts = Vec::new();
        for m in marks {
            texts.push(m.text().await.ok()?);
        }
        (texts.len() >= 3).then_some(texts)
    })
    .await;
    assert!(marks.iter().all(|m| m == "seq="), "{marks:?}");
    let count = text_of(&client, ".match-count").await.unwrap();
    assert!(
        count.starts_with("1 of "),
        "the first match is current: {count}"
    );
    let current = || async {
        client
            .find(Locator::Css(".log-line.current-match"))
            .await
            .unwrap()
            .attr("data-seq")
            .await
            .unwrap()
            .unwrap()
    };
    let first = current().await;
    client
        .find(Locator::Css("button[aria-label='Next match']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let second = current().await;
    assert_ne!(first, second, "Next moves to another line");
    assert!(
        text_of(&client, ".match-count")
            .await
            .unwrap()
            .starts_with("2 of ")
    );
    screenshot(&client, "pod-logs-search").await;
    // Shift+Enter goes back; a query without matches says so.
    search.send_keys(&format!("\u{E008}{ENTER}")).await.unwrap();
    assert_eq!(current().await, first, "Shift+Enter goes back");
    search.send_keys("no such text").await.unwrap();
    eventually("no matches", || async {
        text_of(&client, ".match-count")
            .await
            .filter(|t| t == "No matches")
    })
    .await;
    assert!(
        client
            .find_all(Locator::Css(".log-line mark"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn downloading_the_log_saves_the_lines_shown() {
    let Some((_driver, kernel, client)) =
        setup("downloading_the_log_saves_the_lines_shown", quiet_demo()).await
    else {
        return;
    };
    open_tab(&client, &kernel, "Logs").await;
    let first = kube_sim::logs::line(POD, CONTAINER, 0, false);
    eventually("the first log line", || async {
        log_lines(&client).await.contains(&first).then_some(())
    })
    .await;
    // Keep the blob the page hands to the download, and read it back.
    client
        .execute(
            "window.__saved = []; const make = URL.createObjectURL.bind(URL);
             URL.createObjectURL = (blob) => { window.__saved.push(blob); return make(blob); };",
            vec![],
        )
        .await
        .unwrap();
    let download = client
        .find(Locator::XPath("//button[text()='Download']"))
        .await
        .unwrap();
    download.click().await.unwrap();
    let saved = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__saved[0].text().then(done);",
            vec![],
        )
        .await
        .unwrap();
    let saved = saved.as_str().unwrap().to_owned();
    assert!(saved.starts_with(&format!("{first}\n")), "{saved:?}");
    assert!(saved.ends_with('\n'));
    // Clear empties the viewer.
    client
        .find(Locator::XPath("//button[text()='Clear']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the cleared viewer without its old lines", || async {
        (!log_lines(&client).await.contains(&first)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_log_lines_keeps_the_newest_and_renders_only_what_is_visible() {
    // kube-sim writes followed lines as fast as they are read.
    let config = SimConfig {
        log_interval: Duration::ZERO,
        ..quiet_demo()
    };
    let Some((_driver, kernel, client)) = setup(
        "a_flood_of_log_lines_keeps_the_newest_and_renders_only_what_is_visible",
        config,
    )
    .await
    else {
        return;
    };
    open_tab(&client, &kernel, "Logs").await;
    let started = Instant::now();
    let lines_held = || async {
        client
            .find(Locator::Css("[role=log]"))
            .await
            .ok()?
            .attr("data-lines")
            .await
            .ok()??
            .parse::<usize>()
            .ok()
    };
    // Longer than the other waits: a debug kernel relays the lines.
    loop {
        let held = lines_held().await.unwrap_or(0);
        let note = text_of(&client, ".warning-box").await.unwrap_or_default();
        if held == 100_000 && note.contains("older lines were dropped") {
            break;
        }
        assert!(
            started.elapsed() < FLOOD_WAIT,
            "the viewer did not fill its 100,000 lines in {FLOOD_WAIT:?}: {held} held"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!(
        "log flood: 100,000 lines held after {} ms",
        started.elapsed().as_millis()
    );
    let in_dom = client
        .find_all(Locator::Css(".log-line"))
        .await
        .unwrap()
        .len();
    assert!(
        in_dom < 200,
        "only the visible lines are in the DOM, not {in_dom}"
    );
    // Frame times while lines keep pouring in and the user scrolls up through the log.
    let frames = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const el = document.querySelector('[role=log]');
             const times = []; let last = performance.now(); let n = 0;
             function tick(now) {
               times.push(now - last); last = now; n += 1;
               el.scrollTop = Math.max(0, el.scrollTop - 400);
               if (n < 90) requestAnimationFrame(tick);
               else { times.sort((a, b) => a - b);
                      done([times[Math.floor(times.length / 2)], times[Math.floor(times.length * 0.95)]]); }
             }
             requestAnimationFrame(tick);",
            vec![],
        )
        .await
        .unwrap();
    eprintln!("log flood: frame time while scrolling 400 px a frame, [median, p95] ms = {frames}");
    let median = frames[0].as_f64().unwrap();
    assert!(
        median < 250.0,
        "scrolling a full buffer stays interactive: median frame {median} ms"
    );
    screenshot(&client, "pod-logs-flood").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_terminal_runs_a_shell_in_the_container() {
    let Some((_driver, kernel, client)) =
        setup("the_terminal_runs_a_shell_in_the_container", quiet_demo()).await
    else {
        return;
    };
    open_tab(&client, &kernel, "Terminal").await;
    let screen = || async { text_of(&client, "#pod-terminal .xterm-rows").await };
    eventually("the shell's prompt", || async {
        screen().await.filter(|s| s.contains("/ #"))
    })
    .await;
    let status = text_of(&client, ".terminal [role=status]").await.unwrap();
    assert!(status.contains("Connected to postgres (sh)"), "{status}");
    let input = client
        .find(Locator::Css("#pod-terminal textarea"))
        .await
        .unwrap();
    input.send_keys(&format!("echo hi{ENTER}")).await.unwrap();
    let shown = eventually("hi printed by the shell", || async {
        screen()
            .await
            .filter(|s| s.lines().any(|l| l.trim_end() == "hi"))
    })
    .await;
    assert!(
        shown.contains("echo hi"),
        "the typed command echoes: {shown}"
    );
    screenshot(&client, "pod-terminal").await;
    input.send_keys(&format!("exit 3{ENTER}")).await.unwrap();
    eventually("the status saying the shell exited", || async {
        text_of(&client, ".terminal [role=status]")
            .await
            .filter(|s| s.contains("exited with code 3"))
    })
    .await;
    let reconnect = client
        .find(Locator::XPath("//button[text()='Reconnect']"))
        .await
        .unwrap();
    reconnect.click().await.unwrap();
    eventually("a new session's prompt", || async {
        text_of(&client, ".terminal [role=status]")
            .await
            .filter(|s| s.contains("Connected"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_port_forward_shows_a_local_url_that_reaches_the_pod() {
    let Some((_driver, kernel, client)) = setup(
        "a_port_forward_shows_a_local_url_that_reaches_the_pod",
        quiet_demo(),
    )
    .await
    else {
        return;
    };
    open_tab(&client, &kernel, "Port forward").await;
    let start = eventually("the Start button of port 5432", || async {
        client
            .find(Locator::Css("button[aria-label='Forward port 5432']"))
            .await
            .ok()
    })
    .await;
    start.click().await.unwrap();
    let link = eventually("the local URL", || async {
        client.find(Locator::Css("a.forward-url")).await.ok()
    })
    .await;
    let url = link.attr("href").await.unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // The URL reaches the pod's port: kube-sim's responder names the pod and port.
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let answer = http_get(address).await;
    assert!(
        answer.contains(&format!("kube-sim: pod {POD} port 5432")),
        "{answer}"
    );
    screenshot(&client, "pod-port-forward").await;
    client
        .find(Locator::Css(
            "button[aria-label='Stop forwarding port 5432']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the forward stopped", || async {
        text_of(&client, "tr[data-port='5432']")
            .await
            .filter(|t| t.contains("Not forwarded"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_pod_tabs_are_reachable_with_the_keyboard() {
    let Some((_driver, kernel, client)) =
        setup("the_pod_tabs_are_reachable_with_the_keyboard", quiet_demo()).await
    else {
        return;
    };
    open_tab(&client, &kernel, "Details").await;
    let details = client
        .find(Locator::Css("[role=tab][aria-selected=true]"))
        .await
        .unwrap();
    assert_eq!(details.text().await.unwrap(), "Details");
    eventually("the plugin's view in the Details panel", || async {
        text_of(&client, "#pod-panel-details .view").await
    })
    .await;
    screenshot(&client, "pod-details-tabs").await;
    details.send_keys(ARROW_RIGHT).await.unwrap();
    let selected = eventually("Logs selected by the arrow key", || async {
        let tab = client
            .find(Locator::Css("[role=tab][aria-selected=true]"))
            .await
            .ok()?;
        let text = tab.text().await.ok()?;
        (text == "Logs").then_some(tab)
    })
    .await;
    let focused = client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(
        focused.as_str(),
        selected.attr("id").await.unwrap().as_deref(),
        "focus follows the selection"
    );
    let panel = client
        .find(Locator::Css("[role=tabpanel]:not([hidden])"))
        .await
        .unwrap();
    assert_eq!(
        panel.attr("aria-labelledby").await.unwrap(),
        selected.attr("id").await.unwrap()
    );
}

/// `GET /` on `address` over plain TCP; the whole answer as text.
async fn http_get(address: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::time::timeout(WAIT, tokio::net::TcpStream::connect(address))
        .await
        .expect("the forward accepts in time")
        .expect("the forward's port accepts connections");
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(WAIT, socket.read_to_end(&mut answer))
        .await
        .expect("the pod answers in time")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_port_forward_in_web_mode_shows_the_kernels_refusal_in_place() {
    let config = quiet_demo();
    let token = config.users[0].token.clone();
    let driver = match start_driver() {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "SKIPPED a_port_forward_in_web_mode_shows_the_kernels_refusal_in_place: {why}"
            );
            return;
        }
    };
    let kernel = start_kernel_with(config, |host| AppState {
        auth: headlamp_kernel::identity::AuthMode::Token,
        ..AppState::local(host)
    })
    .await;
    let client = browser(&driver).await;
    // The viewer's token, as the login would leave it.
    client.goto(&format!("{}/", kernel.url)).await.unwrap();
    client
        .execute(
            "document.cookie = 'headlamp-token=' + arguments[0] + '; path=/'",
            vec![json!(token)],
        )
        .await
        .unwrap();
    open_tab(&client, &kernel, "Port forward").await;
    let start = eventually("the Start button of port 5432", || async {
        client
            .find(Locator::Css("button[aria-label='Forward port 5432']"))
            .await
            .ok()
    })
    .await;
    start.click().await.unwrap();
    let refusal = eventually("the kernel's refusal in the port's row", || async {
        text_of(&client, "tr[data-port='5432'] .forward-error").await
    })
    .await;
    assert!(refusal.contains("kubectl port-forward"), "{refusal}");
    assert!(
        client.find(Locator::Css("a.forward-url")).await.is_err(),
        "no URL is shown for a refused forward"
    );
    screenshot(&client, "pod-port-forward-web-mode").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrapping_lets_long_lines_flow_onto_several_rows() {
    let Some((_driver, kernel, client)) = setup(
        "wrapping_lets_long_lines_flow_onto_several_rows",
        quiet_demo(),
    )
    .await
    else {
        return;
    };
    // Narrow enough that kube-sim's lines (about 50 characters) do not fit on one row.
    client.set_window_size(640, 900).await.unwrap();
    open_tab(&client, &kernel, "Logs").await;
    eventually("two log lines", || async {
        (log_lines(&client).await.len() >= 2).then_some(())
    })
    .await;
    let overflowing = "return [...document.querySelectorAll('.log-line')]
        .map((l) => [l.getBoundingClientRect().height, l.scrollWidth > l.clientWidth])";
    let before = client.execute(overflowing, vec![]).await.unwrap();
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l[0].as_f64() == Some(18.0)),
        "without wrap every line is one 18 px row: {before}"
    );
    client
        .find(Locator::XPath("//label[contains(., 'Wrap')]/input"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let after = eventually("wrapped lines", || async {
        client.find(Locator::Css(".log-scroll.wrap")).await.ok()?;
        let lines = client.execute(overflowing, vec![]).await.ok()?;
        let lines = lines.as_array()?.clone();
        lines
            .iter()
            .any(|l| l[0].as_f64().is_some_and(|h| h >= 36.0))
            .then_some(lines)
    })
    .await;
    assert!(
        after.iter().all(|l| l[1].as_bool() == Some(false)),
        "no wrapped line overflows the viewer: {after:?}"
    );
    screenshot(&client, "pod-logs-wrapped").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn previous_shows_the_log_of_a_restarted_containers_last_instance() {
    let Some((_driver, kernel, client)) = setup(
        "previous_shows_the_log_of_a_restarted_containers_last_instance",
        quiet_demo(),
    )
    .await
    else {
        return;
    };
    // The demo's crash-looping deployment: its pod's container has restarted.
    let pods: Api<Pod> = Api::namespaced(kernel.sim.client(), NAMESPACE);
    let crashing = eventually("the recommendations pod", || async {
        let list = pods
            .list(&kube::api::ListParams::default().labels("app=recommendations"))
            .await
            .ok()?;
        list.items.into_iter().find_map(|p| p.metadata.name)
    })
    .await;
    open_pod_tab(&client, &kernel, &crashing, "Logs").await;
    let previous = eventually("the Previous option enabled", || async {
        let input = client
            .find(Locator::XPath("//label[contains(., 'Previous')]/input"))
            .await
            .ok()?;
        input.is_enabled().await.ok()?.then_some(input)
    })
    .await;
    previous.click().await.unwrap();
    let first = kube_sim::logs::line(&crashing, "recommendations", 0, true);
    eventually("the previous instance's first line", || async {
        log_lines(&client).await.contains(&first).then_some(())
    })
    .await;
    assert!(
        log_lines(&client)
            .await
            .iter()
            .all(|l| l.ends_with("(previous instance)")),
        "only the previous instance's lines are shown"
    );
    let follow = client
        .find(Locator::XPath("//label[contains(., 'Follow')]/input"))
        .await
        .unwrap();
    assert!(
        !follow.is_enabled().await.unwrap(),
        "a terminated instance's log cannot be followed"
    );
}
