//! Exports: golden files for every format, the canary search (no export without
//! --include-secret holds the token), 0600 files with it, re-validation of stale connections.
//! The tools that read the formats read them back in tests/consumers.rs.
//!
//! Golden files live in tests/data/golden/. After an intended change, regenerate them with
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test --test export golden
//! ```
//!
//! and review the diff. The tests that use the command line need the OS keychain (run them
//! through scripts/test.sh, which starts a throwaway Secret Service) and the consumers; under
//! CI=true a missing prerequisite fails the test instead of skipping it.

mod support;

use std::path::{Path, PathBuf};

use bitbucket_cloud::credential::{CredentialKind, Secret};
use bitbucket_setup_core::export::{self, ExportMeta, ExportOptions, Format, Validation};
use bitbucket_setup_core::presets::PresetId;
use bitbucket_setup_core::store::connections::{Connection, LastCheck};
use chrono::{TimeZone, Utc};
use fake_bitbucket::{demo, TokenState};
use support::cli_session::{text, CliSession as Session};

// ---------------------------------------------------------------------------------------------
// golden files

/// A fake token that appears only in the golden files made with the secret.
const GOLDEN_TOKEN: &str = "ATCTT3xFfGN0GOLDENcanaryTOKEN0123456789abcdef=ABCDEF01";
const GOLDEN_API_TOKEN: &str = "ATATT3xFfGF0GOLDENcanaryAPItoken0123456789=ABCDEF02";
/// Quotes, spaces, `$`, backquotes, a backslash and line breaks: every quoting rule at once.
const AWKWARD: &str = "Website CI: it's \"quoted\", costs $5 & `touch pwned` $(touch pwned2) \\ done\nsecond line\n  indented third";

fn at(h: u32, m: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
}

fn base(name: &str, kind: CredentialKind, preset: PresetId) -> Connection {
    Connection {
        id: "8a0f1d3e-4c55-4f0e-9a57-0d3c2b1a0f11".into(),
        base_branch: Some("main".into()),
        credential_type: Some(kind.bitbucket_type().into()),
        last_check: Some(LastCheck { at: at(9, 0), ok: true, problem: None, message: "Ready.".into(), details: None }),
        expires: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
        created_at: at(8, 0),
        updated_at: at(9, 0),
        ..Connection::new(name, preset, kind, "acme", Some("website"))
    }
}

fn repo_token() -> Connection {
    let mut c = base("Acme Web", CredentialKind::RepositoryToken, PresetId::Sqai);
    c.description = Some(AWKWARD.into());
    c.granted_scopes = vec!["repository:write".into(), "pullrequest:write".into()];
    c
}

fn api_token(preset: PresetId) -> Connection {
    let mut c = base("Autoheal prod", CredentialKind::ApiToken, preset);
    c.email = Some("admin@acme.example".into());
    c.repository = if preset == PresetId::Katalon { Some("website".into()) } else { None };
    c.base_branch = if preset == PresetId::Katalon { Some("main".into()) } else { None };
    c.granted_scopes = demo::AUTOHEAL_SCOPES.iter().map(|s| s.to_string()).collect();
    if preset == PresetId::Katalon {
        c.name = "Katalon sync".into();
        c.description = Some("Syncs Test Cases from acme/website".into());
    }
    c
}

fn workspace_token(preset: PresetId) -> Connection {
    let mut c = base("Acme workspace", CredentialKind::WorkspaceToken, preset);
    c.repository = None;
    c.base_branch = None;
    c.expires = None;
    c.granted_scopes = vec!["repository".into(), "pullrequest".into()];
    c
}

fn golden_meta(validation: Validation, options: ExportOptions) -> ExportMeta {
    // The golden files are sh's words, whichever system runs the test.
    let program = bitbucket_setup_core::shell::Program::named(bitbucket_setup_core::shell::Shell::Posix);
    ExportMeta { app_version: "0.0.0-golden".into(), exported_at: at(9, 30), validation, options, git_base: Default::default(), program }
}

struct Case {
    name: &'static str,
    connection: Connection,
    format: Format,
    secret: Option<&'static str>,
    validation: Validation,
    options: ExportOptions,
}

fn case(name: &'static str, connection: Connection, format: Format) -> Case {
    Case { name, connection, format, secret: None, validation: Validation::Validated { at: at(9, 0) }, options: ExportOptions::default() }
}

fn cases() -> Vec<Case> {
    let secret = |mut c: Case, s: &'static str| {
        c.secret = Some(s);
        c
    };
    let mut unvalidated = case("json.unvalidated", repo_token(), Format::Json);
    unvalidated.validation = Validation::Unvalidated {
        reason: "Its last check with Bitbucket was on 2026-11-17 09:00 UTC, more than 24 hours ago.".into(),
        last_validated_at: Some(Utc.with_ymd_and_hms(2026, 11, 17, 9, 0, 0).unwrap()),
    };
    let mut folder = case("katalon.folder", api_token(PresetId::Katalon), Format::Katalon);
    folder.options = ExportOptions { branch: None, folder: Some("Test Cases/Smoke tests".into()) };
    let mut weird_name = repo_token();
    weird_name.name = "on".into();
    weird_name.workspace = "yes".into();
    weird_name.repository = Some("2026-12-31".into());
    vec![
        case("sqai", repo_token(), Format::Sqai),
        secret(case("sqai.secret", repo_token(), Format::Sqai), GOLDEN_TOKEN),
        case("sqai-sheet", repo_token(), Format::SqaiSheet),
        case("sqai-sheet.workspace-token", workspace_token(PresetId::Sqai), Format::SqaiSheet),
        case("sqai-html", repo_token(), Format::SqaiHtml),
        secret(case("sqai-html.secret", repo_token(), Format::SqaiHtml), GOLDEN_TOKEN),
        case("autoheal", api_token(PresetId::Autoheal), Format::Autoheal),
        case("autoheal.access-token", workspace_token(PresetId::Autoheal), Format::Autoheal),
        case("autoheal-sheet", api_token(PresetId::Autoheal), Format::AutohealSheet),
        case("autoheal-html", api_token(PresetId::Autoheal), Format::AutohealHtml),
        case("katalon", api_token(PresetId::Katalon), Format::Katalon),
        folder,
        case("katalon-sheet", api_token(PresetId::Katalon), Format::KatalonSheet),
        case("katalon-html", api_token(PresetId::Katalon), Format::KatalonHtml),
        case("cubyts", workspace_token(PresetId::Cubyts), Format::Cubyts),
        case("cubyts-sheet", workspace_token(PresetId::Cubyts), Format::CubytsSheet),
        case("cubyts-html", workspace_token(PresetId::Cubyts), Format::CubytsHtml),
        case("nirvai", base("Nirvai agent", CredentialKind::RepositoryToken, PresetId::Nirvai), Format::Nirvai),
        case("nirvai-sheet", base("Nirvai agent", CredentialKind::RepositoryToken, PresetId::Nirvai), Format::NirvaiSheet),
        case("nirvai-html", base("Nirvai agent", CredentialKind::RepositoryToken, PresetId::Nirvai), Format::NirvaiHtml),
        case("n8n", api_token(PresetId::N8n), Format::N8n),
        secret(case("n8n.secret", api_token(PresetId::N8n), Format::N8n), GOLDEN_API_TOKEN),
        case("env", repo_token(), Format::Env),
        secret(case("env.secret", repo_token(), Format::Env), GOLDEN_TOKEN),
        case("env.api-token", api_token(PresetId::Autoheal), Format::Env),
        case("json", repo_token(), Format::Json),
        secret(case("json.secret", repo_token(), Format::Json), GOLDEN_TOKEN),
        unvalidated,
        case("yaml", repo_token(), Format::Yaml),
        case("yaml.yaml-1.1-lookalikes", weird_name, Format::Yaml),
        case("yaml.api-token", api_token(PresetId::Autoheal), Format::Yaml),
        case("git-credentials", repo_token(), Format::GitCredentials),
        secret(case("git-credentials.secret", repo_token(), Format::GitCredentials), GOLDEN_TOKEN),
        secret(case("git-credentials.api-token", api_token(PresetId::Autoheal), Format::GitCredentials), GOLDEN_API_TOKEN),
        case("netrc", repo_token(), Format::Netrc),
        secret(case("netrc.secret", repo_token(), Format::Netrc), GOLDEN_TOKEN),
        secret(case("netrc.api-token", api_token(PresetId::Autoheal), Format::Netrc), GOLDEN_API_TOKEN),
    ]
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

#[test]
fn golden_files_for_every_format() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut covered = std::collections::BTreeSet::new();
    let mut expected_files = std::collections::BTreeSet::new();
    let mut mismatches = Vec::new();
    for c in cases() {
        let info = export::info(c.format);
        covered.insert(info.id);
        let secret = c.secret.map(Secret::new);
        let meta = golden_meta(c.validation.clone(), c.options.clone());
        let r = export::render(&c.connection, c.format, secret.as_ref(), &meta)
            .unwrap_or_else(|e| panic!("{}: {}", c.name, e));
        assert_eq!(r.contains_secret, c.secret.is_some(), "{}", c.name);
        assert_eq!(r.mode, if c.secret.is_some() { 0o600 } else { 0o644 }, "{}", c.name);
        for t in [GOLDEN_TOKEN, GOLDEN_API_TOKEN] {
            // git credential entries percent-encode the token ("=" becomes %3D).
            let holds = r.contents.contains(t) || r.contents.contains(&t.replace('=', "%3D"));
            assert_eq!(holds, c.secret == Some(t), "{}: token present = {holds}", c.name);
        }
        let file = dir.join(format!("{}.{}", c.name, info.extension));
        expected_files.insert(file.file_name().unwrap().to_string_lossy().into_owned());
        if update {
            std::fs::write(&file, r.contents.as_bytes()).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("missing golden file {}; run UPDATE_GOLDEN=1 cargo test --test export golden", file.display()));
        if want != *r.contents {
            let line = want.lines().zip(r.contents.lines()).position(|(a, b)| a != b).map(|i| i + 1);
            mismatches.push(format!("{} (first differing line: {line:?})", file.display()));
        }
    }
    for f in export::formats() {
        assert!(covered.contains(f.id), "format {} has no golden file", f.id);
    }
    // No stale golden files lying around.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(expected_files.contains(&name), "tests/data/golden/{name} belongs to no case: delete it");
    }
    assert!(
        mismatches.is_empty(),
        "golden files differ (if the change is intended: UPDATE_GOLDEN=1 cargo test --test export golden, then review the diff):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn golden_exports_parse_as_their_format() {
    for c in cases() {
        let secret = c.secret.map(Secret::new);
        let meta = golden_meta(c.validation.clone(), c.options.clone());
        let r = export::render(&c.connection, c.format, secret.as_ref(), &meta).unwrap();
        match export::info(c.format).extension {
            // The metadata of files whose readers allow nothing but the credential is said
            // when they are written.
            _ if matches!(c.format, Format::N8n | Format::Netrc | Format::GitCredentials) => {
                let about: Vec<String> = r.about.iter().filter_map(|n| match n { export::Note::Says(text) => Some(text.clone()), _ => None }).collect();
                let about = about.join("\n");
                assert!(about.contains("0.0.0-golden") && about.contains("2026-11-20T09:30:00Z"), "{}: {about}", c.name);
                assert!(!r.contents.contains("0.0.0-golden"), "{}: nothing but the credential in the file", c.name);
            }
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&r.contents).unwrap_or_else(|e| panic!("{}: {e}", c.name));
                let m = &v["metadata"];
                assert_eq!(m["app_version"], "0.0.0-golden", "{}", c.name);
                assert_eq!(m["exported_at"], "2026-11-20T09:30:00Z", "{}", c.name);
                assert_eq!(m["secret_included"], c.secret.is_some(), "{}", c.name);
                assert_eq!(m["checked_against_preset"], c.connection.preset.slug(), "{}", c.name);
            }
            "yaml" => {
                let y: serde_json::Value = serde_norway::from_str(&r.contents).unwrap();
                assert_eq!(y["connection"]["name"], c.connection.name.as_str());
            }
            _ => assert!(r.contents.contains("0.0.0-golden"), "{}: metadata missing", c.name),
        }
    }
}

#[test]
fn the_generic_json_reads_back_through_import() {
    for c in cases().into_iter().filter(|c| matches!(c.format, Format::Json | Format::Yaml)) {
        let secret = c.secret.map(Secret::new);
        let meta = golden_meta(c.validation.clone(), c.options.clone());
        let r = export::render(&c.connection, c.format, secret.as_ref(), &meta).unwrap();
        let d = bitbucket_setup_core::import::parse(r.contents.as_bytes()).unwrap();
        assert_eq!(d.name.as_deref(), Some(c.connection.name.as_str()), "{}", c.name);
        assert_eq!(d.description, c.connection.description, "{}", c.name);
        assert_eq!(d.kind, c.connection.kind);
        assert_eq!(d.workspace.as_deref(), Some(c.connection.workspace.as_str()));
        assert_eq!(d.repository, c.connection.repository);
        assert_eq!(d.email, c.connection.email);
        assert_eq!(d.expires, c.connection.expires);
        assert_eq!(d.preset, Some(c.connection.preset));
        assert_eq!(d.token.as_ref().map(|t| t.expose().to_string()), c.secret.map(str::to_string), "{}", c.name);
        assert_eq!(d.reference.is_some(), c.secret.is_none(), "{}", c.name);
    }
}

// ---------------------------------------------------------------------------------------------
// the command line against the fake Bitbucket and the real keychain

/// A throwaway config folder, a work folder and a fake Bitbucket with the demo world.
#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The three demo connections every CLI test can use: (name, token).
fn save_demo_connections(s: &Session) -> Vec<(&'static str, &'static str)> {
    s.save("Acme Web", "repository-token", "acme/website", "sqai", demo::SQAI_READY, &["--description", AWKWARD, "--expires", "2099-01-31"]);
    s.save("Autoheal prod", "api-token", "acme", "autoheal", demo::API_TOKEN_AUTOHEAL, &["--email", demo::ADMIN_EMAIL]);
    s.save("Acme workspace", "workspace-token", "acme", "cubyts", demo::WORKSPACE_TOKEN, &[]);
    vec![("Acme Web", demo::SQAI_READY), ("Autoheal prod", demo::API_TOKEN_AUTOHEAL), ("Acme workspace", demo::WORKSPACE_TOKEN)]
}

#[test]
fn no_export_without_include_secret_contains_the_token() {
    let Some(s) = Session::start() else { return };
    let connections = save_demo_connections(&s);
    let mut written = 0;
    for (name, token) in &connections {
        for f in export::formats() {
            let out_name = format!("{}-{}.{}", export::file_stem(name), f.id, f.extension);
            let out = s.run(&["export", name, "--format", f.id, "--output", &out_name], "");
            let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
            for t in connections.iter().map(|(_, t)| t) {
                assert!(!stdout.contains(t) && !stderr.contains(t), "{name} / {}: the token was printed", f.id);
            }
            if out.status.success() {
                written += 1;
                let body = std::fs::read_to_string(s.path(&out_name)).unwrap();
                let id = s.connection(name).unwrap()["id"].as_str().unwrap().to_string();
                let reference = format!("keychain:bitbucket-setup:{id}");
                // git credential entries percent-encode it (":" is %3A).
                assert!(body.contains(&reference) || body.contains(&reference.replace(':', "%3A")),
                    "{name} / {}: no reference in the file", f.id);
                assert!(stdout.contains("The token is not in the file"), "{stdout}");
                if matches!(f.format, Format::N8n | Format::Netrc | Format::GitCredentials) {
                    // The file cannot say it holds a reference: the command line says so, and names its flag.
                    assert!(stderr.contains("a reference, not the token: export with --include-secret"), "{name} / {}: {stderr}", f.id);
                }
                #[cfg(unix)]
                assert_eq!(mode(&s.path(&out_name)) & 0o600, 0o600);
            } else {
                // Only "this product does not take this kind of token" may fail.
                assert_eq!(out.status.code(), Some(64), "{name} / {}: {stderr}", f.id);
                assert!(stderr.contains("does not accept") || stderr.contains("needs an API token"), "{name} / {}: {stderr}", f.id);
            }
            let _ = token;
        }
    }
    assert!(written >= 40, "only {written} exports were written");
    // The canary search: no file anywhere (exports, config) holds any of the tokens.
    for (_, token) in &connections {
        assert_eq!(support::files_containing(s.work.path(), token), Vec::<PathBuf>::new());
        assert_eq!(support::files_containing(s.config.path(), token), Vec::<PathBuf>::new());
    }
}

#[test]
fn include_secret_files_are_0600_and_say_so() {
    let Some(s) = Session::start() else { return };
    let connections = save_demo_connections(&s);
    let mut written = 0;
    for (name, token) in &connections {
        for f in export::formats() {
            let out_name = format!("{}-{}.secret.{}", export::file_stem(name), f.id, f.extension);
            let out = s.run(&["export", name, "--format", f.id, "--include-secret", "-o", &out_name], "");
            if !out.status.success() {
                assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
                continue;
            }
            written += 1;
            let stdout = text(&out.stdout);
            assert!(!stdout.contains(token) && !text(&out.stderr).contains(token));
            assert!(stdout.contains("now contains the token in plain text: this file is a secret"), "{stdout}");
            let path = s.path(&out_name);
            let body = std::fs::read_to_string(&path).unwrap();
            let encoded_token = token.replace('=', "%3D");
            assert!(body.contains(token) || body.contains(&encoded_token), "{name} / {}: no token", f.id);
            #[cfg(unix)]
            {
                assert!(stdout.contains("mode 0600"), "{stdout}");
                assert_eq!(mode(&path), 0o600, "{name} / {}", f.id);
            }
        }
    }
    assert!(written >= 40, "only {written}");
    // Replacing an existing file needs --force, and keeps it 0600.
    let out = s.run(&["export", "Acme Web", "-f", "env", "--include-secret", "-o", "acme-web-env.secret.env"], "");
    assert_eq!(out.status.code(), Some(73), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--force"));
    s.ok(&["export", "Acme Web", "-f", "env", "--include-secret", "-o", "acme-web-env.secret.env", "--force"], "");
    #[cfg(unix)]
    assert_eq!(mode(&s.path("acme-web-env.secret.env")), 0o600);
    // A plain export over a secret one: the new file has the new (plain) mode, no token.
    s.ok(&["export", "Acme Web", "-f", "env", "-o", "acme-web-env.secret.env", "--force"], "");
    assert!(!std::fs::read_to_string(s.path("acme-web-env.secret.env")).unwrap().contains(demo::SQAI_READY));
}

#[test]
fn default_file_name_stdout_and_bad_input() {
    let Some(s) = Session::start() else { return };
    s.save("Acme Web", "repository-token", "acme/website", "sqai", demo::SQAI_READY, &[]);
    let out = s.ok(&["export", "acme web", "--format", "sqai-sheet"], "");
    assert!(s.path("acme-web.sqai.txt").exists(), "{}", text(&out.stdout));
    let out = s.ok(&["export", "Acme Web", "--format", "json", "-o", "-"], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["connection"]["workspace"], "acme");
    let id = s.connection("Acme Web").unwrap()["id"].as_str().unwrap().to_string();
    assert!(text(&out.stderr).contains(&format!("BITBUCKET_TOKEN=$(bitbucket-setup token {id})")), "{}", text(&out.stderr));
    let out = s.run(&["export", "Acme Web", "--format", "xml"], "");
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("Unknown format \"xml\". Use one of: sqai, sqai-sheet"), "{}", text(&out.stderr));
    let out = s.run(&["export", "Nobody", "--format", "json"], "");
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("No saved connection is called \"Nobody\""), "{}", text(&out.stderr));
    let out = s.run(&["export", "Acme Web", "--format", "katalon"], "");
    assert!(text(&out.stderr).contains("Katalon TestOps does not accept a repository access token. It accepts: API token with scopes."));
    let out = s.run(&["export", "Acme Web", "--format", "json", "-o", "no/such/folder/x.json"], "");
    assert_eq!(out.status.code(), Some(73));
    assert!(text(&out.stderr).contains("does not exist"), "{}", text(&out.stderr));
    s.save("Katalon repo", "api-token", "acme/website", "autoheal", demo::API_TOKEN_AUTOHEAL, &["--email", demo::ADMIN_EMAIL]);
    let out = s.run(&["export", "Katalon repo", "--format", "katalon-sheet", "--folder", "../etc"], "");
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("is not a folder inside the repository"), "{}", text(&out.stderr));
    s.ok(&["export", "Katalon repo", "--format", "katalon", "--folder", "Test Cases", "-o", "k.json"], "");
    let k: serde_json::Value = serde_json::from_slice(&std::fs::read(s.path("k.json")).unwrap()).unwrap();
    assert_eq!(k["form"]["project_url"], "https://bitbucket.org/acme/website/src/main/Test%20Cases");
    assert_eq!(k["form"]["username"], demo::ADMIN_EMAIL);
    let out = s.ok(&["export", "--list-formats"], "");
    for f in export::formats() {
        assert!(text(&out.stdout).contains(f.id));
    }
    // The token command resolves an export's reference, and an older export's (by name).
    let out = s.ok(&["token", &format!("keychain:bitbucket-setup:{id}")], "");
    assert_eq!(text(&out.stdout).trim_end(), demo::SQAI_READY);
    let out = s.ok(&["token", "keychain:bitbucket-setup:Acme Web"], "");
    assert_eq!(text(&out.stdout).trim_end(), demo::SQAI_READY);
}

/// `--force` replaces regular files only: a named pipe, a link to a device, anything in /dev is
/// refused with or without it, and the message points at `-o -`, never at `--force`. (/dev/null
/// itself is tried without --force only: were the check broken, a run as root would replace
/// the machine's /dev/null; the unit tests in export/write.rs check /dev with --force without
/// writing.)
#[cfg(unix)]
#[test]
fn special_targets_are_refused() {
    let Some(s) = Session::start() else { return };
    s.save("Acme Web", "repository-token", "acme/website", "sqai", demo::SQAI_READY, &[]);
    assert!(support::runs("mkfifo", &[s.path("pipe.env").to_str().unwrap()]), "mkfifo");
    std::os::unix::fs::symlink("/dev/null", s.path("null.env")).unwrap();
    let mut cases = vec![("/dev/null", false, "it is in /dev")];
    for force in [false, true] {
        cases.push(("pipe.env", force, "(a named pipe)"));
        cases.push(("null.env", force, "(a link to a device)"));
    }
    for (target, force, what) in cases {
        let mut args = vec!["export", "Acme Web", "-f", "env", "--include-secret", "-o", target];
        if force {
            args.push("--force");
        }
        let out = s.run(&args, "");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(73), "{target} {force}: {err}");
        assert!(err.contains(&format!("{target} is not a regular file")) && err.contains(what), "{target} {force}: {err}");
        assert!(err.contains("to write to standard output use -o -"), "{err}");
        assert!(!err.contains("--force"), "{target} {force}: {err}");
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(s.path("pipe.env")).unwrap().file_type().is_fifo());
    assert_eq!(std::fs::read_link(s.path("null.env")).unwrap(), Path::new("/dev/null"));
}

/// A temporary file an export killed mid-write left behind, perhaps with the token inside, is
/// gone after the next export into that folder; files not named like ours stay.
#[cfg(unix)]
#[test]
fn a_killed_exports_temporary_file_is_removed_by_the_next_export() {
    let Some(s) = Session::start() else { return };
    s.save("Acme Web", "repository-token", "acme/website", "sqai", demo::SQAI_READY, &[]);
    // A pid no process has: one that ended and was waited for.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = s.write(&format!(".bitbucket-setup-export.{dead}.acme-web.env.Ab12Cd.tmp"), demo::SQAI_READY);
    let unrelated = s.write(".foo.tmp", demo::SQAI_READY);
    s.ok(&["export", "Acme Web", "-f", "env", "-o", "acme-web.env"], "");
    assert!(!s.path(&stale).exists(), "the killed export's temporary file is still there");
    assert!(s.path(&unrelated).exists(), "a file not named like ours was removed");
    assert_eq!(support::files_containing(s.work.path(), demo::SQAI_READY), vec![s.path(&unrelated)]);
}

#[test]
fn stale_or_failed_checks_are_redone_before_export() {
    let Some(s) = Session::start() else { return };
    s.save("Acme Web", "repository-token", "acme/website", "sqai", demo::SQAI_READY, &[]);

    // Older than 24 hours: checked again, then exported as validated.
    s.age_last_check("Acme Web", 30, true);
    s.fake.reset_requests();
    let out = s.ok(&["export", "Acme Web", "-f", "json", "-o", "fresh.json"], "");
    assert!(text(&out.stderr).contains("checking it again with Bitbucket"), "{}", text(&out.stderr));
    assert!(s.fake.request_count() > 0, "no request reached Bitbucket");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(s.path("fresh.json")).unwrap()).unwrap();
    assert_eq!(v["metadata"]["validation"], "validated");
    let at = chrono::DateTime::parse_from_rfc3339(v["metadata"]["validated_at"].as_str().unwrap()).unwrap();
    assert!(Utc::now().signed_duration_since(at) < chrono::Duration::minutes(5));

    // Recent and passing: no request at all.
    s.fake.reset_requests();
    s.ok(&["export", "Acme Web", "-f", "json", "-o", "again.json"], "");
    assert_eq!(s.fake.request_count(), 0);

    // The token was revoked and the last check failed: re-checked, refused, nothing written.
    s.fake.set_token_state(demo::SQAI_READY, TokenState::Revoked);
    s.age_last_check("Acme Web", 1, false);
    let out = s.run(&["export", "Acme Web", "-f", "json", "-o", "refused.json"], "");
    // The same status `test` gives a rejected token.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Not exported: this configuration is unvalidated") && err.contains("--allow-unvalidated"), "{err}");
    assert!(!s.path("refused.json").exists());

    // --allow-unvalidated exports it, saying so loudly and in the file.
    let out = s.ok(&["export", "Acme Web", "-f", "env", "-o", "unvalidated.env", "--allow-unvalidated"], "");
    assert!(text(&out.stderr).contains("WARNING: exporting an UNVALIDATED configuration"));
    let env = std::fs::read_to_string(s.path("unvalidated.env")).unwrap();
    assert!(env.contains("BITBUCKET_SETUP_VALIDATION='unvalidated'"), "{env}");
    assert!(env.contains("# Validation: UNVALIDATED: "), "{env}");

    // --no-check: no request, marked unvalidated.
    s.fake.reset_requests();
    let out = s.ok(&["export", "Acme Web", "-f", "yaml", "-o", "offline.yaml", "--no-check"], "");
    assert_eq!(s.fake.request_count(), 0);
    assert!(text(&out.stderr).contains("UNVALIDATED"));
    assert!(std::fs::read_to_string(s.path("offline.yaml")).unwrap().contains("validation: \"unvalidated\""));
}
