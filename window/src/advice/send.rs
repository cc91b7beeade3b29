//! The window's next steps: "Send to n8n" on the export page. The sentences of
//! [`SendError`] say what went wrong and, where it holds everywhere, how to fix it; the window
//! adds where the fix goes on its page (the address field, the API key field) and shows an
//! error about one of them next to it.

use crate::commands::UiError;
use crate::deliver::n8n::SendError;

/// The send section's address field (ui/send-n8n.js).
pub const ADDRESS_FIELD: &str = "n8n_url";
/// The send section's API key field (ui/send-n8n.js).
pub const KEY_FIELD: &str = "n8n_key";

/// What the user does next in the window after `e`, when its sentence does not say it all.
pub fn for_send(e: &SendError) -> Option<&'static str> {
    Some(match e {
        SendError::NoKey { .. } => "Then paste it in the API key field and press \u{201c}Send to n8n\u{201d} again.",
        SendError::KeyNotText => "Paste it in the API key field and press \u{201c}Send to n8n\u{201d} again.",
        SendError::WrongKey { .. } | SendError::MissingScope { .. } => {
            "Paste the new key in the API key field and press \u{201c}Send to n8n\u{201d} again; once it works, it replaces the key kept for this address."
        }
        SendError::NotRecorded { source, .. } => return super::store::for_store(source),
        _ => return None,
    })
}

/// The field of the send section `e` is about, if any.
fn field_of(e: &SendError) -> Option<&'static str> {
    match e {
        SendError::BadAddress { .. } | SendError::NotEncrypted { .. } => Some(ADDRESS_FIELD),
        SendError::NoKey { .. }
        | SendError::KeyNotText
        | SendError::WrongKey { .. }
        | SendError::MissingScope { .. } => Some(KEY_FIELD),
        _ => None,
    }
}

impl From<SendError> for UiError {
    fn from(e: SendError) -> UiError {
        match e {
            // The keychain, the connections file, or a connection n8n cannot take: their own
            // words and next steps, as everywhere in the window.
            SendError::Store(e) => (*e).into(),
            SendError::Unsendable(e) => e.into(),
            SendError::MissingEmail => {
                UiError::with_step(&e, crate::advice::export::for_export(&crate::export::ExportError::MissingEmail))
            }
            e => {
                let error = UiError::with_step(&e, for_send(&e));
                match field_of(&e) {
                    Some(field) => error.at(field),
                    None => error,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::secrets::{KeychainAction, SecretStoreError};
    use crate::store::StoreError;

    fn all() -> Vec<SendError> {
        let address = || "https://n8n.example.com".to_string();
        let host = || "n8n.example.com".to_string();
        vec![
            SendError::BadAddress { why: "it is empty" },
            SendError::NotEncrypted { host: host() },
            SendError::NeedsApiToken { kind: "a repository access token" },
            SendError::MissingEmail,
            SendError::NoKey { address: address() },
            SendError::KeyNotText,
            SendError::ClientSetup { host: host() },
            SendError::ConnectionRefused { address: address() },
            SendError::NameNotFound { host: host() },
            SendError::Tls { host: host() },
            SendError::Timeout { host: host(), seconds: 20 },
            SendError::Network { host: host() },
            SendError::WrongKey { address: address() },
            SendError::MissingScope { address: address(), scope: "credential:create" },
            SendError::NoApi { address: address() },
            SendError::WebPage { address: address(), redirected: true },
            SendError::UnknownType { address: address() },
            SendError::FieldsDiffer { address: address() },
            SendError::TooOld { address: address(), what: "update credentials" },
            SendError::Declined { address: address(), status: 400, says: Some("bad".into()) },
            SendError::ServerError { address: address(), status: 502 },
            SendError::Unexpected { address: address(), what: "no credential id" },
            SendError::Store(Box::new(StoreError::Keychain {
                action: KeychainAction::Read,
                source: SecretStoreError::NotFound,
            })),
            SendError::NotRecorded {
                address: address(),
                credential_id: "7".into(),
                source: Box::new(StoreError::Connections(crate::store::connections::ConnectionsError::Busy {
                    seconds: 10,
                })),
            },
        ]
    }

    #[test]
    fn no_command_line_words_in_the_window() {
        for e in all() {
            let what = format!("{e:?}");
            let ui = UiError::from(e);
            for cli in ["--", "N8N_API_KEY", "standard input", "bitbucket-setup ", "`"] {
                assert!(!ui.message.contains(cli), "{what}: {cli:?} in {}", ui.message);
            }
        }
    }

    #[test]
    fn a_refused_key_is_shown_at_the_key_field_with_the_way_to_replace_it() {
        let ui = UiError::from(SendError::WrongKey { address: "https://n8n.example.com".into() });
        assert_eq!(ui.field, Some(KEY_FIELD));
        assert!(
            ui.message.contains("(HTTP 401)") && ui.message.ends_with("replaces the key kept for this address."),
            "{}",
            ui.message
        );
        let ui = UiError::from(SendError::MissingScope { address: "https://x".into(), scope: "credential:update" });
        assert_eq!(ui.field, Some(KEY_FIELD));
        assert!(ui.message.contains("credential:update"), "{}", ui.message);
        assert_eq!(UiError::from(SendError::NoKey { address: "https://x".into() }).field, Some(KEY_FIELD));
    }

    #[test]
    fn an_unusable_address_is_shown_at_the_address_field() {
        assert_eq!(UiError::from(SendError::BadAddress { why: "it is empty" }).field, Some(ADDRESS_FIELD));
        assert_eq!(
            UiError::from(SendError::NotEncrypted { host: "n8n.example.com".into() }).field,
            Some(ADDRESS_FIELD)
        );
        // Not reachable: the address may be right and n8n down, so the sentence stands alone.
        assert_eq!(UiError::from(SendError::ConnectionRefused { address: "https://x".into() }).field, None);
    }

    #[test]
    fn the_keychain_and_the_email_keep_their_own_next_steps() {
        let missing = SendError::Store(Box::new(StoreError::Keychain {
            action: KeychainAction::Read,
            source: SecretStoreError::NotFound,
        }));
        assert!(UiError::from(missing).message.ends_with(crate::advice::store::STORE_TOKEN_AGAIN));
        assert!(UiError::from(SendError::MissingEmail).message.contains("Replace token"));
    }
}
