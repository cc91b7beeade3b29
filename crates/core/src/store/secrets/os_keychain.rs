//! The OS keychain through keyring 3, building each platform's credential itself (never
//! keyring's default builder, which falls back to its mock), and the mapping of keyring's
//! errors onto [`SecretStoreError`]. The mapping reads the platform's typed error (the Secret
//! Service's error kind and D-Bus error name, macOS's OSStatus), never its message text.

use super::{SecretStore, SecretStoreError, SERVICE};
use crate::bitbucket::credential::Secret;

/// The platform's own error inside keyring's, for the mapping below.
type PlatformError = Box<dyn std::error::Error + Send + Sync>;

/// Maps keyring 3's errors onto ours. Never formats a value that could hold the secret
/// (`BadEncoding` carries the stored bytes: they are wiped, not shown).
pub(crate) fn map_keyring_error(err: keyring::Error) -> SecretStoreError {
    use keyring::Error as K;
    match err {
        K::NoEntry => SecretStoreError::NotFound,
        K::PlatformFailure(inner) => map_platform_failure(inner),
        K::NoStorageAccess(inner) => map_no_storage_access(inner),
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

/// The D-Bus error a Secret Service answers when a locked collection is asked to change.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
pub(super) const IS_LOCKED: &str = "org.freedesktop.Secret.Error.IsLocked";

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
pub(super) fn map_platform_failure(inner: PlatformError) -> SecretStoreError {
    // dbus-secret-service errors, as keyring 3 wraps them. Not reaching a Secret Service (no
    // session bus, no provider, a refused connection) is by far the common case. A locked
    // collection refusing a new item comes as a D-Bus error named Secret.Error.IsLocked, and
    // errors in the exchange itself (crypto, object paths, parsing, the secret's type) are
    // reported as "Other".
    use dbus_secret_service::Error as Ss;
    let cause = inner.to_string();
    match inner.downcast_ref::<Ss>() {
        Some(Ss::Locked | Ss::NoResult | Ss::Prompt) => SecretStoreError::Locked,
        Some(Ss::Dbus(e)) if e.name() == Some(IS_LOCKED) => SecretStoreError::Locked,
        Some(Ss::Dbus(_) | Ss::Unavailable) | None => SecretStoreError::Unavailable { cause },
        Some(_) => SecretStoreError::Other { cause },
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn map_no_storage_access(_inner: PlatformError) -> SecretStoreError {
    // "object locked", "no result found" (no default keyring, or it is locked), "unlock prompt
    // was dismissed" (the keyring is locked and the unlock prompt was closed or could not be
    // shown): for the user, all of them mean "unlock (or set up) your keyring".
    SecretStoreError::Locked
}

/// The OSStatus of a security-framework error, as keyring 3 wraps it.
#[cfg(target_os = "macos")]
fn os_status(inner: &PlatformError) -> Option<i32> {
    inner.downcast_ref::<security_framework::base::Error>().map(|e| e.code())
}

#[cfg(target_os = "macos")]
pub(super) fn map_platform_failure(inner: PlatformError) -> SecretStoreError {
    match os_status(&inner) {
        // errSecInteractionNotAllowed: the keychain is locked and may not prompt.
        Some(-25308) => SecretStoreError::Locked,
        // errSecAuthFailed, userCanceledErr
        Some(-25293) | Some(-128) => SecretStoreError::Denied,
        _ => SecretStoreError::Other { cause: inner.to_string() },
    }
}

#[cfg(target_os = "macos")]
fn map_no_storage_access(inner: PlatformError) -> SecretStoreError {
    // errSecNotAvailable, errSecReadOnly, errSecNoSuchKeychain, errSecInvalidKeychain
    SecretStoreError::Unavailable { cause: inner.to_string() }
}

#[cfg(target_os = "windows")]
pub(super) fn map_platform_failure(inner: PlatformError) -> SecretStoreError {
    SecretStoreError::Other { cause: inner.to_string() }
}

#[cfg(target_os = "windows")]
fn map_no_storage_access(inner: PlatformError) -> SecretStoreError {
    // ERROR_NO_SUCH_LOGON_SESSION: no Credential Manager for this session.
    SecretStoreError::Unavailable { cause: inner.to_string() }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
pub(super) fn map_platform_failure(inner: PlatformError) -> SecretStoreError {
    SecretStoreError::Other { cause: inner.to_string() }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
fn map_no_storage_access(inner: PlatformError) -> SecretStoreError {
    SecretStoreError::Unavailable { cause: inner.to_string() }
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
pub(super) fn truncate_bytes(s: &str, max: usize) -> &str {
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
            let _ = entry.update_attributes(&std::collections::HashMap::from([("label", label)]));
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
            .update_attributes(&std::collections::HashMap::from([("label", label)]))
            .map_err(map_keyring_error)
    }

    fn backend_name(&self) -> &'static str {
        crate::platform::here().keychain_short
    }
}
