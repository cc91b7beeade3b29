//! The depth guard: refuses, before the real parse, a file nested deeper than an export can
//! be, so that no YAML parser spends seconds on a hostile file.

use super::ImportError;

/// The deepest nesting of lists and maps import reads. An export is 3 levels deep; YAML nested
/// 100,000 levels (200 KB) kept the YAML parser busy for 29 seconds before its own depth limit
/// applied, so [`check_depth`] refuses anything that might be deeper than this first.
pub const MAX_DEPTH: usize = 64;

/// Refuses, before the real parse and in one linear pass, a text that might be nested deeper
/// than [`MAX_DEPTH`].
///
/// JSON is measured exactly: outside strings every `[`/`{` opens a level and every `]`/`}`
/// closes one (serde_json refuses anything where that reading would be wrong).
///
/// YAML gets an upper bound that no quoting can fool. Where a YAML string starts and ends
/// depends on context a cheap scan cannot follow (`it's` in a plain scalar is no quote, a block
/// scalar holds anything), and a scan that guessed wrong could take real brackets for string
/// contents and let a deep file through. So:
/// * flow nesting is bounded by the number of `[` and `{` anywhere in the text, each counted
///   twice (`[a: [b: c]]` is a list, a map, a list, a map), closing brackets never subtracting;
/// * block nesting is bounded by columns: each block list or map starts at a greater column
///   than the one it is in (a list under a map key may share the key's column, hence twice
///   again), and one starts only at a line's first token or after the `- `, `? `, `: ` (and
///   `&anchor`, `!tag`) that open a line, so twice the column after those, plus one, bounds it.
///
/// An export (3 levels, indented 4 columns, no `[` or `{`) is far inside the bound; a
/// hand-written file with more than about 30 brackets or indented more than about 30 columns
/// is refused, which is the price of a bound that holds.
pub fn check_depth(text: &str, json: bool) -> Result<(), ImportError> {
    let deep = if json { json_depth_exceeds(text.as_bytes(), MAX_DEPTH) } else { yaml_depth_bound_exceeds(text.as_bytes(), MAX_DEPTH) };
    if deep {
        return Err(ImportError::TooDeep);
    }
    Ok(())
}

/// Whether JSON text nests deeper than `limit` (exact for valid JSON; stops at the first level
/// too many).
fn json_depth_exceeds(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Whether YAML text might nest deeper than `limit`: the bound described at [`check_depth`].
fn yaml_depth_bound_exceeds(text: &[u8], limit: usize) -> bool {
    let flow = text.iter().filter(|&&b| b == b'[' || b == b'{').count().saturating_mul(2);
    if flow > limit {
        return true;
    }
    let mut block = 0usize;
    for line in text.split(|&b| b == b'\n' || b == b'\r') {
        block = block.max(block_start_column(line).saturating_add(1).saturating_mul(2));
        if flow.saturating_add(block) > limit {
            return true;
        }
    }
    false
}

/// The column (in bytes, never fewer than characters) after a line's indentation and the
/// indicators that may open block collections on it: `- `, `? `, `: `, `--- `, `&anchor`,
/// `!tag`. No block list or map can start further right on that line.
fn block_start_column(line: &[u8]) -> usize {
    let blank = |i: usize| line.get(i).is_none_or(|&b| b == b' ' || b == b'\t');
    let mut i = 0;
    loop {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        match line.get(i) {
            Some(b'-' | b'?' | b':') if blank(i + 1) => i += 1,
            Some(b'-') if line[i..].starts_with(b"---") && blank(i + 3) => i += 3,
            Some(b'&' | b'!') => {
                while !blank(i) {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// 100,000 levels (100 to 200 KB) of each kind of nesting are refused at once. Without
    /// check_depth the YAML ones keep serde_norway busy for many seconds.
    #[test]
    fn deep_nesting_is_refused_before_the_parse() {
        let indented: String = (0..600).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let cases = [
            ("YAML flow [", format!("a: {}", "[".repeat(100_000))),
            ("YAML flow {", format!("a: {}", "{".repeat(100_000))),
            ("YAML block - ", format!("{}x\n", "- ".repeat(100_000))),
            ("YAML block ? ", format!("{}x\n", "? ".repeat(100_000))),
            ("YAML indentation, 600 levels", indented),
            ("JSON", "[".repeat(100_000)),
        ];
        for (what, text) in cases {
            let started = std::time::Instant::now();
            let e = parse(text.as_bytes()).unwrap_err();
            let took = started.elapsed();
            assert!(took < std::time::Duration::from_secs(2), "{what}: took {took:?}");
            assert_eq!(e, ImportError::TooDeep, "{what}");
            assert!(e.to_string().contains("more than 64 levels"), "{}", e.to_string());
        }
    }

    #[test]
    fn ordinary_nesting_passes_the_depth_check() {
        // Every golden YAML and JSON export is far inside the bound.
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/golden");
        let mut seen = 0;
        for entry in std::fs::read_dir(golden).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext == "yaml" || ext == "json" {
                let text = std::fs::read_to_string(&path).unwrap();
                assert_eq!(check_depth(&text, ext == "json"), Ok(()), "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 10, "only {seen} golden files");
        // JSON is measured exactly: 64 levels pass, 65 do not; brackets in strings do not count.
        let json = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(check_depth(&json(64), true), Ok(()));
        assert_eq!(check_depth(&json(65), true), Err(ImportError::TooDeep));
        assert_eq!(check_depth(&format!("[\"{}\\\"\"]", "[".repeat(500)), true), Ok(()));
        // YAML: a flow list of scopes, compact lists, an anchor, a document start.
        let yaml = "--- &doc\nscopes: [repository, \"pullrequest:write\"]\nlist:\n  - - a\n    - b\n  - ? k\n    : v\n";
        assert_eq!(check_depth(yaml, false), Ok(()));
        assert_eq!(block_start_column(b"  - - ? : &a !t key: value"), 16);
        assert_eq!(block_start_column(b"--- - x"), 6);
        assert_eq!(block_start_column(b"-x"), 0);
    }
}
