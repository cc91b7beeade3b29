//! The words each operating system uses for what the app talks about: where the token is kept,
//! the app a user opens to look at it, why it cannot be used and what to do about that on this
//! system, where the settings are, and the key combinations. One table, so no message on
//! Windows says "Secret Service" and none on a Mac says "Ctrl". (The keychain backend itself is
//! `store::secrets::os_keychain`.)

use serde::Serialize;

/// The systems the app is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    pub const ALL: [Os; 3] = [Os::Linux, Os::MacOs, Os::Windows];

    /// The system this build runs on (the BSDs use Linux's words: the Secret Service).
    pub const fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// One system's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Words {
    /// The keychain, as the user knows it ("the macOS Keychain").
    pub keychain: &'static str,
    /// Its short name, for "the token is in the …".
    pub keychain_short: &'static str,
    /// The app in which a user sees or deletes a keychain item.
    pub keychain_app: &'static str,
    /// Why no keychain can be reached, and what to do about it on this system.
    pub keychain_unavailable: &'static str,
    pub keychain_unavailable_fix: &'static str,
    /// Why the keychain would not open, and what to do about it on this system.
    pub keychain_locked: &'static str,
    pub keychain_locked_fix: &'static str,
    /// Where the app keeps its settings (`connections.json`).
    pub settings_folder: &'static str,
    /// The paste and copy key combinations.
    pub paste_keys: &'static str,
    pub copy_keys: &'static str,
}

/// The table.
pub const fn words(os: Os) -> Words {
    match os {
        Os::Linux => Words {
            keychain: "your desktop's keyring (GNOME Keyring or KDE Wallet, through the Secret Service)",
            keychain_short: "Secret Service keyring",
            keychain_app: "Passwords and Keys (Seahorse), or KWalletManager on KDE",
            keychain_unavailable: "No keychain service is running (Secret Service over D-Bus).",
            keychain_unavailable_fix: "Install and start one, such as GNOME Keyring or KeePassXC with Secret Service enabled, then try again.",
            keychain_locked: "Your keyring is locked (or the request to unlock it was closed), or no default keyring has been set up yet.",
            keychain_locked_fix: "Unlock your keyring (log in again or open Passwords and Keys, where you can also create a default keyring), then try again.",
            settings_folder: "~/.config/bitbucket-setup-assistant",
            paste_keys: "Ctrl+V",
            copy_keys: "Ctrl+C",
        },
        Os::MacOs => Words {
            keychain: "the macOS Keychain (your login keychain)",
            keychain_short: "macOS Keychain",
            keychain_app: "Keychain Access",
            keychain_unavailable: "The macOS Keychain could not be opened.",
            keychain_unavailable_fix: "Open Keychain Access and check that your login keychain exists and is your default keychain, then try again.",
            keychain_locked: "Your login keychain is locked.",
            keychain_locked_fix: "Unlock it in Keychain Access (or log in again), then try again.",
            settings_folder: "~/Library/Application Support/bitbucket-setup-assistant",
            paste_keys: "⌘V",
            copy_keys: "⌘C",
        },
        Os::Windows => Words {
            keychain: "Windows Credential Manager",
            keychain_short: "Windows Credential Manager",
            keychain_app: "Credential Manager (Control Panel > User Accounts > Credential Manager > Windows Credentials)",
            keychain_unavailable: "Windows Credential Manager is not available for this login session.",
            keychain_unavailable_fix: "Log in to Windows interactively with your own account (not a service account) and try again.",
            keychain_locked: "Windows Credential Manager is locked.",
            keychain_locked_fix: "Log out and in again, then try again.",
            settings_folder: r"%APPDATA%\bitbucket-setup-assistant",
            paste_keys: "Ctrl+V",
            copy_keys: "Ctrl+C",
        },
    }
}

/// This system's words.
pub const fn here() -> Words {
    words(Os::current())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words that belong to one system only.
    const LINUX_ONLY: [&str; 5] = ["Secret Service", "GNOME", "KDE", "~/.config", "Seahorse"];
    const MAC_ONLY: [&str; 4] = ["⌘", "Keychain Access", "macOS", "Library/Application Support"];
    const WINDOWS_ONLY: [&str; 3] = ["Credential Manager", "%APPDATA%", "Control Panel"];

    fn fields(w: &Words) -> [&'static str; 10] {
        [
            w.keychain,
            w.keychain_short,
            w.keychain_app,
            w.keychain_unavailable,
            w.keychain_unavailable_fix,
            w.keychain_locked,
            w.keychain_locked_fix,
            w.settings_folder,
            w.paste_keys,
            w.copy_keys,
        ]
    }

    #[test]
    fn each_system_speaks_its_own_words_only() {
        for os in Os::ALL {
            let w = words(os);
            let text = fields(&w).join(" | ");
            for field in fields(&w) {
                assert!(!field.trim().is_empty(), "{os:?}: an empty word");
            }
            let foreign: Vec<&str> = match os {
                Os::Linux => MAC_ONLY.iter().chain(WINDOWS_ONLY.iter()).copied().collect(),
                Os::MacOs => LINUX_ONLY.iter().chain(WINDOWS_ONLY.iter()).chain(["Ctrl"].iter()).copied().collect(),
                Os::Windows => LINUX_ONLY.iter().chain(MAC_ONLY.iter()).copied().collect(),
            };
            for word in foreign {
                assert!(!text.contains(word), "{os:?} says {word:?}: {text}");
            }
        }
        assert_eq!(words(Os::MacOs).paste_keys, "⌘V");
        assert_eq!(words(Os::Windows).paste_keys, "Ctrl+V");
    }

    #[test]
    fn this_build_uses_its_own_row() {
        let expected = if cfg!(target_os = "macos") { Os::MacOs } else if cfg!(windows) { Os::Windows } else { Os::Linux };
        assert_eq!(Os::current(), expected);
        assert_eq!(here(), words(expected));
    }
}

/// Windows' words for the window's one prerequisite there, Microsoft Edge WebView2 Runtime: the
/// window's message box says them, and the test that reads the box off the screen compares.
pub mod webview2 {
    /// Microsoft's page for the Evergreen WebView2 Runtime.
    pub const RUNTIME_PAGE: &str = "https://developer.microsoft.com/microsoft-edge/webview2/";

    /// The message box's title.
    pub const TITLE: &str = "Bitbucket Setup Assistant cannot open its window";
}
