//! `send n8n NAME --n8n-url URL`: the shared send ([`n8n::send`]), then the command line's
//! part: where the API key comes from (`N8N_API_KEY`, standard input, a hidden prompt, or the
//! keychain) and what to say. The key is never an argument, so it cannot show up in `ps` or
//! shell history.

use std::io::{IsTerminal, Read, Write};

use zeroize::Zeroizing;

use super::args::{SendArgs, SendN8nArgs, SendTo};
use super::output::{say, tell};
use super::{exit_code, open_store, report_set_aside, Exit, Failure};
use bitbucket_cloud::credential::Secret;
use bitbucket_setup_core::deliver::n8n::{self, Action, KeyKept, N8nAddress};
use bitbucket_setup_core::manage;
use bitbucket_setup_core::store::Store;

/// The variable the n8n API key may come in.
pub const N8N_KEY_VAR: &str = "N8N_API_KEY";
/// The most of standard input read as a key.
const MAX_KEY_BYTES: u64 = 16 * 1024;

pub async fn send(args: SendArgs) -> Exit {
    match args.to {
        SendTo::N8n(a) => to_n8n(a).await,
    }
}

async fn to_n8n(args: SendN8nArgs) -> Exit {
    let address = N8nAddress::parse(&args.n8n_url)?;
    let store = open_store()?;
    report_set_aside(&store);
    let connection = manage::find(&store, &args.name)?;
    let key = read_key(&store, &address)?;
    let done = n8n::send(&store, &connection, &address, key).await?;
    let name = &done.connection.name;
    let id = &done.credential_id;
    match &done.action {
        Action::Created => say!("Created the n8n credential \"{name}\" (id {id}) at {address}."),
        Action::Updated => say!("Updated the n8n credential \"{name}\" (id {id}) at {address}."),
        Action::CreatedAgain { old_id } => {
            say!("The n8n credential sent before (id {old_id}) is gone from {address}: created \"{name}\" again (id {id}).")
        }
    }
    match &done.key {
        KeyKept::AlreadyKept => {}
        KeyKept::Kept => say!("The API key is kept in the keychain for {address}: sending there again needs no key."),
        KeyKept::NotKept(e) => {
            tell!("warning: The API key could not be kept in the keychain: {} Give it again next time.", e.summary())
        }
    }
    Ok(exit_code::OK)
}

/// The key from `N8N_API_KEY`, else standard input; at a terminal, a hidden prompt unless a key
/// is kept for this address. `None`: use the kept key.
fn read_key(store: &Store, address: &N8nAddress) -> Result<Option<Secret>, Failure> {
    if let Some(key) = std::env::var(N8N_KEY_VAR).ok().filter(|v| !v.trim().is_empty()) {
        return Ok(Some(Secret::new(key.trim())));
    }
    let raw = if std::io::stdin().is_terminal() {
        if store.service_key(n8n::TO, address.as_str())?.is_some() {
            return Ok(None);
        }
        let _ = std::io::stderr().flush();
        Zeroizing::new(
            rpassword::prompt_password("n8n API key: ")
                .map_err(|_| Failure::input("Could not read the n8n API key from the terminal."))?,
        )
    } else {
        let mut bytes = Zeroizing::new(Vec::new());
        std::io::stdin()
            .take(MAX_KEY_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|_| Failure::input("Could not read the n8n API key from standard input."))?;
        Zeroizing::new(
            String::from_utf8(bytes.to_vec())
                .map_err(|_| Failure::input("The n8n API key on standard input is not text."))?,
        )
    };
    let key = raw.trim();
    Ok((!key.is_empty()).then(|| Secret::new(key)))
}
