//! Sending a saved connection's credential straight into another tool, over that tool's API,
//! instead of through a file: [`n8n`] today.
//!
//! What was sent where is recorded on the connection ([`crate::store::connections::Sent`]:
//! the tool, its address and the id the credential has there), so sending again updates the
//! same credential. The tool's API key is kept in the keychain as its own item
//! ([`crate::store::Store::put_service_key`]), never in the connections file, an error, a URL
//! or a process argument.

pub mod n8n;
