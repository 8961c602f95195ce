//! `headlamp-plugin test`: the plugin's own tests, then the plugin inside a real kernel.
//!
//! The component is loaded into an in-process kernel (the same `PluginHost`, limits and
//! built-in plugins as `headlamp`) whose one cluster, `demo`, is kube-sim's demo world. Every
//! view the plugin registers is then exercised the way the UI would: each table's rows through
//! the kernel's rows path, each details view and details section on an object of its kind,
//! each overview section and page, each action. A plugin error, a trap, a refused answer (an
//! invalid view tree, rows of the wrong shape) or a registration conflict is a failure that
//! names the view.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry, Gvk, ListOptions};
use headlamp_kernel::host::exports::headlamp::plugin::actions::ActionResult;
use headlamp_kernel::host::exports::headlamp::plugin::plugin::{ActionPlacement, RouteTarget};
use headlamp_kernel::host::{
    ActionContext, Limits, Plugin, PluginHost, PluginOrigin, PluginSource, PluginStatus,
    RenderContext, Slot, WitGvk,
};
use headlamp_kernel::identity::Identity;
use headlamp_kernel::registry::MergedRegistry;
use headlamp_kernel::tables::{self, RowsQuery};
use headlamp_kernel::{host::validate, loader};
use serde::Serialize;

use crate::build::{self, BuildOptions};
use crate::progress::Ui;
use crate::project::{Project, cargo, read};
use crate::{Error, Result};

/// The cluster name the plugin sees.
pub const CLUSTER: &str = "demo";

/// Options of `test`.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// The plugin crate.
    pub dir: PathBuf,
    /// Test this component instead of building one.
    pub wasm: Option<PathBuf>,
    /// Run the crate's own `cargo test` first.
    pub unit_tests: bool,
    /// Build with the release profile (the one published).
    pub release: bool,
}

/// How one check went.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "detail")]
pub enum Outcome {
    /// It worked; what it produced.
    Passed(String),
    /// It could not be tried here, and why.
    Skipped(String),
    /// It failed; the plugin's or the kernel's error.
    Failed(String),
}

/// One exercised contribution.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was exercised, such as `table pods` or `details-view pod`.
    pub view: String,
    /// How it went.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What `test` did.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// The plugin's id (the file name when it never loaded).
    pub plugin: String,
    /// Its version.
    pub version: String,
    /// The component tested.
    pub wasm: PathBuf,
    /// Every check, `cargo test` first when it ran.
    pub checks: Vec<Check>,
    /// How many failed.
    pub failed: usize,
}

impl TestReport {
    /// Whether any check failed.
    pub fn has_failures(&self) -> bool {
        self.failed > 0
    }
}

impl std::fmt::Display for TestReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Tested {} {} ({}) in a kernel with kube-sim's demo cluster:",
            self.plugin,
            self.version,
            self.wasm.display()
        )?;
        for check in &self.checks {
            let (mark, detail) = match &check.outcome {
                Outcome::Passed(d) => ("ok  ", d),
                Outcome::Skipped(d) => ("skip", d),
                Outcome::Failed(d) => ("FAIL", d),
            };
            writeln!(f, "  {mark} {}: {detail}", check.view)?;
        }
        let passed = self
            .checks
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Passed(_)))
            .count();
        if self.failed == 0 {
            write!(f, "{passed} passed, 0 failed")
        } else {
            write!(
                f,
                "{passed} passed, {} failed: fix the views marked FAIL and run `headlamp-plugin test` again",
                self.failed
            )
        }
    }
}

/// Runs the crate's tests, builds it (unless `wasm` is given) and exercises it in a kernel.
pub fn run(options: &TestOptions, ui: Ui) -> Result<TestReport> {
    let mut checks = Vec::new();
    if options.unit_tests {
        let project = Project::load(&options.dir)?;
        checks.push(unit_tests(&project, ui)?);
    }
    let wasm_path = match &options.wasm {
        Some(path) => path.clone(),
        None => {
            build::run(
                &BuildOptions {
                    dir: options.dir.clone(),
                    release: options.release,
                    profile: None,
                },
                ui,
            )?
            .wasm
        }
    };
    let wasm = read(&wasm_path)?;
    let _spinner = ui.spinner("Exercising the plugin in a kernel with the demo cluster");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Toolchain(format!("starting the async runtime: {e}")))?;
    let mut report = runtime.block_on(exercise(wasm, &wasm_path))?;
    checks.append(&mut report.checks);
    report.checks = checks;
    report.failed = report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
        .count();
    Ok(report)
}

/// `cargo test` of the crate, natively (the SDK's harness stands in for the kernel there).
fn unit_tests(project: &Project, ui: Ui) -> Result<Check> {
    let _spinner = ui.spinner(format!("Running cargo test for {}", project.manifest.name));
    let output = Command::new(cargo())
        .arg("test")
        .arg("--manifest-path")
        .arg(project.dir.join("Cargo.toml"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::Toolchain(format!("running cargo test: {e}: is cargo on PATH?")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let outcome = if output.status.success() {
        let summary = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("test result: ok. "))
            .filter_map(|l| l.split(' ').next()?.parse::<u64>().ok())
            .sum::<u64>();
        Outcome::Passed(format!("{summary} tests passed"))
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
        Outcome::Failed(format!(
            "cargo test failed:\n{}",
            lines[lines.len().saturating_sub(40)..].join("\n")
        ))
    };
    Ok(Check {
        view: "cargo test".into(),
        outcome,
    })
}

/// Loads the component beside the built-ins and exercises everything it registers.
pub async fn exercise(wasm: Vec<u8>, wasm_path: &Path) -> Result<TestReport> {
    let sim = kube_sim::Sim::start(kube_sim::SimConfig {
        // A still world: the same rows on every run.
        churn: false,
        ..kube_sim::SimConfig::demo()
    })
    .await
    .map_err(|e| Error::Toolchain(format!("starting the demo cluster (kube-sim): {e}")))?;
    let clusters = ClusterRegistry::new();
    clusters.insert(Cluster::new(ClusterName::new(CLUSTER), sim.client()));
    let host = PluginHost::new(Limits::default(), None, Arc::new(clusters))
        .map_err(|e| Error::Toolchain(format!("starting the plugin host: {e}")))?;
    // The built-ins own the tables most plugins add columns to; one that fails to load is
    // the kernel's problem, not the plugin's, so it is not a check.
    for source in loader::builtin_sources() {
        let _ = host.load(source).await;
    }
    let mut report = TestReport {
        plugin: wasm_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        version: String::new(),
        wasm: wasm_path.to_path_buf(),
        checks: Vec::new(),
        failed: 0,
    };
    // `replace`, so that a built-in plugin's own crate can be tested too.
    let source = PluginSource::from_bytes(wasm, PluginOrigin::File(wasm_path.to_path_buf()));
    let plugin = match host.replace(source).await {
        Ok((plugin, _)) => plugin,
        Err(e) => {
            report.checks.push(Check {
                view: "load".into(),
                outcome: Outcome::Failed(e.to_string()),
            });
            return Ok(report);
        }
    };
    report.plugin = plugin.id().to_string();
    report.version = plugin.manifest().version.to_string();
    report.checks.push(Check {
        view: "load".into(),
        outcome: Outcome::Passed(format!("init registered {}", summary(&plugin))),
    });
    let mut exerciser = Exerciser {
        host: &host,
        registry: MergedRegistry::build(&host),
        plugin: &plugin,
        checks: &mut report.checks,
    };
    exerciser.all().await;
    drop(sim);
    Ok(report)
}

/// `2 tables, 1 details view, ...`: what `init` registered, for the report.
fn summary(plugin: &Plugin) -> String {
    let r = plugin.registration();
    let parts = [
        (r.tables.len(), "table", "tables"),
        (r.extra_columns.len(), "extra column", "extra columns"),
        (r.details_views.len(), "details view", "details views"),
        (
            r.details_sections.len(),
            "details section",
            "details sections",
        ),
        (
            r.overview_sections.len(),
            "overview section",
            "overview sections",
        ),
        (r.routes.len(), "route", "routes"),
        (r.actions.len(), "action", "actions"),
        (r.sidebar.len(), "sidebar entry", "sidebar entries"),
    ];
    let listed: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if listed.is_empty() {
        "nothing".into()
    } else {
        listed.join(", ")
    }
}

struct Exerciser<'a> {
    host: &'a PluginHost,
    registry: MergedRegistry,
    plugin: &'a Arc<Plugin>,
    checks: &'a mut Vec<Check>,
}

impl Exerciser<'_> {
    fn push(&mut self, view: String, outcome: Outcome) {
        self.checks.push(Check { view, outcome });
    }

    /// Errors in a rows answer that come from this plugin (the built-ins' are not its fault).
    fn own_errors(&self, errors: &[String]) -> Vec<String> {
        let prefix = format!("plugin {}", self.plugin.id());
        errors
            .iter()
            .filter(|e| e.starts_with(&prefix))
            .cloned()
            .collect()
    }

    async fn all(&mut self) {
        let registration = self.plugin.registration().clone();
        let own = format!("of plugin {}", self.plugin.id());
        let by_plugin = format!("plugin {} ", self.plugin.id());
        for conflict in self.registry.conflicts.clone() {
            if conflict.contains(&own) || conflict.starts_with(&by_plugin) {
                self.push("registration".into(), Outcome::Failed(conflict));
            }
        }
        for table in &registration.tables {
            self.table(&table.id, &table.kind).await;
        }
        for extra in &registration.extra_columns {
            let view = format!("column {} on table {}", extra.column.id, extra.table);
            match self
                .registry
                .table(&extra.table)
                .map(|t| t.table.kind.clone())
            {
                Some(kind) => self.rows(view, &extra.table, &kind).await,
                None => self.push(
                    view,
                    Outcome::Failed(format!(
                        "no loaded plugin registers table {:?}: check the table id",
                        extra.table
                    )),
                ),
            }
        }
        for details in &registration.details_views {
            let view = format!("details view {}", details.id);
            self.render_on_object(view, Slot::DetailsView(details.id.clone()), &details.kind)
                .await;
        }
        for section in &registration.details_sections {
            let view = format!("details section {}", section.id);
            self.render_on_object(
                view,
                Slot::DetailsSection(section.id.clone()),
                &section.kind,
            )
            .await;
        }
        for section in &registration.overview_sections {
            let view = format!("overview section {}", section.id);
            self.render(view, Slot::OverviewSection(section.id.clone()), None)
                .await;
        }
        for route in &registration.routes {
            if let RouteTarget::Page(slot) = &route.target {
                let view = format!("page {slot} ({})", route.path);
                self.render(view, Slot::Page(slot.clone()), None).await;
            }
        }
        for action in &registration.actions {
            self.action(&action.id, &action.placement).await;
        }
        if let PluginStatus::Failed(reason) = self.plugin.status() {
            self.push(
                "plugin".into(),
                Outcome::Failed(format!("stopped by the kernel: {reason}")),
            );
        }
    }

    /// The table's rows, unless the demo cluster does not serve its kind.
    async fn table(&mut self, id: &str, kind: &WitGvk) {
        self.rows(format!("table {id}"), id, kind).await;
    }

    async fn rows(&mut self, view: String, table: &str, kind: &WitGvk) {
        if let Some(reason) = self.unserved(kind).await {
            return self.push(view, Outcome::Skipped(reason));
        }
        let query = RowsQuery {
            cluster: CLUSTER.into(),
            ..RowsQuery::default()
        };
        let outcome =
            match tables::rows(self.host, &Identity::Kernel, &self.registry, table, &query).await {
                Err(e) => Outcome::Failed(e.to_string()),
                Ok(rows) => {
                    let errors = self.own_errors(&rows.errors);
                    if errors.is_empty() {
                        Outcome::Passed(format!(
                            "{} rows x {} columns",
                            rows.rows.len(),
                            rows.columns.len()
                        ))
                    } else {
                        Outcome::Failed(errors.join("; "))
                    }
                }
            };
        self.push(view, outcome);
    }

    /// Why the demo cluster cannot show `kind`, if it cannot.
    async fn unserved(&self, kind: &WitGvk) -> Option<String> {
        let gvk = Gvk::from(kind.clone());
        let cluster = self.host.clusters().get(CLUSTER).ok()?;
        cluster.resource(&gvk).await.err().map(|e| {
            format!(
                "the demo cluster does not serve {}/{} {}: {e}",
                gvk.group, gvk.version, gvk.kind
            )
        })
    }

    /// The first object of `kind` in the demo cluster, or why there is none.
    async fn some_object(&self, kind: &WitGvk) -> Result<serde_json::Value, String> {
        if let Some(reason) = self.unserved(kind).await {
            return Err(reason);
        }
        let gvk = Gvk::from(kind.clone());
        let cluster = self
            .host
            .clusters()
            .get(CLUSTER)
            .map_err(|e| e.to_string())?;
        let options = ListOptions {
            limit: Some(1),
            ..ListOptions::default()
        };
        let page = cluster
            .list(&gvk, &options)
            .await
            .map_err(|e| format!("listing {} failed: {e}", gvk.kind))?;
        page.items
            .into_iter()
            .next()
            .ok_or_else(|| format!("the demo cluster has no {}", gvk.kind))
    }

    /// Renders a slot on an object of `kind`. As in the details API, a details view's plugin
    /// must be allowed to get the object; a section gets the object of the page it is on.
    async fn render_on_object(&mut self, view: String, slot: Slot, kind: &WitGvk) {
        let object = match self.some_object(kind).await {
            Ok(object) => object,
            Err(reason) => return self.push(view, Outcome::Skipped(reason)),
        };
        let gvk = Gvk::from(kind.clone());
        if matches!(slot, Slot::DetailsView(_))
            && let Ok(cluster) = self.host.clusters().get(CLUSTER)
            && let Ok(resource) = cluster.resource(&gvk).await
            && let Err(refusal) =
                self.plugin
                    .check_permission("get", &gvk.group, &resource.api.plural)
        {
            return self.push(view, Outcome::Failed(refusal));
        }
        self.render(view, slot, Some(object)).await;
    }

    async fn render(&mut self, view: String, slot: Slot, object: Option<serde_json::Value>) {
        let meta = object.as_ref().map(|o| o["metadata"].clone());
        let namespace = meta
            .as_ref()
            .and_then(|m| m["namespace"].as_str().map(str::to_string));
        let mut params = Vec::new();
        if let Some(name) = meta.as_ref().and_then(|m| m["name"].as_str()) {
            params.push(("name".to_string(), name.to_string()));
        }
        if let Some(ns) = &namespace {
            params.push(("namespace".to_string(), ns.clone()));
        }
        let on = object_label(object.as_ref());
        let context = RenderContext {
            cluster: CLUSTER.into(),
            object: object.map(|o| o.to_string()),
            namespace,
            params,
        };
        let outcome = match self.plugin.render(&Identity::Kernel, &slot, &context).await {
            Ok(tree) => Outcome::Passed(format!("{} nodes{on}", tree.nodes.len())),
            Err(e) => Outcome::Failed(format!("{e}{on}")),
        };
        self.push(view, outcome);
    }

    /// Invokes an action where it would appear: app-bar actions bare, others on an object.
    async fn action(&mut self, id: &str, placement: &ActionPlacement) {
        let view = format!("action {id}");
        let kind = match placement {
            ActionPlacement::AppBar => None,
            ActionPlacement::DetailsHeader(kind) => Some(kind.clone()),
            ActionPlacement::Row(table) => match self.registry.table(table) {
                Some(spec) => Some(spec.table.kind.clone()),
                None => {
                    return self.push(
                        view,
                        Outcome::Failed(format!(
                            "its row menu is on table {table:?}, which no loaded plugin registers"
                        )),
                    );
                }
            },
        };
        let object = match &kind {
            None => None,
            Some(kind) => match self.some_object(kind).await {
                Ok(object) => Some(object),
                Err(reason) => return self.push(view, Outcome::Skipped(reason)),
            },
        };
        let on = object_label(object.as_ref());
        let context = ActionContext {
            cluster: CLUSTER.into(),
            namespace: object
                .as_ref()
                .and_then(|o| o["metadata"]["namespace"].as_str().map(str::to_string)),
            object: object.map(|o| o.to_string()),
            input: None,
        };
        let outcome = match self.plugin.invoke(&Identity::Kernel, id, &context).await {
            Err(e) => Outcome::Failed(format!("{e}{on}")),
            Ok(ActionResult::Done(message)) => Outcome::Passed(format!("done: {message}{on}")),
            Ok(ActionResult::Navigate(route)) => {
                Outcome::Passed(format!("navigates to {route}{on}"))
            }
            Ok(ActionResult::Show(tree)) => match validate::view(&tree) {
                Ok(()) => Outcome::Passed(format!("shows {} nodes{on}", tree.nodes.len())),
                Err(problem) => Outcome::Failed(format!(
                    "plugin {} returned an invalid view tree: {problem}{on}",
                    self.plugin.id()
                )),
            },
        };
        self.push(view, outcome);
    }
}

/// ` on Pod shop/web-1` for the report, or nothing.
fn object_label(object: Option<&serde_json::Value>) -> String {
    let Some(object) = object else {
        return String::new();
    };
    let meta = &object["metadata"];
    let name = meta["name"].as_str().unwrap_or("?");
    let kind = object["kind"].as_str().unwrap_or("object");
    match meta["namespace"].as_str() {
        Some(ns) => format!(" on {kind} {ns}/{name}"),
        None => format!(" on {kind} {name}"),
    }
}
