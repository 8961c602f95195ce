//! The kernel's refusals, in one place. Most are tested beside the feature they guard; this
//! file lists them all and holds the ones that were missing.
//!
//! | Refusal | Where it is tested |
//! | --- | --- |
//! | a plugin listing secrets without the manifest permission | `faults_plugins.rs`: `a_cluster_call_outside_the_manifest_is_refused_by_the_kernel` |
//! | the manifest gate itself (verbs, groups, wildcards) | `src/permissions.rs` unit tests |
//! | no token in web mode (`--auth token`): REST | `cluster_registry.rs`: `in_web_mode_a_request_without_a_token_is_refused_with_how_to_log_in` |
//! | no token in web mode: the cluster proxy | `proxy.rs`: `web_mode_refuses_a_request_without_a_token` |
//! | no token in web mode: the stream | here: `in_web_mode_the_stream_refuses_a_socket_without_a_token` |
//! | a cross-origin WebSocket | `live_tables.rs`: `a_page_from_another_origin_cannot_open_the_stream` |
//! | a cross-origin proxy request | `proxy.rs`: `a_page_of_another_site_may_not_use_the_proxy` |
//! | a mutating request without the CSRF token | `cluster_registry.rs`: `adding_a_cluster_without_the_csrf_token_is_refused_and_nothing_is_kept`; `actions.rs` |
//! | path traversal in the proxy (`..`, `%2e%2e`, `%2f`, `\`, `//host`, absolute URLs) | `proxy.rs`: `path_traversal_is_refused`; `src/proxy.rs`: `dot_segments_are_refused_plain_and_encoded`, `absolute_urls_and_empty_segments_are_refused` |
//! | a package archive entry outside its folder (`../x`, `/x`) | `src/pinned.rs`: `a_package_entry_that_climbs_out_of_its_folder_is_refused` |
//! | a plugin id with `/`, `..` or other path characters | here: `a_plugin_whose_id_could_name_a_path_is_refused_at_load`; `properties.rs`: `a_plugin_id_is_accepted_exactly_when_it_is_lowercase_kebab_case` |
//! | a restart of a plugin name that is not loaded (`..%2F`) | here: `restarting_a_plugin_by_a_path_like_name_finds_nothing` |
//! | clusters added through the API in web mode | `cluster_registry.rs`: `in_web_mode_clusters_cannot_be_added_through_the_api` |
//! | exec as a read-only viewer | `stream_sessions.rs`: `exec_runs_as_the_viewer_so_rbac_refuses_a_read_only_one` |
//! | an oversized stream message | `faults_clients.rs`: `an_oversized_message_is_refused_with_an_error_and_a_1009_close` |

mod common;

use std::sync::Arc;

use common::socket::WAIT;
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::host::LoadError;
use headlamp_kernel::identity::AuthMode;
use tokio_tungstenite::tungstenite;

/// The trap test plugin with every copy of its embedded manifest's `name = "trap"` rewritten
/// in place to `name` (same length, so the component stays well-formed).
fn trap_plugin_named(name: &str) -> Vec<u8> {
    assert_eq!(name.len(), "trap".len());
    let mut wasm = test_plugin("trap");
    let from = b"name = \"trap\"";
    let mut rewritten = 0;
    while let Some(at) = wasm.windows(from.len()).position(|w| w == from) {
        let name_at = at + b"name = \"".len();
        wasm[name_at..name_at + 4].copy_from_slice(name.as_bytes());
        rewritten += 1;
    }
    assert!(rewritten > 0, "the trap plugin embeds its manifest");
    wasm
}

#[tokio::test]
async fn a_plugin_whose_id_could_name_a_path_is_refused_at_load() {
    for name in ["t/ap", "../x", "./tr", "..tr"] {
        let host = host();
        let err = host
            .load(source(trap_plugin_named(name)))
            .await
            .unwrap_err();
        assert!(matches!(&err, LoadError::Manifest(_)), "{name}: {err:?}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("plugin name {name:?} is invalid")),
            "{text}"
        );
        assert!(host.plugins().is_empty());
    }
}

#[tokio::test]
async fn restarting_a_plugin_by_a_path_like_name_finds_nothing() {
    let host = host();
    host.load(source(test_plugin("trap"))).await.unwrap();
    let kernel = serve_kernel(host).await;
    let csrf = csrf_token(&kernel, Default::default()).await;
    for name in ["..%2Ftrap", "trap%2F..", "%2e%2e"] {
        let answer = reqwest::Client::new()
            .post(format!("{kernel}/api/v1/plugins/{name}/restart"))
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "{name}");
    }
}

#[tokio::test]
async fn in_web_mode_the_stream_refuses_a_socket_without_a_token() {
    let state = AppState {
        auth: AuthMode::Token,
        ..AppState::local(Arc::new(host()))
    };
    let kernel = serve_app(state).await;
    let url = format!("{}/api/v1/stream", kernel.replace("http", "ws"));
    let answer = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("the kernel did not answer");
    match answer {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        Err(other) => panic!("refused, but not with 401: {other}"),
        Ok(_) => panic!("a socket without a token was opened"),
    }
}
