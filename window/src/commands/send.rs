//! "Send to n8n" on the export page: the shared send ([`n8n::send`]) and the window's words
//! for what it did. The n8n API key crosses IPC once, in [`send_n8n`], and is wrapped in a
//! [`Secret`] at once; the window never gets it back ([`n8n_key_kept`] only says whether one
//! is kept for an address).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{open_store, UiError};
use crate::bitbucket::credential::Secret;
use crate::deliver::n8n::{self, Action, KeyKept, N8nAddress};
use crate::manage;

#[derive(Deserialize)]
pub struct SendInput {
    /// The saved connection's id.
    id: String,
    /// n8n's address as typed.
    url: String,
    /// The API key as pasted; empty or absent: the one kept in the keychain for the address.
    #[serde(default)]
    key: Option<Zeroizing<String>>,
}

/// What a send did, for the page: `action` and `key` as words the page tells apart, and the
/// sentences it shows.
#[derive(Debug, Serialize)]
pub struct SendDone {
    /// "created", "updated" or "created_again".
    action: &'static str,
    credential_id: String,
    /// The address as recorded: what the page puts back in its field.
    address: String,
    message: String,
    /// "already_kept", "kept" or "not_kept".
    key: &'static str,
    /// What became of the key, when there is something to say.
    key_message: Option<String>,
}

/// Sends the connection `id` to the n8n at `url`: creates its credential there, or updates the
/// one sent before; keeps a key that was given in the keychain for that address.
#[tauri::command]
pub async fn send_n8n(input: SendInput) -> Result<SendDone, UiError> {
    let SendInput { id, url, key } = input;
    // Into a Secret before anything else can fail; the pasted string is wiped when dropped.
    let key = key.as_deref().map(|k| k.trim()).filter(|k| !k.is_empty()).map(Secret::new);
    let address = N8nAddress::parse(&url)?;
    let store = open_store()?;
    let connection = manage::find(&store, &id)?;
    let done = n8n::send(&store, &connection, &address, key).await?;
    Ok(words(&done.connection.name, &done.credential_id, &address, &done.action, &done.key))
}

/// The page's sentences for a send that went through.
fn words(name: &str, id: &str, address: &N8nAddress, action: &Action, key: &KeyKept) -> SendDone {
    let (action_word, message) = match action {
        Action::Created => ("created", format!("Created the n8n credential \u{201c}{name}\u{201d} (id {id}) at {address}.")),
        Action::Updated => ("updated", format!("Updated the n8n credential \u{201c}{name}\u{201d} (id {id}) at {address}: n8n now holds this connection's token and email.")),
        Action::CreatedAgain { old_id } => (
            "created_again",
            format!("Created again: the n8n credential sent before (id {old_id}) is gone from {address}, so \u{201c}{name}\u{201d} was created anew (id {id}). Workflows that used the old one need this one chosen in their Bitbucket nodes."),
        ),
    };
    let (key_word, key_message) = match key {
        KeyKept::AlreadyKept => ("already_kept", Some("Sent with the API key kept in your keychain for this address.".to_string())),
        KeyKept::Kept => (
            "kept",
            Some(format!("The API key is now kept in your keychain for {address}: to send there again, leave the key field empty.")),
        ),
        KeyKept::NotKept(e) => (
            "not_kept",
            Some(format!("The API key worked, but it could not be kept in your keychain: {} Paste it again next time you send.", e.summary())),
        ),
    };
    SendDone {
        action: action_word,
        credential_id: id.to_string(),
        address: address.to_string(),
        message,
        key: key_word,
        key_message,
    }
}

#[derive(Debug, Serialize)]
pub struct KeyState {
    /// The address as it would be recorded; `None` when what was typed is not an n8n address
    /// (yet): the page says nothing then, and Send says what is wrong.
    address: Option<String>,
    /// An API key is kept in the keychain for that address.
    kept: bool,
}

/// Whether an n8n API key is kept in the keychain for the address typed, so the page can say
/// that the key field may stay empty. The key itself stays in Rust (read and dropped, wiped).
#[tauri::command]
pub fn n8n_key_kept(url: String) -> Result<KeyState, UiError> {
    let Ok(address) = N8nAddress::parse(&url) else {
        return Ok(KeyState { address: None, kept: false });
    };
    let store = open_store()?;
    let kept = store.service_key(n8n::TO, address.as_str())?.is_some();
    Ok(KeyState { address: Some(address.to_string()), kept })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::secrets::SecretStoreError;

    fn address() -> N8nAddress {
        N8nAddress::parse("https://n8n.example.com").unwrap()
    }

    #[test]
    fn each_outcome_has_its_own_words() {
        let created = words("CI", "7", &address(), &Action::Created, &KeyKept::Kept);
        assert_eq!((created.action, created.key), ("created", "kept"));
        assert!(created
            .message
            .starts_with("Created the n8n credential \u{201c}CI\u{201d} (id 7) at https://n8n.example.com."));
        assert!(created.key_message.unwrap().contains("leave the key field empty"));

        let updated = words("CI", "7", &address(), &Action::Updated, &KeyKept::AlreadyKept);
        assert_eq!((updated.action, updated.key), ("updated", "already_kept"));
        assert!(updated.message.starts_with("Updated the n8n credential"), "{}", updated.message);

        let again = words(
            "CI",
            "9",
            &address(),
            &Action::CreatedAgain { old_id: "7".into() },
            &KeyKept::NotKept(SecretStoreError::Locked),
        );
        assert_eq!((again.action, again.key), ("created_again", "not_kept"));
        assert!(again.message.contains("(id 7) is gone") && again.message.contains("(id 9)"), "{}", again.message);
        assert!(again.key_message.unwrap().contains("The keychain is locked."));
    }

    #[test]
    fn no_command_line_words_in_the_window() {
        for action in [Action::Created, Action::Updated, Action::CreatedAgain { old_id: "1".into() }] {
            for key in [KeyKept::AlreadyKept, KeyKept::Kept, KeyKept::NotKept(SecretStoreError::Denied)] {
                let done = words("CI", "2", &address(), &action, &key);
                let all = format!("{} {}", done.message, done.key_message.unwrap_or_default());
                assert!(
                    !all.contains("--") && !all.contains("N8N_API_KEY") && !all.contains("bitbucket-setup"),
                    "{all}"
                );
            }
        }
    }

    #[test]
    fn a_typed_address_that_is_not_one_yet_is_no_error() {
        let state = n8n_key_kept("n8n.exa".into()).unwrap();
        assert!(state.address.is_none() && !state.kept);
    }
}
