//! Tests of the record and the file.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::file::*;
use super::*;
use chrono::TimeZone;

pub(crate) fn sample(name: &str) -> Connection {
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    Connection {
        description: Some("Pipelines for the website".into()),
        base_branch: Some("main".into()),
        granted_scopes: vec!["repository".into(), "pullrequest:write".into()],
        credential_type: Some("repo_access_token".into()),
        last_check: Some(LastCheck { at: t, ok: true, problem: None, message: "All good.".into(), details: None }),
        expires: NaiveDate::from_ymd_opt(2026, 12, 31),
        created_at: t,
        updated_at: t,
        ..Connection::new(name, PresetId::Git, CredentialKind::RepositoryToken, "acme", Some("website"))
    }
}

fn temp_file() -> (tempfile::TempDir, ConnectionsFile) {
    let dir = tempfile::tempdir().unwrap();
    let file = ConnectionsFile::at(dir.path().join("cfg").join(FILE_NAME));
    (dir, file)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn names_refuse_direction_overrides_and_descriptions_control_characters() {
    assert!(matches!(validate_name("invoice\u{202e}fdp.exe"), Err(ConnectionsError::NameHasDirectionControls { code }) if code == "U+202E"));
    assert!(matches!(validate_name("a\u{2066}b"), Err(ConnectionsError::NameHasDirectionControls { code }) if code == "U+2066"));
    assert_eq!(validate_name("שלום עולם").unwrap(), "שלום עולם", "right-to-left text itself is fine");
    let mut c = sample("x");
    c.description = Some("line one\nline two\twith a tab".into());
    assert!(c.clone().normalized().is_ok());
    c.description = Some("clear \u{1b}[2J screen".into());
    assert!(matches!(c.normalized(), Err(ConnectionsError::DescriptionHasControlCharacters)));
}

#[test]
fn names_refuse_invisible_characters_and_say_which() {
    for (name, code) in [("e4\u{200b}", "U+200B"), ("e\u{200d}4", "U+200D"), ("\u{feff}e4", "U+FEFF"), ("e4\u{2060}", "U+2060"), ("e\u{00ad}4", "U+00AD")] {
        let err = validate_name(name).unwrap_err();
        assert!(matches!(&err, ConnectionsError::NameHasInvisibleCharacter { code: c } if c == code), "{name:?}: {err:?}");
        assert!(err.to_string().contains(code) && err.is_input(), "{err}");
    }
    assert_eq!(validate_name("e4 ❤️ 日本").unwrap(), "e4 ❤️ 日本", "emoji with a variation selector, and other scripts, are fine");
    assert!(ConnectionsError::DuplicateName { name: "x".into() }.is_input());
    assert!(ConnectionsError::DescriptionHasControlCharacters.is_input());
    assert!(!ConnectionsError::Busy { seconds: 1 }.is_input());
}

#[test]
fn a_file_from_before_git_places_loads_and_places_round_trip() {
    let (_d, file) = temp_file();
    let old = sample("Old");
    let mut json = serde_json::to_value(&old).unwrap();
    for field in ["project", "reaches", "git_refused"] {
        json.as_object_mut().unwrap().remove(field);
    }
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(file.path(), serde_json::to_vec(&serde_json::json!({"version": 1, "connections": [json]})).unwrap()).unwrap();
    let loaded = file.load().unwrap();
    assert!(loaded.set_aside.is_empty());
    assert_eq!(loaded.connections, vec![old.clone()]);
    assert!(loaded.connections[0].known_to_reach("acme/website"), "the checked repository counts as reached");

    let mut c = old;
    c.project = Some("WEB".into());
    assert!(c.note_reached("acme/api"));
    assert!(!c.note_reached("acme/api"), "once");
    c.note_refused("acme/other", Utc::now());
    c.note_refused("acme/api", Utc::now());
    assert!(c.refused_at("acme/api") && !c.known_to_reach("acme/api"));
    assert!(c.note_reached("acme/api") && !c.refused_at("acme/api"), "getting in clears the refusal");
    file.save(&[c.clone()]).unwrap();
    assert_eq!(file.load().unwrap().connections, vec![c.clone()]);
    for n in 0..PLACES_MAX + 5 {
        c.note_refused(&format!("acme/r{n}"), Utc::now());
    }
    assert_eq!(c.git_refused.len(), PLACES_MAX);
    assert!(c.refused_at(&format!("acme/r{}", PLACES_MAX + 4)) && !c.refused_at("acme/r0"), "the oldest go first");
}

#[test]
fn names_are_trimmed_and_limited() {
    assert_eq!(validate_name("  Website CI \n").unwrap(), "Website CI");
    assert!(matches!(
        validate_name(""),
        Err(ConnectionsError::NameEmpty)
    ));
    assert!(matches!(
        validate_name("  \t "),
        Err(ConnectionsError::NameEmpty)
    ));
    assert_eq!(validate_name("x").unwrap(), "x");
    let fifty = "a".repeat(50);
    assert_eq!(validate_name(&fifty).unwrap(), fifty);
    assert!(matches!(
        validate_name(&"a".repeat(51)),
        Err(ConnectionsError::NameTooLong { len: 51 })
    ));
    // Whitespace around does not count.
    assert!(validate_name(&format!("  {fifty}  ")).is_ok());
    assert!(matches!(
        validate_name("a\nb"),
        Err(ConnectionsError::NameHasControlCharacters)
    ));
    let e = validate_name(&"a".repeat(51)).unwrap_err();
    assert!(
        e.to_string().contains("at most 50"),
        "{}",
        e.to_string()
    );
}

#[test]
fn emoji_count_as_characters() {
    // 50 emoji are 200 bytes but 50 characters.
    let fifty = "🚀".repeat(50);
    assert_eq!(fifty.len(), 200);
    assert_eq!(validate_name(&fifty).unwrap(), fifty);
    assert!(matches!(
        validate_name(&"🚀".repeat(51)),
        Err(ConnectionsError::NameTooLong { len: 51 })
    ));
    assert_eq!(validate_name("Déploiement ✓").unwrap(), "Déploiement ✓");
}

#[test]
fn duplicate_names_are_refused_case_insensitively() {
    let (_d, file) = temp_file();
    file.add(sample("Website CI")).unwrap();
    for dup in ["website ci", "  WEBSITE CI  ", "Website CI"] {
        let e = file.add(sample(dup)).unwrap_err();
        assert!(
            matches!(e, ConnectionsError::DuplicateName { .. }),
            "{dup}: {e:?}"
        );
        assert!(e.to_string().contains("already exists"));
    }
    // Unicode case folding too.
    file.add(sample("Ärger")).unwrap();
    assert!(matches!(
        file.add(sample("ärger")),
        Err(ConnectionsError::DuplicateName { .. })
    ));
    assert_eq!(file.load().unwrap().connections.len(), 2);
}

#[test]
fn add_trims_and_checks_fields() {
    let (_d, file) = temp_file();
    let mut c = sample("  Spaced  ");
    c.description = Some("   ".into());
    file.add(c.clone()).unwrap();
    let got = file.find("spaced").unwrap().unwrap();
    assert_eq!(got.name, "Spaced");
    assert_eq!(got.description, None);

    let mut long = sample("Long");
    long.description = Some("d".repeat(256));
    assert!(matches!(
        file.add(long),
        Err(ConnectionsError::DescriptionTooLong { len: 256 })
    ));
    let mut ok = sample("Long");
    ok.description = Some("é".repeat(255));
    file.add(ok).unwrap();

    let mut bad_id = sample("Bad id");
    bad_id.id = "not-a-uuid".into();
    assert!(matches!(file.add(bad_id), Err(ConnectionsError::InvalidId)));

    let dup_id = sample("Other");
    let mut dup_id2 = sample("Other 2");
    dup_id2.id = dup_id.id.clone();
    file.add(dup_id).unwrap();
    assert!(matches!(
        file.add(dup_id2),
        Err(ConnectionsError::DuplicateId)
    ));
}

#[test]
fn update_find_remove() {
    let (_d, file) = temp_file();
    let a = sample("Alpha");
    let b = sample("Beta");
    file.add(a.clone()).unwrap();
    file.add(b.clone()).unwrap();

    assert_eq!(file.find(&a.id).unwrap().unwrap().name, "Alpha");
    assert_eq!(file.find(" ALPHA ").unwrap().unwrap().id, a.id);
    assert!(file.find("gamma").unwrap().is_none());

    let mut a2 = a.clone();
    a2.name = "Alpha renamed".into();
    a2.granted_scopes.push("webhook".into());
    file.update(a2.clone()).unwrap();
    assert_eq!(file.find(&a.id).unwrap().unwrap(), a2);

    // Renaming onto another connection's name is refused; keeping one's own name is fine.
    let mut clash = a2.clone();
    clash.name = "beta".into();
    assert!(matches!(
        file.update(clash),
        Err(ConnectionsError::DuplicateName { .. })
    ));
    let mut same = a2.clone();
    same.name = "ALPHA RENAMED".into();
    file.update(same).unwrap();

    let ghost = sample("Ghost");
    assert!(matches!(
        file.update(ghost.clone()),
        Err(ConnectionsError::NotFound { .. })
    ));
    assert!(matches!(
        file.remove(&ghost.id),
        Err(ConnectionsError::NotFound { .. })
    ));

    file.remove(&a.id).unwrap();
    let left = file.load().unwrap().connections;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, b.id);
}

#[test]
fn round_trip_keeps_every_field() {
    let (_d, file) = temp_file();
    let mut c = sample("Everything");
    c.kind = CredentialKind::ApiToken;
    c.email = Some("jane@example.com".into());
    c.preset = PresetId::N8n;
    c.last_check = Some(LastCheck {
        at: Utc::now(),
        ok: false,
        problem: Some("missing_scope".into()),
        message: "Needs pullrequest:write.".into(),
        details: None,
    });
    file.save(&[c.clone()]).unwrap();
    let text = fs::read_to_string(file.path()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["connections"][0]["preset"], "n8n");
    assert_eq!(v["connections"][0]["kind"], "api_token");
    assert_eq!(v["connections"][0]["expires"], "2026-12-31");
    assert_eq!(file.load().unwrap().connections, vec![c]);
}

#[test]
fn expiry_boundaries() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let d = |n: i64| Some(today + chrono::Duration::days(n));
    assert_eq!(expiry_status(None, today), ExpiryStatus::NoDate);
    assert_eq!(
        expiry_status(d(15), today),
        ExpiryStatus::Valid { days_left: 15 }
    );
    assert_eq!(
        expiry_status(d(14), today),
        ExpiryStatus::ExpiringSoon { days_left: 14 }
    );
    assert_eq!(
        expiry_status(d(1), today),
        ExpiryStatus::ExpiringSoon { days_left: 1 }
    );
    assert_eq!(
        expiry_status(d(0), today),
        ExpiryStatus::ExpiringSoon { days_left: 0 }
    );
    assert_eq!(
        expiry_status(d(-1), today),
        ExpiryStatus::Expired { days_ago: 1 }
    );
    assert_eq!(
        expiry_status(d(-400), today),
        ExpiryStatus::Expired { days_ago: 400 }
    );
    assert_eq!(
        expiry_status(d(365), today),
        ExpiryStatus::Valid { days_left: 365 }
    );
    // Across a month and leap day.
    let feb = NaiveDate::from_ymd_opt(2028, 2, 15).unwrap();
    assert_eq!(
        expiry_status(NaiveDate::from_ymd_opt(2028, 2, 29), feb),
        ExpiryStatus::ExpiringSoon { days_left: 14 }
    );
    assert_eq!(
        expiry_status(NaiveDate::from_ymd_opt(2028, 3, 1), feb),
        ExpiryStatus::Valid { days_left: 15 }
    );
    assert_eq!(
        serde_json::to_value(ExpiryStatus::ExpiringSoon { days_left: 3 }).unwrap(),
        serde_json::json!({"status": "expiring_soon", "days_left": 3})
    );
}

#[test]
fn missing_file_is_an_empty_list() {
    let (d, file) = temp_file();
    let loaded = file.load().unwrap();
    assert!(loaded.connections.is_empty());
    assert!(loaded.set_aside.is_empty());
    // Loading creates nothing.
    assert!(entries(d.path()).is_empty());
}

fn only_notice(loaded: &Loaded) -> SetAside {
    assert_eq!(loaded.set_aside.len(), 1, "{:?}", loaded.set_aside);
    loaded.set_aside[0].clone()
}

#[test]
fn corrupt_file_is_kept_aside_and_reported_until_seen() {
    let (_d, file) = temp_file();
    file.add(sample("One")).unwrap();
    let dir = file.path().parent().unwrap().to_path_buf();
    let original = b"{\"version\": 1, \"connections\": [ {\"id\": \"truncated".to_vec();
    fs::write(file.path(), &original).unwrap();

    let loaded = file.load().unwrap();
    assert!(loaded.connections.is_empty());
    let aside = only_notice(&loaded);
    assert!(matches!(aside.reason, SetAsideReason::Corrupt { .. }));
    let name = aside.path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("connections.json.corrupt-"), "{name}");
    let stamp = name.trim_start_matches("connections.json.corrupt-");
    assert_eq!(stamp.len(), "20260101T120000Z".len(), "{stamp}");
    assert!(stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T', "{stamp}");
    // The original bytes, untouched.
    assert_eq!(fs::read(&aside.path).unwrap(), original);
    assert!(!file.path().exists());
    let msg = aside.message();
    assert!(msg.contains("could not be read"), "{msg}");
    assert!(msg.contains(&name), "{msg}");
    assert!(!msg.contains("truncated"), "the message names a position, not content: {msg}");

    // Every later reader (another process) learns it too, until it has been seen.
    let other = ConnectionsFile::at(file.path().to_path_buf());
    assert_eq!(only_notice(&other.load().unwrap()), aside);
    assert_eq!(only_notice(&file.load().unwrap()), aside);

    // A second corrupt file in the same second gets its own name; the first stays.
    fs::write(file.path(), b"garbage").unwrap();
    let both = file.load().unwrap().set_aside;
    assert_eq!(both.len(), 2, "{both:?}");
    assert_ne!(both[1].path, aside.path);
    assert_eq!(fs::read(&aside.path).unwrap(), original);
    assert_eq!(fs::read(&both[1].path).unwrap(), b"garbage");

    file.acknowledge_set_aside().unwrap();
    assert!(file.load().unwrap().set_aside.is_empty(), "seen: no longer reported");

    // Then the app goes on with a fresh file.
    file.add(sample("Fresh")).unwrap();
    assert_eq!(file.load().unwrap().connections.len(), 1);
    // Two set aside, the new list, and the lock file changes take.
    let names = entries(&dir);
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().any(|n| n == ".connections.json.lock"), "{names:?}");
}

#[test]
fn one_unreadable_record_is_kept_aside_on_its_own() {
    let (_d, file) = temp_file();
    let keep = sample("Keep");
    file.add(keep.clone()).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(file.path()).unwrap()).unwrap();
    let mut odd = v["connections"][0].clone();
    odd["id"] = serde_json::json!("odd-one");
    odd["name"] = serde_json::json!("From the future");
    odd["preset"] = serde_json::json!("a-tool-from-the-future");
    v["connections"].as_array_mut().unwrap().push(odd.clone());
    fs::write(file.path(), serde_json::to_vec(&v).unwrap()).unwrap();

    let loaded = file.load().unwrap();
    assert_eq!(loaded.connections, vec![keep], "the readable one is loaded");
    let aside = only_notice(&loaded);
    assert!(matches!(aside.reason, SetAsideReason::Records { count: 1, .. }), "{aside:?}");
    assert!(aside.path.file_name().unwrap().to_string_lossy().starts_with("connections.json.unreadable-records-"));
    let kept: serde_json::Value = serde_json::from_slice(&fs::read(&aside.path).unwrap()).unwrap();
    assert_eq!(kept["connections"][0], odd, "the record itself, as it was");
    assert!(aside.message().contains("the others were loaded"), "{}", aside.message());
    // The list itself no longer holds it, so it is not set aside twice.
    assert_eq!(file.load().unwrap().set_aside.len(), 1);
}

#[test]
fn wrong_shape_is_corrupt_too() {
    for bad in [
        &b""[..],
        b"[]",
        b"{\"connections\": []}",
        b"{\"version\": \"one\", \"connections\": []}",
        b"{\"version\": 0, \"connections\": []}",
        b"{\"version\": 1}",
    ] {
        let (_d, file) = temp_file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        fs::write(file.path(), bad).unwrap();
        let aside = only_notice(&file.load().unwrap());
        assert!(matches!(aside.reason, SetAsideReason::Corrupt { .. }), "{aside:?}");
        assert_eq!(fs::read(&aside.path).unwrap(), bad);
    }
    // A record that is not a connection is kept aside on its own; its content is not
    // repeated.
    let (_d, file) = temp_file();
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(file.path(), b"{\"version\": 1, \"connections\": [{\"id\": \"secret-looking-value\"}]}").unwrap();
    let aside = only_notice(&file.load().unwrap());
    assert!(matches!(aside.reason, SetAsideReason::Records { count: 1, .. }), "{aside:?}");
    assert!(!aside.message().contains("secret-looking-value"));
}

#[test]
fn newer_version_is_kept_aside() {
    let (_d, file) = temp_file();
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    let original = br#"{"version": 2, "connections": [], "profiles": {"x": 1}}"#;
    fs::write(file.path(), original).unwrap();
    let aside = only_notice(&file.load().unwrap());
    assert_eq!(aside.reason, SetAsideReason::NewerVersion { version: 2 });
    assert!(aside.path.file_name().unwrap().to_string_lossy().starts_with("connections.json.newer-version-"));
    assert_eq!(fs::read(&aside.path).unwrap(), original);
    assert!(aside.message().contains("newer version"));
}

#[test]
fn a_change_waits_for_another_process_lock_then_gives_up_plainly() {
    let (_d, file) = temp_file();
    file.add(sample("First")).unwrap();
    // Another process's change in progress: its lock is held (a separate open file
    // description, as another process would have).
    let other = ConnectionsFile::at(file.path().to_path_buf());
    let held = other.lock().unwrap();
    let impatient = file.clone().with_lock_wait(Duration::from_millis(200));
    let started = Instant::now();
    let e = impatient.add(sample("Second")).unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(200), "it gave up without waiting");
    assert!(matches!(e, ConnectionsError::Busy { .. }), "{e:?}");
    assert!(e.to_string().contains("nothing was changed"), "{}", e.to_string());
    assert_eq!(file.load().unwrap().connections.len(), 1, "nothing was written");
    // Once the other change is done, the change goes through, waiting as long as needed.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
    });
    file.add(sample("Second")).unwrap();
    release.join().unwrap();
    assert_eq!(file.load().unwrap().connections.len(), 2);
}

#[test]
fn a_corrupt_file_is_set_aside_under_the_lock_and_never_a_good_one() {
    // A reader that found the file corrupt must not set aside the good file another
    // process has written since: it reads again under the lock.
    let (_d, file) = temp_file();
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(file.path(), b"{oops").unwrap();
    let held = ConnectionsFile::at(file.path().to_path_buf()).lock().unwrap();
    let reader = file.clone();
    let read = std::thread::spawn(move || reader.load().unwrap());
    std::thread::sleep(Duration::from_millis(100));
    // The other process repairs the file while it holds the lock.
    let good = serde_json::to_vec(&serde_json::json!({"version": 1, "connections": [sample("Good")]})).unwrap();
    fs::write(file.path(), &good).unwrap();
    drop(held);
    let loaded = read.join().unwrap();
    assert_eq!(loaded.connections.len(), 1, "the good file was read, not set aside");
    assert!(loaded.set_aside.is_empty());
    assert_eq!(fs::read(file.path()).unwrap(), good);
}

#[test]
fn many_readers_of_one_corrupt_file_set_it_aside_once() {
    let (_d, file) = temp_file();
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    for round in 0..20 {
        let bytes = format!("{{broken {round}");
        fs::write(file.path(), &bytes).unwrap();
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let f = ConnectionsFile::at(file.path().to_path_buf());
                std::thread::spawn(move || f.load().unwrap())
            })
            .collect();
        for r in readers {
            r.join().unwrap();
        }
        let notices = file.load().unwrap().set_aside;
        assert_eq!(notices.len(), round + 1, "set aside exactly once per broken file");
        assert_eq!(fs::read(&notices[round].path).unwrap(), bytes.as_bytes(), "its bytes, whole");
    }
    let names: std::collections::BTreeSet<_> = file.load().unwrap().set_aside.into_iter().map(|a| a.path).collect();
    assert_eq!(names.len(), 20, "no set-aside name was used twice");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_the_lists_place_is_refused_at_once() {
    let (_d, file) = temp_file();
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(file.path().to_string_lossy().as_bytes()).unwrap();
    // SAFETY: mkfifo with a valid C string and a mode.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let started = Instant::now();
    let e = file.load().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "it waited on the pipe");
    assert!(matches!(e, ConnectionsError::NotAFile { what: "a named pipe", .. }), "{e:?}");
    assert!(e.to_string().contains("a named pipe"), "{}", e.to_string());
    assert!(file.add(sample("x")).is_err());
}

#[cfg(unix)]
#[test]
fn file_and_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, file) = temp_file();
    file.save(&[sample("One")]).unwrap();
    let mode = fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dmode = fs::metadata(file.path().parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dmode, 0o700);
    // Saving again over an existing file keeps it private and leaves no temp file.
    file.save(&[sample("One"), sample("Two")]).unwrap();
    let mode = fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        entries(file.path().parent().unwrap()),
        vec![".connections.json.lock".to_string(), FILE_NAME.to_string()]
    );
}

#[test]
fn hook_runs_between_write_and_rename() {
    let (_d, file) = temp_file();
    file.save(&[sample("Old")]).unwrap();
    let before = fs::read(file.path()).unwrap();
    let dir = file.path().parent().unwrap().to_path_buf();
    let mut seen = None;
    file.save_with_hook(&[sample("New")], || {
        // The real file is still the old one; the new content sits in a temp file.
        seen = Some((fs::read(file.path()).unwrap(), entries(&dir)));
    })
    .unwrap();
    let (during, names) = seen.unwrap();
    assert_eq!(during, before);
    assert_eq!(names.len(), 3, "the list, the lock and the temporary file: {names:?}");
    assert!(names
        .iter()
        .any(|n| n.starts_with(".connections.json.") && n.ends_with(".tmp")));
    assert_eq!(file.load().unwrap().connections[0].name, "New");
}

const CRASH_ENV: &str = "BITBUCKET_SETUP_TEST_CRASH_FILE";
const CRASH_MARKER: &str = "CRASH-CHILD: about to abort before rename";

/// Run by `crash_between_write_and_rename_keeps_the_old_file` in a child process: writes a
/// new list and aborts the process just before the rename.
#[test]
#[ignore = "run only as the child of crash_between_write_and_rename_keeps_the_old_file"]
fn crash_child_aborts_before_rename() {
    let Some(path) = std::env::var_os(CRASH_ENV) else {
        return;
    };
    let file = ConnectionsFile::at(PathBuf::from(path));
    let list: Vec<Connection> = (0..20).map(|i| sample(&format!("New {i}"))).collect();
    let _ = file.save_with_hook(&list, || {
        println!("{CRASH_MARKER}");
        let _ = io::stdout().flush();
        std::process::abort();
    });
    unreachable!("the hook aborts");
}

#[test]
fn crash_between_write_and_rename_keeps_the_old_file() {
    let (_d, file) = temp_file();
    let old = vec![sample("Old one"), sample("Old two")];
    file.save(&old).unwrap();
    let before = fs::read(file.path()).unwrap();

    // This test's name without the crate: "store::connections::tests".
    let module = module_path!().split_once("::").map(|(_, m)| m).unwrap();
    let child = format!("{module}::crash_child_aborts_before_rename");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            child.as_str(),
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_ENV, file.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(CRASH_MARKER),
        "the child never reached the hook: {stdout}"
    );
    assert!(!out.status.success(), "the child should have aborted");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(6),
            "SIGABRT expected: {:?}",
            out.status
        );
    }

    // The old file is intact, byte for byte, and still loads.
    assert_eq!(fs::read(file.path()).unwrap(), before);
    let loaded = file.load().unwrap();
    assert!(loaded.set_aside.is_empty());
    assert_eq!(loaded.connections, old);
    // The new content only ever reached the temporary file left behind.
    let dir = file.path().parent().unwrap();
    let tmp: Vec<String> = entries(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert_eq!(tmp.len(), 1, "{:?}", entries(dir));
    let partial = fs::read_to_string(dir.join(&tmp[0])).unwrap();
    assert!(partial.contains("New 19"));
    // And the next save still works.
    file.save(&[sample("After")]).unwrap();
    assert_eq!(file.load().unwrap().connections[0].name, "After");
}

#[test]
fn default_path_honours_the_env_override() {
    // Through the helper: tests must not change the process environment.
    let cfg = PathBuf::from("/home/jane/.config");
    assert_eq!(
        default_path_from(Some("/tmp/x".into()), Some(cfg.clone())).unwrap(),
        PathBuf::from("/tmp/x").join(FILE_NAME)
    );
    assert_eq!(
        default_path_from(Some("".into()), Some(cfg.clone())).unwrap(),
        cfg.join(APP_DIR).join(FILE_NAME)
    );
    assert_eq!(
        default_path_from(None, Some(cfg.clone())).unwrap(),
        cfg.join("bitbucket-setup-assistant")
            .join("connections.json")
    );
    assert!(matches!(
        default_path_from(None, None),
        Err(ConnectionsError::NoConfigDir)
    ));
    if std::env::var_os(CONFIG_DIR_ENV).is_none() {
        if let Some(cfg) = dirs::config_dir() {
            assert_eq!(
                ConnectionsFile::default_path().unwrap(),
                cfg.join(APP_DIR).join(FILE_NAME)
            );
        }
    }
}
