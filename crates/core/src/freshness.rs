//! Whether a saved connection counts as validated now: its last check with Bitbucket passed,
//! less than [`MAX_VALIDATION_AGE_HOURS`] ago. One rule for the export (which re-checks or marks
//! the file unvalidated), the window's export view and the command line.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::connections::Connection;

/// A passing check older than this is re-done (or the export is marked unvalidated).
pub const MAX_VALIDATION_AGE_HOURS: i64 = 24;

/// Whether a connection's configuration counts as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Validation {
    /// The last check passed, at `at`, less than [`MAX_VALIDATION_AGE_HOURS`] ago.
    Validated { at: DateTime<Utc> },
    /// Not checked, failed, or checked too long ago. `last_validated_at` is the last check if
    /// it passed (then only its age is the problem).
    Unvalidated { reason: String, last_validated_at: Option<DateTime<Utc>> },
}

impl Validation {
    pub fn is_validated(&self) -> bool {
        matches!(self, Validation::Validated { .. })
    }

    /// The time of the last passing check, if any.
    pub fn validated_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Validation::Validated { at } => Some(*at),
            Validation::Unvalidated { last_validated_at, .. } => *last_validated_at,
        }
    }
}

/// How a connection's last check stands at `now`: passed within 24 hours, or why not.
pub fn validation_of(connection: &Connection, now: DateTime<Utc>) -> Validation {
    let Some(last) = &connection.last_check else {
        return Validation::Unvalidated {
            reason: "It has never been checked with Bitbucket.".into(),
            last_validated_at: None,
        };
    };
    let when = last.at.format("%Y-%m-%d %H:%M UTC");
    if !last.ok {
        let problem = last.problem.as_deref().unwrap_or("not ready");
        return Validation::Unvalidated {
            reason: format!("Its last check with Bitbucket, on {when}, did not pass ({problem}): {}", last.message.trim()),
            last_validated_at: None,
        };
    }
    if now.signed_duration_since(last.at) > chrono::Duration::hours(MAX_VALIDATION_AGE_HOURS) {
        return Validation::Unvalidated {
            reason: format!("Its last check with Bitbucket was on {when}, more than {MAX_VALIDATION_AGE_HOURS} hours ago."),
            last_validated_at: Some(last.at),
        };
    }
    Validation::Validated { at: last.at }
}

