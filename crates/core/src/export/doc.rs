//! An ordered document tree, written as JSON (through serde_json) and as YAML (by the small
//! emitter below).
//!
//! Why our own YAML emitter: serde_yaml is archived, and its maintained forks (serde_norway,
//! serde_yaml_ng) write plain scalars such as `on`, `yes`, `no`, `2026-12-31` or
//! `2026-11-20T09:30:00Z` unquoted. They are strings in YAML 1.2, but YAML 1.1 readers — PyYAML,
//! Ruby's Psych and many tools built on them — read them as booleans, dates and times, so a
//! workspace called `on` or an expiry date would change type on the way. Our documents use only
//! maps, lists, strings, booleans, integers and null, so the emitter is small: every string is
//! double-quoted with escapes valid in both YAML versions, which no reader can mistake. Reading
//! YAML back (import) uses serde_norway, the maintained fork of serde_yaml (see `import.rs`).

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

/// A value of an export document. Maps keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    /// Wiped from memory on drop (it may be the token).
    Str(Zeroizing<String>),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn str(s: impl AsRef<str>) -> Node {
        Node::Str(Zeroizing::new(s.as_ref().to_string()))
    }

    pub fn opt<S: AsRef<str>>(s: Option<S>) -> Node {
        match s {
            Some(s) => Node::str(s),
            None => Node::Null,
        }
    }

    pub fn map<K: Into<String>>(entries: Vec<(K, Node)>) -> Node {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Pretty JSON (two-space indent) with a final newline.
    pub fn to_json(&self) -> Zeroizing<String> {
        let mut out = serde_json::to_string_pretty(self).expect("a Node always serializes");
        out.push('\n');
        Zeroizing::new(out)
    }

    /// A YAML document (block style, every string double-quoted), with a final newline.
    pub fn to_yaml(&self) -> Zeroizing<String> {
        let mut out = String::new();
        match self {
            Node::Map(entries) if !entries.is_empty() => write_map(entries, 0, &mut out),
            Node::List(items) if !items.is_empty() => write_list(items, 0, &mut out),
            scalar => {
                write_scalar(scalar, &mut out);
                out.push('\n');
            }
        }
        Zeroizing::new(out)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_none(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Int(i) => s.serialize_i64(*i),
            Node::Str(v) => s.serialize_str(v),
            Node::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

fn is_block(n: &Node) -> bool {
    matches!(n, Node::Map(e) if !e.is_empty()) || matches!(n, Node::List(i) if !i.is_empty())
}

fn write_key(key: &str, out: &mut String) {
    let plain = !key.is_empty()
        && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        out.push_str(key);
    } else {
        quote(key, out);
    }
}

fn write_map(entries: &[(String, Node)], indent: usize, out: &mut String) {
    for (k, v) in entries {
        out.push_str(&" ".repeat(indent));
        write_key(k, out);
        out.push(':');
        write_value(v, indent, out);
    }
}

/// Writes what follows `key:` or `- `: a scalar on the same line, or a block below.
fn write_value(v: &Node, indent: usize, out: &mut String) {
    match v {
        Node::Map(e) if !e.is_empty() => {
            out.push('\n');
            write_map(e, indent + 2, out);
        }
        Node::List(i) if !i.is_empty() => {
            out.push('\n');
            write_list(i, indent + 2, out);
        }
        scalar => {
            out.push(' ');
            write_scalar(scalar, out);
            out.push('\n');
        }
    }
}

fn write_list(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Node::Map(e) if !e.is_empty() => {
                // "- first: value" then the other keys aligned under "first".
                let (k0, v0) = &e[0];
                out.push(' ');
                write_key(k0, out);
                out.push(':');
                write_value(v0, indent + 2, out);
                write_map(&e[1..], indent + 2, out);
            }
            other if is_block(other) => write_value(other, indent, out),
            scalar => {
                out.push(' ');
                write_scalar(scalar, out);
                out.push('\n');
            }
        }
    }
}

fn write_scalar(n: &Node, out: &mut String) {
    match n {
        Node::Null => out.push_str("null"),
        Node::Bool(true) => out.push_str("true"),
        Node::Bool(false) => out.push_str("false"),
        Node::Int(i) => out.push_str(&i.to_string()),
        Node::Str(s) => quote(s, out),
        Node::List(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

/// A double-quoted scalar. Escapes are the ones YAML 1.1 and 1.2 share; everything outside
/// the printable set of both (C0, DEL, C1, surrogates cannot occur, U+FEFF, U+FFFE/FFFF,
/// line and paragraph separators) is escaped, so the text is the same in every reader.
fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::map(vec![
            ("schema", Node::str("x")),
            ("yes", Node::str("on")),
            ("n", Node::Int(1)),
            ("empty_list", Node::List(vec![])),
            ("empty_map", Node::Map(vec![])),
            ("list", Node::List(vec![Node::str("a"), Node::Null, Node::Bool(true)])),
            (
                "nested",
                Node::map(vec![
                    ("date", Node::str("2026-12-31")),
                    ("weird key: x", Node::str("line1\nline2\t\"q\" \\ \u{85}\u{7f}\u{1}\u{2028}é😀")),
                    ("maps", Node::List(vec![Node::map(vec![("a", Node::str("1")), ("b", Node::List(vec![Node::str("x")]))])])),
                ]),
            ),
        ])
    }

    #[test]
    fn yaml_shape() {
        let y = sample().to_yaml();
        assert_eq!(
            y.as_str(),
            "schema: \"x\"\nyes: \"on\"\nn: 1\nempty_list: []\nempty_map: {}\nlist:\n  - \"a\"\n  - null\n  - true\nnested:\n  date: \"2026-12-31\"\n  \"weird key: x\": \"line1\\nline2\\t\\\"q\\\" \\\\ \\x85\\x7F\\x01\\u2028é😀\"\n  maps:\n    - a: \"1\"\n      b:\n        - \"x\"\n"
        );
    }

    #[test]
    fn yaml_reads_back_as_the_json() {
        let n = sample();
        let from_yaml: serde_json::Value = serde_norway::from_str(&n.to_yaml()).unwrap();
        let from_json: serde_json::Value = serde_json::from_str(&n.to_json()).unwrap();
        assert_eq!(from_yaml, from_json);
    }

    #[test]
    fn json_keeps_order() {
        let j = Node::map(vec![("z", Node::Int(1)), ("a", Node::Int(2))]).to_json();
        assert_eq!(j.as_str(), "{\n  \"z\": 1,\n  \"a\": 2\n}\n");
    }
}
