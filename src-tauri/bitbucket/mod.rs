//! The model of Bitbucket Cloud: credentials, locations, scopes, the HTTP client and the
//! validation engine. Nothing here knows about Tauri, so the window, the command line and the
//! tests all call the same code.
//!
//! Nothing here knows about the app above it either: code in this folder names only
//! `crate::bitbucket` and the leaf `crate::safe_text` (`tests/layering.rs` checks). What a check
//! is for comes in as a [`target::Target`], which the app's product table builds.

pub mod client;
pub mod creation;
pub mod credential;
pub mod githost;
pub mod location;
pub mod proxy;
pub mod scopes;
pub mod target;
pub mod validate;
