//! Why the keychain could not do what was asked, and what that means for what the user was
//! doing: facts, in this system's words ([`crate::platform`]). What the user does next where it
//! depends on the front end (a missing token: the window's "Replace token", or the command
//! line's way there) is said by the front end, not here.

use crate::platform;

/// Why the keychain could not do what was asked: `Display` is the user's sentence, why in this
/// platform's words and, where the system alone decides it, what to do about it
/// ([`remedy`](SecretStoreError::remedy)); [`summary`](SecretStoreError::summary) is the short
/// cause alone, for a sentence that quotes it. No variant ever holds the secret.
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
        let words = platform::here();
        match self {
            SecretStoreError::Unavailable { .. } => f.write_str(words.keychain_unavailable)?,
            SecretStoreError::Locked => f.write_str(words.keychain_locked)?,
            SecretStoreError::Denied => {
                f.write_str("The keychain refused access to the token (the request was denied or the prompt was closed).")?
            }
            SecretStoreError::NotFound => f.write_str(
                "The token for this connection is not in the keychain (it may have been deleted in the keychain app).",
            )?,
            SecretStoreError::Other { cause } => write!(f, "The keychain reported a problem: {cause}.")?,
        }
        match self.remedy() {
            Some(remedy) => write!(f, " {remedy}"),
            None => Ok(()),
        }
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

    /// What the user can do about it on this system, where the system alone decides it (the
    /// end of the `Display` sentence). `None` for [`NotFound`](SecretStoreError::NotFound):
    /// the token is stored again through a front end, which says how.
    pub fn remedy(&self) -> Option<&'static str> {
        let words = platform::here();
        match self {
            SecretStoreError::Unavailable { .. } => Some(words.keychain_unavailable_fix),
            SecretStoreError::Locked => Some(words.keychain_locked_fix),
            SecretStoreError::Denied => Some("Try again and allow access when the keychain asks."),
            SecretStoreError::NotFound => None,
            SecretStoreError::Other { .. } => {
                Some("Try again. If it keeps failing, restart your keychain app or log out and in again.")
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
    pub(super) fn scrub(self, secret: &str) -> SecretStoreError {
        if secret.is_empty() {
            return self;
        }
        match self {
            SecretStoreError::Unavailable { cause } => {
                SecretStoreError::Unavailable { cause: cause.replace(secret, "[redacted]") }
            }
            SecretStoreError::Other { cause } => SecretStoreError::Other { cause: cause.replace(secret, "[redacted]") },
            other => other,
        }
    }
}

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
