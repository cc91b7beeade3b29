//! The assistant's domain, below both front ends: what each product needs ([`presets`],
//! [`guide`]), saved connections and the keychain ([`store`]), exports and imports, sending a
//! credential into another tool ([`deliver`]), git, and the flows the window and the command line
//! share ([`manage`]).
//!
//! It knows Bitbucket only through the `bitbucket-cloud` crate, and neither front end: no Tauri
//! type, no window step, no command-line flag. Errors are typed facts (which file, which scope,
//! which connection); each front end turns them into its own next step.

/// The Bitbucket Cloud crate, under the name the domain's code uses for it.
pub use bitbucket_cloud as bitbucket;
pub use bitbucket_cloud::safe_text;

pub mod deliver;
pub mod exe;
pub mod exit_code;
pub mod export;
pub mod freshness;
pub mod git;
pub mod guide;
pub mod hardening;
pub mod import;
pub mod input;
pub mod links;
pub mod manage;
pub mod platform;
pub mod presets;
pub mod remind;
pub mod replace;
pub mod shell;
pub mod store;
