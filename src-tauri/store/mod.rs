//! Saved connections: the record in a JSON file ([`connections`]), the token in the OS keychain
//! ([`secrets`]), and [`Store`], which keeps the two in step.
//!
//! The rules [`Store`] follows:
//! * **save**: keychain first, record second; if the record cannot be written, the keychain
//!   entry is deleted again (and if even that fails, the error says which keychain item to
//!   delete by hand).
//! * **remove**: keychain first; if deleting the token fails, the record is kept (so the user
//!   can still find and retry it) and the error is returned. A token that is already gone from
//!   the keychain is fine: the record is removed.
//! * **replace token**: only the keychain entry changes; the caller checks the new token first.
//!
//! The domain knows nothing of Tauri. Nothing here logs, and no error text holds a secret.

pub mod connections;
pub mod secrets;

use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::bitbucket::credential::Secret;
use connections::{Connection, ConnectionsError, ConnectionsFile, Loaded};
use secrets::{KeychainAction, KeyringStore, SecretStore, SecretStoreError};

/// What a person sees for the connection's entry in the OS keychain app, e.g.
/// "Bitbucket Setup Assistant: acme/website (repository access token)". When the connection's
/// name says something else, it is added: "… (repository access token) – Website CI".
pub fn keychain_label(c: &Connection) -> String {
    let target = c.target();
    let name = c.name.trim();
    let mut label = format!("Bitbucket Setup Assistant: {target} ({})", c.kind.label());
    if !name.is_empty() && !connections::same_name(name, &target) {
        label.push_str(" – ");
        label.push_str(name);
    }
    label
}

/// Whether a connection's token is in the keychain, for the connections view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KeychainStatus {
    Present,
    Missing,
    /// The keychain could not be asked. `message` says why and what to do.
    Error {
        code: String,
        message: String,
        next_step: String,
    },
}

/// What [`Store::remove`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Removed {
    pub connection: Connection,
    /// The token was already gone from the keychain (deleted by hand, or never saved).
    pub keychain_entry_was_missing: bool,
}

/// Problems of [`Store`]. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The keychain failed while doing `action`; nothing else was changed.
    #[error("{}", .source.user_message_for(*.action))]
    Keychain {
        action: KeychainAction,
        #[source]
        source: SecretStoreError,
    },
    /// The connections file failed; the keychain was not changed.
    #[error(transparent)]
    Connections(#[from] ConnectionsError),
    /// The token was stored but the record could not be written; the token was then deleted
    /// from the keychain again (`rollback` is `None`), or that failed too.
    #[error("The connection could not be saved: {source}")]
    RecordFailed {
        #[source]
        source: ConnectionsError,
        rollback: Option<SecretStoreError>,
        /// The label of the keychain item left behind, when the rollback failed.
        label: String,
    },
    #[error("There is no token to save.")]
    EmptySecret,
}

impl StoreError {
    /// A plain message: what happened, what it means for the user's data, what to do.
    pub fn user_message(&self) -> String {
        match self {
            StoreError::Keychain { action, source } => source.user_message_for(*action),
            StoreError::Connections(e) => e.user_message(),
            StoreError::RecordFailed { source, rollback: None, .. } => format!(
                "The connection could not be saved: {} The token was removed from the keychain again, so nothing was kept.",
                source.user_message()
            ),
            StoreError::RecordFailed { source, rollback: Some(r), label } => format!(
                "The connection could not be saved: {} The token could not be removed from the keychain again ({}). Delete the item \"{label}\" in your keychain app.",
                source.user_message(),
                r
            ),
            StoreError::EmptySecret => "There is no token to save. Paste the token first.".to_string(),
        }
    }

    /// A short machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Keychain { source, .. } => source.code(),
            StoreError::Connections(ConnectionsError::NotFound { .. }) => "not_found",
            StoreError::Connections(ConnectionsError::DuplicateName { .. }) => "duplicate_name",
            StoreError::Connections(ConnectionsError::SetAside(_)) => "file_set_aside",
            StoreError::Connections(_) => "connections_file",
            StoreError::RecordFailed { .. } => "record_failed",
            StoreError::EmptySecret => "empty_secret",
        }
    }
}

fn keychain(action: KeychainAction) -> impl FnOnce(SecretStoreError) -> StoreError {
    move |source| StoreError::Keychain { action, source }
}

/// Connections file and keychain together. `Send + Sync`; changes are serialised within the
/// process by a mutex, and each change of the file across processes (the GUI and the CLI) by
/// [`ConnectionsFile::lock`].
pub struct Store {
    file: ConnectionsFile,
    secrets: Arc<dyn SecretStore>,
    lock: Mutex<()>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("file", &self.file)
            .field("secrets", &self.secrets.backend_name())
            .finish()
    }
}

impl Store {
    pub fn new(file: ConnectionsFile, secrets: Arc<dyn SecretStore>) -> Self {
        Store {
            file,
            secrets,
            lock: Mutex::new(()),
        }
    }

    /// The file at its default path and the OS keychain.
    pub fn open_default() -> Result<Self, StoreError> {
        Ok(Store::new(
            ConnectionsFile::open_default()?,
            Arc::new(KeyringStore::new()),
        ))
    }

    pub fn file(&self) -> &ConnectionsFile {
        &self.file
    }

    pub fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    fn guard(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// All connections, with a report when the file had to be set aside.
    pub fn list(&self) -> Result<Loaded, StoreError> {
        let _g = self.guard();
        Ok(self.file.load()?)
    }

    /// By id, or by name (trimmed, case-insensitive).
    pub fn find(&self, name_or_id: &str) -> Result<Option<Connection>, StoreError> {
        let _g = self.guard();
        Ok(self.file.find(name_or_id)?)
    }

    /// The connection with this id (reports a file that had to be set aside).
    fn get_by_id(&self, id: &str) -> Result<Connection, StoreError> {
        let key = id.trim();
        self.file
            .load_strict()?
            .into_iter()
            .find(|c| c.id.eq_ignore_ascii_case(key))
            .ok_or_else(|| {
                ConnectionsError::NotFound {
                    what: id.to_string(),
                }
                .into()
            })
    }

    /// Saves a new connection: its token in the keychain first, then the record. Returns the
    /// record as stored (name and description trimmed).
    pub fn save_new(
        &self,
        connection: Connection,
        secret: &Secret,
    ) -> Result<Connection, StoreError> {
        if secret.expose().trim().is_empty() {
            return Err(StoreError::EmptySecret);
        }
        let _g = self.guard();
        let connection = connection.normalized()?;
        // Check what can be checked before touching the keychain: a name clash or an unreadable
        // file should not leave a token behind even for a moment.
        let list = self.file.load_strict()?;
        connections::check_unique(&list, &connection)?;

        let label = keychain_label(&connection);
        self.secrets
            .set(&connection.id, &label, secret)
            .map_err(keychain(KeychainAction::Save))?;

        if let Err(source) = self.file.add(connection.clone()) {
            let rollback = match self.secrets.delete(&connection.id) {
                Ok(()) | Err(SecretStoreError::NotFound) => None,
                Err(e) => Some(e),
            };
            return Err(StoreError::RecordFailed {
                source,
                rollback,
                label,
            });
        }
        Ok(connection)
    }

    /// Updates a connection's record (not its token). The keychain label follows a rename
    /// where the platform allows; that is cosmetic, so its failure is ignored.
    pub fn update(&self, connection: Connection) -> Result<Connection, StoreError> {
        let _g = self.guard();
        let connection = connection.normalized()?;
        let old = self.get_by_id(&connection.id)?;
        self.file.update(connection.clone())?;
        let label = keychain_label(&connection);
        if label != keychain_label(&old) {
            let _ = self.secrets.relabel(&connection.id, &label);
        }
        Ok(connection)
    }

    /// Removes a connection: the token from the keychain first, then the record. If the
    /// keychain cannot delete the token, the record is kept and the error returned.
    pub fn remove(&self, id: &str) -> Result<Removed, StoreError> {
        let _g = self.guard();
        let connection = self.get_by_id(id)?;
        let keychain_entry_was_missing = match self.secrets.delete(&connection.id) {
            Ok(()) => false,
            Err(SecretStoreError::NotFound) => true,
            Err(e) => return Err(keychain(KeychainAction::Delete)(e)),
        };
        self.file.remove(&connection.id)?;
        Ok(Removed {
            connection,
            keychain_entry_was_missing,
        })
    }

    /// Swaps the token of an existing connection. The caller has checked the new token with
    /// Bitbucket; this only stores it (and refreshes the keychain label).
    pub fn replace_secret(&self, id: &str, new_secret: &Secret) -> Result<(), StoreError> {
        if new_secret.expose().trim().is_empty() {
            return Err(StoreError::EmptySecret);
        }
        let _g = self.guard();
        let connection = self.get_by_id(id)?;
        self.secrets
            .set(&connection.id, &keychain_label(&connection), new_secret)
            .map_err(keychain(KeychainAction::Replace))
    }

    /// The token of a connection.
    pub fn secret(&self, id: &str) -> Result<Secret, StoreError> {
        let _g = self.guard();
        let connection = self.get_by_id(id)?;
        self.secrets
            .get(&connection.id)
            .map_err(keychain(KeychainAction::Read))
    }

    /// Whether the token of connection `id` is in the keychain. Reads it (and drops it at once,
    /// wiped); does not check that the connection exists.
    pub fn keychain_status(&self, id: &str) -> KeychainStatus {
        match self.secrets.get(id) {
            Ok(_secret) => KeychainStatus::Present,
            Err(SecretStoreError::NotFound) => KeychainStatus::Missing,
            Err(e) => KeychainStatus::Error {
                code: e.code().to_string(),
                message: e.user_message(),
                next_step: e.next_step(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::connections::tests::sample;
    use super::connections::SetAsideReason;
    use super::secrets::MemoryStore;
    use super::*;
    use std::path::Path;

    const TOKEN: &str = "ATCTT3xFfGN0canaryTOKENvalue0123456789";

    fn setup() -> (tempfile::TempDir, Arc<MemoryStore>, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mem = Arc::new(MemoryStore::new());
        let store = Store::new(
            ConnectionsFile::at(dir.path().join("config").join("connections.json")),
            mem.clone(),
        );
        (dir, mem, store)
    }

    /// Fails if any file under `dir` contains `needle`.
    fn assert_no_file_contains(dir: &Path, needle: &str) {
        let mut stack = vec![dir.to_path_buf()];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    seen += 1;
                    let bytes = std::fs::read(&p).unwrap();
                    let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
                    assert!(!found, "{} contains the secret", p.display());
                }
            }
        }
        assert!(seen > 0, "nothing was written under {}", dir.display());
    }

    #[test]
    fn label_reads_well() {
        let c = sample("Website CI");
        assert_eq!(
            keychain_label(&c),
            "Bitbucket Setup Assistant: acme/website (repository access token) – Website CI"
        );
        let mut c2 = sample("acme/website");
        c2.name = "ACME/Website".into();
        assert_eq!(
            keychain_label(&c2),
            "Bitbucket Setup Assistant: acme/website (repository access token)"
        );
        let mut w = sample("Everything in acme");
        w.repository = None;
        w.kind = crate::bitbucket::credential::CredentialKind::WorkspaceToken;
        assert_eq!(
            keychain_label(&w),
            "Bitbucket Setup Assistant: acme (workspace access token) – Everything in acme"
        );
    }

    #[test]
    fn save_new_writes_keychain_then_record() {
        let (dir, mem, store) = setup();
        let c = store
            .save_new(sample("  Website CI "), &Secret::new(TOKEN))
            .unwrap();
        assert_eq!(c.name, "Website CI");
        assert_eq!(mem.get(&c.id).unwrap().expose(), TOKEN);
        assert_eq!(mem.label(&c.id).unwrap(), keychain_label(&c));
        assert_eq!(store.list().unwrap().connections, vec![c.clone()]);
        assert_eq!(store.secret(&c.id).unwrap().expose(), TOKEN);
        assert_eq!(store.keychain_status(&c.id), KeychainStatus::Present);
        assert_no_file_contains(dir.path(), TOKEN);
    }

    #[test]
    fn save_new_with_keychain_down_writes_nothing() {
        let (dir, mem, store) = setup();
        mem.set_fail_all(Some(SecretStoreError::Unavailable {
            cause: "DBus error: Failed to connect to socket /nonexistent".into(),
        }));
        let e = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap_err();
        assert!(matches!(
            e,
            StoreError::Keychain {
                action: KeychainAction::Save,
                source: SecretStoreError::Unavailable { .. }
            }
        ));
        let msg = e.user_message();
        assert!(msg.contains("Your token was not saved anywhere."), "{msg}");
        assert!(!msg.contains(TOKEN) && !format!("{e:?}").contains(TOKEN));
        assert!(!store.file().path().exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing at all was written"
        );
        assert!(mem.is_empty());
    }

    #[test]
    fn save_new_refuses_duplicates_before_touching_the_keychain() {
        let (_d, mem, store) = setup();
        store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        let dup = sample("website ci");
        let e = store
            .save_new(dup.clone(), &Secret::new("ATCTother"))
            .unwrap_err();
        assert_eq!(e.code(), "duplicate_name");
        assert!(!mem.contains(&dup.id));
        assert_eq!(mem.len(), 1);
        assert!(matches!(
            store.save_new(sample("Empty"), &Secret::new("  ")),
            Err(StoreError::EmptySecret)
        ));
        let mut bad = sample("x");
        bad.name = " ".into();
        assert!(store.save_new(bad, &Secret::new(TOKEN)).is_err());
        assert_eq!(mem.len(), 1);
    }

    /// A keychain that stores fine, then lets `after_set` break the file system underneath the
    /// store (as a crash, a full disk or another process would).
    struct Sabotage<F: Fn() + Send + Sync> {
        inner: Arc<MemoryStore>,
        after_set: F,
    }
    impl<F: Fn() + Send + Sync> SecretStore for Sabotage<F> {
        fn set(&self, a: &str, l: &str, s: &Secret) -> Result<(), SecretStoreError> {
            self.inner.set(a, l, s)?;
            (self.after_set)();
            Ok(())
        }
        fn get(&self, a: &str) -> Result<Secret, SecretStoreError> {
            self.inner.get(a)
        }
        fn delete(&self, a: &str) -> Result<(), SecretStoreError> {
            self.inner.delete(a)
        }
        fn backend_name(&self) -> &'static str {
            "sabotage"
        }
    }

    fn sabotaged_store(dir: &Path, mem: Arc<MemoryStore>) -> Store {
        let cfg = dir.join("config");
        let cfg2 = cfg.clone();
        Store::new(
            ConnectionsFile::at(cfg.join("connections.json")),
            Arc::new(Sabotage {
                inner: mem,
                // The config folder turns into a plain file: the record cannot be written.
                after_set: move || {
                    let _ = std::fs::remove_dir_all(&cfg2);
                    std::fs::write(&cfg2, b"not a folder").unwrap();
                },
            }),
        )
    }

    #[test]
    fn record_failure_rolls_the_keychain_back() {
        let dir = tempfile::tempdir().unwrap();
        let mem = Arc::new(MemoryStore::new());
        let store = sabotaged_store(dir.path(), mem.clone());
        let e = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap_err();
        assert!(
            matches!(e, StoreError::RecordFailed { rollback: None, .. }),
            "{e:?}"
        );
        assert!(mem.is_empty(), "the token must be deleted again");
        let msg = e.user_message();
        assert!(msg.contains("removed from the keychain again"), "{msg}");
        assert!(!msg.contains(TOKEN));
    }

    #[test]
    fn failed_rollback_names_the_item_to_delete() {
        let dir = tempfile::tempdir().unwrap();
        let mem = Arc::new(MemoryStore::new());
        mem.set_fail_on_delete(Some(SecretStoreError::Locked));
        let store = sabotaged_store(dir.path(), mem.clone());
        let c = sample("Website CI");
        let e = store.save_new(c.clone(), &Secret::new(TOKEN)).unwrap_err();
        assert!(matches!(
            e,
            StoreError::RecordFailed {
                rollback: Some(SecretStoreError::Locked),
                ..
            }
        ));
        let msg = e.user_message();
        assert!(msg.contains(&keychain_label(&c)), "{msg}");
        assert!(!msg.contains(TOKEN));
    }

    #[test]
    fn remove_keeps_the_record_when_the_keychain_delete_fails() {
        let (_d, mem, store) = setup();
        let c = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        mem.set_fail_on_delete(Some(SecretStoreError::Locked));
        let e = store.remove(&c.id).unwrap_err();
        assert!(matches!(
            e,
            StoreError::Keychain {
                action: KeychainAction::Delete,
                source: SecretStoreError::Locked
            }
        ));
        let msg = e.user_message();
        assert!(
            msg.contains("Unlock your keyring") || cfg!(not(target_os = "linux")),
            "{msg}"
        );
        assert!(msg.contains("The connection was kept"), "{msg}");
        assert_eq!(store.list().unwrap().connections, vec![c.clone()]);
        assert!(mem.contains(&c.id));

        // Once the keychain works again, removal goes through.
        mem.set_fail_on_delete(None);
        let removed = store.remove(&c.id).unwrap();
        assert!(!removed.keychain_entry_was_missing);
        assert!(store.list().unwrap().connections.is_empty());
        assert!(!mem.contains(&c.id));
    }

    #[test]
    fn remove_when_the_token_is_already_gone() {
        let (_d, mem, store) = setup();
        let c = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        mem.delete(&c.id).unwrap();
        assert_eq!(store.keychain_status(&c.id), KeychainStatus::Missing);
        let removed = store.remove(&c.id).unwrap();
        assert!(removed.keychain_entry_was_missing);
        assert_eq!(removed.connection.id, c.id);
        assert!(store.list().unwrap().connections.is_empty());
        assert_eq!(store.remove(&c.id).unwrap_err().code(), "not_found");
    }

    #[test]
    fn replace_secret_swaps_only_the_token() {
        let (dir, mem, store) = setup();
        let c = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        let before = std::fs::read(store.file().path()).unwrap();
        let new = "ATCTnewCANARYtoken987654321";
        store.replace_secret(&c.id, &Secret::new(new)).unwrap();
        assert_eq!(store.secret(&c.id).unwrap().expose(), new);
        assert_eq!(
            std::fs::read(store.file().path()).unwrap(),
            before,
            "record untouched"
        );
        assert_no_file_contains(dir.path(), new);
        assert_no_file_contains(dir.path(), TOKEN);

        // A keychain failure leaves the old token in place.
        mem.set_fail_on_set(Some(SecretStoreError::Denied));
        let e = store
            .replace_secret(&c.id, &Secret::new("ATCTthird"))
            .unwrap_err();
        assert!(
            e.user_message().contains("still uses the old one"),
            "{}",
            e.user_message()
        );
        mem.set_fail_on_set(None);
        assert_eq!(store.secret(&c.id).unwrap().expose(), new);

        // Unknown connection: nothing is written to the keychain.
        let ghost = sample("Ghost");
        assert_eq!(
            store
                .replace_secret(&ghost.id, &Secret::new(new))
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert!(!mem.contains(&ghost.id));
        assert!(matches!(
            store.replace_secret(&c.id, &Secret::new("")),
            Err(StoreError::EmptySecret)
        ));
    }

    #[test]
    fn replace_secret_restores_a_missing_entry() {
        let (_d, mem, store) = setup();
        let c = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        mem.delete(&c.id).unwrap();
        assert_eq!(
            store.secret(&c.id).unwrap_err().code(),
            "keychain_not_found"
        );
        store
            .replace_secret(&c.id, &Secret::new("ATCTback"))
            .unwrap();
        assert_eq!(store.keychain_status(&c.id), KeychainStatus::Present);
    }

    #[test]
    fn update_relabels_the_keychain_entry() {
        let (_d, mem, store) = setup();
        let c = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        let mut renamed = c.clone();
        renamed.name = "Website deploys".into();
        store.update(renamed.clone()).unwrap();
        assert_eq!(mem.label(&c.id).unwrap(), keychain_label(&renamed));
        assert_eq!(store.find("website DEPLOYS").unwrap().unwrap().id, c.id);
        assert_eq!(mem.get(&c.id).unwrap().expose(), TOKEN);
    }

    #[test]
    fn keychain_status_reports_errors_plainly() {
        let (_d, mem, store) = setup();
        mem.set_fail_all(Some(SecretStoreError::Locked));
        match store.keychain_status("any") {
            KeychainStatus::Error {
                code,
                message,
                next_step,
            } => {
                assert_eq!(code, "keychain_locked");
                assert!(message.ends_with(&next_step));
            }
            other => panic!("{other:?}"),
        }
        let json = serde_json::to_value(KeychainStatus::Missing).unwrap();
        assert_eq!(json, serde_json::json!({"status": "missing"}));
    }

    #[test]
    fn corrupt_file_blocks_save_new_before_the_keychain() {
        let (_d, mem, store) = setup();
        std::fs::create_dir_all(store.file().path().parent().unwrap()).unwrap();
        std::fs::write(store.file().path(), b"{broken").unwrap();
        let e = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap_err();
        let StoreError::Connections(ConnectionsError::SetAside(aside)) = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(aside.reason, SetAsideReason::Corrupt { .. }));
        assert_eq!(std::fs::read(&aside.path).unwrap(), b"{broken");
        assert!(mem.is_empty());
        // Trying again works, on a fresh list.
        store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        assert_eq!(store.list().unwrap().connections.len(), 1);
    }

    #[test]
    fn concurrent_saves_lose_nothing() {
        let (dir, mem, store) = setup();
        let store = Arc::new(store);
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    store
                        .save_new(
                            sample(&format!("Connection {i}")),
                            &Secret::new(format!("{TOKEN}{i}")),
                        )
                        .unwrap()
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(store.list().unwrap().connections.len(), 8);
        assert_eq!(mem.len(), 8);
        assert_no_file_contains(dir.path(), TOKEN);
    }

    #[test]
    fn errors_never_show_the_secret() {
        let (_d, mem, store) = setup();
        let c = store
            .save_new(sample("Website CI"), &Secret::new(TOKEN))
            .unwrap();
        for err in [
            SecretStoreError::Unavailable { cause: "x".into() },
            SecretStoreError::Locked,
            SecretStoreError::Denied,
            SecretStoreError::Other { cause: "y".into() },
        ] {
            mem.set_fail_all(Some(err));
            for e in [
                store.secret(&c.id).unwrap_err(),
                store
                    .replace_secret(&c.id, &Secret::new(TOKEN))
                    .unwrap_err(),
                store.remove(&c.id).unwrap_err(),
            ] {
                assert!(!e.to_string().contains(TOKEN));
                assert!(!e.user_message().contains(TOKEN));
                assert!(!format!("{e:?}").contains(TOKEN));
            }
        }
        assert!(!format!("{store:?}").contains(TOKEN));
    }
}
