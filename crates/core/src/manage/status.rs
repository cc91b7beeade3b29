//! How a saved connection stands today, and the words for it: one describer for the
//! connections view in the window and for `bitbucket-setup list`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::store::connections::{expiry_status, Connection, ExpiryStatus};
use crate::store::{KeychainStatus, Store};

/// How a saved connection stands today, in the order the user must act on it: an expired
/// token first, then a missing keychain entry, a failed last check, an expiry within 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    Expired { days_ago: i64 },
    KeychainMissing,
    NeedsAttention,
    ExpiringSoon { days_left: i64 },
    Valid { days_left: Option<i64> },
}

/// The status the connections view and `list` show (one rule for both).
pub fn status_of(store: &Store, c: &Connection, today: NaiveDate) -> ConnectionStatus {
    match expiry_status(c.expires, today) {
        ExpiryStatus::Expired { days_ago } => ConnectionStatus::Expired { days_ago },
        _ if matches!(store.keychain_status(&c.id), KeychainStatus::Missing) => ConnectionStatus::KeychainMissing,
        _ if c.last_check.as_ref().is_some_and(|l| !l.ok) => ConnectionStatus::NeedsAttention,
        ExpiryStatus::ExpiringSoon { days_left } => ConnectionStatus::ExpiringSoon { days_left },
        ExpiryStatus::Valid { days_left } => ConnectionStatus::Valid { days_left: Some(days_left) },
        ExpiryStatus::NoDate => ConnectionStatus::Valid { days_left: None },
    }
}

impl ConnectionStatus {
    /// The status's name, the same in `list --json` and in the window's data.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionStatus::Expired { .. } => "expired",
            ConnectionStatus::KeychainMissing => "keychain_entry_missing",
            ConnectionStatus::NeedsAttention => "needs_attention",
            ConnectionStatus::ExpiringSoon { .. } => "expiring_soon",
            ConnectionStatus::Valid { .. } => "valid",
        }
    }

    /// Days until the token expires (negative once it has).
    pub fn days_left(self) -> Option<i64> {
        match self {
            ConnectionStatus::Expired { days_ago } => Some(-days_ago),
            ConnectionStatus::ExpiringSoon { days_left } | ConnectionStatus::Valid { days_left: Some(days_left) } => Some(days_left),
            _ => None,
        }
    }
}

/// A connection's status and the words for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusText {
    /// [`ConnectionStatus::name`].
    pub status: &'static str,
    /// What the window shows on the connection's badge line ("Expires in 3 days", the failed
    /// check's message, …).
    pub status_text: String,
    /// The expiry alone, as `list` shows it ("expires in 3 days", "no expiry date").
    pub expiry: String,
    pub days_left: Option<i64>,
}

/// Describes how `c` stands today.
pub fn describe(store: &Store, c: &Connection, today: NaiveDate) -> StatusText {
    let status = status_of(store, c, today);
    let status_text = match status {
        ConnectionStatus::Expired { days_ago } => format!("Expired {days_ago} days ago"),
        ConnectionStatus::KeychainMissing => "Keychain entry missing: replace the token".to_string(),
        ConnectionStatus::NeedsAttention => c.last_check.as_ref().map(|l| l.message.clone()).unwrap_or_default(),
        ConnectionStatus::ExpiringSoon { days_left } => format!("Expires in {days_left} days"),
        ConnectionStatus::Valid { days_left: Some(days_left) } => format!("Valid, expires in {days_left} days"),
        ConnectionStatus::Valid { days_left: None } => "Valid".to_string(),
    };
    let expiry = match expiry_status(c.expires, today) {
        ExpiryStatus::NoDate => "no expiry date".to_string(),
        ExpiryStatus::Valid { days_left } | ExpiryStatus::ExpiringSoon { days_left } => format!("expires in {days_left} days"),
        ExpiryStatus::Expired { days_ago } => format!("expired {days_ago} days ago"),
    };
    StatusText { status: status.name(), status_text, expiry, days_left: status.days_left() }
}
