//! Which environment a command runs in: the project file found from the current directory,
//! the environment `--env` names, and what follows from it: the default alert paths, the
//! values of `${VAR}`, the store and where its credentials are.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::cli::{Cli, StoreArgs, StoreChoice};
use crate::config::diagnostic::Diagnostics;
use crate::config::kind::PROJECT_FILE_NAME;
use crate::config::{self, InEnvironment, Loaded, Secrets};
use crate::error::Error;
use crate::output::Output;
use crate::project::{self, Environment, Project};

/// The project (if any) and the environment (if one was named).
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub project: Option<Project>,
    pub environment: Option<Environment>,
}

/// What a command needs of the environments a project declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// One, always: it reads or writes a store, or runs as one account would (`plan`,
    /// `apply`, `export`, `record`, `test`, `backtest`). None named (`--env`,
    /// `FLEX_ALERTS_ENV`) and no `default_environment`: refused, so that no command targets
    /// an account by accident.
    One,
    /// The one named, else every one (`validate`).
    NamedOrAll,
}

impl Context {
    /// The project around the current directory, and the environment `name` in it (else its
    /// `default_environment`, for a command that `Needs::One`).
    pub fn resolve(name: Option<&str>, needs: Needs, output: &Output) -> Result<Context, Error> {
        let project = match project::current() {
            Ok(found) => found.map(|(project, _)| project),
            Err((problems, source)) => {
                let mut diagnostics = Diagnostics::default();
                diagnostics.extend(problems);
                output.message(
                    &diagnostics.render(&source.into_iter().collect::<Vec<_>>(), output.styled()),
                );
                return Err(Error::new(format!(
                    "the project file {} has problems; nothing was done",
                    PROJECT_FILE_NAME
                ))
                .reported());
            }
        };
        let default = project
            .as_ref()
            .and_then(|project| project.default_environment.as_deref())
            .filter(|_| needs == Needs::One);
        let name = name.or(default);
        let environment = match (name, &project) {
            (None, Some(project)) if needs == Needs::One && !project.environments.is_empty() => {
                let names = project.environment_names();
                return Err(Error::new(format!(
                    "{} declares environments ({}): name the one to use",
                    project.file.display(),
                    names.join(", ")
                ))
                .hint(format!(
                    "add `--env {}` (or set FLEX_ALERTS_ENV, or write `default_environment: {}` in {}); nothing was read from any store",
                    names[0],
                    names[0],
                    project.file.display()
                )));
            }
            (None, _) => None,
            (Some(name), Some(project)) => Some(project.environment(name)?.clone()),
            (Some(name), None) => {
                return Err(Error::new(format!(
                    "--env {name}: no {} in this directory or above it",
                    PROJECT_FILE_NAME
                ))
                .hint("environments are declared in the project file at the repository's root"));
            }
        };
        Ok(Context {
            project,
            environment,
        })
    }

    /// The same project in another of its environments.
    pub fn with_environment(&self, environment: &Environment) -> Context {
        Context {
            project: self.project.clone(),
            environment: Some(environment.clone()),
        }
    }

    /// PATH arguments: as given, else the project's alert paths, else the current directory.
    pub fn paths(&self, given: &[PathBuf]) -> Vec<PathBuf> {
        match (&self.project, given.is_empty()) {
            (_, false) => given.to_vec(),
            (Some(project), true) => project.alerts.clone(),
            (None, true) => vec![PathBuf::from(".")],
        }
    }

    /// The alert files under `paths` (the defaults of `paths` applied) loaded in this
    /// environment: its `vars` and its overlay.
    pub fn load(&self, paths: &[PathBuf], secrets: Secrets) -> Loaded {
        let env = crate::common::env::process;
        let environment = self
            .environment
            .as_ref()
            .map(|environment| InEnvironment {
                vars: environment.vars.clone(),
                overlay: environment.overlay.clone(),
                elsewhere: self.defined_elsewhere(&environment.name),
            })
            .unwrap_or_default();
        config::load_in(&self.paths(paths), (&env, &environment), secrets)
    }

    /// For each variable the other environments set in their `vars`, which ones set it.
    fn defined_elsewhere(&self, here: &str) -> BTreeMap<String, Vec<String>> {
        let mut elsewhere: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for environment in self
            .project
            .iter()
            .flat_map(|project| &project.environments)
        {
            if environment.name != here {
                for name in environment.vars.keys() {
                    elsewhere
                        .entry(name.clone())
                        .or_default()
                        .push(environment.name.clone());
                }
            }
        }
        elsewhere
    }

    /// The environment's name, if one was named.
    pub fn name(&self) -> Option<&str> {
        self.environment.as_ref().map(|e| e.name.as_str())
    }

    /// The store options in effect in this environment: `--store` when written, else its
    /// store, else the usual defaults; and its credentials.
    pub fn store_choice(&self, cli: &Cli, args: &StoreArgs) -> Result<StoreChoice, Error> {
        let mut choice = cli.store_choice(args)?;
        if let Some(environment) = &self.environment {
            if !cli.store_written(args)
                && let Some(store) = &environment.store
            {
                choice.given = Some(store.clone());
            }
            choice.credentials = environment.credentials.clone();
            choice.environment = Some(environment.name.clone());
        }
        Ok(choice)
    }
}
