//! `flex-alerts import SID_OR_NAME --to FILE`: adopts one live alert, appending it to an alert
//! file (created with its modeline when absent) in the form `export` writes, its webhook URL a
//! `${VARIABLE}` placeholder; `plan` then finds it unchanged. An alert the files already
//! declare (or forget) is refused, naming where. The new file is checked before it replaces the
//! old one, atomically: a file that would not load is never written.

use std::path::{Path, PathBuf};

use super::environment::{Context, Needs};
use super::export::{item, schema_path, webhook_variable, write_schema_if_missing};
use super::session::{Session, load_desired_in, write_file};
use crate::cli::{Cli, ImportArgs};
use crate::common::regular_file;
use crate::config::desired::Desired;
use crate::config::{self, Secrets, source};
use crate::error::Error;
use crate::flex::wire::Rule;
use crate::output::Output;
use crate::plan::alert::AlertSpec;
use crate::plan::view::AlertView;

/// The largest alert file imported into: 100 alerts are well under this.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

pub fn run(cli: &Cli, args: &ImportArgs, output: &Output) -> Result<u8, Error> {
    let context = Context::resolve(args.env.name.as_deref(), Needs::One, output)?;
    let mut paths = context.paths(&[]);
    if args.to.exists() {
        paths.push(args.to.clone());
    }
    // The files must load: an alert is adopted into files that plan can use. None yet (the
    // first import) is fine.
    let desired = if source::discover(&paths).sources.is_empty() {
        Desired::default()
    } else {
        load_desired_in(&context, &paths, Secrets::Optional, output)?
    };
    let choice = context.store_choice(cli, &args.store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let live = session.snapshot()?;
    let rule = find(&live.rules, &args.alert)?;
    let name = rule.name();
    if let Some(alert) = desired
        .alerts
        .iter()
        .find(|alert| alert.name == name || alert.renamed_from.iter().any(|old| old == name))
    {
        return Err(Error::new(format!(
            "alert `{name}` is already declared at {}; nothing was written",
            alert.origin
        ))
        .hint("it is managed already: `flex-alerts plan` shows how it differs from the file"));
    }
    if let Some((_, origin)) = desired
        .forgotten
        .iter()
        .find(|(forgotten, _)| forgotten == name)
    {
        return Err(Error::new(format!(
            "alert `{name}` is in `forget` at {origin}; nothing was written"
        ))
        .hint("remove it from `forget` first to manage it again"));
    }
    let spec = AlertSpec::from_live(rule, &live.configs).map_err(|reason| {
        Error::new(format!(
            "live alert {} `{name}` cannot be imported: {reason}",
            rule.sid()
        ))
        .hint("YAML v1 cannot represent it; change it in Console, or leave it unmanaged")
    })?;
    let view = AlertView::new(&spec, &live.directory);
    let existing = read_existing(&args.to)?;
    let text = match &existing {
        Some(text) => append(text, &item(&view)),
        None => format!(
            "# yaml-language-server: $schema={}\nversion: 1\nalerts:\n{}",
            schema_path(Some(&args.to)),
            indent(&item(&view))
        ),
    };
    check_loads(&args.to, &text)?;
    write_file(&args.to, &text)?;
    if existing.is_none() {
        write_schema_if_missing(output)?;
    }
    output.line(&format!(
        "Imported `{name}` ({}) into {}; `flex-alerts plan` now finds it unchanged.",
        rule.sid(),
        args.to.display()
    ));
    if view
        .notify
        .as_ref()
        .is_some_and(|notify| notify.webhook.is_some())
    {
        output.line(&format!(
            "Its webhook URL is a secret and was not written: set {} before running plan.",
            webhook_variable(name)
        ));
    }
    Ok(0)
}

/// The live alert `wanted` names: a SID, else a name held by exactly one live alert.
fn find<'a>(rules: &'a [Rule], wanted: &str) -> Result<&'a Rule, Error> {
    if let Some(rule) = rules.iter().find(|rule| rule.sid() == wanted) {
        return Ok(rule);
    }
    let named: Vec<&Rule> = rules.iter().filter(|rule| rule.name() == wanted).collect();
    match named.as_slice() {
        [rule] => Ok(rule),
        [] => {
            let names: Vec<String> = rules.iter().map(|rule| rule.name().to_owned()).collect();
            let mut error = Error::new(format!(
                "no live alert has the SID or name `{wanted}`; nothing was written"
            ));
            if let Some(hint) = crate::common::suggest::did_you_mean_or_list(wanted, &names) {
                error = error.hint(hint);
            }
            Err(error)
        }
        several => Err(Error::new(format!(
            "{} live alerts are named `{wanted}` ({}); nothing was written",
            several.len(),
            several
                .iter()
                .map(|rule| rule.sid())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("import one by its SID; the next apply deletes the other copies")),
    }
}

fn read_existing(path: &Path) -> Result<Option<String>, Error> {
    match regular_file::read_text(path, MAX_FILE_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(Error::new(format!("cannot read {}", path.display())).cause(error)),
    }
}

fn indent(item: &str) -> String {
    item.lines().map(|line| format!("  {line}\n")).collect()
}

/// `text` with `item` added at the end of its top-level `alerts:` list (written at that list's
/// indentation), or with an `alerts:` list added when it has none.
fn append(text: &str, item: &str) -> String {
    let mut text = text.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(key) = lines.iter().position(|line| {
        line.strip_prefix("alerts:").is_some_and(|rest| {
            rest.trim().is_empty() || rest.trim() == "[]" || rest.trim_start().starts_with('#')
        })
    }) else {
        return format!("{text}alerts:\n{}", indent(item));
    };
    let flow_empty = lines[key].trim_end().ends_with("[]");
    // The list's items and their indentation; it ends at the first line less indented that
    // is not blank or a comment (a next top-level key).
    let content = |line: &str| !line.trim().is_empty() && !line.trim_start().starts_with('#');
    let width = |line: &str| line.len() - line.trim_start().len();
    let item_indent = lines[key + 1..]
        .iter()
        .find(|line| content(line))
        .filter(|line| line.trim_start().starts_with('-'))
        .map_or(2, |line| width(line));
    let mut end = key + 1;
    for (index, line) in lines.iter().enumerate().skip(key + 1) {
        if !content(line) {
            continue;
        }
        let inside = width(line) > item_indent
            || (width(line) == item_indent && line.trim_start().starts_with('-'));
        if !inside || flow_empty {
            break;
        }
        end = index + 1;
    }
    let added: String = item
        .lines()
        .map(|line| format!("{}{line}\n", " ".repeat(item_indent)))
        .collect();
    let head = if flow_empty {
        let mut lines: Vec<String> = lines[..key].iter().map(|line| line.to_string()).collect();
        lines.push("alerts:\n".to_owned());
        lines.concat()
    } else {
        lines[..end].concat()
    };
    let tail_start = if flow_empty { key + 1 } else { end };
    format!("{head}{added}{}", lines[tail_start..].concat())
}

/// Refuses a new text of `path` that would not load as an alert file.
fn check_loads(path: &Path, text: &str) -> Result<(), Error> {
    let shown = PathBuf::from(path).display().to_string();
    let source = source::from_bytes(shown.clone(), text.as_bytes().to_vec()).map_err(|error| {
        Error::new(format!("cannot check the new {shown}")).cause(error.message)
    })?;
    let loaded = config::check_sources_optional(vec![source], &crate::common::env::process);
    if loaded.diagnostics.has_errors() {
        return Err(Error::new(format!(
            "the alert would not load in {shown}, so it was not written"
        ))
        .cause(loaded.diagnostics.render(&loaded.sources, false))
        .hint("write it by hand from `flex-alerts export`, or import into a new file"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::append;

    const ITEM: &str = "- name: New\n  metric: Waiting (Now)\n";

    #[test]
    fn an_item_goes_at_the_end_of_the_alerts_list_at_its_indentation() {
        let text = "version: 1\nalerts:\n  - name: Old\n    metric: Waiting (Now)\n\nforget: [X]\n";
        assert_eq!(
            append(text, ITEM),
            "version: 1\nalerts:\n  - name: Old\n    metric: Waiting (Now)\n  - name: New\n    metric: Waiting (Now)\n\nforget: [X]\n"
        );
        let flush = "version: 1\nalerts:\n- name: Old\n  metric: Waiting (Now)\n# end\n";
        assert_eq!(
            append(flush, ITEM),
            "version: 1\nalerts:\n- name: Old\n  metric: Waiting (Now)\n- name: New\n  metric: Waiting (Now)\n# end\n"
        );
    }

    #[test]
    fn a_file_without_alerts_gets_the_list() {
        assert_eq!(
            append("version: 1", ITEM),
            "version: 1\nalerts:\n  - name: New\n    metric: Waiting (Now)\n"
        );
        assert_eq!(
            append("version: 1\nalerts: []\nsettings:\n  prune: false\n", ITEM),
            "version: 1\nalerts:\n  - name: New\n    metric: Waiting (Now)\nsettings:\n  prune: false\n"
        );
    }
}
