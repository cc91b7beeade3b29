//! Where tokens live: the operating system's keychain, behind the [`SecretStore`] trait.
//!
//! * Linux/BSD: the Secret Service over D-Bus (GNOME Keyring, KeePassXC, KWallet's bridge),
//!   through keyring 3's `SsCredential`, with our own item label.
//! * macOS: the login keychain (generic password, service [`SERVICE`], account = connection id).
//! * Windows: Credential Manager (generic credential `<id>.bitbucket-setup-assistant`, with the
//!   label in its comment).
//!
//! There is no fallback: when no keychain is reachable, [`KeyringStore`] says so with a
//! [`SecretStoreError`] that explains why and what the user can do. keyring's mock store is
//! never used, because [`KeyringStore`] builds the platform credential itself instead of going
//! through keyring's default builder (which silently falls back to the mock when a platform
//! feature is missing).
//!
//! One file per job, as keyring-rs lays it out: [`error`] (what went wrong, as facts in this
//! system's words, which are in the one table of [`crate::platform`]), [`os_keychain`] (the OS
//! backend and the mapping of its typed errors), [`mock`] (the in-memory store for tests).
//!
//! No error produced here contains the secret: causes come from the platform's error text,
//! and as a last guard any cause that happens to contain the secret is replaced.

use crate::bitbucket::credential::Secret;

mod error;
mod mock;
mod os_keychain;

pub use error::{KeychainAction, SecretStoreError};
pub use mock::MemoryStore;
pub use os_keychain::KeyringStore;

/// The keychain service name every entry of this app is stored under.
pub const SERVICE: &str = "bitbucket-setup-assistant";

/// A place that keeps secrets by account (the connection's stable id).
pub trait SecretStore: Send + Sync {
    /// Stores or replaces the secret for `account`.
    ///
    /// `account` is the connection's stable id (never the token); `label` is what a person sees
    /// in the OS keychain app, e.g. "Bitbucket Setup Assistant: acme/website (repository access
    /// token)".
    fn set(&self, account: &str, label: &str, secret: &Secret) -> Result<(), SecretStoreError>;
    /// The secret for `account`; [`SecretStoreError::NotFound`] when there is none.
    fn get(&self, account: &str) -> Result<Secret, SecretStoreError>;
    /// Deletes the secret for `account`; [`SecretStoreError::NotFound`] when there is none.
    fn delete(&self, account: &str) -> Result<(), SecretStoreError>;
    /// A short name of the backend, for diagnostics ("Secret Service", "macOS Keychain", …).
    fn backend_name(&self) -> &'static str;
    /// Updates the label of an existing entry without touching its secret, where the platform
    /// allows it (Secret Service). Elsewhere the label is refreshed on the next [`set`](Self::set).
    fn relabel(&self, account: &str, label: &str) -> Result<(), SecretStoreError> {
        let _ = (account, label);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
