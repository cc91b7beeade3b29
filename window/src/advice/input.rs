//! The window's errors for what the person typed in a field: each is shown next to its field.
//! The sentences say what to change; the field is the window's own next step.

use crate::bitbucket::client::ApiBaseError;
use crate::bitbucket::credential::PasteError;
use crate::bitbucket::location::LocationError;
use crate::bitbucket::validate::InputError;
use crate::commands::UiError;
use crate::links::LinkError;
use crate::presets::PresetError;

impl From<LocationError> for UiError {
    fn from(e: LocationError) -> UiError {
        UiError::on("location", e.to_string())
    }
}

impl From<PasteError> for UiError {
    fn from(e: PasteError) -> UiError {
        UiError::on("token", e.to_string())
    }
}

impl From<ApiBaseError> for UiError {
    fn from(e: ApiBaseError) -> UiError {
        UiError::on("api_url", e.to_string())
    }
}

/// A check that cannot be made as asked: the place the token is checked on is what changes.
impl From<InputError> for UiError {
    fn from(e: InputError) -> UiError {
        UiError::on("location", e.to_string())
    }
}

impl From<PresetError> for UiError {
    fn from(e: PresetError) -> UiError {
        UiError::new(e.to_string())
    }
}

impl From<LinkError> for UiError {
    fn from(e: LinkError) -> UiError {
        UiError::new(e.to_string())
    }
}
