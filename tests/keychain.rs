//! The storage rules against the real OS keychain (Secret Service on Linux).
//!
//! Needs a Secret Service. Headless, with a throwaway HOME:
//!
//! ```sh
//! export HOME=$(mktemp -d) XDG_DATA_HOME=… XDG_RUNTIME_DIR=…   # throwaway
//! dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --components=secrets --daemonize --unlock >/dev/null; cargo test --test keychain -- --test-threads=1'
//! ```
//!
//! Without a reachable Secret Service the tests that need one print "SKIPPED: no Secret
//! Service" and pass, except with `CI=true`, where they fail. The "keychain unavailable" test
//! needs none and always runs. Secrets are never put in a process argument: `secret-tool` is
//! only asked to search by attributes, and child processes make their own test secrets.

mod support;

#[cfg(target_os = "linux")]
use std::path::Path;
#[cfg(target_os = "linux")]
use std::process::Command;
use std::sync::Arc;

use bitbucket_cloud::credential::{CredentialKind, Secret};
use bitbucket_setup_core::presets::PresetId;
use bitbucket_setup_core::store::connections::{Connection, ConnectionsFile};
use bitbucket_setup_core::store::secrets::{KeyringStore, SecretStore, SecretStoreError};
#[cfg(target_os = "linux")]
use bitbucket_setup_core::store::secrets::SERVICE;
#[cfg(target_os = "linux")]
use bitbucket_setup_core::store::StoreError;
use bitbucket_setup_core::store::{keychain_label, KeychainStatus, Store};

/// Whether the real keychain answers. In CI an unreachable keychain is a failure.
fn keychain_reachable(test: &str) -> bool {
    let probe = KeyringStore::new().get(&uuid::Uuid::new_v4().to_string());
    match probe {
        Err(SecretStoreError::NotFound) | Ok(_) => true,
        Err(e) => {
            if support::in_ci() {
                panic!(
                    "{test}: CI=true but the keychain cannot be used: {e} {}\n\
                     Start a Secret Service first (dbus-run-session + gnome-keyring-daemon --unlock).",
                    e
                );
            }
            // Straight to the process's stderr, past the test harness's output capture, so the
            // skip is seen even when the test "passes".
            use std::io::Write as _;
            let _ = write!(
                std::io::stderr(),
                "\n==================================================================\n\
                 SKIPPED: no Secret Service ({test}): {e}\n\
                 Run under dbus-run-session with gnome-keyring-daemon --unlock (see tests/keychain.rs).\n\
                 ==================================================================\n"
            );
            false
        }
    }
}

fn connection(name: &str) -> Connection {
    Connection {
        description: Some("made by tests/keychain.rs".into()),
        base_branch: Some("main".into()),
        granted_scopes: vec!["repository".into()],
        credential_type: Some("repo_access_token".into()),
        ..Connection::new(name, PresetId::Git, CredentialKind::RepositoryToken, "acme", Some("website"))
    }
}

/// A token that exists only in this test run.
fn test_token() -> Secret {
    Secret::new(format!("ATCTT3xFfGN0test{}", uuid::Uuid::new_v4().simple()))
}

/// Deletes the keychain entry even if the test fails half-way.
struct Cleanup(String);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = KeyringStore::new().delete(&self.0);
    }
}


#[test]
fn saves_checks_and_removes_through_the_real_keychain() {
    if !keychain_reachable("saves_checks_and_removes_through_the_real_keychain") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let store = Store::new(
        ConnectionsFile::at(config.join("connections.json")),
        Arc::new(KeyringStore::new()),
    );
    let token = test_token();
    let c = connection(&format!(
        "Keychain test {}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    ));
    let _cleanup = Cleanup(c.id.clone());

    let saved = store
        .save_new(c.clone(), &token)
        .expect("save through the real keychain");
    let label = keychain_label(&saved);
    assert!(label.starts_with("Bitbucket Setup Assistant: acme/website (repository access token)"));

    // What the OS keychain holds, seen by its own client.
    #[cfg(target_os = "linux")]
    {
        let items = support::keychain::items(&saved.id);
        assert_eq!(
            items.len(),
            1,
            "exactly one keychain item for the connection"
        );
        let item = &items[0];
        assert_eq!(item.label, label);
        assert!(
            item.secret == token.expose(),
            "the keychain item holds the token"
        );
        assert_eq!(
            item.attributes.get("service").map(String::as_str),
            Some(SERVICE)
        );
        assert_eq!(item.attributes.get("username"), Some(&saved.id));
        assert_eq!(
            item.attributes.get("application").map(String::as_str),
            Some("rust-keyring")
        );
        assert_eq!(
            item.attributes.get("target").map(String::as_str),
            Some("default")
        );
    }

    // Through the app, too.
    assert!(store.secret(&saved.id).unwrap() == token);
    assert_eq!(store.keychain_status(&saved.id), KeychainStatus::Present);
    assert_eq!(store.list().unwrap().connections, vec![saved.clone()]);

    // The record is on disk, the token is not.
    assert!(support::assert_no_file_contains(&config, token.expose()) >= 1);
    let record = std::fs::read_to_string(config.join("connections.json")).unwrap();
    assert!(record.contains(&saved.id));

    // Replacing swaps the one item (no duplicate) and keeps the token off the disk.
    let newer = test_token();
    store.replace_token(saved.clone(), &newer).unwrap();
    assert!(store.secret(&saved.id).unwrap() == newer);
    #[cfg(target_os = "linux")]
    {
        let items = support::keychain::items(&saved.id);
        assert_eq!(items.len(), 1);
        assert!(items[0].secret == newer.expose());
    }
    support::assert_no_file_contains(&config, newer.expose());
    support::assert_no_file_contains(&config, token.expose());

    // A rename follows into the keychain label.
    let mut renamed = saved.clone();
    renamed.name = format!("{} renamed", saved.name);
    store.update(renamed.clone()).unwrap();
    #[cfg(target_os = "linux")]
    assert_eq!(
        support::keychain::items(&saved.id)[0].label,
        keychain_label(&renamed)
    );

    // Remove: keychain entry and record both gone.
    let removed = store.remove(&saved.id).unwrap();
    assert!(!removed.keychain_entry_was_missing);
    #[cfg(target_os = "linux")]
    assert!(
        support::keychain::items(&saved.id).is_empty(),
        "the keychain item is gone"
    );
    assert_eq!(store.keychain_status(&saved.id), KeychainStatus::Missing);
    assert!(store.list().unwrap().connections.is_empty());
    assert!(matches!(
        KeyringStore::new().get(&saved.id),
        Err(SecretStoreError::NotFound)
    ));
    assert!(matches!(
        KeyringStore::new().delete(&saved.id),
        Err(SecretStoreError::NotFound)
    ));
}

#[test]
fn removing_a_connection_whose_token_was_deleted_by_hand() {
    if !keychain_reachable("removing_a_connection_whose_token_was_deleted_by_hand") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(
        ConnectionsFile::at(dir.path().join("connections.json")),
        Arc::new(KeyringStore::new()),
    );
    let c = store
        .save_new(connection("Deleted by hand"), &test_token())
        .unwrap();
    let _cleanup = Cleanup(c.id.clone());
    // The user deletes the item in their keychain app.
    #[cfg(target_os = "linux")]
    {
        support::keychain::clear(&c.id);
    }
    #[cfg(not(target_os = "linux"))]
    KeyringStore::new().delete(&c.id).unwrap();

    assert_eq!(store.keychain_status(&c.id), KeychainStatus::Missing);
    let e = store.secret(&c.id).unwrap_err();
    assert_eq!(e.code(), "keychain_not_found");
    let removed = store.remove(&c.id).unwrap();
    assert!(removed.keychain_entry_was_missing);
    assert!(store.list().unwrap().connections.is_empty());
}

#[cfg(target_os = "linux")]
const UNAVAILABLE_ENV: &str = "BITBUCKET_SETUP_TEST_UNAVAILABLE_DIR";
#[cfg(target_os = "linux")]
const UNAVAILABLE_MARKER: &str = "UNAVAILABLE-CHILD: checks passed";

/// The child of `unavailable_keychain_is_reported_plainly`, run with a D-Bus address that
/// leads nowhere.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "run only as the child of unavailable_keychain_is_reported_plainly"]
fn unavailable_child() {
    let Some(dir) = std::env::var_os(UNAVAILABLE_ENV) else {
        return;
    };
    let config = Path::new(&dir).join("config");
    let token = test_token();
    let c = connection("Nowhere");

    let err = KeyringStore::new()
        .set(&c.id, &keychain_label(&c), &token)
        .expect_err("no keychain can be reached");
    let SecretStoreError::Unavailable { cause } = &err else {
        panic!("expected Unavailable, got {err:?}");
    };
    assert!(!cause.contains(token.expose()));
    let msg = err.to_string();
    assert!(
        msg.contains("No keychain service is running (Secret Service over D-Bus)."),
        "{msg}"
    );
    assert!(msg.contains("GNOME Keyring or KeePassXC"), "{msg}");
    assert!(!msg.contains(token.expose()));

    let store = Store::new(
        ConnectionsFile::at(config.join("connections.json")),
        Arc::new(KeyringStore::new()),
    );
    let e = store
        .save_new(c.clone(), &token)
        .expect_err("no silent fallback");
    assert!(
        matches!(
            &e,
            StoreError::Keychain {
                source: SecretStoreError::Unavailable { .. },
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains("Your token was not saved anywhere."), "{msg}");
    for text in [msg, e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(token.expose()));
    }
    match store.keychain_status(&c.id) {
        KeychainStatus::Error { code, .. } => assert_eq!(code, "keychain_unavailable"),
        other => panic!("{other:?}"),
    }
    // Nothing was written: not the record, not the token; only the lock every change takes.
    let written: Vec<_> = support::files_under(&config).into_iter().filter(|p| !p.ends_with(".connections.json.lock")).collect();
    assert!(written.is_empty(), "nothing may be written when the keychain is unavailable: {written:?}");
    assert!(support::assert_no_file_contains(Path::new(&dir), token.expose()) <= 1, "at most the lock file");
    println!("{UNAVAILABLE_MARKER}");
}

#[cfg(target_os = "linux")]
#[test]
fn unavailable_keychain_is_reported_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "unavailable_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(UNAVAILABLE_ENV, dir.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/bitbucket-setup-test-bus",
        )
        // No X11/Wayland either, so libdbus cannot autolaunch a bus.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(UNAVAILABLE_MARKER),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing under the folder the child was given but the lock every change takes.
    let written: Vec<_> = support::files_under(dir.path()).into_iter().filter(|p| !p.ends_with(".connections.json.lock")).collect();
    assert!(written.is_empty(), "{written:?}");
}

#[cfg(target_os = "linux")]
const LOCKED_ENV: &str = "BITBUCKET_SETUP_TEST_LOCKED_DIR";
#[cfg(target_os = "linux")]
const LOCKED_MARKER: &str = "LOCKED-CHILD: checks passed";

/// The child of `locked_keyring_is_reported_and_nothing_is_lost`: runs inside its own D-Bus
/// session with its own unlocked gnome-keyring, saves a connection, locks the keyring, then
/// checks every operation.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "run only as the child of locked_keyring_is_reported_and_nothing_is_lost"]
fn locked_child() {
    let Some(dir) = std::env::var_os(LOCKED_ENV) else {
        return;
    };
    let config = Path::new(&dir).join("config");
    let store = Store::new(
        ConnectionsFile::at(config.join("connections.json")),
        Arc::new(KeyringStore::new()),
    );
    let first = test_token();
    let a = store
        .save_new(connection("Saved before locking"), &first)
        .expect("unlocked keyring");

    // Lock the default collection, as the screen locker or "Lock keyring" would.
    let st = Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.secrets",
            "--type=method_call",
            "--print-reply",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("dbus-send");
    assert!(st.success(), "could not lock the test keyring");

    // Saving a new connection: refused, plainly, nothing written.
    let second = test_token();
    let e = store
        .save_new(connection("Saved while locked"), &second)
        .unwrap_err();
    assert!(
        matches!(
            &e,
            StoreError::Keychain {
                source: SecretStoreError::Locked,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains("Unlock your keyring"), "{msg}");
    assert!(msg.contains("Your token was not saved anywhere."), "{msg}");
    assert_eq!(store.list().unwrap().connections, vec![a.clone()]);
    support::assert_no_file_contains(&config, second.expose());

    // Reading, status, replacing: all say "locked".
    assert_eq!(store.secret(&a.id).unwrap_err().code(), "keychain_locked");
    match store.keychain_status(&a.id) {
        KeychainStatus::Error { code, .. } => assert_eq!(code, "keychain_locked"),
        other => panic!("{other:?}"),
    }
    let e = store.replace_token(a.clone(), &test_token()).unwrap_err();
    assert_eq!(e.code(), "keychain_locked");
    assert!(e.to_string().contains("still uses the old one"));

    // Removing: the keychain cannot delete the token, so the record is kept.
    let e = store.remove(&a.id).unwrap_err();
    assert_eq!(e.code(), "keychain_locked");
    assert!(e.to_string().contains("The connection was kept"));
    assert_eq!(store.list().unwrap().connections, vec![a.clone()]);

    for text in [e.to_string(), e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(first.expose()) && !text.contains(second.expose()));
    }
    support::assert_no_file_contains(&config, first.expose());
    println!("{LOCKED_MARKER}");
}

#[cfg(target_os = "linux")]
fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
#[test]
fn locked_keyring_is_reported_and_nothing_is_lost() {
    let missing: Vec<&str> = ["dbus-run-session", "gnome-keyring-daemon", "dbus-send"]
        .into_iter()
        .filter(|p| !have(p))
        .collect();
    if !missing.is_empty() {
        if support::in_ci() {
            panic!("CI=true but {missing:?} are not installed (packages dbus, gnome-keyring)");
        }
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: locked_keyring_is_reported_and_nothing_is_lost needs {missing:?}\n"
        );
        return;
    }
    // A private session bus and keyring in a throwaway home: the user's own keyring is never
    // locked or touched.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = home.join("run");
    std::fs::create_dir_all(home.join("data")).unwrap();
    std::fs::create_dir_all(&run).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("dbus-run-session")
        .args([
            "--",
            "sh",
            "-c",
            // "pw" is the throwaway keyring's password, not a token.
            "echo -n pw | gnome-keyring-daemon --components=secrets --daemonize --unlock >/dev/null \
             && exec \"$0\" locked_child --exact --ignored --nocapture --test-threads=1",
        ])
        .arg(&exe)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_RUNTIME_DIR", &run)
        .env(LOCKED_ENV, &work)
        // No display: the unlock prompt cannot appear and wait for a person.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the locked-keyring child did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(LOCKED_MARKER),
        "child failed ({:?}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
