//! Delivering a saved connection's credential to where it is used, and keeping it fresh:
//! sending it straight into another tool over that tool's API ([`n8n`] today), remembering the
//! export files the app wrote ([`record`]), and, when the token is replaced, delivering the new
//! one everywhere again ([`refresh`]), summed up as typed facts ([`summary`]).
//!
//! What was sent where is recorded on the connection ([`crate::store::connections::Sent`]:
//! the tool, its address and the id the credential has there), so sending again updates the
//! same credential. The tool's API key is kept in the keychain as its own item
//! ([`crate::store::Store::put_service_key`]), never in the connections file, an error, a URL
//! or a process argument. Each export file written is recorded the same way
//! ([`crate::store::connections::WrittenExport`]: its path, format, choices and a digest of
//! what was written, never the token).

pub mod n8n;
pub mod record;
pub mod refresh;
pub mod summary;
