//! kube-rs against kube-sim: verbs, conflicts, selectors, paging, watch, CRDs, RBAC.

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams, WatchEvent,
    WatchParams,
};
use kube::core::{ApiResource, GroupVersionKind};
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::json;
use std::time::Duration;

async fn sim() -> SimHandle {
    Sim::start(SimConfig {
        tick: Duration::from_millis(50),
        ..Default::default()
    })
    .await
    .expect("sim starts")
}

fn cm(name: &str, labels: serde_json::Value) -> ConfigMap {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}),
    )
    .unwrap()
}

fn api_code(e: kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn eventually<F: Fn() -> Fut, Fut: std::future::Future<Output = bool>>(what: &str, f: F) {
    for _ in 0..100 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test]
async fn crud_create_get_list_replace_delete() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let created = api
        .create(&PostParams::default(), &cm("one", json!({})))
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.creation_timestamp.is_some());
    let mut got = api.get("one").await.unwrap();
    assert_eq!(got.data.as_ref().unwrap()["k"], "v");
    got.data.as_mut().unwrap().insert("k".into(), "w".into());
    let replaced = api
        .replace("one", &PostParams::default(), &got)
        .await
        .unwrap();
    assert_ne!(
        replaced.metadata.resource_version,
        created.metadata.resource_version
    );
    assert_eq!(
        api.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );
    assert_eq!(
        api_code(
            api.create(&PostParams::default(), &cm("one", json!({})))
                .await
                .unwrap_err()
        ),
        409
    );
    api.delete("one", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_code(api.get("one").await.unwrap_err()), 404);
}

#[tokio::test]
async fn generate_name_gets_random_suffix() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let obj: ConfigMap =
        serde_json::from_value(json!({"metadata": {"generateName": "gen-"}})).unwrap();
    let a = api.create(&PostParams::default(), &obj).await.unwrap();
    let b = api.create(&PostParams::default(), &obj).await.unwrap();
    let (na, nb) = (a.metadata.name.unwrap(), b.metadata.name.unwrap());
    assert!(na.starts_with("gen-") && na.len() == 9, "{na}");
    assert_ne!(na, nb);
}

#[tokio::test]
async fn update_with_stale_resource_version_is_conflict_409() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let first = api
        .create(&PostParams::default(), &cm("c", json!({})))
        .await
        .unwrap();
    let mut fresh = first.clone();
    fresh.data = Some([("k".to_string(), "new".to_string())].into());
    api.replace("c", &PostParams::default(), &fresh)
        .await
        .unwrap();
    let mut stale = first;
    stale.data = Some([("k".to_string(), "stale".to_string())].into());
    match api
        .replace("c", &PostParams::default(), &stale)
        .await
        .unwrap_err()
    {
        kube::Error::Api(st) => {
            assert_eq!((st.code, st.reason.as_str()), (409, "Conflict"));
            assert!(
                st.message.contains("the object has been modified"),
                "{}",
                st.message
            );
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[tokio::test]
async fn label_and_field_selectors_filter_lists() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    for (n, app, tier) in [
        ("a", "web", "front"),
        ("b", "web", "back"),
        ("c", "db", "back"),
    ] {
        api.create(
            &PostParams::default(),
            &cm(n, json!({"app": app, "tier": tier})),
        )
        .await
        .unwrap();
    }
    let names = |l: kube::core::ObjectList<ConfigMap>| {
        l.items
            .into_iter()
            .map(|c| c.metadata.name.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("app=web"))
                .await
                .unwrap()
        ),
        ["a", "b"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("app=web,tier!=front"))
                .await
                .unwrap()
        ),
        ["b"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("app in (db),tier"))
                .await
                .unwrap()
        ),
        ["c"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().labels("app notin (web),!missing"))
                .await
                .unwrap()
        ),
        ["c"]
    );
    assert_eq!(
        names(
            api.list(&ListParams::default().fields("metadata.name=b"))
                .await
                .unwrap()
        ),
        ["b"]
    );
    assert_eq!(
        names(
            api.list(
                &ListParams::default()
                    .fields("metadata.name!=b")
                    .labels("app=web")
            )
            .await
            .unwrap()
        ),
        ["a"]
    );
    assert_eq!(
        api_code(
            api.list(&ListParams::default().fields("spec.bogus=1"))
                .await
                .unwrap_err()
        ),
        400
    );
}

#[tokio::test]
async fn paging_with_limit_and_continue_returns_every_item_once() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    for i in 0..7 {
        api.create(&PostParams::default(), &cm(&format!("p{i}"), json!({})))
            .await
            .unwrap();
    }
    let mut seen = vec![];
    let mut lp = ListParams::default().limit(3);
    loop {
        let page = api.list(&lp).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().map(|c| c.metadata.name.unwrap()));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => lp = ListParams::default().limit(3).continue_token(&c),
            None => break,
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("p{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn continue_token_after_compaction_is_gone_410() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    for i in 0..3 {
        api.create(&PostParams::default(), &cm(&format!("g{i}"), json!({})))
            .await
            .unwrap();
    }
    let page = api.list(&ListParams::default().limit(1)).await.unwrap();
    let token = page.metadata.continue_.unwrap();
    api.create(&PostParams::default(), &cm("later", json!({})))
        .await
        .unwrap();
    s.store().compact();
    match api
        .list(&ListParams::default().limit(1).continue_token(&token))
        .await
        .unwrap_err()
    {
        kube::Error::Api(st) => {
            assert_eq!(st.code, 410);
            assert!(
                st.message
                    .starts_with("The provided continue parameter is too old"),
                "{}",
                st.message
            );
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[tokio::test]
async fn watch_resumes_after_resource_version() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    api.create(&PostParams::default(), &cm("before", json!({})))
        .await
        .unwrap();
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    api.create(&PostParams::default(), &cm("after1", json!({})))
        .await
        .unwrap();
    api.delete("before", &DeleteParams::default())
        .await
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default().disable_bookmarks(), &rv)
        .await
        .unwrap()
        .boxed();
    api.create(&PostParams::default(), &cm("after2", json!({})))
        .await
        .unwrap();
    let mut got = vec![];
    while got.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(match ev {
            WatchEvent::Added(c) => format!("ADDED {}", c.metadata.name.unwrap()),
            WatchEvent::Deleted(c) => format!("DELETED {}", c.metadata.name.unwrap()),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(got, ["ADDED after1", "DELETED before", "ADDED after2"]);
}

#[tokio::test]
async fn watch_from_compacted_version_gets_410_error_event() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let rv = api
        .create(&PostParams::default(), &cm("x", json!({})))
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    api.create(&PostParams::default(), &cm("y", json!({})))
        .await
        .unwrap();
    s.store().compact();
    let mut stream = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
    {
        WatchEvent::Error(st) => {
            assert_eq!(st.code, 410);
            assert!(
                st.message.contains("too old resource version"),
                "{}",
                st.message
            );
        }
        other => panic!("expected ERROR 410, got {other:?}"),
    }
}

#[tokio::test]
async fn watch_sends_periodic_bookmarks() {
    let s = Sim::start(SimConfig {
        bookmark_interval: Duration::from_millis(100),
        ..Default::default()
    })
    .await
    .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
    {
        WatchEvent::Bookmark(b) => assert_eq!(b.metadata.resource_version, rv),
        other => panic!("expected a bookmark, got {other:?}"),
    }
}

#[tokio::test]
async fn send_initial_events_ends_with_annotated_bookmark() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    api.create(&PostParams::default(), &cm("i1", json!({})))
        .await
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default().initial_events(), "")
        .await
        .unwrap()
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        matches!(first, WatchEvent::Added(ref c) if c.metadata.name.as_deref() == Some("i1")),
        "{first:?}"
    );
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
    {
        WatchEvent::Bookmark(b) => assert_eq!(
            b.metadata
                .annotations
                .get("k8s.io/initial-events-end")
                .map(String::as_str),
            Some("true")
        ),
        other => panic!("expected the initial-events-end bookmark, got {other:?}"),
    }
}

#[tokio::test]
async fn crd_lifecycle_serves_and_removes_custom_resources() {
    let s = sim().await;
    let crds: Api<CustomResourceDefinition> = Api::all(s.client());
    let crd: CustomResourceDefinition =
        serde_json::from_value(kube_sim::demo::widget_crd()).unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("demo.headlamp.dev", "v1", "Widget"),
        "widgets",
    );
    let widgets: Api<DynamicObject> = Api::namespaced_with(s.client(), "default", &ar);
    let w: DynamicObject = serde_json::from_value(json!({"apiVersion": "demo.headlamp.dev/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 2}})).unwrap();
    widgets.create(&PostParams::default(), &w).await.unwrap();
    let list = widgets.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].data["spec"]["size"], 2);
    crds.delete("widgets.demo.headlamp.dev", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        api_code(widgets.list(&ListParams::default()).await.unwrap_err()),
        404
    );
    assert_eq!(
        s.store().count(
            &s.store()
                .def("apiextensions.k8s.io", "customresourcedefinitions")
        ),
        0
    );
}

#[tokio::test]
async fn viewer_can_read_but_not_write_or_read_secrets() {
    let s = sim().await;
    let viewer: Api<ConfigMap> = Api::namespaced(s.client_for("viewer"), "default");
    viewer.list(&ListParams::default()).await.unwrap();
    match viewer
        .create(&PostParams::default(), &cm("nope", json!({})))
        .await
        .unwrap_err()
    {
        kube::Error::Api(st) => {
            assert_eq!((st.code, st.reason.as_str()), (403, "Forbidden"));
            assert_eq!(
                st.message,
                "configmaps is forbidden: User \"viewer\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\""
            );
        }
        e => panic!("unexpected {e:?}"),
    }
    let secrets: Api<Secret> = Api::namespaced(s.client_for("viewer"), "default");
    assert_eq!(
        api_code(secrets.list(&ListParams::default()).await.unwrap_err()),
        403
    );
    let nss: Api<Namespace> = Api::all(s.client_for("viewer"));
    assert!(nss.list(&ListParams::default()).await.unwrap().items.len() >= 4);
}

#[tokio::test]
async fn self_subject_access_review_reflects_rbac() {
    let s = sim().await;
    let review = |verb: &str, resource: &str| SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.into()),
                resource: Some(resource.into()),
                namespace: Some("default".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let ask = |user: &'static str, verb: &'static str, res: &'static str| {
        let api: Api<SelfSubjectAccessReview> = Api::all(s.client_for(user));
        let r = review(verb, res);
        async move {
            api.create(&PostParams::default(), &r)
                .await
                .unwrap()
                .status
                .unwrap()
                .allowed
        }
    };
    assert!(ask("admin", "delete", "pods").await);
    assert!(ask("viewer", "list", "pods").await);
    assert!(!ask("viewer", "delete", "pods").await);
    assert!(!ask("viewer", "get", "secrets").await);
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401() {
    let s = sim().await;
    let mut cfg = s.config_for("admin").unwrap();
    cfg.auth_info.token = Some("wrong".to_string().into());
    let api: Api<ConfigMap> = Api::namespaced(kube::Client::try_from(cfg).unwrap(), "default");
    assert_eq!(
        api_code(api.list(&ListParams::default()).await.unwrap_err()),
        401
    );
}

#[tokio::test]
async fn finalizers_delay_deletion_until_removed() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let obj: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "f", "finalizers": ["sim/test"]}}))
            .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
    api.delete("f", &DeleteParams::default()).await.unwrap();
    let pending = api.get("f").await.unwrap();
    assert!(pending.metadata.deletion_timestamp.is_some());
    api.patch(
        "f",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(api_code(api.get("f").await.unwrap_err()), 404);
}

#[tokio::test]
async fn patch_types_merge_json_and_strategic() {
    let s = sim().await;
    let api: Api<Pod> = Api::namespaced(s.client(), "default");
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}})).unwrap();
    api.create(&PostParams::default(), &pod).await.unwrap();
    let smp = json!({"spec": {"containers": [{"name": "b", "image": "z"}]}});
    let p = api
        .patch("p", &PatchParams::default(), &Patch::Strategic(smp))
        .await
        .unwrap();
    let images: Vec<_> = p
        .spec
        .unwrap()
        .containers
        .into_iter()
        .map(|c| c.image.unwrap())
        .collect();
    assert_eq!(images, ["x", "z"]);
    let ops = json!([{"op": "add", "path": "/metadata/labels", "value": {"l": "1"}}])
        .to_string()
        .into_bytes();
    let req = http::Request::patch("/api/v1/namespaces/default/pods/p")
        .header("content-type", "application/json-patch+json")
        .body(ops)
        .unwrap();
    let p: Pod = serde_json::from_str(&s.client().request_text(req).await.unwrap()).unwrap();
    assert_eq!(p.metadata.labels.unwrap()["l"], "1");
    let p = api
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"l": null, "m": "2"}}})),
        )
        .await
        .unwrap();
    assert_eq!(
        p.metadata.labels.unwrap().into_iter().collect::<Vec<_>>(),
        [("m".to_string(), "2".to_string())]
    );
}

#[tokio::test]
async fn server_side_apply_creates_then_merges() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let pp = PatchParams::apply("test").force();
    let doc = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1"}});
    api.patch("ssa", &pp, &Patch::Apply(doc)).await.unwrap();
    let doc = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"b": "2"}});
    let got = api.patch("ssa", &pp, &Patch::Apply(doc)).await.unwrap();
    assert_eq!(got.data.unwrap().len(), 2);
}

#[tokio::test]
async fn generation_bumps_on_spec_change_only() {
    let s = sim().await;
    let api: Api<Deployment> = Api::namespaced(s.client(), "default");
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "g"}, "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "g"}},
        "template": {"metadata": {"labels": {"app": "g"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}})).unwrap();
    assert_eq!(
        api.create(&PostParams::default(), &d)
            .await
            .unwrap()
            .metadata
            .generation,
        Some(1)
    );
    let p = api
        .patch(
            "g",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap();
    assert_eq!(p.metadata.generation, Some(1));
    let p = api
        .patch(
            "g",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    assert_eq!(p.metadata.generation, Some(2));
}

#[tokio::test]
async fn scaling_a_deployment_creates_and_deletes_pods() {
    let s = sim().await;
    let deps: Api<Deployment> = Api::namespaced(s.client(), "default");
    let pods: Api<Pod> = Api::namespaced(s.client(), "default");
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "web"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})).unwrap();
    deps.create(&PostParams::default(), &d).await.unwrap();
    let count = || async {
        pods.list(
            &ListParams::default()
                .labels("app=web")
                .fields("status.phase=Running"),
        )
        .await
        .unwrap()
        .items
        .len()
    };
    eventually("2 running pods", || async { count().await == 2 }).await;
    deps.patch_scale(
        "web",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 4}})),
    )
    .await
    .unwrap();
    eventually("4 running pods", || async { count().await == 4 }).await;
    let victim = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    pods.delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    eventually("deleted pod replaced", || async {
        let names: Vec<_> = pods
            .list(&ListParams::default().labels("app=web"))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|p| p.metadata.name.unwrap())
            .collect();
        names.len() == 4 && !names.contains(&victim)
    })
    .await;
    deps.patch_scale(
        "web",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 1}})),
    )
    .await
    .unwrap();
    eventually("1 pod left", || async {
        pods.list(&ListParams::default().labels("app=web"))
            .await
            .unwrap()
            .items
            .len()
            == 1
    })
    .await;
    eventually("deployment status ready 1", || async {
        deps.get_status("web")
            .await
            .unwrap()
            .status
            .unwrap()
            .ready_replicas
            == Some(1)
    })
    .await;
}

#[tokio::test]
async fn cluster_scoped_kind_under_namespace_path_is_404() {
    let s = sim().await;
    let req = http::Request::get("/api/v1/namespaces/default/nodes")
        .body(vec![])
        .unwrap();
    match s.client().request_text(req).await.unwrap_err() {
        kube::Error::Api(st) => assert_eq!(st.code, 404),
        e => panic!("unexpected {e:?}"),
    }
}

#[tokio::test]
async fn discovery_lists_groups_and_subresources() {
    let s = sim().await;
    let get = |p: &'static str| {
        let c = s.client();
        async move {
            serde_json::from_str::<serde_json::Value>(
                &c.request_text(http::Request::get(p).body(vec![]).unwrap())
                    .await
                    .unwrap(),
            )
            .unwrap()
        }
    };
    let core = get("/api/v1").await;
    let names: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for n in [
        "pods",
        "pods/log",
        "pods/exec",
        "pods/status",
        "namespaces",
        "nodes",
        "secrets",
    ] {
        assert!(names.contains(&n), "missing {n}");
    }
    let apps = get("/apis/apps/v1").await;
    assert!(
        apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "deployments/scale" && r["kind"] == "Scale")
    );
    let groups = get("/apis").await;
    assert!(
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "rbac.authorization.k8s.io")
    );
}

#[tokio::test]
async fn https_mode_works_with_generated_ca() {
    let s = Sim::start(SimConfig {
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(s.url.starts_with("https://127.0.0.1:"));
    assert!(s.kubeconfig.contains("certificate-authority-data"));
    let api: Api<Namespace> = Api::all(s.client());
    assert!(api.get("default").await.is_ok());
}

#[tokio::test]
async fn load_mode_creates_pods_and_a_stream_of_changes() {
    let s = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::load(200, 400)
    })
    .await
    .unwrap();
    let api: Api<Pod> = Api::namespaced(s.client(), "load");
    let list = api.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 200);
    let rv = list.metadata.resource_version.unwrap();
    let mut stream = api
        .watch(&WatchParams::default().disable_bookmarks(), &rv)
        .await
        .unwrap()
        .boxed();
    for _ in 0..20 {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(matches!(ev, WatchEvent::Modified(_)), "{ev:?}");
    }
}

#[tokio::test]
async fn serve_binary_writes_a_working_kubeconfig() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kc");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kube-sim"))
        .args(["serve", "--port", "0", "--kubeconfig-out"])
        .arg(&kc)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(l) = lines.next_line().await.unwrap() {
            if let Some(u) = l.strip_prefix("kube-sim listening on ") {
                return u.to_string();
            }
        }
        panic!("binary exited without printing its address");
    })
    .await
    .unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let kubeconfig = kube::config::Kubeconfig::read_from(&kc).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    assert_eq!(cfg.cluster_url.to_string().trim_end_matches('/'), url);
    let nss: Api<Namespace> = Api::all(kube::Client::try_from(cfg).unwrap());
    assert!(nss.get("default").await.is_ok());
    child.kill().await.unwrap();
}

#[tokio::test]
async fn watch_with_selector_reports_objects_leaving_as_deleted() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut stream = api
        .watch(
            &WatchParams::default().labels("app=web").disable_bookmarks(),
            &rv,
        )
        .await
        .unwrap()
        .boxed();
    api.create(&PostParams::default(), &cm("w", json!({"app": "web"})))
        .await
        .unwrap();
    api.patch(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"app": "db"}}})),
    )
    .await
    .unwrap();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    assert!(matches!(next().await, WatchEvent::Added(_)));
    assert!(matches!(next().await, WatchEvent::Deleted(_)));
}

#[tokio::test]
async fn kube_discovery_finds_builtin_and_crd_kinds() {
    let s = sim().await;
    let crds: Api<CustomResourceDefinition> = Api::all(s.client());
    let crd: CustomResourceDefinition =
        serde_json::from_value(kube_sim::demo::widget_crd()).unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let discovery = kube::Discovery::new(s.client()).run().await.unwrap();
    let kinds: Vec<String> = discovery
        .groups()
        .flat_map(|g| g.recommended_resources())
        .map(|(ar, _)| format!("{}/{}", ar.group, ar.kind))
        .collect();
    for k in [
        "/Pod",
        "apps/Deployment",
        "demo.headlamp.dev/Widget",
        "rbac.authorization.k8s.io/ClusterRole",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn eviction_deletes_the_pod() {
    let s = sim().await;
    let pods: Api<Pod> = Api::namespaced(s.client(), "default");
    let pod: Pod = serde_json::from_value(
        json!({"metadata": {"name": "e"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}),
    )
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    pods.evict("e", &Default::default()).await.unwrap();
    assert_eq!(api_code(pods.get("e").await.unwrap_err()), 404);
}

#[tokio::test]
async fn dry_run_changes_nothing() {
    let s = sim().await;
    let api: Api<ConfigMap> = Api::namespaced(s.client(), "default");
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let answered = api
        .create(&pp, &cm("dry", json!({"a": "b"})))
        .await
        .unwrap();
    assert_eq!(answered.metadata.name.as_deref(), Some("dry"));
    assert_eq!(api_code(api.get("dry").await.unwrap_err()), 404);
    api.create(&PostParams::default(), &cm("real", json!({})))
        .await
        .unwrap();
    let dp = DeleteParams {
        dry_run: true,
        ..Default::default()
    };
    api.delete("real", &dp).await.unwrap();
    assert!(api.get("real").await.is_ok());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let s = sim().await;
    let addr = s.url.trim_start_matches("http://").to_string();
    assert!(tokio::net::TcpStream::connect(&addr).await.is_ok());
    drop(s);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
}

#[tokio::test]
async fn kube_rs_exec_runs_the_fake_shell() {
    use tokio::io::AsyncReadExt;
    let s = sim().await;
    let pods: Api<Pod> = Api::namespaced(s.client(), "default");
    let pod: Pod = serde_json::from_value(
        json!({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}),
    )
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let ap = kube::api::AttachParams::default().stderr(false);
    let mut proc = pods
        .exec("x", ["sh", "-c", "echo hi; hostname"], &ap)
        .await
        .unwrap();
    let mut out = String::new();
    proc.stdout()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let status = proc.take_status().unwrap().await.unwrap();
    assert_eq!(out, "hi\nx\n");
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    proc.join().await.unwrap();
}

#[tokio::test]
async fn log_subresource_honours_tail_and_errors() {
    let s = sim().await;
    let pods: Api<Pod> = Api::namespaced(s.client(), "default");
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "l"}, "spec": {"containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "i"}]}})).unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    eventually("pod running", || async {
        pods.get("l")
            .await
            .unwrap()
            .status
            .and_then(|s| s.phase)
            .as_deref()
            == Some("Running")
    })
    .await;
    match pods.logs("l", &Default::default()).await.unwrap_err() {
        kube::Error::Api(st) => assert!(
            st.message
                .contains("a container name must be specified for pod l, choose one of: [a b]"),
            "{}",
            st.message
        ),
        e => panic!("unexpected {e:?}"),
    }
    let lp = kube::api::LogParams {
        container: Some("b".into()),
        tail_lines: Some(1),
        ..Default::default()
    };
    let text = pods.logs("l", &lp).await.unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.starts_with("[b] "), "{text}");
    let prev = kube::api::LogParams {
        container: Some("a".into()),
        previous: true,
        ..Default::default()
    };
    assert_eq!(api_code(pods.logs("l", &prev).await.unwrap_err()), 400);
}

#[tokio::test]
async fn aggregated_discovery_v2_is_served_on_request() {
    let s = sim().await;
    let req = http::Request::get("/apis")
        .header(
            "accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        )
        .body(vec![])
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&s.client().request_text(req).await.unwrap()).unwrap();
    assert_eq!(doc["kind"], "APIGroupDiscoveryList");
    let apps = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .unwrap();
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    assert_eq!(deploy["scope"], "Namespaced");
    assert!(
        deploy["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["subresource"] == "scale" && s["responseKind"]["kind"] == "Scale")
    );
    let plain = http::Request::get("/apis").body(vec![]).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&s.client().request_text(plain).await.unwrap()).unwrap();
    assert_eq!(doc["kind"], "APIGroupList");
}

#[tokio::test]
async fn kube_rs_portforward_reaches_a_fake_http_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = sim().await;
    let pods: Api<Pod> = Api::namespaced(s.client(), "default");
    let pod: Pod = serde_json::from_value(
        json!({"metadata": {"name": "pf"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}),
    )
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let mut fwd = pods.portforward("pf", &[8080]).await.unwrap();
    let mut stream = fwd.take_stream(8080).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
    assert!(
        out.ends_with("kube-sim: pod pf port 8080 path /healthz\n"),
        "{out}"
    );
}

#[tokio::test]
async fn cronjob_starts_a_job_when_due_and_it_completes() {
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    let s = sim().await;
    let cjs: Api<CronJob> = Api::namespaced(s.client(), "default");
    let jobs: Api<Job> = Api::namespaced(s.client(), "default");
    // Created "two minutes ago", so an every-minute schedule is due at once.
    let past = (chrono::Utc::now() - chrono::Duration::minutes(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let cj: CronJob = serde_json::from_value(json!({"metadata": {"name": "tick", "creationTimestamp": past},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "c", "image": "busybox"}]}}}}}}))
    .unwrap();
    cjs.create(&PostParams::default(), &cj).await.unwrap();
    eventually("a completed job from the cronjob", || async {
        jobs.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .iter()
            .any(|j| {
                j.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("tick-"))
                    && j.status.as_ref().and_then(|st| st.succeeded) == Some(1)
            })
    })
    .await;
    assert!(
        cjs.get("tick")
            .await
            .unwrap()
            .status
            .unwrap()
            .last_schedule_time
            .is_some()
    );
}
