//! What to tell the user when the keychain cannot be used, in the words of this platform.

/// What to tell the user when the keychain cannot be used, in the words of this platform.
pub(super) struct KeychainWords {
    pub(super) unavailable_why: &'static str,
    pub(super) unavailable_next_step: &'static str,
    pub(super) locked_why: &'static str,
    pub(super) locked_next_step: &'static str,
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
pub(super) const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "No keychain service is running (Secret Service over D-Bus).",
    unavailable_next_step: "Install and start one, such as GNOME Keyring or KeePassXC with Secret Service enabled, then try again.",
    locked_why: "Your keyring is locked (or the request to unlock it was closed), or no default keyring has been set up yet.",
    locked_next_step: "Unlock your keyring (log in again or open Passwords and Keys, where you can also create a default keyring), then try again.",
};

#[cfg(target_os = "macos")]
pub(super) const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "The macOS Keychain could not be opened.",
    unavailable_next_step: "Open Keychain Access and check that your login keychain exists and is your default keychain, then try again.",
    locked_why: "Your login keychain is locked.",
    locked_next_step: "Unlock it in Keychain Access (or log in again), then try again.",
};

#[cfg(target_os = "windows")]
pub(super) const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "Windows Credential Manager is not available for this login session.",
    unavailable_next_step: "Log in to Windows interactively with your own account (not a service account) and try again.",
    locked_why: "Windows Credential Manager is locked.",
    locked_next_step: "Log out and in again, then try again.",
};

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly",
    target_os = "macos",
    target_os = "windows"
)))]
pub(super) const WORDS: KeychainWords = KeychainWords {
    unavailable_why: "This system has no keychain this app can use.",
    unavailable_next_step: "Use the app on Linux, macOS or Windows.",
    locked_why: "The keychain is locked.",
    locked_next_step: "Unlock it and try again.",
};
