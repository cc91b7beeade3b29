//! The products' own guides against the presets and step 2's tick list. Each guide's lines
//! that name scopes are quoted in `tests/data/guides/<product>.txt` with the guide's public
//! address (the format is in that folder's README.md). For every kind of credential a quote is
//! for, each box it names must be one of the preset's required scopes (`presets.rs`) and be in
//! step 2's checklist (`guide.rs`), in Bitbucket's words; a box Bitbucket does not offer on that
//! kind must be one the preset names as unavailable there. A guide changes: copy its new lines
//! in, and this test says what the preset lacks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bitbucket_cloud::credential::CredentialKind;
use bitbucket_cloud::location;
use bitbucket_cloud::scopes::{self, Vocabulary, ACCESS_TOKEN_SCOPES};
use bitbucket_setup_core::guide::{self, CheckItem};
use bitbucket_setup_core::presets::{self, PresetId};

/// One quoted line and the kinds it is for.
#[derive(Debug)]
struct Quote {
    kinds: Vec<CredentialKind>,
    text: String,
}

#[derive(Debug)]
struct GuideFile {
    path: PathBuf,
    preset: PresetId,
    source: String,
    quotes: Vec<Quote>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/guides")
}

fn parse(path: &Path, text: &str) -> GuideFile {
    let at = |n: usize| format!("{}:{}", path.display(), n + 1);
    let (mut preset, mut source, mut kinds, mut quotes) = (None, None, None::<Vec<CredentialKind>>, Vec::new());
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(v) = line.strip_prefix("preset: ") {
            preset = Some(presets::from_slug(v).unwrap_or_else(|| panic!("{}: unknown preset {v}", at(n))));
        } else if let Some(v) = line.strip_prefix("source: ") {
            assert!(v.starts_with("https://") && !v.contains(' '), "{}: the source is the guide's https address", at(n));
            source = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("kinds: ") {
            kinds = Some(if v.trim() == "none" {
                Vec::new()
            } else {
                v.split_whitespace()
                    .map(|k| serde_json::from_value(serde_json::json!(k)).unwrap_or_else(|_| panic!("{}: unknown kind {k}", at(n))))
                    .collect()
            });
        } else if let Some(v) = line.strip_prefix("> ") {
            let kinds = kinds.clone().unwrap_or_else(|| panic!("{}: a quote before any \"kinds:\" line", at(n)));
            quotes.push(Quote { kinds, text: v.to_string() });
        } else {
            panic!("{}: not a comment, preset, source, kinds or quote: {line}", at(n));
        }
    }
    GuideFile {
        path: path.to_path_buf(),
        preset: preset.unwrap_or_else(|| panic!("{}: no preset line", path.display())),
        source: source.unwrap_or_else(|| panic!("{}: no source line", path.display())),
        quotes,
    }
}

fn guide_files() -> Vec<GuideFile> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/data/guides")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| parse(p, &std::fs::read_to_string(p).unwrap())).collect()
}

/// The Bitbucket categories of the access-token screen ("Repositories", "Pull requests", …),
/// from the labels of [`ACCESS_TOKEN_SCOPES`].
fn categories() -> BTreeSet<&'static str> {
    ACCESS_TOKEN_SCOPES.iter().filter_map(|s| s.label.split(": ").next()).collect()
}

const LEVELS: [&str; 4] = ["read", "write", "admin", "delete"];

/// The scopes a quoted line names, each as [`scopes::canonical`] spells it (old-style for a
/// category and level, new-style for a scope name): scope names (`read:repository:bitbucket`,
/// `read:repository`), and a category followed by levels (`Repositories | Read & Write`,
/// `Pull Requests — Read`, `Repositories: Read & Write and …`). A name or label the scope
/// tables do not know fails the test: the guide names something this app cannot check.
fn boxes_named(line: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut push = |s: &'static str| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for word in line.split(|c: char| c.is_whitespace() || c == '|' || c == ',' || c == '(' || c == ')') {
        let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != ':');
        let mut parts = word.split(':');
        let level_first = word.contains(':') && parts.next().is_some_and(|p| LEVELS.contains(&p));
        if level_first && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase())) {
            let known = scopes::canonical(word);
            push(known.unwrap_or_else(|| panic!("the guide names {word}, which this app does not know: {line}")));
        }
    }
    let lower = line.to_lowercase();
    for category in categories() {
        let key = category.to_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(&key) {
            let start = from + i + key.len();
            from = start;
            // The levels after it: separators, then level words joined by "&", "and" or "/".
            let rest = &lower[start..];
            let mut levels = Vec::new();
            for token in rest.split(|c: char| c.is_whitespace() || c == '/').filter(|t| !t.is_empty()) {
                let t = token.trim_matches(|c: char| matches!(c, ',' | '.' | ';'));
                if matches!(t, "|" | "—" | "-" | ":" | "&" | "and") || t.is_empty() {
                    continue;
                }
                let t = t.trim_start_matches(':');
                if LEVELS.contains(&t) {
                    levels.push(t);
                } else {
                    break;
                }
            }
            for level in levels {
                let label = format!("{category}: {level}");
                let known = scopes::canonical(&label);
                push(known.unwrap_or_else(|| panic!("the guide names {label}, which Bitbucket's screen does not show: {line}")));
            }
        }
    }
    out
}

/// What one named scope means for `kind`: the scope (in the kind's vocabulary) the preset must
/// require, or `Err` with the access-token scope Bitbucket does not offer on this kind (the
/// preset must name it as unavailable), or `Ok(None)` for a platform scope with no access-token
/// counterpart (`read:account`, `read:me`; access tokens are not users).
fn for_kind(named: &'static str, kind: CredentialKind) -> Vec<Result<Option<&'static str>, &'static str>> {
    let vocab = scopes::vocabulary_of(named).expect("a known scope");
    match Vocabulary::of_kind(kind) {
        Vocabulary::ApiToken if vocab == Vocabulary::ApiToken => vec![Ok(Some(named))],
        Vocabulary::ApiToken => scopes::old_to_new(named).iter().map(|n| Ok(Some(*n))).collect(),
        Vocabulary::AccessToken => {
            let old = if vocab == Vocabulary::AccessToken { Some(named) } else { scopes::new_to_old(named) };
            match old {
                None => vec![Ok(None)],
                Some(o) if scopes::offered_to(o, kind) => vec![Ok(Some(o))],
                Some(o) => vec![Err(o)],
            }
        }
    }
}

/// What is wrong between one guide and the preset's required scopes and checklist for `kind`,
/// in words naming the quote and the guide's address.
fn problems(g: &GuideFile, kind: CredentialKind, required: &[String], checklist: &[CheckItem], unavailable: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let name = presets::get(g.preset).name;
    for q in g.quotes.iter().filter(|q| q.kinds.contains(&kind)) {
        let quoted = format!("Quote: \"{}\" ({})", q.text, g.source);
        for named in boxes_named(&q.text) {
            for meaning in for_kind(named, kind) {
                match meaning {
                    Ok(None) => {}
                    Ok(Some(s)) => {
                        let label = scopes::label(s);
                        if !required.iter().any(|r| r == s) {
                            out.push(format!("{name} / {kind:?}: the guide names {label} ({s}), the preset does not require it. {quoted}"));
                        }
                        if !checklist.iter().any(|c| c.scope == s && c.label == label) {
                            out.push(format!("{name} / {kind:?}: the guide names {label}, step 2 does not list it. {quoted}"));
                        }
                    }
                    Err(o) if !unavailable.contains(&o) => out.push(format!(
                        "{name} / {kind:?}: the guide names {} ({o}), which Bitbucket does not offer on this kind, and the preset does not say so. {quoted}",
                        scopes::label(o)
                    )),
                    Err(_) => {}
                }
            }
        }
    }
    out
}

fn checklist(preset: PresetId, kind: CredentialKind) -> Vec<CheckItem> {
    let loc = location::parse("https://bitbucket.org/acme/website").unwrap();
    guide::guide(preset, kind, &loc, &[]).unwrap().checklist
}

#[test]
fn every_product_has_its_guide_quoted_with_its_address() {
    let files = guide_files();
    for id in presets::all().iter().map(|p| p.id).filter(|id| !matches!(id, PresetId::Git | PresetId::Custom)) {
        let g = files.iter().find(|g| g.preset == id).unwrap_or_else(|| panic!("no guide file for {}", id.slug()));
        assert!(g.path.ends_with(format!("{}.txt", id.slug())), "{}", g.path.display());
        assert!(!g.quotes.is_empty(), "{}: nothing quoted", g.path.display());
    }
    for g in &files {
        for q in &g.quotes {
            for kind in &q.kinds {
                assert!(presets::get(g.preset).kinds.contains(kind), "{}: the preset does not accept {kind:?}", g.path.display());
            }
        }
        // A "kinds:" block that names kinds must name boxes (else the reading above is broken);
        // one for no kind must name none (else it should say which kinds).
        for kinds_named in [true, false] {
            let quotes: Vec<&Quote> = g.quotes.iter().filter(|q| q.kinds.is_empty() != kinds_named).collect();
            let boxes: usize = quotes.iter().map(|q| boxes_named(&q.text).len()).sum();
            if kinds_named && !quotes.is_empty() {
                assert!(boxes > 0, "{}: the quotes name no box", g.path.display());
            }
            if !kinds_named {
                assert_eq!(boxes, 0, "{}: quotes under \"kinds: none\" name boxes", g.path.display());
            }
        }
    }
}

#[test]
fn every_box_a_guide_names_is_required_and_listed_in_step_2() {
    let mut all = Vec::new();
    let mut compared = 0;
    for g in guide_files() {
        let kinds: Vec<CredentialKind> = g.quotes.iter().flat_map(|q| q.kinds.iter().copied()).collect();
        for kind in presets::get(g.preset).kinds.iter().copied().filter(|k| kinds.contains(k)) {
            let required = presets::required_scopes(g.preset, kind, &[]).unwrap();
            let unavailable = presets::unavailable_scopes(g.preset, kind);
            all.extend(problems(&g, kind, &required, &checklist(g.preset, kind), &unavailable));
            compared += 1;
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    // SQAI ×2, Cubyts ×2, Nirvai ×2, Autoheal, n8n.
    assert_eq!(compared, 8);
}

#[test]
fn the_guides_words_become_bitbuckets_boxes() {
    assert_eq!(
        boxes_named("Repositories | Read & Write (Allows SQAI to read existing code for context and write/push new scripts.)"),
        ["repository", "repository:write"]
    );
    assert_eq!(boxes_named("Pull Requests — Read"), ["pullrequest"]);
    assert_eq!(boxes_named("Repositories | Read (pre-selected, required)"), ["repository"]);
    assert_eq!(
        boxes_named("ensure the active token includes Repositories: Read & Write and Pull Requests: Read & Write."),
        ["pullrequest", "pullrequest:write", "repository", "repository:write"]
    );
    assert_eq!(boxes_named("read:webhook - Read webhooks"), ["read:webhook:bitbucket"]);
    assert_eq!(boxes_named("read:me"), ["read:me"]);
    assert!(boxes_named("Leave all other scopes unchecked unless specifically required by your setup.").is_empty());
    assert!(boxes_named("**Bitbucket App Password**: Used to authenticate the connection.").is_empty());
}

/// The comparison fails when it should: a preset without a box its guide names, or a tick list
/// that drops one (as step 2 once dropped the boxes another box implies).
#[test]
fn a_missing_box_is_reported() {
    let sqai = guide_files().into_iter().find(|g| g.preset == PresetId::Sqai).unwrap();
    let kind = CredentialKind::RepositoryToken;
    let required = presets::required_scopes(PresetId::Sqai, kind, &[]).unwrap();
    let full = checklist(PresetId::Sqai, kind);
    assert!(problems(&sqai, kind, &required, &full, &[]).is_empty());

    let dropped: Vec<CheckItem> = full.iter().filter(|c| c.scope != "repository").cloned().collect();
    let p = problems(&sqai, kind, &required, &dropped, &[]);
    assert!(!p.is_empty() && p.iter().all(|m| m.contains("Repositories: Read, step 2 does not list it")), "{p:#?}");

    let only_write: Vec<CheckItem> = full.iter().filter(|c| c.scope == "pullrequest:write").cloned().collect();
    assert_eq!(problems(&sqai, kind, &required, &only_write, &[]).len(), 6, "three boxes, quoted twice");

    let fewer: Vec<String> = required.iter().filter(|s| *s != "repository:write").cloned().collect();
    let p = problems(&sqai, kind, &fewer, &full, &[]);
    assert!(!p.is_empty() && p.iter().all(|m| m.contains("Repositories: Write (repository:write), the preset does not require it")), "{p:#?}");

    // A box the kind cannot have must be named as unavailable by the preset.
    let nirvai = guide_files().into_iter().find(|g| g.preset == PresetId::Nirvai).unwrap();
    let required = presets::required_scopes(PresetId::Nirvai, kind, &[]).unwrap();
    let p = problems(&nirvai, kind, &required, &checklist(PresetId::Nirvai, kind), &[]);
    assert!(!p.is_empty() && p.iter().all(|m| m.contains("Account: Read (account), which Bitbucket does not offer")), "{p:#?}");
}
