//! The YAML editor of an object: loads it through the proxy, lets the viewer edit it in a
//! monospaced text area with line numbers, and applies it with the `edit` action. Problems
//! are shown in place; on a conflict (someone changed the object meanwhile) the kernel's diff
//! is shown with a way to reload the current object.

use dioxus::prelude::*;

use super::action_api;
use super::actions::{Done, Pending, read_object, use_notifications};
use super::dialog::{Dialog, unique_id};
use crate::actions::{ActionRequest, check_edited_yaml, to_editable_yaml};

/// Pixel height of one editor line; the CSS (`.editor`) uses the same line height.
const LINE_PX: usize = 19;

/// What the editor shows under the text.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// Invalid YAML or an API error, as text.
    Error(String),
    /// A 409: the message, the diff, and the server's current object.
    Conflict {
        message: String,
        diff: String,
        current: serde_json::Value,
    },
}

/// The editor as a dialog. `done` is called after a save.
#[component]
pub fn EditDialog(
    pending: Pending,
    onclose: EventHandler<()>,
    done: EventHandler<Done>,
) -> Element {
    let mut text = use_signal(String::new);
    let mut loaded = use_signal(|| false);
    let mut problem = use_signal(|| None::<Problem>);
    let mut saving = use_signal(|| false);
    let area_id = use_hook(|| unique_id("yaml"));
    {
        let pending = pending.clone();
        use_hook(move || {
            spawn(async move {
                let result = match &pending.plural {
                    Some(plural) => read_object(&pending.cluster, &pending.target, plural).await,
                    None => Err(format!(
                        "no table lists {} objects, so the UI does not know their API path",
                        pending.target.kind.kind
                    )),
                };
                match result.and_then(to_editable_yaml) {
                    Ok(yaml) => {
                        text.set(yaml);
                        loaded.set(true);
                    }
                    Err(e) => problem.set(Some(Problem::Error(format!(
                        "the object could not be loaded: {e}"
                    )))),
                }
            })
        });
    }
    let save = {
        let pending = pending.clone();
        move |_| {
            let body = text.peek().clone();
            if let Err(e) = check_edited_yaml(&body) {
                problem.set(Some(Problem::Error(e)));
                return;
            }
            let pending = pending.clone();
            let notifications = use_notifications();
            saving.set(true);
            spawn(async move {
                let request = ActionRequest {
                    cluster: pending.cluster.clone(),
                    action: "edit".into(),
                    target: Some(pending.target.clone()),
                    params: Some(serde_json::json!({ "yaml": body })),
                };
                let result = action_api::run(&request).await;
                saving.set(false);
                match result {
                    Ok(answer) => {
                        notifications.success(
                            answer.summary(&format!("{} saved", pending.target.describe())),
                        );
                        onclose.call(());
                        done.call(Done {
                            action: "edit".into(),
                            ok: true,
                        });
                    }
                    Err(failure) => {
                        let a = failure.answer.clone();
                        problem.set(Some(match (failure.status, a.diff, a.current) {
                            (409, Some(diff), Some(current)) => Problem::Conflict {
                                message: failure.text(),
                                diff,
                                current,
                            },
                            _ => Problem::Error(failure.text()),
                        }));
                    }
                }
            });
        }
    };
    let lines = text.read().lines().count().max(1) + 1;
    let numbers: String = (1..=lines).map(|n| format!("{n}\n")).collect();
    let height = lines * LINE_PX + 16;
    rsx! {
        Dialog { title: format!("Edit {}", pending.target.describe()), onclose, wide: true, initial_focus: Some(area_id.clone()), return_focus: pending.return_focus.clone(),
            p { class: "muted dialog-text",
                "Saved with the resourceVersion it was loaded with: if someone changes the object meanwhile, nothing is overwritten."
            }
            // With a problem shown the text gets less room, so the diff is in view too.
            div { class: if problem().is_some() { "editor-scroll short" } else { "editor-scroll" },
                div { class: "editor",
                    pre { class: "editor-gutter", aria_hidden: "true", "{numbers}" }
                    textarea {
                        id: "{area_id}",
                        class: "editor-text",
                        aria_label: "YAML of {pending.target.describe()}",
                        spellcheck: "false",
                        autocomplete: "off",
                        wrap: "off",
                        readonly: !loaded(),
                        style: "height: {height}px",
                        value: "{text}",
                        oninput: move |e| text.set(e.value()),
                    }
                }
            }
            match problem() {
                None => rsx! {},
                Some(Problem::Error(e)) => rsx! { div { class: "error-box editor-problem", role: "alert", "{e}" } },
                Some(Problem::Conflict { message, diff, current }) => rsx! {
                    div { class: "error-box editor-problem", role: "alert",
                        p { "{message}" }
                        pre { class: "diff", aria_label: "Changes from the server's object to yours",
                            for (i, line) in diff.lines().enumerate() {
                                span { key: "{i}", class: diff_class(line), "{line}\n" }
                            }
                        }
                        button {
                            class: "button",
                            onclick: move |_| {
                                match to_editable_yaml(current.clone()) {
                                    Ok(yaml) => {
                                        text.set(yaml);
                                        problem.set(None);
                                    }
                                    Err(e) => problem.set(Some(Problem::Error(e))),
                                }
                            },
                            "Reload the current object (discards your edit)"
                        }
                    }
                },
            }
            div { class: "dialog-buttons",
                button { class: "button", onclick: move |_| onclose.call(()), "Cancel" }
                button { class: "button primary", disabled: !loaded() || saving(), onclick: save, if saving() { "Saving…" } else { "Save" } }
            }
        }
    }
}

/// The class of one line of a unified diff (added, removed, hunk header, context).
fn diff_class(line: &str) -> &'static str {
    if line.starts_with("+++") || line.starts_with("---") {
        "diff-file"
    } else if line.starts_with('+') {
        "diff-add"
    } else if line.starts_with('-') {
        "diff-del"
    } else if line.starts_with("@@") {
        "diff-hunk"
    } else {
        "diff-same"
    }
}
