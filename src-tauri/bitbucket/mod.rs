//! The model of Bitbucket Cloud: credentials, locations, scopes, the HTTP client and the
//! validation engine. Nothing here knows about Tauri, so the window, the command line and the
//! tests all call the same code.

pub mod client;
pub mod credential;
pub mod githost;
pub mod location;
pub mod scopes;
pub mod target;
pub mod validate;
