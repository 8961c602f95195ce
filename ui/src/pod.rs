//! What the pod tools (logs, terminal, port-forward) read from a Pod object: its containers
//! and their ports, and which containers have a previous (terminated) instance.

use serde_json::Value;

/// One container of a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// Name.
    pub name: String,
    /// True for an init container.
    pub init: bool,
    /// True when the container has restarted, so a previous instance's log exists.
    pub has_previous: bool,
}

/// A port a container declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    /// The container declaring it.
    pub container: String,
    /// The port's name, if any.
    pub name: Option<String>,
    /// The port number.
    pub port: u16,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
}

/// The containers of a pod object: init containers first, as they run.
pub fn containers(pod: &Value) -> Vec<Container> {
    let restarted = |status_key: &str, name: &str| {
        pod["status"][status_key]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["name"].as_str() == Some(name))
            .is_some_and(|s| {
                s["restartCount"].as_i64().unwrap_or(0) > 0
                    || s["lastState"]["terminated"].is_object()
            })
    };
    let mut out = Vec::new();
    for (spec_key, status_key, init) in [
        ("initContainers", "initContainerStatuses", true),
        ("containers", "containerStatuses", false),
    ] {
        for c in pod["spec"][spec_key].as_array().into_iter().flatten() {
            if let Some(name) = c["name"].as_str() {
                out.push(Container {
                    name: name.to_owned(),
                    init,
                    has_previous: restarted(status_key, name),
                });
            }
        }
    }
    out
}

/// The container a tool starts on: the first regular container, else the first init one.
pub fn default_container(containers: &[Container]) -> Option<&Container> {
    containers
        .iter()
        .find(|c| !c.init)
        .or_else(|| containers.first())
}

/// Every port the pod's containers declare (init containers included), in spec order.
pub fn ports(pod: &Value) -> Vec<ContainerPort> {
    let mut out = Vec::new();
    for key in ["initContainers", "containers"] {
        for c in pod["spec"][key].as_array().into_iter().flatten() {
            let container = c["name"].as_str().unwrap_or_default();
            for p in c["ports"].as_array().into_iter().flatten() {
                let Some(port) = p["containerPort"]
                    .as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| *n > 0)
                else {
                    continue;
                };
                out.push(ContainerPort {
                    container: container.to_owned(),
                    name: p["name"].as_str().map(str::to_owned),
                    port,
                    protocol: p["protocol"].as_str().unwrap_or("TCP").to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "spec": {
                "initContainers": [{"name": "migrate"}],
                "containers": [
                    {"name": "web", "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}, {"containerPort": 9090}]},
                    {"name": "sidecar", "ports": [{"containerPort": 0}, {"containerPort": 70000}]}
                ]
            },
            "status": {
                "initContainerStatuses": [{"name": "migrate", "restartCount": 0}],
                "containerStatuses": [
                    {"name": "web", "restartCount": 2},
                    {"name": "sidecar", "restartCount": 0, "lastState": {}}
                ]
            }
        })
    }

    #[test]
    fn containers_list_init_ones_first_and_know_which_restarted() {
        let names: Vec<(String, bool, bool)> = containers(&pod())
            .into_iter()
            .map(|c| (c.name, c.init, c.has_previous))
            .collect();
        assert_eq!(
            names,
            vec![
                ("migrate".into(), true, false),
                ("web".into(), false, true),
                ("sidecar".into(), false, false)
            ]
        );
    }

    #[test]
    fn the_default_container_is_the_first_regular_one() {
        let list = containers(&pod());
        assert_eq!(default_container(&list).unwrap().name, "web");
        let only_init = containers(&json!({"spec": {"initContainers": [{"name": "i"}]}}));
        assert_eq!(default_container(&only_init).unwrap().name, "i");
        assert!(default_container(&[]).is_none());
    }

    #[test]
    fn ports_skip_numbers_outside_the_valid_range() {
        let list = ports(&pod());
        let found: Vec<(String, Option<String>, u16, String)> = list
            .into_iter()
            .map(|p| (p.container, p.name, p.port, p.protocol))
            .collect();
        assert_eq!(
            found,
            vec![
                ("web".into(), Some("http".into()), 8080, "TCP".into()),
                ("web".into(), None, 9090, "TCP".into())
            ]
        );
    }

    #[test]
    fn an_object_without_a_spec_has_no_containers_or_ports() {
        assert!(containers(&json!({})).is_empty());
        assert!(ports(&json!({"spec": {}})).is_empty());
    }
}
