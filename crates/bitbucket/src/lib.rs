//! The model of Bitbucket Cloud: credentials, locations, scopes, the HTTP client and the
//! validation engine. Nothing here knows about Tauri, so the window, the command line and the
//! tests all call the same code.
//!
//! Nothing here knows about the app above it either: this crate depends on no other crate of
//! the workspace, so the compiler keeps it that way. What a check is for comes in as a
//! [`target::Target`], which the app's product table builds. It returns facts (which probe,
//! which scope, which answer); the front ends phrase what the user does next.

pub mod client;
pub mod creation;
pub mod credential;
pub mod githost;
pub mod location;
pub mod proxy;
pub mod safe_text;
pub mod scopes;
pub mod target;
pub mod validate;
