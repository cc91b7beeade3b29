//! `bitbucket-setup replace NAME` delivers the new token everywhere the app delivered the old
//! one: through the command line, with the real keychain (gnome-keyring) and the fake Bitbucket.
//! Export files that still hold what the app wrote are written again (and bash still reads the
//! `.env`); a file edited by hand, and a recorded path that is now a folder or a symbolic link,
//! are left byte for byte and named; a new token that fails its check changes nothing at all.
//! (The n8n credential it sent is in tests/n8n_send.rs, beside the real n8n.)
//!
//! Under CI=true a missing keychain fails the test.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use bitbucket_setup_core::presets::{self, PresetId};
use fake_bitbucket::{demo, FakeToken};
use support::cli_session::{text, CliSession as Session};

/// FAKE repository access tokens of this test's own, with SQAI Suite's scopes.
const OLD: &str = "ATCTT3xFfGN0redeliverOldTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0E0E0E01";
const NEW: &str = "ATCTT3xFfGN0redeliverNewTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0E0E0E02";
/// Looks like a token; the fake Bitbucket does not know it (401).
const UNKNOWN: &str = "ATCTT3xFfGN0redeliverUnknownTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0E0E0E03";
const NAME: &str = "Acme's SQAI é";

fn session() -> Option<Session> {
    let s = Session::start()?;
    let scopes = presets::get(PresetId::Sqai).access_token_scopes;
    for token in [OLD, NEW] {
        s.fake.add_token(FakeToken::repository(token, demo::WORKSPACE, demo::REPO_WEBSITE, scopes));
    }
    s.save(NAME, "repository-token", "https://bitbucket.org/acme/website", "sqai", OLD, &[]);
    Some(s)
}

fn export(s: &Session, format: &str, file: &str, secret: bool) {
    let mut args = vec!["export", NAME, "--format", format, "--output", file];
    if secret {
        args.push("--include-secret");
    }
    s.ok(&args, "");
}

/// Every file in the work folder (not following links), and what it holds.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let meta = entry.path().symlink_metadata().unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let value = if meta.file_type().is_symlink() {
            format!("link to {}", std::fs::read_link(entry.path()).unwrap().display()).into_bytes()
        } else if meta.is_dir() {
            b"a folder".to_vec()
        } else {
            std::fs::read(entry.path()).unwrap()
        };
        out.insert(name, value);
    }
    out
}

/// `BITBUCKET_TOKEN` as bash reads it from the `.env` file (`set -a; . FILE`).
fn bash_reads_token(dir: &Path, file: &str) -> String {
    let out = Command::new("env")
        .args([
            "-i",
            "PATH=/usr/bin:/bin",
            "bash",
            "-c",
            "set -eu; set -a; . \"./$1\"; printf %s \"$BITBUCKET_TOKEN\"",
            "bash",
            file,
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "bash could not read {file}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn replace(s: &Session, token: &str, extra: &[&str]) -> Output {
    let mut args = vec!["replace", NAME];
    args.extend_from_slice(extra);
    s.run(&args, token)
}

fn statuses(delivered: &serde_json::Value) -> BTreeMap<String, String> {
    delivered["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = Path::new(f["export"]["path"].as_str().unwrap());
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                f["result"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn replace_writes_the_files_the_app_wrote_and_leaves_the_ones_changed_since() {
    if support::require("bash", support::runs("bash", &["--version"])) {
        return;
    }
    let Some(s) = session() else { return };
    let work = s.work.path();
    // The app writes five files; then one is edited by hand, and two paths become a folder and
    // a link (to a file holding exactly what the app wrote there: links are never written
    // through).
    export(&s, "env", "secret.env", true);
    export(&s, "json", "plain.json", false);
    export(&s, "sqai-sheet", "sheet.txt", true);
    export(&s, "env", "folder.env", true);
    export(&s, "env", "link.env", true);
    assert_eq!(bash_reads_token(work, "secret.env"), OLD);
    let plain = std::fs::read_to_string(s.path("plain.json")).unwrap();
    std::fs::write(s.path("plain.json"), plain.replace("\"website\"", "\"website-edited\"")).unwrap();
    std::fs::remove_file(s.path("folder.env")).unwrap();
    std::fs::create_dir(s.path("folder.env")).unwrap();
    std::fs::rename(s.path("link.env"), s.path("elsewhere.env")).unwrap();
    std::os::unix::fs::symlink("elsewhere.env", s.path("link.env")).unwrap();
    let before = snapshot(work);

    // A new token Bitbucket refuses: the check's own message, and nothing changes anywhere.
    let out = replace(&s, UNKNOWN, &[]);
    let (said, err) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "stdout:\n{said}\nstderr:\n{err}");
    assert!(said.contains("NOT READY (unauthorized)"), "{said}");
    assert!(
        err.contains(&format!("Not replaced: the new token did not pass the check, so \"{NAME}\" keeps its old token")),
        "{err}"
    );
    assert_eq!(snapshot(work), before, "no file changed");
    assert_eq!(s.token_of(NAME), OLD, "the keychain still holds the old token");

    // The new token: delivered again where the files are as the app wrote them.
    let out = replace(&s, NEW, &[]);
    let (said, err) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "replace failed ({:?}):\n{said}\n{err}", out.status.code());
    // The summary as a user reads it (shown by `cargo test -- --nocapture`).
    eprintln!("---- bitbucket-setup replace: standard output ----\n{said}---- standard error ----\n{err}----");
    assert_eq!(s.token_of(NAME), NEW);
    // The paths as recorded: made absolute from the command's current folder (the real one).
    let real_work = std::fs::canonicalize(work).unwrap();
    let path = |name: &str| real_work.join(name).display().to_string();

    let secret_env = std::fs::read_to_string(s.path("secret.env")).unwrap();
    assert!(secret_env.contains(NEW) && !secret_env.contains(OLD), "{secret_env}");
    assert_eq!(bash_reads_token(work, "secret.env"), NEW, "bash reads the new token");
    assert!(
        said.contains(&format!("{} (.env file) was written again with the new token.", path("secret.env"))),
        "{said}"
    );
    let sheet = std::fs::read_to_string(s.path("sheet.txt")).unwrap();
    assert!(sheet.contains(NEW) && !sheet.contains(OLD), "{sheet}");

    // Left alone, byte for byte, and named with the way to write it again.
    let after = snapshot(work);
    for name in ["plain.json", "folder.env", "link.env", "elsewhere.env"] {
        assert_eq!(after[name], before[name], "{name} changed");
    }
    assert!(
        said.contains(&format!(
            "{} (JSON) was left as it is: it was changed after the app wrote it.",
            path("plain.json")
        )),
        "{said}"
    );
    assert!(said.contains(&format!("--output {} --force", path("plain.json"))), "{said}");
    assert!(
        said.contains(&format!(
            "{} is now a folder, not the file the app wrote, so it was left as it is.",
            path("folder.env")
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "{} is now a symbolic link, not the file the app wrote, so it was left as it is",
            path("link.env")
        )),
        "{said}"
    );
    // SQAI Suite has only its web form: the copy sheet just written is named.
    assert!(said.contains("Still to paste by hand:"), "{said}");
    assert!(said.contains(&format!("SQAI Suite: the app cannot reach its Bitbucket settings, so paste the new token into its form by hand. The copy sheet {} holds the new token", path("sheet.txt"))), "{said}");
    support::assert_no_file_contains(s.config.path(), NEW);

    // Back to the old token, as JSON: the records followed the rewrite, so the same files are
    // written again; the edited one, the folder and the link are still left.
    let out = replace(&s, OLD, &["--json"]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["replaced"], true);
    let got = statuses(&v["delivered"]);
    let want: BTreeMap<String, String> = [
        ("secret.env", "rewritten"),
        ("plain.json", "changed"),
        ("sheet.txt", "rewritten"),
        ("folder.env", "folder"),
        ("link.env", "link"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(bash_reads_token(work, "secret.env"), OLD);
    assert_eq!(v["delivered"]["by_hand"][0]["product_name"], "SQAI Suite");
    assert!(!text(&out.stdout).contains(OLD) && !text(&out.stdout).contains(NEW), "no token in the summary");

    // A file deleted by its user is not brought back, and no longer followed.
    std::fs::remove_file(s.path("sheet.txt")).unwrap();
    let out = replace(&s, NEW, &[]);
    let said = text(&out.stdout);
    assert!(said.contains(&format!("{} (SQAI Suite (sheet to copy from)) is gone", path("sheet.txt"))), "{said}");
    assert!(!s.path("sheet.txt").exists());
    assert!(said.contains("A copy sheet with every field:"), "no sheet now: the command that makes one\n{said}");
    let recorded: Vec<String> = s.connection(NAME).unwrap()["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    assert!(!recorded.contains(&path("sheet.txt")), "{recorded:?}");
    assert_eq!(recorded.len(), 4, "{recorded:?}");
}

#[test]
fn the_token_is_never_an_argument_and_an_unknown_connection_is_bad_input() {
    let Some(s) = session() else { return };
    let out = s.run(&["replace", NAME, "--token", NEW], "");
    assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
    let out = s.run(&["replace", "Nobody"], NEW);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("No saved connection is called \"Nobody\"."), "{}", text(&out.stderr));
    let out = s.run(&["replace", NAME, "--expires", "yesterday"], NEW);
    assert_eq!(out.status.code(), Some(64));
    assert!(text(&out.stderr).contains("is not a date"), "{}", text(&out.stderr));
    assert_eq!(s.token_of(NAME), OLD);
}
