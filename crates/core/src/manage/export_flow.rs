//! The export flow, one for the window and the command line: find the connection, check what
//! needs no network (the kind fits the product, the options), check it again with Bitbucket
//! when its last passing check is older than 24 hours, refuse an unvalidated export unless the
//! user allows it, read the token only when it goes in the file, and render. Each front end
//! then chooses where to write, writes through [`write_export`] (which records the file, so a
//! replaced token is written into it again), and words the result in its own way.

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{find, recheck_if_stale, ManageError};
use crate::bitbucket::validate::Report;
use crate::export::{self, ExportError, ExportMeta, ExportOptions, Format, FormatInfo, Rendered};
use crate::freshness::{validation_of, Validation};
use crate::store::connections::Connection;
use crate::store::{Store, StoreError};

/// Whether the export may contact Bitbucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    /// Check again when the last passing check is older than 24 hours (or failed).
    IfStale,
    /// Never (`--no-check`): a stale configuration is exported marked as unvalidated.
    Never,
}

/// What the user asked to export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub format: Format,
    pub include_secret: bool,
    pub options: ExportOptions,
    pub recheck: Recheck,
    /// Export even when the configuration cannot be validated now (the file says so).
    pub allow_unvalidated: bool,
}

/// An export ready to be written.
#[derive(Debug)]
pub struct Prepared {
    /// The connection as the store holds it after any re-check.
    pub connection: Connection,
    pub info: &'static FormatInfo,
    pub rendered: Rendered,
    pub validation: Validation,
    /// The re-check made before the export, if one was needed.
    pub checked: Option<Result<Report, ManageError>>,
}

/// Why the flow stopped, as facts. `Display` is the plain sentence; what the user does next
/// (allow an unvalidated export, replace a file) is each front end's to say, in its own words.
#[derive(Debug, thiserror::Error)]
pub enum ExportFlowError {
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Manage(#[from] ManageError),
    #[error("Not exported: this configuration is unvalidated. {reason}")]
    Unvalidated {
        /// Why it is unvalidated ([`Validation::Unvalidated`]'s reason).
        reason: String,
        connection: Box<Connection>,
        /// The re-check made just before, if any: what stopped the export (boxed: a report is
        /// large).
        checked: Option<Box<Result<Report, ManageError>>>,
    },
}

/// Runs the export flow for the connection `name_or_id`. `before_check` is called just before
/// a re-check with Bitbucket, so the caller can say it is checking.
pub async fn prepare_export(
    store: &Store,
    name_or_id: &str,
    request: &ExportRequest,
    before_check: impl FnOnce(&Connection),
) -> Result<Prepared, ExportFlowError> {
    let info = export::info(request.format);
    let mut c = find(store, name_or_id)?;
    let mut meta = ExportMeta::now(&c);
    meta.options = request.options.clone();
    // Everything that does not need Bitbucket is checked first (the kind fits the product, …).
    export::render(&c, request.format, None, &meta)?;
    let mut checked = None;
    if request.recheck == Recheck::IfStale {
        let (fresh, outcome) = recheck_if_stale(store, c, before_check).await;
        c = fresh;
        checked = outcome;
        meta.validation = validation_of(&c, Utc::now());
    }
    if let Validation::Unvalidated { reason, .. } = &meta.validation {
        if !(request.allow_unvalidated || request.recheck == Recheck::Never) {
            return Err(ExportFlowError::Unvalidated { reason: reason.clone(), connection: Box::new(c), checked: checked.map(Box::new) });
        }
    }
    let secret = if request.include_secret { Some(store.secret(&c.id).map_err(ManageError::from)?) } else { None };
    let rendered = export::render(&c, request.format, secret.as_ref(), &meta)?;
    drop(secret);
    Ok(Prepared { connection: c, info, rendered, validation: meta.validation, checked })
}

/// An export written to a file.
#[derive(Debug)]
pub struct Written {
    /// The path written, as given.
    pub path: PathBuf,
    /// Why the file could not be recorded with the connection, if it could not: the file is
    /// written, but a token replacement will not write it again.
    pub not_recorded: Option<StoreError>,
}

impl Written {
    /// What the user is told when the file could not be recorded.
    pub fn warning(&self) -> Option<String> {
        self.not_recorded.as_ref().map(|e| {
            format!("The file is written, but it could not be recorded with the connection, so replacing the connection's token will not write the new one into it: {e}")
        })
    }
}

/// Writes a prepared export to `path` (atomically, 0600 with the token; an existing file only
/// with `overwrite`), then records it on the connection ([`crate::deliver::record`]): the one
/// write of both front ends. Writing the same path again replaces its record.
pub fn write_export(
    store: &Store,
    prepared: &Prepared,
    request: &ExportRequest,
    path: &Path,
    overwrite: bool,
) -> Result<Written, ExportError> {
    let rendered = &prepared.rendered;
    let path = export::write::write_file(path, rendered, overwrite)?;
    let record = crate::deliver::record::written(
        &path,
        prepared.info.id,
        rendered.contains_secret,
        &request.options,
        rendered.contents.as_bytes(),
    );
    let not_recorded = store.record_export(&prepared.connection.id, record).err();
    Ok(Written { path, not_recorded })
}
