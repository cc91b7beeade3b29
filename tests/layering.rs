//! The layers hold: `src-tauri/bitbucket/` (the model of Bitbucket and the validation engine)
//! uses nothing of the app above it, only itself and the leaf `safe_text`. The app hands the
//! engine what it needs (a `Target`), so the engine can be read, tested and fuzzed alone.
//!
//! The check reads the sources: every `crate::…` path (in `use` or inline, grouped or not)
//! outside comments and string literals, and every `super::super` that would climb out.

use std::path::{Path, PathBuf};

/// What code under `bitbucket/` may name after `crate::`.
const ALLOWED: [&str; 2] = ["bitbucket", "safe_text"];

/// The Rust files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The source with comments and the contents of string and char literals blanked out (line
/// breaks kept, so line numbers stay right).
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if c[i] == 'r' && (next == Some('"') || next == Some('#')) && (i == 0 || !is_ident(c[i - 1])) {
            // Raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            out.push('"');
            j += 1;
            while j < c.len() {
                if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                out.push(blank(c[j]));
                j += 1;
            }
            out.push('"');
            i = j;
        } else if c[i] == '"' {
            out.push('"');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < c.len() {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c[i] == '\'' {
            // A char literal ('x', '\n', '\u{1F}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                out.push_str(&" ".repeat(j + 1 - i));
                i = j + 1;
            } else if c.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The first segment of every path that starts with `crate::`, with its line number; a group
/// (`crate::{a, b::c}`) gives each of its top-level names.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = code.chars().collect();
    let line_of = |pos: usize| c[..pos].iter().filter(|&&ch| ch == '\n').count() + 1;
    let skip_ws = |mut j: usize| {
        while j < c.len() && c[j].is_whitespace() {
            j += 1;
        }
        j
    };
    let ident_at = |mut j: usize| {
        let start = j;
        while j < c.len() && is_ident(c[j]) {
            j += 1;
        }
        (c[start..j].iter().collect::<String>(), j)
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i + 5 <= c.len() {
        let word: String = c[i..i + 5].iter().collect();
        let before_ok = i == 0 || !(is_ident(c[i - 1]) || c[i - 1] == '$');
        let after_ok = c.get(i + 5).is_none_or(|ch| !is_ident(*ch));
        if word != "crate" || !before_ok || !after_ok {
            i += 1;
            continue;
        }
        let j = skip_ws(i + 5);
        if !(c.get(j) == Some(&':') && c.get(j + 1) == Some(&':')) {
            i += 5;
            continue;
        }
        let j = skip_ws(j + 2);
        if c.get(j) == Some(&'{') {
            // Top-level names of the group.
            let mut depth = 0;
            let mut k = j;
            let mut expect_name = true;
            while k < c.len() {
                match c[k] {
                    '{' => {
                        depth += 1;
                        if depth == 1 {
                            expect_name = true;
                        }
                        k += 1;
                    }
                    '}' => {
                        depth -= 1;
                        k += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        expect_name = true;
                        k += 1;
                    }
                    ch if depth == 1 && expect_name && is_ident(ch) => {
                        let (name, end) = ident_at(k);
                        found.push((line_of(k), name));
                        expect_name = false;
                        k = end;
                    }
                    _ => k += 1,
                }
            }
            i = k;
        } else {
            let (name, end) = ident_at(j);
            found.push((line_of(j), if name.is_empty() { c.get(j).map(|ch| ch.to_string()).unwrap_or_default() } else { name }));
            i = end.max(i + 5);
        }
    }
    found
}

/// Every line that names something outside the layer.
fn violations(code: &str) -> Vec<String> {
    let code = code_only(code);
    let mut out: Vec<String> = crate_paths(&code)
        .into_iter()
        .filter(|(_, name)| !ALLOWED.contains(&name.as_str()))
        .map(|(line, name)| format!("line {line}: crate::{name}"))
        .collect();
    for (n, line) in code.lines().enumerate() {
        let squashed: String = line.chars().filter(|ch| !ch.is_whitespace()).collect();
        if squashed.contains("super::super") {
            out.push(format!("line {}: super::super climbs out of bitbucket/", n + 1));
        }
    }
    out
}

#[test]
fn the_bitbucket_layer_uses_nothing_above_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/bitbucket");
    let files = rust_files(&dir);
    assert!(files.len() >= 7, "found only {files:?}");
    let mut bad = Vec::new();
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap();
        for v in violations(&src) {
            bad.push(format!("{}: {v}", file.strip_prefix(&dir).unwrap().display()));
        }
    }
    assert!(
        bad.is_empty(),
        "src-tauri/bitbucket/ may use only crate::{}; hand it what it needs instead (as bitbucket::target::Target does):\n{}",
        ALLOWED.join(" and crate::"),
        bad.join("\n")
    );
}

/// The scanner itself finds every form of a path out, and nothing in comments or strings.
#[test]
fn the_scanner_sees_every_form() {
    let bad = r#"
use crate::presets::PresetId;
use crate::{bitbucket::scopes, guide};
use crate::{
    safe_text,
    store::{self, Store},
};
fn f() { let _ = crate :: cli::run(); }
mod m { use super::super::export; }
"#;
    let found = violations(bad);
    assert_eq!(
        found,
        vec![
            "line 2: crate::presets",
            "line 3: crate::guide",
            "line 6: crate::store",
            "line 8: crate::cli",
            "line 9: super::super climbs out of bitbucket/",
        ],
        "{found:#?}"
    );
    let fine = r##"
use crate::bitbucket::client;
use super::scopes;
// crate::presets in a comment
/* crate::guide /* nested */ crate::cli */
/// [`crate::presets::get`]
fn f() -> &'static str { let _c = '"'; let _l: &'static str = "crate::presets"; r#"crate::store "quoted""# }
fn g() -> String { crate::safe_text::visible("https://x") + "crate::cli" }
"##;
    assert_eq!(violations(fine), Vec::<String>::new());
}
