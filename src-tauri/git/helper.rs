//! `bitbucket-setup git-credential get|store|erase`: the helper git runs. `get` answers from the
//! keychain; `store` keeps nothing (the token is in the keychain already); `erase`, which git
//! sends when the token it was given was refused, marks that connection as failing so the app
//! says so next time, and deletes nothing. The token goes to git on standard output and nowhere
//! else; every message goes to standard error.

use std::io::{BufRead, Write};

use chrono::{NaiveDate, Utc};

use super::pick::{pick, wanted};
use super::protocol::{self, Query};
use crate::bitbucket::githost::GitBase;
use crate::store::connections::LastCheck;
use crate::store::{Recorded, Store};

/// What git asks the helper to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Get,
    Store,
    Erase,
    /// An operation a later git may add: ignored, as the protocol asks.
    Other,
}

impl Operation {
    pub fn from_arg(arg: &str) -> Operation {
        match arg {
            "get" => Operation::Get,
            "store" => Operation::Store,
            "erase" => Operation::Erase,
            _ => Operation::Other,
        }
    }
}

/// What the helper did, for its message on standard error (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not Bitbucket's git host, no saved connection fits, or nothing to do.
    Silent,
    /// Answered with this connection.
    Answered { name: String },
    /// `erase`: the connection is marked as failing.
    MarkedFailing { name: String },
}

/// Why the helper could not answer. git then asks the next helper, or the user.
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    #[error("{0}")]
    Protocol(#[from] protocol::ProtocolError),
    #[error("Bitbucket Setup Assistant could not read its saved connections: {0}")]
    Store(String),
    #[error("Bitbucket Setup Assistant could not read the token of \"{name}\" from the keychain: {why}")]
    Keychain { name: String, why: String },
    #[error("Could not answer git: {0}")]
    Write(std::io::Error),
}

/// Runs one request of git's.
pub fn run(
    op: Operation,
    input: impl BufRead,
    out: &mut impl Write,
    store: impl FnOnce() -> Result<Store, String>,
    base: &GitBase,
    pinned: Option<&str>,
    today: NaiveDate,
) -> Result<Outcome, HelperError> {
    if matches!(op, Operation::Store | Operation::Other) {
        return Ok(Outcome::Silent);
    }
    let query: Query = protocol::read(input)?;
    let Some(wanted) = wanted(&query, base) else { return Ok(Outcome::Silent) };
    let store = store().map_err(HelperError::Store)?;
    let connections = store.list().map_err(|e| HelperError::Store(e.to_string()))?.connections;
    let Some(c) = pick(&connections, &wanted, pinned, today) else { return Ok(Outcome::Silent) };
    let Some(username) = c.kind.git_username() else { return Ok(Outcome::Silent) };
    let secret = store.secret(&c.id).map_err(|e| HelperError::Keychain { name: c.name.clone(), why: e.to_string() })?;
    match op {
        Operation::Get => {
            protocol::answer(out, username, &secret).map_err(HelperError::Write)?;
            Ok(Outcome::Answered { name: c.name.clone() })
        }
        Operation::Erase => {
            // Only when git was refused this very token: another helper's answer is not ours.
            if query.password.as_ref().is_none_or(|p| p.expose() != secret.expose()) {
                return Ok(Outcome::Silent);
            }
            let place = match (&wanted.workspace, &wanted.repository) {
                (Some(w), Some(r)) => format!(" for {w}/{r}"),
                (Some(w), None) => format!(" for {w}"),
                _ => String::new(),
            };
            let now = Utc::now();
            let check = LastCheck {
                at: now,
                ok: false,
                problem: Some("git_refused".into()),
                message: format!(
                    "git was refused with this token{place} on {}. Test it again; if it is revoked or expired, replace the token.",
                    now.format("%Y-%m-%d %H:%M UTC")
                ),
                details: None,
            };
            match store.record_check(c, &secret, |u| u.last_check = Some(check)) {
                Ok(Recorded::Saved(_)) => Ok(Outcome::MarkedFailing { name: c.name.clone() }),
                Ok(Recorded::Changed) => Ok(Outcome::Silent),
                Err(e) => Err(HelperError::Store(e.to_string())),
            }
        }
        Operation::Store | Operation::Other => Ok(Outcome::Silent),
    }
}
