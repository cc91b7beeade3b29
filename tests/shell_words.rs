//! Every line the user is told to type is in their own shell's words (`crates/core/src/shell.rs`).
//!
//! Two checks: the sources hold no POSIX-only command syntax outside the shell module (every
//! string literal of the app's Rust, clap's help text, and every string of the window's
//! JavaScript), and, for each system, the messages that carry a command (export, import,
//! git setup) say it in that system's shell: sh on Linux and macOS, PowerShell on Windows.

use std::path::{Path, PathBuf};

use bitbucket_cloud::credential::CredentialKind;
use bitbucket_setup::hints;
use bitbucket_setup_core::export::{self, ExportMeta, ExportOptions, Validation};
use bitbucket_setup_core::git::setup::{self, Scope};
use bitbucket_setup_core::platform::Os;
use bitbucket_setup_core::presets::PresetId;
use bitbucket_setup_core::shell::{Program, Shell};
use bitbucket_setup_core::store::connections::Connection;

// ---------------------------------------------------------------------------------------------
// the sources

/// A string literal (or help text) and the line it starts on.
struct Literal {
    line: usize,
    text: String,
}

/// The string literals of Rust source, outside comments and outside `#[cfg(test)]` items; with
/// `docs`, the `///` and `//!` comments too (clap makes its help text of them).
fn rust_literals(src: &str, docs: bool) -> Vec<Literal> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Test items: after `#[cfg(test)]`, everything up to the end of the next item.
    let (mut pending_test, mut test_depth): (bool, Option<usize>) = (false, None);
    let mut depth = 0usize;
    let starts = |i: usize, s: &str| s.chars().enumerate().all(|(k, ch)| c.get(i + k) == Some(&ch));
    while i < c.len() {
        let in_test = pending_test || test_depth.is_some();
        if starts(i, "//") {
            let doc = starts(i, "///") || starts(i, "//!");
            let begin = i;
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            if docs && doc && !in_test {
                out.push(Literal { line, text: c[begin + 3..i].iter().collect() });
            }
            continue;
        }
        if starts(i, "/*") {
            let mut nest = 0;
            while i < c.len() {
                if starts(i, "/*") {
                    nest += 1;
                    i += 2;
                } else if starts(i, "*/") {
                    nest -= 1;
                    i += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…".
        let raw_at = if c[i] == 'r' && (c.get(i + 1) == Some(&'"') || c.get(i + 1) == Some(&'#')) {
            Some(i + 1)
        } else if c[i] == 'b' && c.get(i + 1) == Some(&'r') && matches!(c.get(i + 2), Some('"' | '#')) {
            Some(i + 2)
        } else {
            None
        };
        let is_ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if let (Some(mut j), false) = (raw_at, is_ident_before) {
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) == Some(&'"') {
                let start_line = line;
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let body_start = j + 1;
                let mut k = body_start;
                while k < c.len() && !starts(k, &close) {
                    if c[k] == '\n' {
                        line += 1;
                    }
                    k += 1;
                }
                if !in_test {
                    out.push(Literal { line: start_line, text: c[body_start..k].iter().collect() });
                }
                i = k + close.chars().count();
                continue;
            }
        }
        if c[i] == '"' {
            let start_line = line;
            let mut text = String::new();
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' && i + 1 < c.len() {
                    match c[i + 1] {
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        '\n' => {
                            // A line continuation: the break and the next line's indent go.
                            line += 1;
                            i += 2;
                            while i < c.len() && c[i].is_whitespace() {
                                if c[i] == '\n' {
                                    line += 1;
                                }
                                i += 1;
                            }
                            continue;
                        }
                        other => text.push(other),
                    }
                    i += 2;
                    continue;
                }
                if c[i] == '\n' {
                    line += 1;
                }
                text.push(c[i]);
                i += 1;
            }
            i += 1;
            if !in_test {
                out.push(Literal { line: start_line, text });
            }
            continue;
        }
        if c[i] == '\'' {
            // A char literal ('x', '\n', '\''), or a lifetime ('a), which has no closing quote.
            if c.get(i + 1) == Some(&'\\') {
                let mut k = i + 3;
                while k < c.len() && c[k] != '\'' {
                    k += 1;
                }
                i = k + 1;
                continue;
            }
            if c.get(i + 2) == Some(&'\'') {
                i += 3;
                continue;
            }
            i += 1;
            continue;
        }
        if starts(i, "#[cfg(test)]") {
            pending_test = true;
            i += "#[cfg(test)]".len();
            continue;
        }
        match c[i] {
            '\n' => line += 1,
            '{' => {
                if pending_test && test_depth.is_none() {
                    test_depth = Some(depth);
                    pending_test = false;
                }
                depth += 1;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                if test_depth == Some(depth) {
                    test_depth = None;
                }
            }
            ';' if pending_test && test_depth.is_none() => pending_test = false,
            _ => {}
        }
        i += 1;
    }
    out
}

/// The string contents of JavaScript source ('…', "…", and template literals `…` whole),
/// outside comments.
fn js_literals(src: &str) -> Vec<Literal> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            i += 2;
            while i < c.len() && !(c[i] == '*' && c.get(i + 1) == Some(&'/')) {
                if c[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
            continue;
        }
        if matches!(c[i], '\'' | '"' | '`') {
            let quote = c[i];
            let start_line = line;
            let mut text = String::new();
            i += 1;
            while i < c.len() && c[i] != quote {
                if c[i] == '\\' && i + 1 < c.len() {
                    text.push(c[i + 1]);
                    i += 2;
                    continue;
                }
                if c[i] == '\n' {
                    line += 1;
                }
                text.push(c[i]);
                i += 1;
            }
            i += 1;
            out.push(Literal { line: start_line, text });
            continue;
        }
        if c[i] == '\n' {
            line += 1;
        }
        i += 1;
    }
    out
}

/// The POSIX-only command syntax in `text`, if any: command substitution (`$(…)`, or a
/// backquoted command after `=` or a double quote), a variable read into an assignment
/// (`BITBUCKET_TOKEN=$X`), `export X=`, or a variable quoted sh's way (`"$X"`).
fn posix_only(text: &str) -> Option<&'static str> {
    let b = text.as_bytes();
    let name_start = |k: usize| b.get(k).is_some_and(|ch| ch.is_ascii_alphabetic() || *ch == b'_');
    if text.contains("$(") {
        return Some("$( command substitution");
    }
    for k in 0..b.len() {
        match b[k] {
            b'=' if b.get(k + 1) == Some(&b'$') && name_start(k + 2) => return Some("NAME=$VARIABLE"),
            b'=' | b'"' if b.get(k + 1) == Some(&b'`') => return Some("a backquoted command"),
            b'"' if b.get(k + 1) == Some(&b'$') && name_start(k + 2) => return Some("\"$VARIABLE\""),
            _ => {}
        }
    }
    let mut words = text.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '=')).peekable();
    while let Some(w) = words.next() {
        if w == "export" && words.peek().is_some_and(|next| next.contains('=') && next.chars().next().is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')) {
            return Some("export NAME=");
        }
    }
    None
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|x| x == ext) {
            out.push(path);
        }
    }
    out.sort();
}

#[test]
fn the_finder_sees_what_it_looks_for() {
    for bad in ["BITBUCKET_TOKEN=$(bitbucket-setup token x)", "X=$HOME", "export BITBUCKET_TOKEN=abc", "X=`date`", "run \"`date`\"", "token \"$BITBUCKET_TOKEN\""] {
        assert!(posix_only(bad).is_some(), "{bad}");
    }
    for fine in ["$env:BITBUCKET_TOKEN = bitbucket-setup token acme-web", "costs $5", "`bitbucket-setup git setup --undo` removes it", "Export “Acme”", "exported unvalidated", "${name}"] {
        assert_eq!(posix_only(fine), None, "{fine}");
    }
    let src = "fn a() { let s = \"X=$(y)\"; let r = r#\"export A=b\"#; let l: &'static str = \"ok\"; let ch = '\"'; let q = '\\''; let e = \"e\"; }\n/// help: X=$(y)\n#[cfg(test)]\nmod tests { const T: &str = \"$(in a test)\"; }\nconst AFTER: &str = \"after\";\n";
    let found: Vec<(usize, String)> = rust_literals(src, true).into_iter().map(|l| (l.line, l.text)).collect();
    assert_eq!(found, vec![(1, "X=$(y)".into()), (1, "export A=b".into()), (1, "ok".into()), (1, "e".into()), (2, " help: X=$(y)".into()), (5, "after".into())]);
    let js = "const a = 'x'; // '$(no)'\nconst b = `t ${a} $(yes)`;\n/* \"$(no)\" */ const c = \"q\";";
    let found: Vec<(usize, String)> = js_literals(js).into_iter().map(|l| (l.line, l.text)).collect();
    assert_eq!(found, vec![(1, "x".into()), (2, "t ${a} $(yes)".into()), (3, "q".into())]);
}

/// No string of the app (outside the shell module) holds a POSIX-only command line.
#[test]
fn no_message_outside_the_shell_module_holds_posix_only_syntax() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rust = Vec::new();
    for dir in ["cli", "crates/bitbucket/src", "crates/core/src", "window/src"] {
        files(&root.join(dir), "rs", &mut rust);
    }
    let mut js = Vec::new();
    files(&root.join("ui"), "js", &mut js);
    assert!(rust.len() > 40 && !js.is_empty(), "the sources were not found under {}", root.display());
    let mut found = Vec::new();
    let mut literals = 0;
    for path in rust.iter().chain(js.iter()) {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "crates/core/src/shell.rs" {
            continue;
        }
        let src = std::fs::read_to_string(path).unwrap();
        let lits = if rel.ends_with(".js") { js_literals(&src) } else { rust_literals(&src, rel == "cli/args.rs") };
        literals += lits.len();
        for l in lits {
            if let Some(what) = posix_only(&l.text) {
                found.push(format!("{rel}:{}: {what}: {:?}", l.line, l.text.chars().take(120).collect::<String>()));
            }
        }
    }
    assert!(literals > 1000, "only {literals} string literals read: the reader is broken");
    assert!(found.is_empty(), "POSIX-only command lines outside crates/core/src/shell.rs (build them with crate::shell):\n{}", found.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// what each system is told

const INSTALLED: &str = r"C:\Users\Ann\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe";

/// The program as each system's lines start it: on Windows where the installer puts it (not
/// on the PATH), elsewhere by name.
fn program(os: Os) -> Program {
    match os {
        Os::Windows => Program::resolve(Shell::PowerShell, INSTALLED, Some(r"C:\Windows\system32;C:\Windows"), |_| false),
        Os::Linux | Os::MacOs => Program::resolve(Shell::Posix, "/usr/bin/bitbucket-setup", Some("/usr/local/bin:/usr/bin"), |_| true),
    }
}

fn connection(kind: CredentialKind) -> Connection {
    let mut c = Connection::new("Acme Web", PresetId::Custom, kind, "acme", Some("website"));
    c.id = "8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11".into();
    if kind == CredentialKind::ApiToken {
        c.email = Some("admin@acme.example".into());
    }
    c
}

/// Every sentence or line an export shows with a command in it, for `os`: the command line's
/// and the window's messages, and each format's file, warnings and notes.
fn export_messages(os: Os) -> Vec<String> {
    let p = program(os);
    let mut out = vec![
        hints::token_not_exported(&p, "file", "keychain:bitbucket-setup:ID", "8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11"),
        hints::token_not_exported(&p, "output", "keychain:bitbucket-setup:ID", "acme-web"),
        hints::import_needs_token_variable(&p),
    ];
    for kind in [CredentialKind::RepositoryToken, CredentialKind::ApiToken] {
        let c = connection(kind);
        for f in export::formats() {
            let mut c = c.clone();
            if let Some(product) = f.product {
                c.preset = product;
            }
            let meta = ExportMeta {
                program: p.clone(),
                options: ExportOptions::default(),
                validation: Validation::Unvalidated { reason: "Never checked.".into(), last_validated_at: None },
                ..ExportMeta::now(&c)
            };
            let Ok(r) = export::render(&c, f.format, None, &meta) else { continue };
            out.push(r.contents.to_string());
            out.extend(r.warnings.iter().map(ToString::to_string));
            out.extend(r.about.iter().map(bitbucket_setup::advice::export::about_line));
        }
    }
    out
}

#[test]
fn windows_is_told_powershell_lines() {
    let messages = export_messages(Os::Windows);
    assert!(messages.len() >= 10, "{messages:#?}");
    let joined = messages.join("\n---\n");
    for m in &messages {
        assert!(!m.contains("$("), "sh's $( on Windows:\n{m}");
        assert!(!m.contains("BITBUCKET_TOKEN=$"), "{m}");
        assert!(!m.contains("\"$BITBUCKET"), "{m}");
    }
    // The program by its full path in PowerShell's call form (the .env writes its `\` as `/`).
    assert!(joined.contains(&format!("& '{INSTALLED}' token '8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11'")), "{joined}");
    assert!(joined.contains(&format!("& '{}' token '8a0f1d3e", INSTALLED.replace('\\', "/"))), "{joined}");
    assert!(!joined.contains(" bitbucket-setup token"), "a name Windows' PATH does not know:\n{joined}");
    // Variables set and read PowerShell's way.
    assert!(joined.contains(&format!("Scripts get the token with: $env:BITBUCKET_TOKEN = & '{INSTALLED}' token '8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11'")), "{joined}");
    assert!(joined.contains(&format!("$env:BITBUCKET_TOKEN = & '{INSTALLED}' token acme-web")), "{joined}");
    assert!(joined.contains("(for example $env:BITBUCKET_TOKEN = & '"), "{joined}");
    assert!(joined.contains(&format!("$env:BITBUCKET_TOKEN = & '{}' token $env:BITBUCKET_TOKEN", INSTALLED.replace('\\', "/"))), "{joined}");
    assert!(joined.contains("curl.exe --oauth2-bearer (& '"), "{joined}");
    assert!(joined.contains("Basic auth with $env:BITBUCKET_EMAIL"), "{joined}");

    // git setup: the lines to run, PowerShell-quoted, with the helper's path in forward slashes.
    let lines = setup::lines_for(Os::Windows, &bitbucket_cloud::githost::GitBase::cloud(), r"C:\Program Files\Bitbucket Setup Assistant\bitbucket-setup.exe", None);
    let shown: Vec<String> = lines.iter().map(|l| setup::command_line_for(Shell::of(Os::Windows), Scope::Global, l)).collect();
    assert_eq!(
        shown,
        [
            // The empty value resets git's helper list; PowerShell 5.1 would drop a '' argument.
            "git config --global --add credential.https://bitbucket.org.helper --% \"\"",
            "git config --global --add credential.https://bitbucket.org.helper '!''C:/Program Files/Bitbucket Setup Assistant/bitbucket-setup.exe'' git-credential'",
            "git config --global credential.https://bitbucket.org.useHttpPath true",
        ]
    );
}

#[test]
fn linux_and_macos_are_told_sh_lines() {
    for os in [Os::Linux, Os::MacOs] {
        let messages = export_messages(os);
        assert!(messages.len() >= 10, "{messages:#?}");
        let joined = messages.join("\n---\n");
        assert!(!joined.contains("$env:") && !joined.contains("& '"), "{os:?}:\n{joined}");
        assert!(joined.contains("Scripts get the token with: BITBUCKET_TOKEN=$(bitbucket-setup token 8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11)"), "{joined}");
        assert!(joined.contains("(for example BITBUCKET_TOKEN=$(bitbucket-setup token NAME))"), "{joined}");
        assert!(joined.contains("BITBUCKET_TOKEN=$(bitbucket-setup token \"$BITBUCKET_TOKEN\")"), "{joined}");
        assert!(joined.contains("curl --oauth2-bearer \"$(bitbucket-setup token 8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11)\""), "{joined}");
        let lines = setup::lines_for(os, &bitbucket_cloud::githost::GitBase::cloud(), "/usr/bin/bitbucket-setup", None);
        let shown: Vec<String> = lines.iter().map(|l| setup::command_line_for(Shell::of(os), Scope::Global, l)).collect();
        assert_eq!(
            shown,
            [
                "git config --global --add credential.https://bitbucket.org.helper ''",
                "git config --global --add credential.https://bitbucket.org.helper '/usr/bin/bitbucket-setup git-credential'",
                "git config --global credential.https://bitbucket.org.useHttpPath true",
            ]
        );
    }
}

/// This build says its own system's words: the edges use the running system.
#[test]
fn this_system_gets_its_own_shell() {
    assert_eq!(Program::current().shell(), Shell::of(Os::current()));
    let line = &setup::lines(&bitbucket_cloud::githost::GitBase::cloud(), Path::new("/x/bitbucket-setup"), None)[1];
    assert_eq!(setup::command_line(Scope::Global, line), setup::command_line_for(Shell::of(Os::current()), Scope::Global, line));
}
