//! `headlamp-plugin new`: a plugin crate that builds and tests as generated.

use std::path::{Path, PathBuf};

use headlamp_kernel::inspect::host_api_version;
use headlamp_kernel::manifest::PluginId;
use minijinja::{Environment, context};
use serde::Serialize;

use crate::{Error, Result};

/// What the new plugin starts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Template {
    /// A resource table (ConfigMaps) with a column computed by the plugin.
    Table,
    /// A section on the details page of Deployments.
    DetailsSection,
    /// A button in the app bar that makes a cluster call and reports back.
    AppBar,
    /// A table and a details view for a custom resource.
    Crd,
}

impl Template {
    /// The template's name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Template::Table => "table",
            Template::DetailsSection => "details-section",
            Template::AppBar => "app-bar",
            Template::Crd => "crd",
        }
    }

    fn sources(self) -> (&'static str, &'static str) {
        match self {
            Template::Table => (
                include_str!("templates/table.rs.j2"),
                include_str!("templates/table_test.rs.j2"),
            ),
            Template::DetailsSection => (
                include_str!("templates/details-section.rs.j2"),
                include_str!("templates/details-section_test.rs.j2"),
            ),
            Template::AppBar => (
                include_str!("templates/app-bar.rs.j2"),
                include_str!("templates/app-bar_test.rs.j2"),
            ),
            Template::Crd => (
                include_str!("templates/crd.rs.j2"),
                include_str!("templates/crd_test.rs.j2"),
            ),
        }
    }

    fn description(self) -> &'static str {
        match self {
            Template::Table => "Config maps with the number of keys each holds",
            Template::DetailsSection => "A rollout section on Deployment pages",
            Template::AppBar => "An app-bar button that counts the cluster's namespaces",
            Template::Crd => "A table and details view for Widgets (demo.headlamp.dev/v1)",
        }
    }

    /// `(resources, verbs)` the template's code needs.
    fn permissions(self) -> Vec<(Vec<&'static str>, Vec<&'static str>)> {
        let read = vec!["get", "list", "watch"];
        match self {
            Template::Table => vec![(vec!["configmaps"], read)],
            Template::DetailsSection => vec![],
            Template::AppBar => vec![(vec!["namespaces"], vec!["list"])],
            Template::Crd => vec![(vec!["widgets.demo.headlamp.dev"], read)],
        }
    }
}

/// Where the SDK comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum SdkSource {
    /// A local checkout of `sdk/`.
    Path(PathBuf),
    /// crates.io, with this version requirement.
    CratesIo(String),
}

/// Options of `new`.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The plugin's id (also its crate name).
    pub name: String,
    /// What to start from.
    pub template: Template,
    /// Directory to create; defaults to `./NAME`.
    pub dir: Option<PathBuf>,
    /// Where the SDK comes from; `None` picks the checkout we run from, else crates.io.
    pub sdk: Option<SdkSource>,
}

/// What `new` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct NewReport {
    /// The plugin's id.
    pub name: String,
    /// The template used.
    pub template: Template,
    /// The crate's directory.
    pub dir: PathBuf,
    /// The SDK dependency written to Cargo.toml.
    pub sdk: SdkSource,
    /// Files written, relative to `dir`.
    pub files: Vec<PathBuf>,
}

impl std::fmt::Display for NewReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Created plugin `{}` ({} template) in {}",
            self.name,
            self.template.name(),
            self.dir.display()
        )?;
        for file in &self.files {
            writeln!(f, "  {}", file.display())?;
        }
        writeln!(f, "Next:")?;
        writeln!(f, "  cd {}", self.dir.display())?;
        writeln!(f, "  cargo test                       # native tests")?;
        write!(
            f,
            "  headlamp-plugin build --release  # the component and dist/{}-0.1.0.tar.gz",
            self.name
        )
    }
}

/// The `sdk/` of the headlamp-rs checkout that `path` lies in, if it lies in one.
pub fn checkout_sdk(path: &Path) -> Option<PathBuf> {
    path.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("sdk/Cargo.toml")).ok()?;
        manifest
            .contains("name = \"headlamp-plugin-sdk\"")
            .then(|| dir.join("sdk").canonicalize().ok())
            .flatten()
    })
}

/// Creates the plugin crate.
pub fn run(options: &NewOptions) -> Result<NewReport> {
    let id = PluginId::new(options.name.clone()).map_err(|e| Error::Usage(e.to_string()))?;
    let dir = options
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(id.as_str()));
    if dir.exists()
        && dir
            .read_dir()
            .map_err(Error::io("reading", &dir))?
            .next()
            .is_some()
    {
        return Err(Error::Usage(format!(
            "{} exists and is not empty: choose another --dir or remove it",
            dir.display()
        )));
    }
    // Inside a checkout the SDK is the checkout's own (it may not be released yet); anywhere
    // else a plugin depends on the released crate.
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(&dir))
        .unwrap_or_else(|_| dir.clone());
    let sdk = options
        .sdk
        .clone()
        .unwrap_or_else(|| match checkout_sdk(&absolute) {
            Some(path) => SdkSource::Path(path),
            None => SdkSource::CratesIo(env!("CARGO_PKG_VERSION").to_string()),
        });
    let sdk_dependency = match &sdk {
        SdkSource::Path(path) => {
            let path = path
                .canonicalize()
                .map_err(Error::io("opening the SDK at", path))?;
            format!(
                "headlamp-plugin-sdk = {{ path = {} }}",
                toml::Value::String(path.display().to_string())
            )
        }
        SdkSource::CratesIo(version) => format!("headlamp-plugin-sdk = \"{version}\""),
    };
    let crate_ident = id.as_str().replace('-', "_");
    let type_name: String = id
        .as_str()
        .split('-')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<String>()
        + "Plugin";
    let permissions: Vec<_> = options
        .template
        .permissions()
        .into_iter()
        .map(|(resources, verbs)| context! { resources, verbs })
        .collect();
    let ctx = context! {
        name => id.as_str(),
        crate_name => id.as_str(),
        crate_ident,
        type_name,
        description => options.template.description(),
        template => options.template.name(),
        api => host_api_version().to_string(),
        sdk_dependency,
        standalone => true,
        permissions,
    };

    let (lib, test) = options.template.sources();
    let files: [(&str, &str); 6] = [
        ("Cargo.toml", include_str!("templates/Cargo.toml.j2")),
        ("plugin.toml", include_str!("templates/plugin.toml.j2")),
        ("README.md", include_str!("templates/README.md.j2")),
        (".gitignore", include_str!("templates/gitignore.j2")),
        ("src/lib.rs", lib),
        ("tests/plugin.rs", test),
    ];
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    let mut written = Vec::new();
    for (path, source) in files {
        let text = env
            .render_str(source, &ctx)
            .map_err(|source| Error::Template {
                name: path.to_string(),
                source,
            })?;
        let target = dir.join(path);
        crate::project::write(&target, text.as_bytes())?;
        written.push(PathBuf::from(path));
    }
    // The repository's lock file pins the versions the SDK is tested with, and lets a plugin
    // built inside the checkout reuse the dependencies already compiled there.
    if let SdkSource::Path(path) = &sdk
        && let Some(lock) = path.parent().map(|root| root.join("Cargo.lock"))
        && lock.is_file()
    {
        std::fs::copy(&lock, dir.join("Cargo.lock")).map_err(Error::io("copying", &lock))?;
        written.push(PathBuf::from("Cargo.lock"));
    }
    // Templates are laid out for reading; rustfmt makes the generated code match `cargo fmt`
    // for every plugin name. Without rustfmt the code is still valid, so failure is ignored.
    let _ = std::process::Command::new("rustfmt")
        .args(["--edition", "2024"])
        .arg(dir.join("src/lib.rs"))
        .arg(dir.join("tests/plugin.rs"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let dir = dir.canonicalize().map_err(Error::io("opening", &dir))?;
    Ok(NewReport {
        name: id.to_string(),
        template: options.template,
        dir,
        sdk,
        files: written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crate_inside_the_checkout_uses_its_sdk() {
        let inside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/not-yet-created");
        let sdk = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../sdk")
            .canonicalize()
            .unwrap();
        assert_eq!(checkout_sdk(&inside), Some(sdk));
    }

    #[test]
    fn a_crate_elsewhere_depends_on_the_released_sdk() {
        let tmp = tempfile::tempdir().unwrap();
        let report = run(&NewOptions {
            name: "elsewhere".into(),
            template: Template::DetailsSection,
            dir: Some(tmp.path().join("elsewhere")),
            sdk: None,
        })
        .unwrap();
        assert_eq!(
            report.sdk,
            SdkSource::CratesIo(env!("CARGO_PKG_VERSION").into())
        );
        let cargo = std::fs::read_to_string(report.dir.join("Cargo.toml")).unwrap();
        assert!(cargo.contains("headlamp-plugin-sdk = \"0.1.0\""), "{cargo}");
        assert!(!report.dir.join("Cargo.lock").exists());
    }

    #[test]
    fn refuses_an_invalid_name_and_a_non_empty_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let options = |name: &str| NewOptions {
            name: name.into(),
            template: Template::Table,
            dir: Some(tmp.path().to_path_buf()),
            sdk: None,
        };
        assert!(matches!(run(&options("My_Plugin")), Err(Error::Usage(_))));
        std::fs::write(tmp.path().join("x"), "").unwrap();
        let err = run(&options("fine")).unwrap_err();
        assert!(err.to_string().contains("is not empty"), "{err}");
    }
}
