//! A YAML 1.2 reader that keeps a source span on every node.
//!
//! Built from saphyr-parser's event stream rather than a generic loader so that this module
//! alone decides the things validation depends on: scalars resolve by the YAML 1.2 core schema
//! (`on`, `yes`, `no` stay strings), a duplicate mapping key is an error, and alias expansion is
//! bounded so an alias bomb stops at once instead of eating memory. It knows nothing about alerts.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as ParserSpan};
use serde_json::{Map, Number, Value};

/// Nodes an alias may expand to in one document: far above any real alert file, far below
/// anything that hurts (a billion-laughs document reaches it after a few thousand copies).
pub const MAX_NODES: usize = 100_000;

/// A place in a source file: 1-based line and column (in characters) and a byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Keys are kept as written, each with its own span, in source order.
    Mapping(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// Why a file could not be read as YAML; always with the place it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

/// Parses one YAML document. An empty stream yields `None`; a second document is an error.
pub fn parse(source: &str) -> Result<Option<Node>, YamlError> {
    let positions = Positions::new(source);
    let mut builder = Builder {
        anchors: HashMap::new(),
        stack: Vec::new(),
        root: None,
        nodes: 0,
        documents: 0,
    };
    for event in Parser::new_from_str(source) {
        let (event, span) = event.map_err(|error| {
            let span = positions.point(error.marker().line(), error.marker().col());
            // `{ above: ${WAIT} }`: the braces of `${...}` end the flow mapping early.
            let line = source
                .lines()
                .nth(span.line.saturating_sub(1))
                .unwrap_or("");
            let hint = if line.contains("${") {
                Some("inside `{ }` or `[ ]`, write a variable in quotes: `'${NAME}'`".to_owned())
            } else if error.info().contains("tab") {
                // Point at the tab itself, on this line or the nearest above that has one.
                let tab = source
                    .lines()
                    .enumerate()
                    .take(span.line)
                    .filter_map(|(index, text)| text.find('\t').map(|column| (index + 1, column)))
                    .last();
                Some(match tab {
                    Some((line, column)) => format!(
                        "YAML indents with spaces; replace the tab at {line}:{}",
                        text_column(source, line, column)
                    ),
                    None => "YAML indents with spaces, never tabs".to_owned(),
                })
            } else {
                None
            };
            YamlError {
                message: format!("not valid YAML: {}", error.info()),
                span,
                hint,
            }
        })?;
        builder.event(event, positions.span(&span))?;
    }
    Ok(builder.root)
}

/// The 1-based character column of byte `offset` on 1-based `line` of `source`.
fn text_column(source: &str, line: usize, offset: usize) -> usize {
    let text = source.lines().nth(line - 1).unwrap_or("");
    text[..offset.min(text.len())].chars().count() + 1
}

/// Maps parser markers (line, character column) to byte offsets.
struct Positions<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    fn new(source: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Positions {
            source,
            line_starts,
        }
    }

    fn byte(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.source.len();
        };
        self.source[start..]
            .char_indices()
            .nth(column)
            .map_or(self.source.len(), |(offset, _)| start + offset)
    }

    fn point(&self, line: usize, column: usize) -> Span {
        let start = self.byte(line, column);
        let end = self.source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        Span {
            line: line.max(1),
            column: column + 1,
            start,
            end,
        }
    }

    fn span(&self, span: &ParserSpan) -> Span {
        let start = self.byte(span.start.line(), span.start.col());
        let end = self.byte(span.end.line(), span.end.col()).max(start);
        Span {
            line: span.start.line(),
            column: span.start.col() + 1,
            start,
            end,
        }
    }
}

enum Frame {
    Sequence {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
    },
    Mapping {
        entries: Vec<(Key, Node)>,
        pending_key: Option<Key>,
        span: Span,
        anchor: usize,
    },
}

struct Builder {
    anchors: HashMap<usize, Node>,
    stack: Vec<Frame>,
    root: Option<Node>,
    nodes: usize,
    documents: usize,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(error(
                        span,
                        "a file holds one YAML document; found a second one",
                        Some("put the other document in a file of its own"),
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let is_string_tag = tag.as_ref().is_some_and(|tag| tag.suffix == "str");
                let scalar = if style == ScalarStyle::Plain && !is_string_tag {
                    resolve_plain(&value)
                } else {
                    Scalar::String(value.into_owned())
                };
                self.count(1, span)?;
                self.push(
                    Node {
                        kind: NodeKind::Scalar(scalar),
                        span,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Sequence {
                items: Vec::new(),
                span,
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Mapping {
                entries: Vec::new(),
                pending_key: None,
                span,
                anchor,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Sequence {
                        items,
                        span: start,
                        anchor,
                    }) => (
                        Node {
                            kind: NodeKind::Sequence(items),
                            span: start,
                        },
                        anchor,
                    ),
                    Some(Frame::Mapping {
                        entries,
                        span: start,
                        anchor,
                        ..
                    }) => (
                        Node {
                            kind: NodeKind::Mapping(merge_keys(entries)?),
                            span: start,
                        },
                        anchor,
                    ),
                    None => return Ok(()),
                };
                self.count(1, span)?;
                self.push(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(node_count) else {
                    return Err(error(span, "alias refers to an unknown anchor", None));
                };
                self.count(size, span)?;
                let mut copy = self.anchors[&id].clone();
                copy.span = span;
                self.push(copy, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn count(&mut self, nodes: usize, span: Span) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            return Err(error(
                span,
                &format!("aliases expand to more than {MAX_NODES} nodes"),
                Some("this looks like an alias bomb; write the values out or use fewer aliases"),
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    let name = match &node.kind {
                        NodeKind::Scalar(Scalar::String(name)) => name.clone(),
                        NodeKind::Scalar(scalar) => scalar_text(scalar),
                        _ => {
                            return Err(error(
                                node.span,
                                "a mapping key must be a plain value, not a list or mapping",
                                None,
                            ));
                        }
                    };
                    if let Some((first, _)) = entries.iter().find(|(key, _)| key.name == name) {
                        return Err(error(
                            node.span,
                            &format!(
                                "duplicate key `{name}` (first set on line {})",
                                first.span.line
                            ),
                            Some("YAML keeps only one value per key; remove one of them"),
                        ));
                    }
                    *pending_key = Some(Key {
                        name,
                        span: node.span,
                    });
                }
            },
        }
        Ok(())
    }
}

/// YAML merge keys: `<<: *defaults` (or a list of them) adds the keys of those mappings that
/// the mapping does not set itself; explicit keys win, and of several merged mappings the
/// first wins. Merged values keep the spans of where they are written (the anchored mapping),
/// so diagnostics point there.
fn merge_keys(entries: Vec<(Key, Node)>) -> Result<Vec<(Key, Node)>, YamlError> {
    let Some(position) = entries.iter().position(|(key, _)| key.name == "<<") else {
        return Ok(entries);
    };
    let mut entries = entries;
    let (merge_key, merged) = entries.remove(position);
    let sources = match merged.kind {
        NodeKind::Sequence(items) => items,
        _ => vec![merged],
    };
    for source in sources {
        let NodeKind::Mapping(pairs) = source.kind else {
            return Err(error(
                merge_key.span,
                "`<<` merges a mapping, or a list of mappings, into this one",
                Some("write `<<: *name` where `&name` marks a mapping"),
            ));
        };
        for (key, value) in pairs {
            if !entries.iter().any(|(known, _)| known.name == key.name) {
                entries.push((key, value));
            }
        }
    }
    Ok(entries)
}

fn error(span: Span, message: &str, hint: Option<&str>) -> YamlError {
    YamlError {
        message: message.to_owned(),
        span,
        hint: hint.map(str::to_owned),
    }
}

fn node_count(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::Scalar(_) => 0,
        NodeKind::Sequence(items) => items.iter().map(node_count).sum(),
        NodeKind::Mapping(entries) => entries.iter().map(|(_, value)| node_count(value)).sum(),
    }
}

/// The YAML 1.2 core schema for plain scalars: only these spellings are not strings.
fn resolve_plain(text: &str) -> Scalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    if let Some(octal) = text.strip_prefix("0o")
        && let Ok(value) = i64::from_str_radix(octal, 8)
    {
        return Scalar::Int(value);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(value) = i64::from_str_radix(hex, 16)
    {
        return Scalar::Int(value);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(value) => Scalar::Int(value),
            Err(_) => Scalar::Float(text.parse().unwrap_or(f64::INFINITY)),
        };
    }
    if is_core_float(unsigned)
        && let Ok(value) = text.parse::<f64>()
    {
        return Scalar::Float(value);
    }
    Scalar::String(text.to_owned())
}

/// `[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least one digit before the exponent.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole) && digits(fraction) && whole.len() + fraction.len() > 0;
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

fn scalar_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Null => "null".to_owned(),
        Scalar::Bool(value) => value.to_string(),
        Scalar::Int(value) => value.to_string(),
        Scalar::Float(value) => value.to_string(),
        Scalar::String(value) => value.clone(),
    }
}

/// Where each JSON pointer of a converted document came from: the key (if any) and the value;
/// and, for subtrees grafted in from another file (an overlay), that file.
#[derive(Debug, Default)]
pub struct SpanIndex {
    entries: HashMap<String, (Option<Span>, Span)>,
    /// Pointer prefix -> the file its subtree was written in.
    grafts: Vec<(String, String)>,
}

impl SpanIndex {
    /// Replaces the spans under `pointer` with those under `from` in `other`, a document of
    /// the file `file`: the subtree now comes from there.
    pub fn graft(&mut self, pointer: &str, other: &SpanIndex, from: &str, file: &str) {
        let inside = |key: &str, root: &str| key == root || key.starts_with(&format!("{root}/"));
        self.entries.retain(|key, _| !inside(key, pointer));
        for (key, spans) in &other.entries {
            if inside(key, from) {
                self.entries
                    .insert(format!("{pointer}{}", &key[from.len()..]), *spans);
            }
        }
        self.grafts.retain(|(root, _)| !inside(root, pointer));
        self.grafts.push((pointer.to_owned(), file.to_owned()));
    }

    /// The file `pointer` was written in, when it was grafted from another one.
    pub fn file_of(&self, pointer: &str) -> Option<&str> {
        self.grafts
            .iter()
            .filter(|(root, _)| pointer == root || pointer.starts_with(&format!("{root}/")))
            .max_by_key(|(root, _)| root.len())
            .map(|(_, file)| file.as_str())
    }

    /// The span of the value at `pointer`.
    pub fn value(&self, pointer: &str) -> Option<Span> {
        self.entries.get(pointer).map(|(_, value)| *value)
    }

    /// The span of the key that holds `pointer`, or of the value for list items and the root.
    pub fn key_or_value(&self, pointer: &str) -> Option<Span> {
        self.entries
            .get(pointer)
            .map(|(key, value)| key.unwrap_or(*value))
    }

    /// The span of the nearest existing ancestor of `pointer` (or the pointer itself).
    pub fn nearest(&self, pointer: &str) -> Option<Span> {
        let mut current = pointer;
        loop {
            if let Some(span) = self.key_or_value(current) {
                return Some(span);
            }
            current = &current[..current.rfind('/')?];
        }
    }
}

/// Converts the tree to JSON for schema validation and typed deserialisation, recording spans.
pub fn to_json(node: &Node) -> (Value, SpanIndex) {
    let mut index = SpanIndex::default();
    let value = convert(node, String::new(), None, &mut index);
    (value, index)
}

fn convert(node: &Node, pointer: String, key: Option<Span>, index: &mut SpanIndex) -> Value {
    let value = match &node.kind {
        NodeKind::Scalar(Scalar::Null) => Value::Null,
        NodeKind::Scalar(Scalar::Bool(value)) => Value::Bool(*value),
        NodeKind::Scalar(Scalar::Int(value)) => Value::Number((*value).into()),
        NodeKind::Scalar(Scalar::Float(value)) => {
            Number::from_f64(*value).map_or_else(|| Value::String(value.to_string()), Value::Number)
        }
        NodeKind::Scalar(Scalar::String(value)) => Value::String(value.clone()),
        NodeKind::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| convert(item, format!("{pointer}/{i}"), None, index))
                .collect(),
        ),
        NodeKind::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let child = format!("{pointer}/{}", escape_pointer(&key.name));
                map.insert(
                    key.name.clone(),
                    convert(value, child, Some(key.span), index),
                );
            }
            Value::Object(map)
        }
    };
    index.entries.insert(pointer, (key, node.span));
    value
}

/// RFC 6901 escaping of one pointer segment.
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(source: &str) -> Node {
        parse(source).unwrap().unwrap()
    }

    #[test]
    fn yaml_1_2_core_schema_keeps_on_yes_no_as_strings() {
        let (value, _) = to_json(&root(
            "a: on\nb: yes\nc: No\nd: true\ne: ~\nf: 0x1F\ng: 1.5",
        ));
        assert_eq!(
            value,
            serde_json::json!({"a": "on", "b": "yes", "c": "No", "d": true, "e": null, "f": 31, "g": 1.5})
        );
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let (value, _) = to_json(&root("a: \"5\"\nb: '-1'\nc: -1"));
        assert_eq!(value, serde_json::json!({"a": "5", "b": "-1", "c": -1}));
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_second_key() {
        let error = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((error.span.line, error.span.column), (3, 1));
        assert!(
            error.message.contains("duplicate key `a`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn spans_are_one_based_and_point_at_keys_and_values() {
        let (_, index) = to_json(&root("alerts:\n  - name: x\n    queues: [a, b]\n"));
        let key = index.key_or_value("/alerts/0/queues").unwrap();
        assert_eq!((key.line, key.column), (3, 5));
        let item = index.value("/alerts/0/queues/1").unwrap();
        assert_eq!((item.line, item.column), (3, 17));
    }

    #[test]
    fn multibyte_characters_count_as_one_column() {
        let source = "é: [1, x]\n";
        let (_, index) = to_json(&root(source));
        let item = index.value("/é/1").unwrap();
        assert_eq!(item.column, 8);
        assert_eq!(&source[item.start..item.end], "x");
    }

    #[test]
    fn alias_bomb_stops_with_an_error() {
        let mut source = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 0..9 {
            let prev = (b'a' + level) as char;
            let next = (b'a' + level + 1) as char;
            source.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let error = parse(&source).unwrap_err();
        assert!(
            error.message.contains("aliases expand"),
            "{}",
            error.message
        );
    }

    #[test]
    fn small_aliases_expand() {
        let (value, _) = to_json(&root("base: &q [Support, Billing]\nother: *q\n"));
        assert_eq!(value["other"], serde_json::json!(["Support", "Billing"]));
    }

    #[test]
    fn merge_keys_add_what_is_not_set_and_keep_where_it_is_written() {
        let node = root(
            "base: &base\n  a: 1\n  b: 2\nother: &other\n  b: 3\n  c: 4\nmerged:\n  <<: [*base, *other]\n  a: 9\n",
        );
        let NodeKind::Mapping(top) = node.kind else {
            panic!()
        };
        let NodeKind::Mapping(merged) = &top[2].1.kind else {
            panic!()
        };
        let values: Vec<(&str, String, usize)> = merged
            .iter()
            .map(|(key, value)| {
                let NodeKind::Scalar(scalar) = &value.kind else {
                    panic!()
                };
                (key.name.as_str(), scalar_text(scalar), value.span.line)
            })
            .collect();
        assert_eq!(
            values,
            [
                ("a", "9".to_owned(), 9),
                ("b", "2".to_owned(), 3),
                ("c", "4".to_owned(), 6)
            ],
            "explicit wins, then the first merged; each where it is written"
        );
        let error = parse("a:\n  <<: 5\n").unwrap_err();
        assert!(
            error.message.contains("`<<` merges a mapping"),
            "{}",
            error.message
        );
    }

    #[test]
    fn empty_stream_has_no_document() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }

    #[test]
    fn second_document_is_an_error() {
        let error = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(error.span.line, 2);
    }

    #[test]
    fn a_variable_in_a_flow_mapping_gets_the_hint_to_quote_it() {
        let error = parse("t: { above: ${WAIT} }\n").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("inside `{ }` or `[ ]`, write a variable in quotes: `'${NAME}'`")
        );
        assert!(parse("t: { above: '${WAIT}' }\n").is_ok());
    }

    #[test]
    fn syntax_error_has_a_position() {
        let error = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.message.starts_with("not valid YAML"));
        assert!(error.span.line >= 1);
    }
}
