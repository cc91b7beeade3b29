//! Saved connections: the record in a JSON file ([`connections`]), the token in the OS keychain
//! ([`secrets`]), and [`Store`], which keeps the two in step.
//!
//! Every change holds the connections file's cross-process lock from reading the list to
//! writing it, with the keychain change inside ([`connections::Txn`]), and is ordered so that a
//! failure leaves both as they were or says exactly what changed:
//! * **save**: keychain first, record second; if the record cannot be written, the keychain
//!   entry is deleted again (and if even that fails, the error says which keychain item to
//!   delete by hand).
//! * **remove**: record first, keychain second; if the keychain cannot delete the token, the
//!   record is written back, so nothing changed (and if even that fails, the error says the
//!   connection is gone from the list but its token is still in the keychain, under which
//!   name). A token already gone from the keychain is fine.
//! * **replace token**: the new token into the keychain, then the record; if the record cannot
//!   be written, the old token is put back (and if that fails, the error says the connection
//!   now uses the new token with its old record).
//! * **record a check**: the result is written only if the connection did not change while it
//!   was being checked (a token replaced meanwhile is not overwritten by a stale record).
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

/// The keychain account of the API key of a service (`to`, e.g. "n8n") at `url`: "n8n:<url>".
/// A connection's account is its UUID, so the two never meet.
pub fn service_key_account(to: &str, url: &str) -> String {
    format!("{to}:{url}")
}

/// Whether a connection's token is in the keychain, for the connections view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KeychainStatus {
    Present,
    Missing,
    /// The keychain could not be asked. `message` says why and, as `next_step` alone, what to
    /// do about it on this system.
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

/// Problems of [`Store`]: `Display` is the user's sentence, what happened, what it means for
/// the user's data and what to do. Messages never contain a secret.
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
    #[error("The connection could not be saved: {source} {}", match rollback {
        None => "The token was removed from the keychain again, so nothing was kept.".to_string(),
        Some(r) => format!("The token could not be removed from the keychain again ({}). Delete the item \"{label}\" in your keychain app.", r.summary()),
    })]
    RecordFailed {
        #[source]
        source: ConnectionsError,
        rollback: Option<SecretStoreError>,
        /// The label of the keychain item left behind, when the rollback failed.
        label: String,
    },
    /// Remove: the record was taken out of the list, the keychain could not delete the token,
    /// and the record was put back (`restore` is `None`) or could not be (`Some`).
    #[error("{}", match restore {
        None => format!("{} The connection was kept: nothing was changed.", keychain.user_message_for(KeychainAction::Delete)),
        Some(r) => format!("The connection was removed from the list, but its token is still in the keychain: deleting it failed ({}) and putting the connection back failed too ({r}). Delete the item \"{label}\" in your keychain app.", keychain.summary()),
    })]
    RemoveFailed {
        keychain: SecretStoreError,
        restore: Option<ConnectionsError>,
        label: String,
    },
    /// Replace: the new token went into the keychain, the record could not be written, and the
    /// old token was put back (`restore` is `None`) or could not be.
    #[error("{}", match restore {
        None => format!("The new token passed the check, but the connection could not be updated: {source} The old token was put back, so nothing was changed."),
        Some(r) => format!("The new token is in the keychain, but the connection could not be updated ({source}) and the old token could not be put back ({}). The connection now uses the new token; its expiry date and scopes shown are the old token's: replace the token again once the problem is fixed.", r.summary()),
    })]
    ReplaceFailed {
        #[source]
        source: ConnectionsError,
        restore: Option<SecretStoreError>,
    },
    #[error("There is no token to save. Paste the token first.")]
    EmptySecret,
}

impl StoreError {
    /// A short machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Keychain { source, .. } => source.code(),
            StoreError::Connections(ConnectionsError::NotFound { .. }) => "not_found",
            StoreError::Connections(ConnectionsError::DuplicateName { .. }) => "duplicate_name",
            StoreError::Connections(ConnectionsError::Busy { .. }) => "busy",
            StoreError::Connections(_) => "connections_file",
            StoreError::RecordFailed { .. } => "record_failed",
            StoreError::RemoveFailed { keychain, restore: None, .. } => keychain.code(),
            StoreError::RemoveFailed { .. } => "remove_failed",
            StoreError::ReplaceFailed { .. } => "replace_failed",
            StoreError::EmptySecret => "empty_secret",
        }
    }
}

/// What [`Store::record_check`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// The result is in the record, as returned.
    Saved(Box<Connection>),
    /// The connection changed (its token was replaced, or it was removed) while it was being
    /// checked: the result belongs to the old state and was not recorded.
    Changed,
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

    /// All connections, with what was set aside and not yet seen.
    pub fn list(&self) -> Result<Loaded, StoreError> {
        let _g = self.guard();
        Ok(self.file.load()?)
    }

    /// The user has seen what was set aside (in the window or in `list`).
    pub fn acknowledge_set_aside(&self) -> Result<(), StoreError> {
        let _g = self.guard();
        Ok(self.file.acknowledge_set_aside()?)
    }

    /// By id, or by name (trimmed, case-insensitive).
    pub fn find(&self, name_or_id: &str) -> Result<Option<Connection>, StoreError> {
        let _g = self.guard();
        Ok(self.file.find(name_or_id)?)
    }

    /// The connection with this id.
    fn get_by_id(&self, id: &str) -> Result<Connection, StoreError> {
        let key = id.trim();
        self.file
            .load()?
            .connections
            .into_iter()
            .find(|c| c.id.eq_ignore_ascii_case(key))
            .ok_or_else(|| ConnectionsError::NotFound { what: id.to_string() }.into())
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
        let mut tx = self.file.begin()?;
        // Check what can be checked before touching the keychain: a name clash or an unreadable
        // file should not leave a token behind even for a moment.
        connections::check_unique(&tx.list, &connection)?;

        let label = keychain_label(&connection);
        self.secrets
            .set(&connection.id, &label, secret)
            .map_err(keychain(KeychainAction::Save))?;

        tx.list.push(connection.clone());
        if let Err(source) = tx.commit() {
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
        let mut tx = self.file.begin()?;
        let old = tx.list.iter().find(|c| c.id == connection.id).cloned();
        connections::replace_in(&mut tx.list, connection.clone())?;
        tx.commit()?;
        let label = keychain_label(&connection);
        if old.is_some_and(|o| label != keychain_label(&o)) {
            let _ = self.secrets.relabel(&connection.id, &label);
        }
        Ok(connection)
    }

    /// Records the result of a check of `checked` with `secret`: `apply` changes the record,
    /// which is written only if what was checked is still what is saved — the same token in
    /// the keychain and the same settings the check used (kind, email, place, API, target).
    pub fn record_check(
        &self,
        checked: &Connection,
        secret: &Secret,
        apply: impl FnOnce(&mut Connection),
    ) -> Result<Recorded, StoreError> {
        let _g = self.guard();
        let mut tx = self.file.begin()?;
        let Some(current) = tx.list.iter_mut().find(|c| c.id == checked.id) else {
            return Ok(Recorded::Changed);
        };
        let same_settings = current.kind == checked.kind
            && current.email == checked.email
            && current.username == checked.username
            && current.workspace == checked.workspace
            && current.repository == checked.repository
            && current.api_url == checked.api_url
            && current.preset == checked.preset
            && (current.preset != crate::presets::PresetId::Custom || current.granted_scopes == checked.granted_scopes);
        let same_token = self.secrets.get(&checked.id).is_ok_and(|s| s.expose() == secret.expose());
        if !(same_settings && same_token) {
            return Ok(Recorded::Changed);
        }
        apply(current);
        let saved = current.clone();
        tx.commit()?;
        Ok(Recorded::Saved(Box::new(saved)))
    }

    /// Removes a connection: the record first, then the token from the keychain. If the
    /// keychain cannot delete the token, the record is written back.
    pub fn remove(&self, id: &str) -> Result<Removed, StoreError> {
        let _g = self.guard();
        let mut tx = self.file.begin()?;
        let key = id.trim();
        let Some(connection) = tx.list.iter().find(|c| c.id.eq_ignore_ascii_case(key)).cloned() else {
            return Err(ConnectionsError::NotFound { what: id.to_string() }.into());
        };
        let before = tx.list.clone();
        tx.list.retain(|c| c.id != connection.id);
        tx.commit()?;
        let keychain_entry_was_missing = match self.secrets.delete(&connection.id) {
            Ok(()) => false,
            Err(SecretStoreError::NotFound) => true,
            Err(keychain) => {
                let restore = tx.write(&before).err();
                return Err(StoreError::RemoveFailed { keychain, restore, label: keychain_label(&connection) });
            }
        };
        Ok(Removed {
            connection,
            keychain_entry_was_missing,
        })
    }

    /// Replaces the token of a connection whose new token passed the check, and its record
    /// (`updated`: same id): the new token into the keychain, then the record; the old token
    /// is put back if the record cannot be written.
    pub fn replace_token(&self, updated: Connection, new_secret: &Secret) -> Result<Connection, StoreError> {
        if new_secret.expose().trim().is_empty() {
            return Err(StoreError::EmptySecret);
        }
        let _g = self.guard();
        let updated = updated.normalized()?;
        let mut tx = self.file.begin()?;
        if !tx.list.iter().any(|c| c.id == updated.id) {
            return Err(ConnectionsError::NotFound { what: updated.name.clone() }.into());
        }
        let old_secret = match self.secrets.get(&updated.id) {
            Ok(s) => Some(s),
            Err(SecretStoreError::NotFound) => None,
            Err(e) => return Err(keychain(KeychainAction::Replace)(e)),
        };
        let label = keychain_label(&updated);
        self.secrets
            .set(&updated.id, &label, new_secret)
            .map_err(keychain(KeychainAction::Replace))?;
        let written = connections::replace_in(&mut tx.list, updated.clone()).and_then(|()| tx.commit());
        if let Err(source) = written {
            let restore = match &old_secret {
                Some(old) => self.secrets.set(&updated.id, &label, old).err(),
                None => match self.secrets.delete(&updated.id) {
                    Ok(()) | Err(SecretStoreError::NotFound) => None,
                    Err(e) => Some(e),
                },
            };
            return Err(StoreError::ReplaceFailed { source, restore });
        }
        Ok(updated)
    }

    /// The token of a connection.
    pub fn secret(&self, id: &str) -> Result<Secret, StoreError> {
        let _g = self.guard();
        let connection = self.get_by_id(id)?;
        self.secrets
            .get(&connection.id)
            .map_err(keychain(KeychainAction::Read))
    }

    /// Records that connection `id` was sent somewhere ([`Connection::note_sent`]), changing
    /// nothing else in its record. Returns the record as stored.
    pub fn record_sent(&self, id: &str, sent: connections::Sent) -> Result<Connection, StoreError> {
        let _g = self.guard();
        let mut tx = self.file.begin()?;
        let Some(current) = tx.list.iter_mut().find(|c| c.id == id) else {
            return Err(ConnectionsError::NotFound { what: id.to_string() }.into());
        };
        current.note_sent(sent);
        let saved = current.clone();
        tx.commit()?;
        Ok(saved)
    }

    /// Records that an export file was written for connection `id` at `written.path`
    /// ([`Connection::note_export`]). A path belongs to the connection last written there: it
    /// is taken off any other connection's list, whose file it no longer is. Changes nothing
    /// else. Returns the record as stored.
    pub fn record_export(&self, id: &str, written: connections::WrittenExport) -> Result<Connection, StoreError> {
        let _g = self.guard();
        let mut tx = self.file.begin()?;
        if !tx.list.iter().any(|c| c.id == id) {
            return Err(ConnectionsError::NotFound { what: id.to_string() }.into());
        }
        for other in tx.list.iter_mut().filter(|c| c.id != id) {
            other.exports.retain(|e| e.path != written.path);
        }
        let current = tx.list.iter_mut().find(|c| c.id == id).expect("checked above");
        current.note_export(written);
        let saved = current.clone();
        tx.commit()?;
        Ok(saved)
    }

    /// Changes the export files recorded for connection `id` (and nothing else in its record)
    /// with `apply`, reading and writing the list under its lock. Returns the record as stored.
    pub fn change_exports(
        &self,
        id: &str,
        apply: impl FnOnce(&mut Vec<connections::WrittenExport>),
    ) -> Result<Connection, StoreError> {
        let _g = self.guard();
        let mut tx = self.file.begin()?;
        let Some(current) = tx.list.iter_mut().find(|c| c.id == id) else {
            return Err(ConnectionsError::NotFound { what: id.to_string() }.into());
        };
        apply(&mut current.exports);
        let saved = current.clone();
        tx.commit()?;
        Ok(saved)
    }

    /// Keeps the API key of the service `to` (e.g. "n8n") at `url` in the keychain, as its own
    /// item ([`service_key_account`]), so that sending there again needs no key.
    pub fn put_service_key(&self, to: &str, url: &str, key: &Secret) -> Result<(), SecretStoreError> {
        let label = format!("Bitbucket Setup Assistant: {to} API key for {url}");
        self.secrets.set(&service_key_account(to, url), &label, key)
    }

    /// The API key kept for the service `to` at `url`; `None` when none is kept.
    pub fn service_key(&self, to: &str, url: &str) -> Result<Option<Secret>, StoreError> {
        match self.secrets.get(&service_key_account(to, url)) {
            Ok(key) => Ok(Some(key)),
            Err(SecretStoreError::NotFound) => Ok(None),
            Err(e) => Err(keychain(KeychainAction::Read)(e)),
        }
    }

    /// Whether the token of connection `id` is in the keychain. Reads it (and drops it at once,
    /// wiped); does not check that the connection exists.
    pub fn keychain_status(&self, id: &str) -> KeychainStatus {
        match self.secrets.get(id) {
            Ok(_secret) => KeychainStatus::Present,
            Err(SecretStoreError::NotFound) => KeychainStatus::Missing,
            Err(e) => KeychainStatus::Error {
                code: e.code().to_string(),
                message: e.to_string(),
                next_step: e.remedy().unwrap_or_default().to_string(),
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

    /// Every file under `dir`.
    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Fails if any file under `dir` contains `needle`.
    fn assert_no_file_contains(dir: &Path, needle: &str) {
        let files = walk(dir);
        for p in &files {
            let bytes = std::fs::read(p).unwrap();
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{} contains the secret", p.display());
        }
        assert!(!files.is_empty(), "nothing was written under {}", dir.display());
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
        let msg = e.to_string();
        assert!(msg.contains("Your token was not saved anywhere."), "{msg}");
        assert!(!msg.contains(TOKEN) && !format!("{e:?}").contains(TOKEN));
        assert!(!store.file().path().exists());
        assert_no_file_contains(dir.path(), TOKEN);
        let written: Vec<_> = walk(dir.path()).into_iter().filter(|p| !p.ends_with(".connections.json.lock")).collect();
        assert!(written.is_empty(), "nothing but the lock file was written: {written:?}");
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
        let msg = e.to_string();
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
        let msg = e.to_string();
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
        assert!(matches!(e, StoreError::RemoveFailed { keychain: SecretStoreError::Locked, restore: None, .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("Unlock your keyring") || cfg!(not(target_os = "linux")), "{msg}");
        assert!(msg.contains("nothing was changed"), "{msg}");
        assert_eq!(store.list().unwrap().connections, vec![c.clone()], "the record was put back");
        assert!(mem.contains(&c.id));

        // Once the keychain works again, removal goes through.
        mem.set_fail_on_delete(None);
        let removed = store.remove(&c.id).unwrap();
        assert!(!removed.keychain_entry_was_missing);
        assert!(store.list().unwrap().connections.is_empty());
        assert!(!mem.contains(&c.id));
    }

    #[test]
    fn remove_while_another_process_holds_the_list_loses_nothing() {
        let (_d, mem, store) = setup();
        let c = store.save_new(sample("Website CI"), &Secret::new(TOKEN)).unwrap();
        let impatient = Store::new(store.file().clone().with_lock_wait(std::time::Duration::from_millis(100)), mem.clone());
        let held = ConnectionsFile::at(store.file().path().to_path_buf()).lock().unwrap();
        let e = impatient.remove(&c.id).unwrap_err();
        assert_eq!(e.code(), "busy", "{e:?}");
        assert!(e.to_string().contains("nothing was changed"), "{}", e.to_string());
        drop(held);
        assert_eq!(mem.get(&c.id).unwrap().expose(), TOKEN, "the token is still in the keychain");
        assert_eq!(store.list().unwrap().connections, vec![c]);
    }

    #[test]
    fn remove_when_the_folder_cannot_be_written_loses_nothing() {
        let (d, mem, store) = setup();
        let c = store.save_new(sample("Website CI"), &Secret::new(TOKEN)).unwrap();
        // The config folder turns into a plain file: nothing can be read or written there.
        let cfg = d.path().join("config");
        let saved = std::fs::read(store.file().path()).unwrap();
        std::fs::remove_dir_all(&cfg).unwrap();
        std::fs::write(&cfg, b"not a folder").unwrap();
        assert!(store.remove(&c.id).is_err());
        assert_eq!(mem.get(&c.id).unwrap().expose(), TOKEN, "the token is still in the keychain");
        std::fs::remove_file(&cfg).unwrap();
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(store.file().path(), saved).unwrap();
        assert_eq!(store.list().unwrap().connections, vec![c]);
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
    fn replace_token_changes_token_and_record_together() {
        let (dir, mem, store) = setup();
        let c = store.save_new(sample("Website CI"), &Secret::new(TOKEN)).unwrap();
        let new = "ATCTnewCANARYtoken987654321";
        let mut updated = c.clone();
        updated.expires = chrono::NaiveDate::from_ymd_opt(2027, 6, 30);
        store.replace_token(updated.clone(), &Secret::new(new)).unwrap();
        assert_eq!(store.secret(&c.id).unwrap().expose(), new);
        assert_eq!(store.list().unwrap().connections, vec![updated.clone()]);
        assert_no_file_contains(dir.path(), new);
        assert_no_file_contains(dir.path(), TOKEN);

        // A keychain failure changes nothing.
        mem.set_fail_on_set(Some(SecretStoreError::Denied));
        let e = store.replace_token(c.clone(), &Secret::new("ATCTthird")).unwrap_err();
        assert!(e.to_string().contains("still uses the old one"), "{}", e.to_string());
        mem.set_fail_on_set(None);
        assert_eq!(store.secret(&c.id).unwrap().expose(), new);
        assert_eq!(store.list().unwrap().connections, vec![updated]);

        // Unknown connection: nothing is written to the keychain.
        let ghost = sample("Ghost");
        assert_eq!(store.replace_token(ghost.clone(), &Secret::new(new)).unwrap_err().code(), "not_found");
        assert!(!mem.contains(&ghost.id));
        assert!(matches!(store.replace_token(c, &Secret::new("")), Err(StoreError::EmptySecret)));
    }

    #[test]
    fn replace_token_puts_the_old_token_back_when_the_record_fails() {
        let dir = tempfile::tempdir().unwrap();
        let mem = Arc::new(MemoryStore::new());
        let c = sample("Website CI");
        {
            let plain = Store::new(ConnectionsFile::at(dir.path().join("config").join("connections.json")), mem.clone());
            plain.save_new(c.clone(), &Secret::new(TOKEN)).unwrap();
        }
        // The keychain write succeeds, then the folder becomes unwritable.
        let store = sabotaged_store(dir.path(), mem.clone());
        let e = store.replace_token(c.clone(), &Secret::new("ATCTnewtoken")).unwrap_err();
        assert!(matches!(e, StoreError::ReplaceFailed { restore: None, .. }), "{e:?}");
        assert!(e.to_string().contains("The old token was put back, so nothing was changed"), "{}", e.to_string());
        assert_eq!(mem.get(&c.id).unwrap().expose(), TOKEN);
    }

    #[test]
    fn a_check_result_is_not_recorded_over_a_newer_change() {
        let (_d, _mem, store) = setup();
        let c = store.save_new(sample("Website CI"), &Secret::new(TOKEN)).unwrap();
        let old = Secret::new(TOKEN);
        // The token is replaced while a re-check of the old one runs.
        let mut replaced = c.clone();
        replaced.expires = chrono::NaiveDate::from_ymd_opt(2027, 6, 30);
        let new = Secret::new("ATCTnewtoken");
        store.replace_token(replaced.clone(), &new).unwrap();
        let outcome = store.record_check(&c, &old, |u| u.granted_scopes = vec!["stale".into()]).unwrap();
        assert_eq!(outcome, Recorded::Changed);
        assert_eq!(store.list().unwrap().connections, vec![replaced.clone()], "the newer record stays");
        // A check of the current token is recorded, also twice in a row.
        for scope in ["fresh", "fresher"] {
            let Recorded::Saved(saved) = store.record_check(&replaced, &new, |u| u.granted_scopes = vec![scope.into()]).unwrap() else {
                panic!("not recorded")
            };
            assert_eq!(saved.granted_scopes, vec![scope.to_string()]);
        }
        // Settings changed meanwhile (another workspace): not recorded either.
        let mut moved = replaced.clone();
        moved.workspace = "other".into();
        assert_eq!(store.record_check(&moved, &new, |_| {}).unwrap(), Recorded::Changed);
        let mut gone = c.clone();
        gone.id = Connection::new_id();
        assert_eq!(store.record_check(&gone, &new, |_| {}).unwrap(), Recorded::Changed);
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
    fn a_sent_credential_is_recorded_and_its_service_key_kept_apart() {
        let (dir, mem, store) = setup();
        let c = store.save_new(sample("Website CI"), &Secret::new(TOKEN)).unwrap();
        let url = "https://n8n.example.com";
        assert!(store.service_key("n8n", url).unwrap().is_none());
        store.put_service_key("n8n", url, &Secret::new("n8n-api-key-CANARY")).unwrap();
        assert_eq!(store.service_key("n8n", url).unwrap().unwrap().expose(), "n8n-api-key-CANARY");
        assert!(mem.contains("n8n:https://n8n.example.com"));
        assert_eq!(store.secret(&c.id).unwrap().expose(), TOKEN, "the connection's token is untouched");
        let at = chrono::Utc::now();
        let sent = |id: &str| connections::Sent { to: "n8n".into(), url: url.into(), credential_id: id.into(), at };
        store.record_sent(&c.id, sent("abc")).unwrap();
        let saved = store.record_sent(&c.id, sent("def")).unwrap();
        assert_eq!(saved.sent, vec![sent("def")], "sending again to the same place replaces the record");
        assert_eq!(store.find("Website CI").unwrap().unwrap().sent_to("n8n", url).unwrap().credential_id, "def");
        assert_no_file_contains(dir.path(), "n8n-api-key-CANARY");
        assert_eq!(store.record_sent("nobody", sent("x")).unwrap_err().code(), "not_found");
        mem.set_fail_all(Some(SecretStoreError::Locked));
        assert_eq!(store.service_key("n8n", url).unwrap_err().code(), "keychain_locked");
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
    fn a_corrupt_file_is_set_aside_and_the_save_goes_on_a_fresh_list() {
        let (_d, mem, store) = setup();
        std::fs::create_dir_all(store.file().path().parent().unwrap()).unwrap();
        std::fs::write(store.file().path(), b"{broken").unwrap();
        store.save_new(sample("Website CI"), &Secret::new(TOKEN)).unwrap();
        let loaded = store.list().unwrap();
        assert_eq!(loaded.connections.len(), 1);
        assert_eq!(mem.len(), 1);
        let aside = &loaded.set_aside[0];
        assert!(matches!(aside.reason, SetAsideReason::Corrupt { .. }));
        assert_eq!(std::fs::read(&aside.path).unwrap(), b"{broken", "the broken file's bytes are kept");
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
                store.replace_token(c.clone(), &Secret::new(TOKEN)).unwrap_err(),
                store.remove(&c.id).unwrap_err(),
            ] {
                assert!(!e.to_string().contains(TOKEN));
                assert!(!e.to_string().contains(TOKEN));
                assert!(!format!("{e:?}").contains(TOKEN));
            }
        }
        assert!(!format!("{store:?}").contains(TOKEN));
    }
}
