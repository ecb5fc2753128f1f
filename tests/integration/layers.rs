//! The house stays as built: every `crate::`, `super::` and `self::` path in `src/` is
//! resolved to the file that defines what it names, and the imports must run one way, down
//! the layers of the layout section of docs/design.md, with no circle between files or folders.
//!
//! A name is charged to the file that defines it: a `pub use` of a module's own child (the
//! `pub use directory::Directory` of `store/mod.rs`) is an alias, not an import; any other
//! `pub use` is an import of the file that writes it. Unit tests (`#[cfg(test)] mod`) may
//! import anything and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules by layer, lowest first: a module may import modules of lower layers
/// only (never one of its own layer), and the emulator only where `EMULATOR_USERS` says.
const LAYERS: &[&[&str]] = &[
    // Foundations: import nothing of ours.
    &["common", "flex", "error", "output"],
    // The test double, on the side: Flex's facts and the helpers only.
    &["emulator"],
    &["config", "store", "review"],
    &["project"],
    &["plan"],
    &["apply", "render", "evaluate"],
    &["cli"],
    &["commands"],
    &["lib"],
];

/// Who may import the emulator: the commands (`flex-alerts emulator`) and their arguments,
/// the crate root that declares it, and the local sandbox store, which is its engine.
const EMULATOR_USERS: &[&str] = &["commands", "cli", "lib", "store/local"];

type Module = Vec<String>;

#[test]
fn imports_run_down_the_layers_with_no_circle() {
    let files = source_files(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path());
    assert!(files.len() > 50, "found only {} files", files.len());
    let graph = Graph::build(&files);
    // The resolution sees real imports: a few that the layout relies on.
    for (from, to) in [
        ("store/local", "emulator/engine"),
        ("plan/alert", "flex/limits"),
        ("apply/journal", "common/atomic_file"),
        ("store/twilio/alerts", "store/twilio/transport"),
        ("commands/emulator", "evaluate/live"),
    ] {
        assert!(
            graph.edges[&module_of(from)].contains(&module_of(to)),
            "{from} -> {to} not seen: {:?}",
            graph.edges[&module_of(from)]
        );
    }

    let mut problems = Vec::new();
    let layer_of = |module: &Module| {
        let top = module.first().map_or("lib", String::as_str);
        LAYERS.iter().position(|layer| layer.contains(&top))
    };
    for (from, targets) in &graph.edges {
        let Some(from_layer) = layer_of(from) else {
            problems.push(format!("{} is in no layer of LAYERS", name(from)));
            continue;
        };
        for to in targets {
            if from.first() == to.first() {
                continue;
            }
            let to_layer = layer_of(to).unwrap_or(usize::MAX);
            if to.first().map(String::as_str) == Some("emulator") {
                if !EMULATOR_USERS
                    .iter()
                    .any(|user| name(from) == *user || name(from).starts_with(&format!("{user}/")))
                {
                    problems.push(format!(
                        "{} imports the emulator {}; only {EMULATOR_USERS:?} may",
                        name(from),
                        name(to)
                    ));
                }
            } else if to_layer >= from_layer {
                problems.push(format!(
                    "{} imports {}, which is not below it in LAYERS",
                    name(from),
                    name(to)
                ));
            }
        }
    }
    for cycle in cycles(&graph.edges) {
        problems.push(format!(
            "files import each other in a circle: {}",
            cycle.join(" -> ")
        ));
    }
    let folders: BTreeMap<Module, BTreeSet<Module>> =
        graph
            .edges
            .iter()
            .fold(BTreeMap::new(), |mut folders, (from, targets)| {
                let top = |module: &Module| module.iter().take(1).cloned().collect::<Module>();
                let entry = folders.entry(top(from)).or_default();
                entry.extend(targets.iter().map(top).filter(|to| *to != top(from)));
                folders
            });
    for cycle in cycles(&folders) {
        problems.push(format!(
            "folders import each other in a circle: {}",
            cycle.join(" -> ")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_upward_imports_re_exports_and_circles() {
    // A made-up crate: plan imports apply (upward), store/mod re-exports its child (an
    // alias), config/a and config/b import each other.
    let files = [
        ("plan/mod.rs", "use crate::apply::run;\nfn f() {}"),
        ("apply/mod.rs", "pub fn run() {}"),
        (
            "store/mod.rs",
            "pub mod open;\npub use open::Any;\npub struct Live;",
        ),
        ("store/open.rs", "use super::Live;\npub struct Any;"),
        ("config/a.rs", "use super::b::B; pub struct A;"),
        (
            "config/b.rs",
            "pub struct B;\nfn g() { let _ = crate::config::a::A; let s = \"crate::plan::x\"; }\n\
             #[cfg(test)]\nmod tests { use crate::apply::run; }",
        ),
        (
            "lib.rs",
            "// crate::emulator::x in a comment\nuse crate::store::Any;",
        ),
    ];
    let files: Vec<(Module, String)> = files
        .iter()
        .map(|(path, text)| (module_of(path), (*text).to_owned()))
        .collect();
    let graph = Graph::build(&files);
    let edges =
        |from: &str| -> Vec<String> { graph.edges[&module_of(from)].iter().map(name).collect() };
    assert_eq!(edges("plan/mod.rs"), ["apply"]);
    assert_eq!(
        edges("store/mod.rs"),
        Vec::<String>::new(),
        "a re-export is an alias"
    );
    assert_eq!(edges("store/open.rs"), ["store"]);
    assert_eq!(
        edges("lib.rs"),
        ["store/open"],
        "the alias is followed to its file"
    );
    assert_eq!(
        edges("config/b.rs"),
        ["config/a"],
        "strings and tests are not imports"
    );
    assert_eq!(
        cycles(&graph.edges),
        [vec!["config/a", "config/b", "config/a"]]
    );
}

/// Every `.rs` file under `root` with its module path (`store/twilio/mod.rs` is
/// `store::twilio`, `lib.rs` the root); `main.rs` is left out, being a thin caller.
fn source_files(root: &Path) -> Vec<(Module, String)> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if relative != "main.rs" {
                    files.push((
                        module_of(&relative),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
    }
    files.sort();
    files
}

fn module_of(relative: &str) -> Module {
    let without = relative.trim_end_matches(".rs");
    let mut parts: Module = without.split('/').map(str::to_owned).collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "lib".to_owned()
    } else {
        module.join("/")
    }
}

struct Graph {
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    fn build(files: &[(Module, String)]) -> Graph {
        let modules: BTreeSet<Module> = files.iter().map(|(module, _)| module.clone()).collect();
        let code: Vec<(Module, String)> = files
            .iter()
            .map(|(module, text)| (module.clone(), without_tests(&strip(text))))
            .collect();
        // Names a module re-exports from its own children: (module, name) -> full path.
        let mut aliases: BTreeMap<(Module, String), Module> = BTreeMap::new();
        let mut imports: BTreeMap<Module, Vec<Module>> = BTreeMap::new();
        for (module, text) in &code {
            for (public, tree) in use_trees(text) {
                for path in expand(&tree) {
                    let Some(absolute) = absolute(module, &path, &modules) else {
                        continue;
                    };
                    let (defining, _) = longest_module(&absolute, &modules);
                    let child = defining.len() > module.len() && defining.starts_with(module);
                    if public && child {
                        if let Some(last) = path.last() {
                            aliases.insert((module.clone(), last.clone()), absolute.clone());
                        }
                    } else {
                        imports.entry(module.clone()).or_default().push(absolute);
                    }
                }
            }
            for path in inline_paths(text) {
                if let Some(absolute) = absolute(module, &path, &modules) {
                    imports.entry(module.clone()).or_default().push(absolute);
                }
            }
        }
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = modules
            .iter()
            .map(|m| (m.clone(), BTreeSet::new()))
            .collect();
        for (module, paths) in imports {
            for path in paths {
                let target = resolve(&path, &modules, &aliases);
                if target != module {
                    edges.entry(module.clone()).or_default().insert(target);
                }
            }
        }
        Graph { edges }
    }
}

/// The longest prefix of `path` that is a module file, and the rest.
fn longest_module(path: &[String], modules: &BTreeSet<Module>) -> (Module, Module) {
    for length in (0..=path.len()).rev() {
        if modules.contains(&path[..length].to_vec()) {
            return (path[..length].to_vec(), path[length..].to_vec());
        }
    }
    (Vec::new(), path.to_vec())
}

/// The file that defines what `path` names, following re-exports.
fn resolve(
    path: &[String],
    modules: &BTreeSet<Module>,
    aliases: &BTreeMap<(Module, String), Module>,
) -> Module {
    let mut path = path.to_vec();
    for _ in 0..16 {
        let (module, rest) = longest_module(&path, modules);
        match rest
            .first()
            .and_then(|first| aliases.get(&(module.clone(), first.clone())))
        {
            Some(target) => path = target.iter().chain(&rest[1..]).cloned().collect(),
            None => return module,
        }
    }
    longest_module(&path, modules).0
}

/// `path` written in `module` as a path from the crate root; `None` for a path into
/// another crate (`std::...`, `serde::...`).
fn absolute(module: &Module, path: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let first = path.first()?;
    let mut base = module.clone();
    let rest = match first.as_str() {
        "crate" => return Some(path[1..].to_vec()),
        "self" => &path[1..],
        "super" => {
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            rest
        }
        // A child module named without `self::` (`use engine::Engine;` in a mod.rs).
        child if modules.contains(&[module.as_slice(), &[child.to_owned()]].concat()) => path,
        _ => return None,
    };
    Some(base.into_iter().chain(rest.iter().cloned()).collect())
}

/// Each `use` declaration's tree and whether it is public (`pub use`, `pub(crate) use`).
fn use_trees(text: &str) -> Vec<(bool, String)> {
    let mut trees = Vec::new();
    let bytes = text.as_bytes();
    let mut index = 0;
    while let Some(found) = text[index..].find("use ") {
        let start = index + found;
        index = start + 4;
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let Some(end) = text[index..].find(';') else {
            break;
        };
        let before = text[..start].trim_end();
        let public = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        trees.push((public, text[index..index + end].to_owned()));
        index += end;
    }
    trees
}

/// `a::{b, c::{d, self}}` as `[a, b]`, `[a, c, d]`, `[a, c]`; `as` renames dropped.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![
            path.split("::")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty() && s != "*")
                .collect(),
        ];
    };
    let prefix: Vec<String> = tree[..open]
        .split("::")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for character in inner.chars() {
        match character {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    parts.push(current);
    let mut paths = Vec::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        for rest in expand(part) {
            if rest.first().is_some_and(|s| s == "self") {
                paths.push(prefix.clone());
            } else {
                paths.push(prefix.iter().cloned().chain(rest).collect());
            }
        }
    }
    paths
}

/// Paths written in code (`crate::a::b`, `super::x`) outside `use` declarations.
fn inline_paths(text: &str) -> Vec<Vec<String>> {
    let mut without_uses = text.to_owned();
    for (_, tree) in use_trees(text) {
        without_uses = without_uses.replacen(&tree, "", 1);
    }
    let mut paths = Vec::new();
    let bytes = without_uses.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        let mut index = 0;
        while let Some(found) = without_uses[index..].find(root) {
            let start = index + found;
            index = start + root.len();
            if start > 0
                && (bytes[start - 1].is_ascii_alphanumeric()
                    || matches!(bytes[start - 1], b'_' | b':'))
            {
                continue;
            }
            let end = without_uses[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(without_uses.len(), |end| start + end);
            let path: Vec<String> = without_uses[start..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            paths.push(path);
        }
    }
    paths
}

/// Source with comments, strings and character literals blanked (lengths kept), so that
/// only code is searched for paths.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    let blank = |out: &mut String, from: &[char]| {
        out.extend(from.iter().map(|c| if *c == '\n' { '\n' } else { ' ' }))
    };
    while index < chars.len() {
        let rest = &chars[index..];
        let next = |offset: usize| rest.get(offset).copied().unwrap_or('\0');
        let end = if rest.starts_with(&['/', '/']) {
            rest.iter().position(|c| *c == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            let mut at = 0;
            loop {
                if at + 1 >= rest.len() {
                    break rest.len();
                }
                if rest[at] == '/' && rest[at + 1] == '*' {
                    depth += 1;
                    at += 2;
                } else if rest[at] == '*' && rest[at + 1] == '/' {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        break at;
                    }
                } else {
                    at += 1;
                }
            }
        } else if (next(0) == 'r' || (next(0) == 'b' && next(1) == 'r'))
            && !index
                .checked_sub(1)
                .is_some_and(|i| chars[i].is_alphanumeric() || chars[i] == '_')
        {
            let skip = if next(0) == 'b' { 2 } else { 1 };
            let hashes = rest[skip..].iter().take_while(|c| **c == '#').count();
            if rest.get(skip + hashes) == Some(&'"') {
                let closing: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let body = skip + hashes + 1;
                rest[body..]
                    .windows(closing.len())
                    .position(|w| w == closing.as_slice())
                    .map_or(rest.len(), |at| body + at + closing.len())
            } else {
                0
            }
        } else if next(0) == '"' {
            let mut at = 1;
            while at < rest.len() && rest[at] != '"' {
                at += if rest[at] == '\\' { 2 } else { 1 };
            }
            (at + 1).min(rest.len())
        } else if next(0) == '\'' {
            // A character literal ('a', '\n', '\u{1F600}'), not a lifetime ('a).
            if next(1) == '\\' {
                rest[2..]
                    .iter()
                    .position(|c| *c == '\'')
                    .map_or(0, |at| at + 3)
            } else if next(2) == '\'' {
                3
            } else {
                0
            }
        } else {
            0
        };
        if end == 0 {
            out.push(chars[index]);
            index += 1;
        } else {
            blank(&mut out, &rest[..end]);
            index += end;
        }
    }
    out
}

/// `text` without its `#[cfg(test)] mod NAME { ... }` blocks.
fn without_tests(text: &str) -> String {
    let mut text = text.to_owned();
    while let Some(start) = text.find("#[cfg(test)]") {
        let after = &text[start + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        if !trimmed.starts_with("mod ") {
            text.replace_range(start..start + "#[cfg(test)]".len(), "");
            continue;
        }
        let Some(open) = text[start..].find('{').map(|at| start + at) else {
            break;
        };
        let mut depth = 0;
        let mut close = text.len();
        for (offset, character) in text[open..].char_indices() {
            match character {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + offset + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        text.replace_range(start..close, "");
    }
    text
}

/// Every circle in `edges`, each as the path that closes it (Tarjan's strongly connected
/// components, one circle through each component of more than one node).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct Search<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        components: Vec<Vec<&'a Module>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, node: &'a Module) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            for next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[next].min(self.low[node]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next) {
                    let low = self.index[next].min(self.low[node]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    component.push(top);
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.components.push(component);
                }
            }
        }
    }
    let mut search = Search {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for node in edges.keys() {
        if !search.index.contains_key(node) {
            search.visit(node);
        }
    }
    search
        .components
        .into_iter()
        .map(|component| {
            // A shortest walk from the component's first node back to itself, inside it.
            let members: BTreeSet<&Module> = component.iter().copied().collect();
            let start = *members.iter().next().unwrap();
            let mut previous: BTreeMap<&Module, &Module> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut closing = None;
            while let Some(node) = queue.pop_front() {
                for next in edges.get(node).into_iter().flatten() {
                    if !members.contains(next) {
                        continue;
                    }
                    if next == start {
                        closing = Some(node);
                        queue.clear();
                        break;
                    }
                    if !previous.contains_key(next) {
                        previous.insert(next, node);
                        queue.push_back(next);
                    }
                }
            }
            let mut walk = vec![name(start)];
            let mut node = closing.unwrap_or(start);
            let mut back = Vec::new();
            while node != start {
                back.push(name(node));
                node = previous[node];
            }
            walk.extend(back.into_iter().rev());
            walk.push(name(start));
            walk
        })
        .collect()
}
