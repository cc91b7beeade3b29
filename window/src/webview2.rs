//! The window on Windows is drawn by Microsoft Edge WebView2. Windows 11 and current Windows 10
//! include its runtime, but Windows 10 LTSC, some Windows Server editions and PCs where company
//! policy or a missing network stopped the installer's bootstrapper do not have it. Tauri then
//! stops with a panic ("Could not find the webview runtime") and, in a release build, which has
//! no console, the admin who double-clicked the app sees nothing at all.
//!
//! So before Tauri starts, [`check`] asks WebView2's loader for the installed runtime's version
//! (`GetAvailableCoreWebView2BrowserVersionString`, through `tauri::webview_version`), and when
//! there is none the app says so in a system message box and on standard error, and exits with
//! the exit-code table's [`UNAVAILABLE`](crate::exit_code::UNAVAILABLE). Elsewhere the check
//! always passes: WebKitGTK and WKWebView are linked into the app, so a missing one stops the
//! program from loading before any of this runs.
//!
//! Microsoft's runtime page: <https://developer.microsoft.com/microsoft-edge/webview2/>
//! (the Evergreen Bootstrapper or Standalone Installer; no restart needed).

pub use crate::platform::webview2::{RUNTIME_PAGE, TITLE};

/// The WebView2 runtime is not there (or its loader cannot find it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// What the loader said, for support (never shown as the sentence itself).
    pub detail: String,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&message())
    }
}

/// What the user reads: what is missing, where to get it, that IT can install it, and that the
/// command line still works.
pub fn message() -> String {
    format!(
        "Microsoft Edge WebView2 Runtime is not installed on this computer, and Bitbucket Setup Assistant needs it to show its window.\n\n\
         Windows 11 and current Windows 10 include it; some editions (Windows 10 LTSC, Windows Server) do not, and company policy or a missing network can stop it from being installed.\n\n\
         To fix it, install the Evergreen WebView2 Runtime from Microsoft (free, no restart needed):\n{RUNTIME_PAGE}\n\n\
         If you cannot install programs on this computer, ask your IT department to install \"Microsoft Edge WebView2 Runtime\" for you. \
         Then start Bitbucket Setup Assistant again. Nothing was changed; your saved connections are kept."
    )
}

/// Whether the window can be drawn here. Only Windows can say no.
pub fn check() -> Result<(), Missing> {
    #[cfg(windows)]
    {
        match tauri::webview_version() {
            Ok(version) if !version.trim().is_empty() => Ok(()),
            Ok(_) => Err(Missing { detail: "WebView2 reported no version".to_string() }),
            Err(e) => Err(Missing { detail: e.to_string() }),
        }
    }
    #[cfg(not(windows))]
    {
        Ok(())
    }
}

/// Says that the runtime is missing: on standard error (for a console or a log) and in a system
/// message box (a double-clicked app has no console). Returns when the user has closed the box.
pub fn report(missing: &Missing) {
    eprintln!("{TITLE}.\n\n{missing}\n\n(WebView2's loader said: {})", missing.detail);
    #[cfg(windows)]
    message_box(TITLE, &missing.to_string());
}

/// `MessageBoxW` with an error icon, in front of other windows.
#[cfg(windows)]
fn message_box(title: &str, text: &str) {
    /// winuser.h
    const MB_OK: u32 = 0x0000_0000;
    const MB_ICONERROR: u32 = 0x0000_0010;
    const MB_SETFOREGROUND: u32 = 0x0001_0000;
    #[link(name = "user32")]
    extern "system" {
        fn MessageBoxW(hwnd: *mut core::ffi::c_void, text: *const u16, caption: *const u16, kind: u32) -> i32;
    }
    let wide = |s: &str| s.encode_utf16().chain(std::iter::once(0)).collect::<Vec<u16>>();
    let (text, title) = (wide(text), wide(title));
    // SAFETY: both strings are NUL-terminated UTF-16 that outlive the call; no owner window.
    let shown = unsafe { MessageBoxW(std::ptr::null_mut(), text.as_ptr(), title.as_ptr(), MB_OK | MB_ICONERROR | MB_SETFOREGROUND) };
    if shown == 0 {
        // The box could not be made (the desktop was not ready, or there is none): standard
        // error above still says everything; say why the box is missing too.
        eprintln!("(The message box could not be shown: {}.)", std::io::Error::last_os_error());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_what_is_missing_where_to_get_it_and_who_can_install_it() {
        let m = message();
        for part in [
            "Microsoft Edge WebView2 Runtime",
            "not installed",
            RUNTIME_PAGE,
            "Evergreen",
            "IT department",
            "start Bitbucket Setup Assistant again",
        ] {
            assert!(m.contains(part), "{part:?} missing from: {m}");
        }
        assert!(RUNTIME_PAGE.starts_with("https://developer.microsoft.com/"));
        // The Display of the error is the sentence, never the loader's detail.
        let missing = Missing { detail: "HRESULT 0x80070002".into() };
        assert_eq!(missing.to_string(), m);
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_the_window_can_always_be_drawn() {
        assert_eq!(check(), Ok(()));
    }
}
