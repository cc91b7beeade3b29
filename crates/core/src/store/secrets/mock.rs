//! An in-memory [`SecretStore`] for tests, which can be told to fail.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{SecretStore, SecretStoreError};
use crate::bitbucket::credential::Secret;

/// An in-memory [`SecretStore`] for tests. It can be told to fail.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    /// account → (label, secret)
    entries: HashMap<String, (String, Secret)>,
    fail_all: Option<SecretStoreError>,
    fail_on_set: Option<SecretStoreError>,
    fail_on_get: Option<SecretStoreError>,
    fail_on_delete: Option<SecretStoreError>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.inner.lock().map(|i| i.entries.len()).unwrap_or(0);
        f.debug_struct("MemoryStore").field("entries", &n).finish()
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// A store whose every operation fails with `err`.
    pub fn failing(err: SecretStoreError) -> Self {
        let store = MemoryStore::default();
        store.lock().fail_all = Some(err);
        store
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes every operation fail with `err` (`None` to stop).
    pub fn set_fail_all(&self, err: Option<SecretStoreError>) {
        self.lock().fail_all = err;
    }

    pub fn set_fail_on_set(&self, err: Option<SecretStoreError>) {
        self.lock().fail_on_set = err;
    }

    pub fn set_fail_on_get(&self, err: Option<SecretStoreError>) {
        self.lock().fail_on_get = err;
    }

    pub fn set_fail_on_delete(&self, err: Option<SecretStoreError>) {
        self.lock().fail_on_delete = err;
    }

    /// The label stored for `account`.
    pub fn label(&self, account: &str) -> Option<String> {
        self.lock().entries.get(account).map(|(l, _)| l.clone())
    }

    pub fn contains(&self, account: &str) -> bool {
        self.lock().entries.contains_key(account)
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, account: &str, label: &str, secret: &Secret) -> Result<(), SecretStoreError> {
        let mut inner = self.lock();
        if let Some(e) = inner.fail_all.clone().or_else(|| inner.fail_on_set.clone()) {
            return Err(e);
        }
        inner
            .entries
            .insert(account.to_string(), (label.to_string(), secret.clone()));
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Secret, SecretStoreError> {
        let inner = self.lock();
        if let Some(e) = inner.fail_all.clone().or_else(|| inner.fail_on_get.clone()) {
            return Err(e);
        }
        inner
            .entries
            .get(account)
            .map(|(_, s)| s.clone())
            .ok_or(SecretStoreError::NotFound)
    }

    fn delete(&self, account: &str) -> Result<(), SecretStoreError> {
        let mut inner = self.lock();
        if let Some(e) = inner
            .fail_all
            .clone()
            .or_else(|| inner.fail_on_delete.clone())
        {
            return Err(e);
        }
        inner
            .entries
            .remove(account)
            .map(|_| ())
            .ok_or(SecretStoreError::NotFound)
    }

    fn backend_name(&self) -> &'static str {
        "memory (tests)"
    }

    fn relabel(&self, account: &str, label: &str) -> Result<(), SecretStoreError> {
        let mut inner = self.lock();
        if let Some(e) = inner.fail_all.clone() {
            return Err(e);
        }
        match inner.entries.get_mut(account) {
            Some(entry) => {
                entry.0 = label.to_string();
                Ok(())
            }
            None => Err(SecretStoreError::NotFound),
        }
    }
}
