//! `bitbucket-setup git-credential get|store|erase`: the helper git runs. `get` answers from the
//! keychain ([`super::pick`] chooses the token). `store`, which git sends when it got in, keeps
//! no token (it is in the keychain already), only that this token reaches that repository.
//! `erase`, which git sends when the token it was given was refused, remembers the refusal for
//! that repository, so the token is offered there last; where the token is known to reach (its
//! checked repository, or one git got into with it) a refusal means the token itself is bad, and
//! the connection is marked as failing so the app says so. It deletes nothing. The token goes to
//! git on standard output and nowhere else; every message goes to standard error.

use std::io::{BufRead, Write};

use chrono::{NaiveDate, Utc};

use super::pick::{candidates, pick, wanted, Wanted};
use super::protocol::{self, Query};
use crate::bitbucket::credential::Secret;
use crate::bitbucket::githost::GitBase;
use crate::store::connections::{Connection, LastCheck};
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
    /// `erase` where the token is known to reach: the connection is marked as failing.
    MarkedFailing { name: String },
    /// `erase` elsewhere: the token is offered last at `place` ("acme/website").
    RefusedAt { name: String, place: String },
}

/// Why the helper could not answer. git then asks the next helper, or the user.
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    #[error("{0}")]
    Protocol(#[from] protocol::ProtocolError),
    #[error("Bitbucket Setup Assistant could not read its saved connections: {0}")]
    Store(#[source] Box<crate::store::StoreError>),
    /// The front ends add what to do (a missing token is stored again through them).
    #[error("Bitbucket Setup Assistant could not read the token of \"{name}\" from the keychain: {source}")]
    Keychain {
        name: String,
        #[source]
        source: Box<crate::store::StoreError>,
    },
    #[error("Could not answer git: {0}")]
    Write(std::io::Error),
}

impl HelperError {
    fn store(e: crate::store::StoreError) -> HelperError {
        HelperError::Store(Box::new(e))
    }
}

/// Runs one request of git's.
pub fn run(
    op: Operation,
    input: impl BufRead,
    out: &mut impl Write,
    store: impl FnOnce() -> Result<Store, crate::store::StoreError>,
    base: &GitBase,
    pinned: Option<&str>,
    today: NaiveDate,
) -> Result<Outcome, HelperError> {
    if op == Operation::Other {
        return Ok(Outcome::Silent);
    }
    let query: Query = protocol::read(input)?;
    let Some(wanted) = wanted(&query, base) else { return Ok(Outcome::Silent) };
    if op != Operation::Get && query.password.is_none() {
        return Ok(Outcome::Silent);
    }
    let store = store().map_err(HelperError::store)?;
    let connections = store.list().map_err(HelperError::store)?.connections;
    if op == Operation::Get {
        let Some(c) = pick(&connections, &wanted, pinned, today) else { return Ok(Outcome::Silent) };
        let Some(username) = c.kind.git_username() else { return Ok(Outcome::Silent) };
        let secret = store.secret(&c.id).map_err(|e| HelperError::Keychain { name: c.name.clone(), source: Box::new(e) })?;
        protocol::answer(out, username, &secret).map_err(HelperError::Write)?;
        return Ok(Outcome::Answered { name: c.name.clone() });
    }
    // Only the token git was given by this helper: another helper's answer is not ours.
    let Some((c, secret)) = used(&store, &connections, &wanted, pinned, today, &query)? else { return Ok(Outcome::Silent) };
    let recorded = match op {
        Operation::Store => {
            let Some(place) = wanted.repository_place() else { return Ok(Outcome::Silent) };
            if !c.clone().note_reached(&place) {
                return Ok(Outcome::Silent);
            }
            store.record_check(c, &secret, |u| {
                u.note_reached(&place);
            })
        }
        _ => {
            let place = wanted.place();
            // Refused where it is known to get in (or anywhere, when git says no repository):
            // the token itself is revoked, expired or lacks a scope. Elsewhere it may only be
            // the wrong token for that repository, or a mistyped one.
            let whole = wanted.repository.is_none() || c.known_to_reach(&place);
            let now = Utc::now();
            let shown = if place.is_empty() { String::new() } else { format!(" for {}", crate::safe_text::visible(&place)) };
            let check = LastCheck {
                at: now,
                ok: false,
                problem: Some("git_refused".into()),
                message: format!(
                    "git was refused with this token{shown} on {}. Test it again; if it is revoked or expired, replace the token.",
                    now.format("%Y-%m-%d %H:%M UTC")
                ),
                details: None,
            };
            let recorded = store.record_check(c, &secret, |u| {
                u.note_refused(&place, now);
                if whole {
                    u.last_check = Some(check);
                }
            });
            match recorded {
                Ok(Recorded::Saved(_)) if whole => return Ok(Outcome::MarkedFailing { name: c.name.clone() }),
                Ok(Recorded::Saved(_)) => return Ok(Outcome::RefusedAt { name: c.name.clone(), place }),
                other => other,
            }
        }
    };
    match recorded {
        Ok(_) => Ok(Outcome::Silent),
        Err(e) => Err(HelperError::store(e)),
    }
}

/// The connection whose token git used (`password=`), among those that may have answered.
fn used<'a>(
    store: &Store,
    connections: &'a [Connection],
    wanted: &Wanted,
    pinned: Option<&str>,
    today: NaiveDate,
    query: &Query,
) -> Result<Option<(&'a Connection, Secret)>, HelperError> {
    let Some(password) = query.password.as_ref() else { return Ok(None) };
    for c in candidates(connections, wanted, pinned, today) {
        if query.username.as_deref().is_some_and(|u| Some(u) != c.kind.git_username()) {
            continue;
        }
        let secret = store.secret(&c.id).map_err(|e| HelperError::Keychain { name: c.name.clone(), source: Box::new(e) })?;
        if secret.expose() == password.expose() {
            return Ok(Some((c, secret)));
        }
    }
    Ok(None)
}
