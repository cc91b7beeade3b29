//! The window's next steps: git's configuration ("Use this for git on this computer").

use crate::commands::UiError;
use crate::git::setup::SetupError;

/// The window sets git up for the user's whole configuration, so the sentence says it all.
impl From<SetupError> for UiError {
    fn from(e: SetupError) -> UiError {
        UiError::new(e.to_string())
    }
}
