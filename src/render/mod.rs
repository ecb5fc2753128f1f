//! Plans as people and programs read them: text for the terminal, JSON for machines and saved
//! plans, Markdown for pull requests; and alerts as YAML. Renderers only format: no I/O.

pub mod json;
pub mod markdown;
pub mod text;
pub mod yaml;
