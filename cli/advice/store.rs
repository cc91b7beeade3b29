//! Next steps for the saved connections and the keychain.

use bitbucket_setup_core::manage::ManageError;
use bitbucket_setup_core::shell::Program;
use bitbucket_setup_core::store::StoreError;

pub fn for_store(_e: &StoreError, _program: &Program) -> Option<String> {
    None
}

pub fn for_manage(_e: &ManageError, _program: &Program) -> Option<String> {
    None
}
