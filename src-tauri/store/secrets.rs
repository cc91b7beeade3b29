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
//! No error produced here contains the secret: causes come from the platform's error text,
//! and as a last guard any cause that happens to contain the secret is replaced.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::bitbucket::credential::Secret;

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

/// Why the keychain could not do what was asked: `Display` is the user's sentence, why in this
/// platform's words and what to do ([`summary`](SecretStoreError::summary) is the short cause
/// alone, for a sentence that quotes it). No variant ever holds the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretStoreError {
    /// No keychain service can be reached (no D-Bus session, no Secret Service provider, no
    /// Credential Manager session, …).
    Unavailable { cause: String },
    /// The keychain exists but is locked.
    Locked,
    /// The keychain refused access (a prompt was dismissed or access was denied).
    Denied,
    /// There is no entry for this connection.
    NotFound,
    /// Anything else the keychain reported.
    Other { cause: String },
}

impl std::error::Error for SecretStoreError {}

impl std::fmt::Display for SecretStoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self {
            SecretStoreError::Unavailable { .. } => WORDS.unavailable_why.to_string(),
            SecretStoreError::Locked => WORDS.locked_why.to_string(),
            SecretStoreError::Denied => {
                "The keychain refused access to the token (the request was denied or the prompt was closed).".to_string()
            }
            SecretStoreError::NotFound => {
                "The token for this connection is not in the keychain (it may have been deleted in the keychain app).".to_string()
            }
            SecretStoreError::Other { cause } => format!("The keychain reported a problem: {cause}."),
        };
        write!(f, "{why} {}", self.next_step())
    }
}

impl SecretStoreError {
    /// The cause alone, for a sentence that quotes it ("deleting it failed (…)").
    pub fn summary(&self) -> String {
        match self {
            SecretStoreError::Unavailable { cause } => format!("The keychain is not available ({cause})."),
            SecretStoreError::Locked => "The keychain is locked.".into(),
            SecretStoreError::Denied => "The keychain refused access.".into(),
            SecretStoreError::NotFound => "No saved token was found in the keychain for this connection.".into(),
            SecretStoreError::Other { cause } => format!("The keychain reported a problem ({cause})."),
        }
    }

    /// The sentence followed by what this failure means for the thing the user was doing,
    /// e.g. "Your token was not saved anywhere." when saving.
    pub fn user_message_for(&self, action: KeychainAction) -> String {
        format!("{self} {}", action.consequence())
    }

    /// Only the advice: what the user can do now.
    pub fn next_step(&self) -> String {
        match self {
            SecretStoreError::Unavailable { .. } => WORDS.unavailable_next_step.to_string(),
            SecretStoreError::Locked => WORDS.locked_next_step.to_string(),
            SecretStoreError::Denied => {
                "Try again and allow access when the keychain asks.".to_string()
            }
            SecretStoreError::NotFound => {
                "Paste the token again (\"Replace token\") to store it for this connection."
                    .to_string()
            }
            SecretStoreError::Other { .. } => {
                "Try again. If it keeps failing, restart your keychain app or log out and in again."
                    .to_string()
            }
        }
    }

    /// A short machine-readable name, for the UI and the CLI's JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            SecretStoreError::Unavailable { .. } => "keychain_unavailable",
            SecretStoreError::Locked => "keychain_locked",
            SecretStoreError::Denied => "keychain_denied",
            SecretStoreError::NotFound => "keychain_not_found",
            SecretStoreError::Other { .. } => "keychain_error",
        }
    }

    /// Replaces `secret` inside any cause text. A guard only: causes come from platform error
    /// texts, which do not carry the stored value.
    fn scrub(self, secret: &str) -> SecretStoreError {
        if secret.is_empty() {
            return self;
        }
        match self {
            SecretStoreError::Unavailable { cause } if cause.contains(secret) => {
                SecretStoreError::Unavailable {
                    cause: cause.replace(secret, "[redacted]"),
                }
            }
            SecretStoreError::Other { cause } if cause.contains(secret) => {
                SecretStoreError::Other {
                    cause: cause.replace(secret, "[redacted]"),
                }
            }
            other => other,
        }
    }
}

/// What to tell the user when the keychain cannot be used, in the words of this platform.
struct KeychainWords {
    unavailable_why: &'static str,
    unavailable_next_step: &'static str,
    locked_why: &'static str,
    locked_next_step: &'static str,
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "No keychain service is running (Secret Service over D-Bus).",
    unavailable_next_step: "Install and start one, such as GNOME Keyring or KeePassXC with Secret Service enabled, then try again.",
    locked_why: "Your keyring is locked (or the request to unlock it was closed), or no default keyring has been set up yet.",
    locked_next_step: "Unlock your keyring (log in again or open Passwords and Keys, where you can also create a default keyring), then try again.",
};

#[cfg(target_os = "macos")]
const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "The macOS Keychain could not be opened.",
    unavailable_next_step: "Open Keychain Access and check that your login keychain exists and is your default keychain, then try again.",
    locked_why: "Your login keychain is locked.",
    locked_next_step: "Unlock it in Keychain Access (or log in again), then try again.",
};

#[cfg(target_os = "windows")]
const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "Windows Credential Manager is not available for this login session.",
    unavailable_next_step: "Log in to Windows interactively with your own account (not a service account) and try again.",
    locked_why: "Windows Credential Manager is locked.",
    locked_next_step: "Log out and in again, then try again.",
};

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly",
    target_os = "macos",
    target_os = "windows"
)))]
const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "This system has no keychain this app can use.",
    unavailable_next_step: "Use the app on Linux, macOS or Windows.",
    locked_why: "The keychain is locked.",
    locked_next_step: "Unlock it and try again.",
};

/// What was being done when the keychain failed; decides the sentence that says what the
/// failure means for the user's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeychainAction {
    /// Saving the token of a new connection.
    Save,
    /// Replacing the token of an existing connection.
    Replace,
    /// Reading a token.
    Read,
    /// Deleting the token of a connection being removed.
    Delete,
}

impl KeychainAction {
    pub fn consequence(self) -> &'static str {
        match self {
            KeychainAction::Save => "Your token was not saved anywhere.",
            KeychainAction::Replace => {
                "The new token was not saved; the connection still uses the old one."
            }
            KeychainAction::Read => "Nothing was changed.",
            KeychainAction::Delete => {
                "The connection was kept, and its token may still be in the keychain."
            }
        }
    }
}

/// Maps keyring 3's errors onto ours. Never formats a value that could hold the secret
/// (`BadEncoding` carries the stored bytes: they are wiped, not shown).
pub(crate) fn map_keyring_error(err: keyring::Error) -> SecretStoreError {
    use keyring::Error as K;
    match err {
        K::NoEntry => SecretStoreError::NotFound,
        K::PlatformFailure(inner) => map_platform_failure(&inner.to_string(), &format!("{inner:?}")),
        K::NoStorageAccess(inner) => map_no_storage_access(&inner.to_string(), &format!("{inner:?}")),
        K::BadEncoding(mut bytes) => {
            zeroize::Zeroize::zeroize(&mut bytes);
            SecretStoreError::Other { cause: "the saved value is not text".to_string() }
        }
        K::TooLong(attr, limit) => SecretStoreError::Other {
            cause: format!("the keychain's {attr} field is limited to {limit} characters"),
        },
        K::Invalid(attr, reason) => SecretStoreError::Other {
            cause: format!("the keychain rejected the {attr} field: {reason}"),
        },
        K::Ambiguous(items) => SecretStoreError::Other {
            cause: format!(
                "{} keychain items match this connection; delete the extra ones in your keychain app",
                items.len()
            ),
        },
        _ => SecretStoreError::Other { cause: "unexpected keychain error".to_string() },
    }
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn map_platform_failure(display: &str, debug: &str) -> SecretStoreError {
    // dbus-secret-service errors, as keyring 3 wraps them. Not reaching a Secret Service (no
    // session bus, no provider, a refused connection) is by far the common case. A locked
    // collection refusing a new item comes as a plain D-Bus error (Secret.Error.IsLocked), and
    // errors in the exchange itself are reported as "Other".
    if debug.contains("IsLocked") || display.to_ascii_lowercase().contains("locked") {
        return SecretStoreError::Locked;
    }
    let exchange_problem = display.starts_with("Crypto error")
        || display.starts_with("DBus object path error")
        || display.starts_with("Secrets must have MIME type")
        || display.starts_with("Unexpected Error");
    if exchange_problem {
        SecretStoreError::Other {
            cause: display.to_string(),
        }
    } else {
        SecretStoreError::Unavailable {
            cause: display.to_string(),
        }
    }
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn map_no_storage_access(_display: &str, _debug: &str) -> SecretStoreError {
    // "object locked", "no result found" (no default keyring, or it is locked), "unlock prompt
    // was dismissed" (the keyring is locked and the unlock prompt was closed or could not be
    // shown): for the user, all of them mean "unlock (or set up) your keyring".
    SecretStoreError::Locked
}

/// The OSStatus inside a security-framework error's Debug text (`Error { code: -25293, .. }`).
#[cfg(target_os = "macos")]
fn os_status(debug: &str) -> Option<i64> {
    let rest = &debug[debug.find("code:")? + 5..];
    let num: String = rest
        .trim_start()
        .chars()
        .take_while(|c| *c == '-' || c.is_ascii_digit())
        .collect();
    num.parse().ok()
}

#[cfg(target_os = "macos")]
fn map_platform_failure(display: &str, debug: &str) -> SecretStoreError {
    match os_status(debug) {
        // errSecInteractionNotAllowed: the keychain is locked and may not prompt.
        Some(-25308) => SecretStoreError::Locked,
        // errSecAuthFailed, userCanceledErr
        Some(-25293) | Some(-128) => SecretStoreError::Denied,
        _ => SecretStoreError::Other {
            cause: display.to_string(),
        },
    }
}

#[cfg(target_os = "macos")]
fn map_no_storage_access(display: &str, _debug: &str) -> SecretStoreError {
    // errSecNotAvailable, errSecReadOnly, errSecNoSuchKeychain, errSecInvalidKeychain
    SecretStoreError::Unavailable {
        cause: display.to_string(),
    }
}

#[cfg(target_os = "windows")]
fn map_platform_failure(display: &str, _debug: &str) -> SecretStoreError {
    SecretStoreError::Other {
        cause: display.to_string(),
    }
}

#[cfg(target_os = "windows")]
fn map_no_storage_access(display: &str, _debug: &str) -> SecretStoreError {
    // ERROR_NO_SUCH_LOGON_SESSION: no Credential Manager for this session.
    SecretStoreError::Unavailable {
        cause: display.to_string(),
    }
}

/// The OS keychain, through keyring 3.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl Default for KeyringStore {
    fn default() -> Self {
        KeyringStore::new()
    }
}

impl KeyringStore {
    /// The app's keychain, service [`SERVICE`].
    pub fn new() -> Self {
        KeyringStore::with_service(SERVICE)
    }

    /// A keychain store under another service name (tests).
    pub fn with_service(service: &str) -> Self {
        KeyringStore {
            service: service.to_string(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// The keyring entry for `account`, built for this platform's store (never keyring's
    /// default builder, never its mock). `label` is applied where the platform lets us.
    fn entry(
        &self,
        account: &str,
        label: Option<&str>,
    ) -> Result<keyring::Entry, SecretStoreError> {
        if account.trim().is_empty() {
            return Err(SecretStoreError::Other {
                cause: "the connection has no id".to_string(),
            });
        }
        platform_entry(&self.service, account, label)
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn platform_entry(
    service: &str,
    account: &str,
    label: Option<&str>,
) -> Result<keyring::Entry, SecretStoreError> {
    // Attributes written: service, username (= account), target = "default",
    // application = "rust-keyring". The item goes into the default collection.
    let mut cred = keyring::secret_service::SsCredential::new_with_target(None, service, account)
        .map_err(map_keyring_error)?;
    if let Some(label) = label.filter(|l| !l.trim().is_empty()) {
        cred.label = label.to_string();
    }
    Ok(keyring::Entry::new_with_credential(Box::new(cred)))
}

#[cfg(target_os = "macos")]
fn platform_entry(
    service: &str,
    account: &str,
    _label: Option<&str>,
) -> Result<keyring::Entry, SecretStoreError> {
    // keyring 3 writes a generic password whose Keychain Access name is the service; it offers
    // no way to set a separate label, so the entry shows as "bitbucket-setup-assistant" with the
    // connection id as its account.
    let cred = keyring::macos::MacCredential::new_with_target(None, service, account)
        .map_err(map_keyring_error)?;
    Ok(keyring::Entry::new_with_credential(Box::new(cred)))
}

#[cfg(target_os = "windows")]
fn platform_entry(
    service: &str,
    account: &str,
    label: Option<&str>,
) -> Result<keyring::Entry, SecretStoreError> {
    // Target name "<account>.<service>" (keyring's default), the label goes in the comment,
    // which Credential Manager shows in the entry's details. keyring 3 limits the comment to
    // 256 bytes (of UTF-8), so a long label is cut at a character boundary.
    let mut cred = keyring::windows::WinCredential::new_with_target(None, service, account)
        .map_err(map_keyring_error)?;
    if let Some(label) = label.filter(|l| !l.trim().is_empty()) {
        cred.comment = truncate_bytes(label, 256).to_string();
    }
    Ok(keyring::Entry::new_with_credential(Box::new(cred)))
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
fn platform_entry(
    _service: &str,
    _account: &str,
    _label: Option<&str>,
) -> Result<keyring::Entry, SecretStoreError> {
    Err(SecretStoreError::Unavailable {
        cause: "this operating system has no supported keychain".to_string(),
    })
}

/// The longest prefix of `s` that fits in `max` bytes, cut at a character boundary.
#[cfg_attr(not(any(target_os = "windows", test)), allow(dead_code))]
fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl SecretStore for KeyringStore {
    fn set(&self, account: &str, label: &str, secret: &Secret) -> Result<(), SecretStoreError> {
        let entry = self.entry(account, Some(label))?;
        entry
            .set_password(secret.expose())
            .map_err(|e| map_keyring_error(e).scrub(secret.expose()))?;
        // The Secret Service keeps an existing item's label when only its secret changes:
        // bring the label up to date (renamed connection). Cosmetic, so a failure here does not
        // undo a secret that was stored.
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        if !label.trim().is_empty() {
            let _ = entry.update_attributes(&HashMap::from([("label", label)]));
        }
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Secret, SecretStoreError> {
        let entry = self.entry(account, None)?;
        // The String moves into the Secret (zeroized on drop) without a copy.
        entry
            .get_password()
            .map(Secret::new)
            .map_err(map_keyring_error)
    }

    fn delete(&self, account: &str) -> Result<(), SecretStoreError> {
        let entry = self.entry(account, None)?;
        entry.delete_credential().map_err(map_keyring_error)
    }

    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    fn relabel(&self, account: &str, label: &str) -> Result<(), SecretStoreError> {
        if label.trim().is_empty() {
            return Ok(());
        }
        let entry = self.entry(account, None)?;
        entry
            .update_attributes(&HashMap::from([("label", label)]))
            .map_err(map_keyring_error)
    }

    fn backend_name(&self) -> &'static str {
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        return "Secret Service";
        #[cfg(target_os = "macos")]
        return "macOS Keychain";
        #[cfg(target_os = "windows")]
        return "Windows Credential Manager";
        #[allow(unreachable_code)]
        "none"
    }
}

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

#[cfg(test)]
mod tests {
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
        #[derive(Debug)]
        struct Fake(&'static str);
        impl std::fmt::Display for Fake {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Fake {}
        let e = map_keyring_error(keyring::Error::PlatformFailure(Box::new(Fake(
            "DBus error: Failed to connect to socket /nonexistent: No such file or directory",
        ))));
        assert!(matches!(e, SecretStoreError::Unavailable { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("No keychain service is running"), "{msg}");
        assert!(msg.contains("GNOME Keyring"), "{msg}");
        let msg = e.user_message_for(KeychainAction::Save);
        assert!(
            msg.ends_with("then try again. Your token was not saved anywhere."),
            "{msg}"
        );
        let e = map_keyring_error(keyring::Error::NoStorageAccess(Box::new(Fake(
            "Secret Service: object locked",
        ))));
        assert_eq!(e, SecretStoreError::Locked);
        assert!(e.to_string().contains("Unlock your keyring"));
        let e = map_keyring_error(keyring::Error::NoStorageAccess(Box::new(Fake(
            "Secret Service: unlock prompt was dismissed",
        ))));
        assert_eq!(e, SecretStoreError::Locked);
        // What gnome-keyring answers when asked to create an item in a locked collection.
        let e = map_keyring_error(keyring::Error::PlatformFailure(Box::new(Fake(
            "DBus error: Cannot create an item in a locked collection",
        ))));
        assert_eq!(e, SecretStoreError::Locked);
        let e = map_keyring_error(keyring::Error::PlatformFailure(Box::new(Fake(
            "Crypto error: bad",
        ))));
        assert!(matches!(e, SecretStoreError::Other { .. }));
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
    fn every_error_has_plain_advice() {
        for e in [
            SecretStoreError::Unavailable { cause: "x".into() },
            SecretStoreError::Locked,
            SecretStoreError::Denied,
            SecretStoreError::NotFound,
            SecretStoreError::Other { cause: "x".into() },
        ] {
            assert!(!e.next_step().is_empty());
            assert!(e.to_string().ends_with(&e.next_step()));
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
}
