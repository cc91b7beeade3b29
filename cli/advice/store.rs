//! Next steps for the saved connections and the keychain.

use bitbucket_setup_core::manage::ManageError;
use bitbucket_setup_core::shell::Program;
use bitbucket_setup_core::store::secrets::SecretStoreError;
use bitbucket_setup_core::store::StoreError;

pub fn for_store(e: &StoreError, program: &Program) -> Option<String> {
    match e {
        // The token is stored again by replacing it; the command line's way there is the window.
        StoreError::Keychain { source: SecretStoreError::NotFound, .. } => Some(format!(
            "Paste the token again with \"Replace token\" in the window's saved connections (`{}` opens the window) to store it for this connection.",
            program.command(&[])
        )),
        _ => None,
    }
}

pub fn for_manage(e: &ManageError, program: &Program) -> Option<String> {
    match e {
        ManageError::Store(e) => for_store(e, program),
        ManageError::NoSuchConnection(_) => Some(format!("`{}` shows the saved ones.", program.command(&["list"]))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitbucket_setup_core::shell::Shell;
    use bitbucket_setup_core::store::secrets::KeychainAction;

    #[test]
    fn an_unknown_name_points_to_list_in_each_shell() {
        let e = ManageError::NoSuchConnection("Nobody".into());
        let unix = for_manage(&e, &Program::named(Shell::Posix)).unwrap();
        assert_eq!(unix, "`bitbucket-setup list` shows the saved ones.");
        let windows = Program::named(Shell::PowerShell);
        assert_eq!(for_manage(&e, &windows).unwrap(), format!("`{}` shows the saved ones.", windows.command(&["list"])));
    }

    #[test]
    fn a_missing_token_is_stored_again_and_other_keychain_errors_say_it_all() {
        let missing = StoreError::Keychain { action: KeychainAction::Read, source: SecretStoreError::NotFound };
        let step = for_store(&missing, &Program::named(Shell::Posix)).unwrap();
        assert!(step.contains("Replace token") && step.contains("`bitbucket-setup`"), "{step}");
        let locked = StoreError::Keychain { action: KeychainAction::Read, source: SecretStoreError::Locked };
        assert_eq!(for_store(&locked, &Program::named(Shell::Posix)), None);
    }
}
