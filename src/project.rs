//! The project file, `flex-alerts.yaml` at a repository's root: where the alert files are, and
//! the environments (Flex accounts) they drive, each with its store, the prefix of its
//! credentials and its values for `${VAR}`. Found by walking up from the current directory;
//! never read as an alert file. Without one, everything works as it does without projects.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::common::suggest;
use crate::common::yaml::SpanIndex;
use crate::config::diagnostic::Diagnostic;
use crate::config::kind::PROJECT_FILE_NAME;
use crate::config::model::{ProtectKind, Version};
use crate::config::schema::{self, Compiled};
use crate::config::source;
use crate::config::source_file::SourceFile;
use crate::error::Error;
use crate::store::StoreSpec;
use crate::store::twilio::CredentialNames;

/// A flex-alerts project: the alert files and the Flex accounts they drive.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "flex-alerts project",
    extend("$id" = "https://flex-alerts.dev/schemas/flex-alerts-project.schema.json")
)]
pub struct ProjectFile {
    /// Format version of this file. Always `1`.
    pub version: Version,
    /// Where the alert files are, relative to this file: files or directories. The default
    /// PATH of every command. Default: this file's directory.
    #[serde(default)]
    #[schemars(example = &["alerts/"])]
    pub alerts: Vec<String>,
    /// The Flex accounts the alert files drive, by name (`staging`, `production`, ...). With
    /// environments declared, every command that reads or writes a store needs one named
    /// (`--env NAME`, `FLEX_ALERTS_ENV`, or `default_environment`), so that none targets an
    /// account by accident.
    #[serde(default)]
    pub environments: Environments,
    /// The environment commands use when none is named; omitted: one must be named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(example = &"staging")]
    pub default_environment: Option<EnvironmentName>,
}

/// The environments, in the order the file declares them (the order `validate` and
/// `plan --all-envs` go through them in).
#[derive(Debug, Clone, Default)]
pub struct Environments(pub Vec<(EnvironmentName, EnvironmentFile)>);

impl<'de> Deserialize<'de> for Environments {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> serde::de::Visitor<'de> for InOrder {
            type Value = Environments;
            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a mapping of environment names to environments")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Environments, A::Error> {
                let mut environments = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    environments.push(entry);
                }
                Ok(Environments(environments))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

impl JsonSchema for Environments {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        BTreeMap::<EnvironmentName, EnvironmentFile>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        BTreeMap::<EnvironmentName, EnvironmentFile>::json_schema(generator)
    }
}

/// An environment's name: letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(transparent)]
pub struct EnvironmentName(pub String);

impl JsonSchema for EnvironmentName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvironmentName".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]*$"
        })
    }
}

/// One Flex account.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentFile {
    /// Where its live alerts are: `twilio`, `http(s)://HOST:PORT` or `local[:FILE]`, as
    /// `--store` takes it. Default: `--store`, else `FLEX_ALERTS_STORE`, else `twilio`.
    #[serde(default)]
    pub store: Option<String>,
    /// The prefix of its credential variables: with `FLEX_PROD`, `FLEX_PROD_TWILIO_API_KEY` and
    /// `FLEX_PROD_TWILIO_API_SECRET` (or `FLEX_PROD_TWILIO_ACCOUNT_SID` and
    /// `FLEX_PROD_TWILIO_AUTH_TOKEN`), `FLEX_PROD_INSTANCE_SID`, and optionally
    /// `FLEX_PROD_WORKSPACE_SID`. Default: the unprefixed `TWILIO_*` variables.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Z][A-Z0-9_]*$"), example = &"FLEX_PROD")]
    pub credentials: Option<String>,
    /// Values for `${VAR}` in the alert files (before the process environment). Never webhook
    /// URLs: those are secrets, read from the process environment only.
    #[serde(default)]
    pub vars: BTreeMap<VariableName, VariableValue>,
    /// A directory of overlay files, relative to this file: changes to alerts of the base
    /// files by name (`overlay:`), and alerts of this environment only (`alerts:`).
    #[serde(default)]
    #[schemars(example = &"overlays/staging/")]
    pub overlay: Option<String>,
    /// What a plan may not do to any alert in this environment: `delete` (a prune, a removal)
    /// and/or `replace` (a metric change), unless `--allow-protected NAME` names the alert.
    /// Typical: `[delete, replace]` for production. Default: nothing protected.
    #[serde(default)]
    #[schemars(extend("uniqueItems" = true), example = &["delete", "replace"])]
    pub protect: Vec<ProtectKind>,
}

/// A variable's name, as `${NAME}` uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(transparent)]
pub struct VariableName(pub String);

impl JsonSchema for VariableName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VariableName".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"
        })
    }
}

/// A variable's value: text or a number.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum VariableValue {
    Number(i64),
    Text(String),
}

impl VariableValue {
    fn text(&self) -> String {
        match self {
            VariableValue::Number(number) => number.to_string(),
            VariableValue::Text(text) => text.clone(),
        }
    }
}

/// A project, read and checked.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project file.
    pub file: PathBuf,
    /// The alert files and directories (relative to the current directory).
    pub alerts: Vec<PathBuf>,
    /// In the order the file declares them.
    pub environments: Vec<Environment>,
    /// The environment used when none is named.
    pub default_environment: Option<String>,
}

/// One environment, ready to use.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub store: Option<String>,
    pub credentials: CredentialNames,
    pub vars: BTreeMap<String, String>,
    /// The overlay directory (relative to the current directory).
    pub overlay: Option<PathBuf>,
    /// What no plan may do to its alerts without `--allow-protected`.
    pub protect: Vec<ProtectKind>,
}

/// The schema as committed in `schemas/flex-alerts-project.schema.json`.
pub fn schema() -> serde_json::Value {
    schema::generate_for::<ProjectFile>()
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled::new(schema()))
}

/// The project file in `start` or the nearest directory above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .map(|directory| directory.join(PROJECT_FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// A project file's problems, with its text to show them against (when it could be read).
pub type Problems = (Vec<Diagnostic>, Option<SourceFile>);

/// The project that holds the current directory, if any; its problems at their place.
pub fn current() -> Result<Option<(Project, SourceFile)>, Problems> {
    let Some(path) = find(Path::new(".")).map(|path| relative_to_here(&path)) else {
        return Ok(None);
    };
    let source = source::read(&path).map_err(|problem| (vec![problem], None))?;
    match load(&source, &path) {
        Ok(project) => Ok(Some((project, source))),
        Err(problems) => Err((problems, Some(source))),
    }
}

/// Reads and checks the project file at `path`.
fn load(source: &SourceFile, path: &Path) -> Result<Project, Vec<Diagnostic>> {
    let (content, spans): (ProjectFile, SpanIndex) = crate::config::document::parse_document(
        source,
        compiled(),
        ("project file", "environments"),
    )?;
    let mut problems = Vec::new();
    let error = |pointer: &str, message: String, hint: Option<String>| {
        Diagnostic::error(
            &source.display,
            spans.value(pointer).or_else(|| spans.nearest(pointer)),
            message,
        )
        .with_optional_hint(hint)
    };
    let root = std::fs::canonicalize(path)
        .ok()
        .and_then(|file| file.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let mut environments = Vec::new();
    for (name, environment) in &content.environments.0 {
        let pointer = format!(
            "/environments/{}",
            crate::common::yaml::escape_pointer(&name.0)
        );
        if let Some(store) = &environment.store
            && let Err(problem) = store.parse::<StoreSpec>()
        {
            problems.push(error(&format!("{pointer}/store"), problem, None));
        }
        environments.push(Environment {
            name: name.0.clone(),
            store: environment.store.clone(),
            credentials: environment
                .credentials
                .as_deref()
                .map_or_else(CredentialNames::default, CredentialNames::with_prefix),
            vars: environment
                .vars
                .iter()
                .map(|(name, value)| (name.0.clone(), value.text()))
                .collect(),
            overlay: environment
                .overlay
                .as_ref()
                .map(|overlay| relative_to_here(&root.join(overlay))),
            protect: environment.protect.clone(),
        });
    }
    if let Some(default) = &content.default_environment
        && !environments
            .iter()
            .any(|environment| environment.name == default.0)
    {
        let names: Vec<String> = environments.iter().map(|e| e.name.clone()).collect();
        problems.push(error(
            "/default_environment",
            format!(
                "`default_environment` names `{}`, which is not an environment here",
                default.0
            ),
            suggest::did_you_mean_or_list(&default.0, &names),
        ));
    }
    let alerts: Vec<PathBuf> = if content.alerts.is_empty() {
        vec![relative_to_here(&root)]
    } else {
        content
            .alerts
            .iter()
            .map(|alert| relative_to_here(&root.join(alert)))
            .collect()
    };
    if problems.is_empty() {
        Ok(Project {
            file: relative_to_here(path),
            alerts,
            environments,
            default_environment: content.default_environment.map(|name| name.0),
        })
    } else {
        Err(problems)
    }
}

/// `path` relative to the current directory when it is below it, else as it is.
fn relative_to_here(path: &Path) -> PathBuf {
    let here = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .unwrap_or_default();
    match path.strip_prefix(&here) {
        Ok(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
        Ok(relative) => relative.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

impl Project {
    /// The environment named `name`, or an error that lists the others.
    pub fn environment(&self, name: &str) -> Result<&Environment, Error> {
        self.environments
            .iter()
            .find(|environment| environment.name == name)
            .ok_or_else(|| {
                let names = self.environment_names();
                Error::new(format!(
                    "there is no environment `{name}` in {}",
                    self.file.display()
                ))
                .hint(suggest::did_you_mean_or_list(name, &names).unwrap_or_else(
                    || format!("add `environments: {{ {name}: {{ ... }} }}` to the project file"),
                ))
            })
    }

    /// The environments' names, in the order the file declares them.
    pub fn environment_names(&self) -> Vec<String> {
        self.environments
            .iter()
            .map(|environment| environment.name.clone())
            .collect()
    }
}
