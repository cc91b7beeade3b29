//! The window's next steps: the saved connections and the keychain.

use crate::commands::UiError;
use crate::manage::ManageError;
use crate::store::connections::ConnectionsError;
use crate::store::secrets::SecretStoreError;
use crate::store::StoreError;

/// A missing token is stored again with the connection's "Replace token" action.
pub const STORE_TOKEN_AGAIN: &str = "Paste the token again (\"Replace token\") to store it for this connection.";

/// Where the window shows the saved connections.
pub const SEE_SAVED: &str = "The saved connections view shows the ones there are.";

/// What the user does next in the window after `e`, when its sentence does not say it all.
pub fn for_store(e: &StoreError) -> Option<&'static str> {
    match e {
        StoreError::Keychain { source: SecretStoreError::NotFound, .. } => Some(STORE_TOKEN_AGAIN),
        _ => None,
    }
}

/// What the user does next in the window after `e`.
pub fn for_manage(e: &ManageError) -> Option<&'static str> {
    match e {
        ManageError::Store(e) => for_store(e),
        ManageError::NoSuchConnection(_) => Some(SEE_SAVED),
        _ => None,
    }
}

/// Whether `e` is about the name typed in the form.
fn is_about_the_name(e: &ConnectionsError) -> bool {
    matches!(
        e,
        ConnectionsError::NameEmpty
            | ConnectionsError::NameTooLong { .. }
            | ConnectionsError::NameHasControlCharacters
            | ConnectionsError::NameHasDirectionControls { .. }
            | ConnectionsError::NameHasInvisibleCharacter { .. }
    )
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> UiError {
        UiError::with_step(&e, for_store(&e))
    }
}

/// A problem with a name typed in the form is shown next to it.
impl From<ConnectionsError> for UiError {
    fn from(e: ConnectionsError) -> UiError {
        let error = UiError::new(e.to_string());
        if is_about_the_name(&e) {
            error.at("name")
        } else {
            error
        }
    }
}

impl From<ManageError> for UiError {
    fn from(e: ManageError) -> UiError {
        match e {
            ManageError::Connections(e) => e.into(),
            ManageError::Store(e) => e.into(),
            other => UiError::with_step(&other, for_manage(&other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::secrets::KeychainAction;

    #[test]
    fn a_missing_token_is_stored_again_with_replace_token() {
        let e = StoreError::Keychain { action: KeychainAction::Read, source: SecretStoreError::NotFound };
        let ui = UiError::from(ManageError::Store(e));
        assert!(ui.message.contains("is not in the keychain"), "{}", ui.message);
        assert!(ui.message.ends_with(STORE_TOKEN_AGAIN), "{}", ui.message);
        let ui = UiError::from(StoreError::Keychain { action: KeychainAction::Read, source: SecretStoreError::Locked });
        assert!(!ui.message.contains("Replace token"), "{}", ui.message);
    }

    #[test]
    fn no_command_line_words_in_the_window() {
        let ui = UiError::from(ManageError::NoSuchConnection("Nobody".into()));
        assert!(ui.message.starts_with("No saved connection is called \"Nobody\"."), "{}", ui.message);
        assert!(!ui.message.contains("bitbucket-setup") && !ui.message.contains('`'), "{}", ui.message);
    }

    #[test]
    fn a_bad_name_is_shown_next_to_the_name() {
        assert_eq!(UiError::from(ManageError::Connections(ConnectionsError::NameEmpty)).field, Some("name"));
        assert_eq!(UiError::from(ConnectionsError::Busy { seconds: 10 }).field, None);
    }
}
