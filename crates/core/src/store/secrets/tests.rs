//! Tests of the secrets backends that need no keychain.

use super::os_keychain::*;
use super::*;

#[test]
fn memory_store_round_trip() {
    let m = MemoryStore::new();
    assert_eq!(m.get("a").unwrap_err(), SecretStoreError::NotFound);
    m.set("a", "Label A", &Secret::new("ATCTone")).unwrap();
    assert_eq!(m.get("a").unwrap().expose(), "ATCTone");
    assert_eq!(m.label("a").as_deref(), Some("Label A"));
    m.set("a", "Label A2", &Secret::new("ATCTtwo")).unwrap();
    assert_eq!(m.get("a").unwrap().expose(), "ATCTtwo");
    assert_eq!(m.label("a").as_deref(), Some("Label A2"));
    m.delete("a").unwrap();
    assert_eq!(m.delete("a").unwrap_err(), SecretStoreError::NotFound);
    assert!(m.is_empty());
}

#[test]
fn memory_store_fails_on_demand() {
    let m = MemoryStore::failing(SecretStoreError::Locked);
    assert_eq!(
        m.set("a", "l", &Secret::new("x")).unwrap_err(),
        SecretStoreError::Locked
    );
    assert_eq!(m.get("a").unwrap_err(), SecretStoreError::Locked);
    m.set_fail_all(None);
    m.set("a", "l", &Secret::new("x")).unwrap();
    m.set_fail_on_delete(Some(SecretStoreError::Denied));
    assert_eq!(m.delete("a").unwrap_err(), SecretStoreError::Denied);
    assert!(m.contains("a"));
}

#[test]
fn keyring_errors_map_to_plain_kinds() {
    assert_eq!(
        map_keyring_error(keyring::Error::NoEntry),
        SecretStoreError::NotFound
    );
    let e = map_keyring_error(keyring::Error::BadEncoding(b"ATCTcanary\xff".to_vec()));
    assert!(matches!(&e, SecretStoreError::Other { cause } if !cause.contains("canary")));
    let e = map_keyring_error(keyring::Error::Ambiguous(vec![]));
    assert!(matches!(e, SecretStoreError::Other { .. }));
}

#[cfg(target_os = "linux")]
#[test]
fn linux_platform_errors() {
    use dbus_secret_service::Error as Ss;
    let platform = |e: Ss| map_keyring_error(keyring::Error::PlatformFailure(Box::new(e)));
    let no_access = |e: Ss| map_keyring_error(keyring::Error::NoStorageAccess(Box::new(e)));
    let dbus = |name: &str, message: &str| Ss::Dbus(dbus::Error::new_custom(name, message));

    let e = platform(dbus(
        "org.freedesktop.DBus.Error.FileNotFound",
        "Failed to connect to socket /nonexistent: No such file or directory",
    ));
    assert!(matches!(e, SecretStoreError::Unavailable { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("No keychain service is running"), "{msg}");
    assert!(msg.contains("GNOME Keyring"), "{msg}");
    let msg = e.user_message_for(KeychainAction::Save);
    assert!(msg.ends_with("then try again. Your token was not saved anywhere."), "{msg}");
    assert!(matches!(platform(Ss::Unavailable), SecretStoreError::Unavailable { .. }));

    let e = no_access(Ss::Locked);
    assert_eq!(e, SecretStoreError::Locked);
    assert!(e.to_string().contains("Unlock your keyring"));
    assert_eq!(no_access(Ss::Prompt), SecretStoreError::Locked);
    assert_eq!(no_access(Ss::NoResult), SecretStoreError::Locked);
    // What gnome-keyring answers when asked to create an item in a locked collection: decided
    // by the D-Bus error's name, whatever its message says.
    assert_eq!(platform(dbus(IS_LOCKED, "Cannot create an item in a locked collection")), SecretStoreError::Locked);
    assert_eq!(platform(dbus(IS_LOCKED, "anything")), SecretStoreError::Locked);
    assert!(matches!(
        platform(dbus("org.freedesktop.DBus.Error.Failed", "the collection is locked")),
        SecretStoreError::Unavailable { .. }
    ));
    // Errors in the exchange itself.
    assert!(matches!(platform(Ss::Parse), SecretStoreError::Other { .. }));
    assert!(matches!(platform(Ss::UnsupportedSecretFormat), SecretStoreError::Other { .. }));
    assert!(matches!(platform(Ss::Path("bad".into())), SecretStoreError::Other { .. }));
}

#[test]
fn scrub_removes_the_secret_from_causes() {
    let e = SecretStoreError::Other {
        cause: "echo ATCTcanary back".into(),
    }
    .scrub("ATCTcanary");
    assert!(!e.to_string().contains("ATCTcanary"));
    assert!(!e.to_string().contains("ATCTcanary"));
    let e = SecretStoreError::Unavailable {
        cause: "ATCTcanary".into(),
    }
    .scrub("ATCTcanary");
    assert!(!format!("{e:?}").contains("ATCTcanary"));
}

#[test]
fn every_error_but_a_missing_token_says_what_to_do() {
    for e in [
        SecretStoreError::Unavailable { cause: "x".into() },
        SecretStoreError::Locked,
        SecretStoreError::Denied,
        SecretStoreError::NotFound,
        SecretStoreError::Other { cause: "x".into() },
    ] {
        match e.remedy() {
            Some(remedy) => assert!(!remedy.is_empty() && e.to_string().ends_with(remedy), "{e}"),
            // What to do about a missing token is the front end's to say.
            None => assert_eq!(e, SecretStoreError::NotFound),
        }
        assert!(!e.code().is_empty());
    }
}

#[test]
fn labels_are_cut_at_character_boundaries() {
    assert_eq!(truncate_bytes("short", 256), "short");
    let long = "é".repeat(200); // 400 bytes
    let cut = truncate_bytes(&long, 256);
    assert_eq!(cut.len(), 256);
    assert_eq!(truncate_bytes("aé", 2), "a");
}

#[test]
fn empty_account_is_refused_before_touching_the_keychain() {
    let k = KeyringStore::with_service("bitbucket-setup-assistant-unit");
    assert!(matches!(
        k.get(" ").unwrap_err(),
        SecretStoreError::Other { .. }
    ));
}
