//! git over HTTPS without a password on disk: a git credential helper that answers from the
//! keychain ([`helper`], [`pick`], [`protocol`]), the two lines that tell git to use it
//! ([`setup`]), and the search for retired app passwords git still keeps in plain text
//! ([`doctor`]).

pub mod doctor;
pub mod helper;
pub mod pick;
pub mod protocol;
pub mod reach;
pub mod setup;
