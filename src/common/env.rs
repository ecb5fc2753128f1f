//! Environment variables, looked up through a function so that tests (and environments'
//! `vars`) can stand in for the real process environment.

/// Looks up an environment variable by name.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment (a value that is not Unicode reads as unset).
pub fn process(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
