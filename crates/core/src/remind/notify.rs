//! Showing the reminder through the system's own notification service:
//!
//! * Linux (and the BSDs): the desktop's notification server, `org.freedesktop.Notifications`
//!   on the session bus (<https://specifications.freedesktop.org/notification-spec/latest/>),
//!   through `notify-rust` and its pure-Rust D-Bus client (zbus);
//! * Windows: a toast, through `notify-rust` (WinRT's toast notifications);
//! * macOS: Notification Center, through `osascript`'s `display notification`
//!   (<https://developer.apple.com/library/archive/documentation/LanguagesUtilities/Conceptual/MacAutomationScriptingGuide/DisplayNotifications.html>).
//!   notify-rust's macOS backend compiles Objective-C against the macOS SDK, which the macOS
//!   build checked on Linux (scripts/macos-check.sh) does not have; osascript ships with every
//!   Mac. The title and the text are handed to the script as arguments (`on run argv`), so
//!   nothing in them is read as AppleScript.
//!
//! A failure is an error to report, never a panic.

use super::due::Notice;
use super::error::{clipped, NotifyError};

/// The name the notification shows as its sender.
pub const APP_NAME: &str = "Bitbucket Setup Assistant";

/// The pauses before showing again after a failure: a daily job that was missed runs as soon
/// as the user logs in (the timer is persistent), when the desktop's notification service may
/// not be up yet; a moment later it is.
const RETRY_PAUSES: [std::time::Duration; 2] = [std::time::Duration::from_secs(2), std::time::Duration::from_secs(5)];

/// Shows `notice`, trying again for a few seconds when the notification service does not take
/// it (the last failure is the error).
pub fn show(notice: &Notice) -> Result<(), NotifyError> {
    let mut pauses = RETRY_PAUSES.iter();
    loop {
        match show_here(notice) {
            Ok(()) => return Ok(()),
            Err(e) => match pauses.next() {
                Some(pause) => std::thread::sleep(*pause),
                None => return Err(e),
            },
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn show_here(notice: &Notice) -> Result<(), NotifyError> {
    notify_rust::Notification::new()
        .appname(APP_NAME)
        .summary(&notice.summary)
        // Servers that show markup (most do: the spec's "body-markup") would read a `<` or `&`
        // in a connection's name as markup.
        .body(&markup_escaped(&notice.body))
        .icon("dialog-warning")
        // It stays until the user dismisses it: a reminder seen by nobody reminds nobody.
        .timeout(notify_rust::Timeout::Never)
        .show()
        .map(drop)
        .map_err(|e| NotifyError::NotShown { detail: clipped(&e.to_string()) })
}

#[cfg(windows)]
fn show_here(notice: &Notice) -> Result<(), NotifyError> {
    notify_rust::Notification::new()
        .appname(APP_NAME)
        .summary(&notice.summary)
        .body(&notice.body)
        .timeout(notify_rust::Timeout::Never)
        .show()
        .map(drop)
        .map_err(|e| NotifyError::NotShown { detail: windows_detail(&e.to_string()) })
}

/// Windows' error for a toast, in words: notify-rust's text is Rust's debug form of the WinRT
/// error (`Os(Error { code: HRESULT(0x80040154), message: "" })`), so the code is taken out of
/// it and the one a user meets (no toast service: Windows Server Core, a locked-down session,
/// Wine) is named.
#[cfg_attr(not(windows), allow(dead_code))]
fn windows_detail(raw: &str) -> String {
    let code = raw.find("0x").map(|i| {
        raw[i..].chars().take(2).chain(raw[i + 2..].chars().take_while(char::is_ascii_hexdigit)).collect::<String>()
    });
    match code.as_deref() {
        // REGDB_E_CLASSNOTREG: the toast's class is not registered.
        Some(c) if c.eq_ignore_ascii_case("0x80040154") => {
            format!("this Windows has no notification service for the app (error {c})")
        }
        Some(c) if c.len() > 2 => format!("Windows refused it (error {c})"),
        _ => clipped(raw),
    }
}

#[cfg(target_os = "macos")]
fn show_here(notice: &Notice) -> Result<(), NotifyError> {
    let out = std::process::Command::new("/usr/bin/osascript")
        .args([
            "-e",
            "on run argv",
            "-e",
            "display notification (item 2 of argv) with title (item 1 of argv)",
            "-e",
            "end run",
        ])
        .arg(&notice.summary)
        .arg(&notice.body)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| NotifyError::NotShown { detail: clipped(&format!("osascript could not be started: {e}")) })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(NotifyError::NotShown { detail: clipped(&String::from_utf8_lossy(&out.stderr)) })
    }
}

#[cfg(not(any(unix, windows)))]
fn show_here(_notice: &Notice) -> Result<(), NotifyError> {
    Err(NotifyError::NotShown { detail: "this system has no notification service this app knows.".into() })
}

/// `text` with the three characters the notification spec's markup gives a meaning escaped.
#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
fn markup_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_a_name_is_shown_as_text() {
        assert_eq!(super::markup_escaped("\"<b>A&B</b>\": expires"), "\"&lt;b&gt;A&amp;B&lt;/b&gt;\": expires");
    }

    #[test]
    fn a_windows_error_is_said_by_its_code_not_in_rusts_debug_form() {
        // What notify-rust gave under Wine 8 (tests/windows_wine.rs).
        let raw = "Os(Error { code: HRESULT(0x80040154), message: \"\" })";
        assert_eq!(super::windows_detail(raw), "this Windows has no notification service for the app (error 0x80040154)");
        assert_eq!(
            super::windows_detail("Os(Error { code: HRESULT(0x80070005), message: \"Access is denied.\" })"),
            "Windows refused it (error 0x80070005)"
        );
        assert_eq!(super::windows_detail("no code here"), super::clipped("no code here"));
    }
}
