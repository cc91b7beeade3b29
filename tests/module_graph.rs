//! No module of the app imports one that imports it back (directly or around a loop).
//!
//! The graph is read from the sources: a file belongs to its top-level module (`src-tauri/x.rs`
//! or anything under `src-tauri/x/`), and every `crate::y` path outside comments, tests
//! included, is an edge x → y. A cycle makes two modules one in all but name: neither can be
//! understood, tested or moved without the other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source text names with `crate::…`, comments left out.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`: every first segment in the group.
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let first = part.trim().split("::").next().unwrap_or("").trim();
                    if !first.is_empty() {
                        found.insert(first.to_string());
                    }
                }
            } else {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

/// Module → the modules it imports.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under the source folder");
        let first = rel.components().next().expect("a path").as_os_str().to_string_lossy().to_string();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" || module == "build" {
            continue; // the crate root declares every module; the build script is not the app
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(imports(&text).into_iter().filter(|m| *m != module));
    }
    graph
}

/// A cycle through `start`, if there is one, as the list of modules around it.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(g: &BTreeMap<String, BTreeSet<String>>, start: &str, at: &str, path: &mut Vec<String>, seen: &mut BTreeSet<String>) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(graph, start, start, &mut path, &mut seen).then(|| {
        path.push(start.to_string());
        path
    })
}

fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    graph.keys().filter_map(|m| cycle_from(graph, m)).collect()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
    let g = graph(&src);
    assert!(g.len() >= 10 && g.contains_key("cli") && g.contains_key("bitbucket"), "the graph was not read: {g:?}");
    assert!(g["cli"].contains("manage"), "edges were not read: {:?}", g["cli"]);
    let found = cycles(&g);
    assert!(found.is_empty(), "import cycles: {}", found.iter().map(|c| c.join(" → ")).collect::<Vec<_>>().join("; "));
}

#[test]
fn the_checker_sees_a_cycle_and_grouped_imports() {
    assert_eq!(imports("use crate::{a, b::c};\n// crate::not_me\nlet x = crate::d::e(); // crate::nor_me"), ["a", "b", "d"].map(String::from).into());
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["c".to_string()].into());
    g.insert("c".into(), BTreeSet::new());
    assert!(cycles(&g).is_empty());
    g.get_mut("c").unwrap().insert("a".into());
    assert_eq!(cycle_from(&g, "a"), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
