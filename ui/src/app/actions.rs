//! Actions in the page: starting one (asking first when it needs to), the dialogs that ask
//! (confirm, replica count, the YAML editor), and the buttons of a details page's header.

use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use dioxus::router::Navigator;

use super::Shared;
use super::action_api;
use super::dialog::Dialog;
use super::editor::EditDialog;
use super::net;
use super::notify::Notifications;
use crate::actions::{
    ActionAnswer, ActionRequest, Prompt, Target, is_dangerous, label, parse_replicas, prompt,
    sorted,
};
use crate::model::Registry;
use crate::routes::cluster_path;

/// An action waiting for the viewer's answer to its dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Cluster name.
    pub cluster: String,
    /// The object.
    pub target: Target,
    /// The kind's resource name, to read the object through the proxy (scale, edit).
    pub plural: Option<String>,
    /// Action id.
    pub action: String,
    /// The element id that gets the focus back when the dialog closes; none: whatever had
    /// it when the dialog opened (a row menu's item is gone by then, so the menu names its
    /// button).
    pub return_focus: Option<String>,
}

/// An action that ran: which, and whether it was done.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// Action id.
    pub action: String,
    /// Whether it succeeded.
    pub ok: bool,
}

/// Starts `pending`: at once when the action asks nothing, else by opening its dialog
/// (which [`ActionDialogs`] draws from `open`).
pub fn start(
    mut open: Signal<Option<Pending>>,
    pending: Pending,
    registry: &Registry,
    done: Option<EventHandler<Done>>,
) {
    if prompt(&pending.action, &pending.target, registry) == Prompt::None {
        let notifications = use_notifications();
        let navigator = navigator();
        // Not tied to the menu or button that started it: the menu closes at once.
        spawn_forever(async move {
            let ok = execute(&pending, None, notifications, navigator).await;
            if let Some(done) = done {
                done.call(Done {
                    action: pending.action.clone(),
                    ok,
                });
            }
        });
    } else {
        open.set(Some(pending));
    }
}

/// The notifications area of the app.
pub fn use_notifications() -> Notifications {
    consume_context::<Notifications>()
}

/// Runs an action and reports how it went in the notifications area; true when it was done.
pub async fn execute(
    pending: &Pending,
    params: Option<serde_json::Value>,
    notifications: Notifications,
    navigator: Navigator,
) -> bool {
    let request = ActionRequest {
        cluster: pending.cluster.clone(),
        action: pending.action.clone(),
        target: Some(pending.target.clone()),
        params,
    };
    match action_api::run(&request).await {
        Ok(answer) => {
            report_success(&answer, pending, notifications, navigator);
            true
        }
        Err(failure) => {
            notifications.error(failure.text());
            false
        }
    }
}

fn report_success(
    answer: &ActionAnswer,
    pending: &Pending,
    notifications: Notifications,
    navigator: Navigator,
) {
    let about = pending.target.describe();
    report_answer(
        answer,
        &pending.cluster,
        &format!("{} done on {about}", pending.action),
        &about,
        notifications,
        navigator,
    );
}

/// Shows what a successful action answered: its view in a dialog (titled with `title`), else
/// its message as a notification (or `fallback`); then goes where it says to, if anywhere.
pub fn report_answer(
    answer: &ActionAnswer,
    cluster: &str,
    fallback: &str,
    title: &str,
    notifications: Notifications,
    navigator: Navigator,
) {
    match &answer.view {
        Some(view) => {
            notifications.show_view(title.to_owned(), view.clone(), cluster_path(cluster, "/"))
        }
        None => notifications.success(answer.summary(fallback)),
    }
    if let Some(route) = &answer.navigate {
        navigator.push(cluster_path(cluster, route));
    }
}

/// Reads an object through the kernel's proxy, as the viewer.
pub async fn read_object(
    cluster: &str,
    target: &Target,
    plural: &str,
) -> Result<serde_json::Value, String> {
    let cluster = String::from(js_sys::encode_uri_component(cluster));
    net::get(&format!("/clusters/{cluster}{}", target.api_path(plural))).await
}

/// The dialog of the pending action, if one is open. `done` is called after an action ran
/// (successfully or not), so the page can refresh what it shows.
#[component]
pub fn ActionDialogs(open: Signal<Option<Pending>>, done: EventHandler<Done>) -> Element {
    let shared = use_context::<Shared>();
    let Some(pending) = open() else {
        return rsx! {};
    };
    let registry = match &*shared.registry.read() {
        Some(Ok(r)) => r.clone(),
        _ => Registry::default(),
    };
    let mut close = move || open.set(None);
    match prompt(&pending.action, &pending.target, &registry) {
        Prompt::None => rsx! {},
        Prompt::Confirm(question) => rsx! {
            ConfirmDialog {
                return_focus: pending.return_focus.clone(),
                title: format!("{} {}", label(&pending.action, &registry), pending.target.describe()),
                question,
                confirm: label(&pending.action, &registry),
                danger: is_dangerous(&pending.action),
                oncancel: move |_| close(),
                onconfirm: {
                    let pending = pending.clone();
                    move |_| {
                        let pending = pending.clone();
                        let notifications = use_notifications();
                        let navigator = navigator();
                        close();
                        spawn(async move {
                            let ok = execute(&pending, None, notifications, navigator).await;
                            done.call(Done { action: pending.action.clone(), ok });
                        });
                    }
                },
            }
        },
        Prompt::Replicas => rsx! { ScaleDialog { pending, oncancel: move |_| close(), done } },
        Prompt::Editor => rsx! { EditDialog { pending, onclose: move |_| close(), done } },
    }
}

/// A yes/no question before an action.
#[component]
pub fn ConfirmDialog(
    #[props(default)] return_focus: Option<String>,
    title: String,
    question: String,
    confirm: String,
    danger: bool,
    oncancel: EventHandler<()>,
    onconfirm: EventHandler<()>,
) -> Element {
    rsx! {
        Dialog { title, onclose: oncancel, return_focus,
            p { class: "dialog-text", "{question}" }
            div { class: "dialog-buttons",
                button { class: "button", onclick: move |_| oncancel.call(()), "Cancel" }
                button {
                    class: if danger { "button danger" } else { "button primary" },
                    onclick: move |_| onconfirm.call(()),
                    "{confirm}"
                }
            }
        }
    }
}

/// The replica count of a scale, prefilled with the current `spec.replicas`.
#[component]
fn ScaleDialog(pending: Pending, oncancel: EventHandler<()>, done: EventHandler<Done>) -> Element {
    let mut value = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let input_id = use_hook(|| super::dialog::unique_id("replicas"));
    {
        let pending = pending.clone();
        use_hook(move || {
            spawn(async move {
                let Some(plural) = pending.plural.clone() else {
                    return;
                };
                if let Ok(object) = read_object(&pending.cluster, &pending.target, &plural).await
                    && let Some(n) = object["spec"]["replicas"].as_u64()
                    && value.peek().is_empty()
                {
                    value.set(n.to_string());
                }
            })
        });
    }
    let submit = {
        let pending = pending.clone();
        move || {
            let replicas = match parse_replicas(&value.peek()) {
                Ok(n) => n,
                Err(e) => {
                    problem.set(Some(e));
                    return;
                }
            };
            let pending = pending.clone();
            let notifications = use_notifications();
            let navigator = navigator();
            busy.set(true);
            spawn(async move {
                let request = ActionRequest {
                    cluster: pending.cluster.clone(),
                    action: pending.action.clone(),
                    target: Some(pending.target.clone()),
                    params: Some(serde_json::json!({ "replicas": replicas })),
                };
                match action_api::run(&request).await {
                    Ok(answer) => {
                        report_success(&answer, &pending, notifications, navigator);
                        oncancel.call(());
                        done.call(Done {
                            action: pending.action.clone(),
                            ok: true,
                        });
                    }
                    Err(failure) => {
                        busy.set(false);
                        problem.set(Some(failure.text()));
                    }
                }
            });
        }
    };
    let mut submit_on_enter = submit.clone();
    let mut submit_on_click = submit;
    rsx! {
        Dialog { title: format!("Scale {}", pending.target.describe()), onclose: oncancel, initial_focus: Some(input_id.clone()), return_focus: pending.return_focus.clone(),
            label { class: "field", r#for: "{input_id}",
                span { "Replicas" }
            }
            input {
                id: "{input_id}",
                class: "number-input",
                r#type: "number",
                min: "0",
                step: "1",
                inputmode: "numeric",
                aria_invalid: if problem().is_some() { "true" } else { "false" },
                aria_describedby: if problem().is_some() { "{input_id}-error" } else { "" },
                value: "{value}",
                oninput: move |e| {
                    value.set(e.value());
                    problem.set(None);
                },
                onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter { submit_on_enter() },
            }
            if let Some(p) = problem() {
                div { id: "{input_id}-error", class: "error-box", role: "alert", "{p}" }
            }
            div { class: "dialog-buttons",
                button { class: "button", onclick: move |_| oncancel.call(()), "Cancel" }
                button { class: "button primary", disabled: busy(), onclick: move |_| submit_on_click(), "Scale" }
            }
        }
    }
}

/// The actions of one object as buttons, for a details page's header.
#[component]
pub fn ActionButtons(
    cluster: String,
    target: Target,
    plural: Option<String>,
    actions: Vec<String>,
    open: Signal<Option<Pending>>,
    done: EventHandler<Done>,
) -> Element {
    let shared = use_context::<Shared>();
    let registry = match &*shared.registry.read() {
        Some(Ok(r)) => r.clone(),
        _ => Registry::default(),
    };
    rsx! {
        div { class: "header-actions", role: "group", aria_label: "Actions",
            for action in sorted(&actions) {
                button {
                    key: "{action}",
                    class: if is_dangerous(&action) { "button danger" } else { "button" },
                    "data-action": "{action}",
                    onclick: {
                        let pending = Pending { cluster: cluster.clone(), target: target.clone(), plural: plural.clone(), action: action.clone(), return_focus: None };
                        let registry = registry.clone();
                        move |_| start(open, pending.clone(), &registry, Some(done))
                    },
                    {label(&action, &registry)}
                }
            }
        }
    }
}
