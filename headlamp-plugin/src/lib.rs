//! The `headlamp-plugin` CLI for plugin authors (new, build, lint, test, package, publish, install); its commands arrive with the plugin CLI issue.
