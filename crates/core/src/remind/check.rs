//! The job's check: every saved connection is checked again with Bitbucket (the same re-test
//! as `test` and the window's, which records the result), then seen as the connections view
//! sees it today ([`crate::manage::status_of`]), ready for [`super::due`].

use chrono::NaiveDate;

use super::due::Observed;
use crate::bitbucket::client::Timeouts;
use crate::bitbucket::validate::Report;
use crate::manage::{self, ManageError};
use crate::store::{Store, StoreError};

/// What the re-test of one connection gave: its report, or why it could not be made (the
/// token is not in the keychain, the keychain is locked).
#[derive(Debug)]
pub struct Retested {
    pub name: String,
    pub outcome: Result<Report, ManageError>,
}

/// Every saved connection, re-tested and seen today.
#[derive(Debug)]
pub struct Checked {
    /// In the list's order.
    pub retested: Vec<Retested>,
    /// The records as they stand after the re-tests, with their status on `today`.
    pub observed: Vec<Observed>,
}

/// Re-tests every saved connection, one after the other, then reads the list again and sees
/// each connection on `today`. A re-test that cannot be made is kept in [`Checked::retested`];
/// the connection is still seen (its expiry date needs no token).
pub async fn check_saved(store: &Store, timeouts: Timeouts, today: NaiveDate) -> Result<Checked, StoreError> {
    let connections = store.list()?.connections;
    let mut retested = Vec::with_capacity(connections.len());
    for c in &connections {
        let outcome = manage::retest(store, c, timeouts).await;
        retested.push(Retested { name: c.name.clone(), outcome });
    }
    let observed = store
        .list()?
        .connections
        .into_iter()
        .map(|c| Observed { status: manage::status_of(store, &c, today), connection: c })
        .collect();
    Ok(Checked { retested, observed })
}
