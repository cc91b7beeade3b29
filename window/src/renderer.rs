//! Which WebKitGTK renderer the window starts with on Linux.
//!
//! WebKitGTK 2.42+ draws through DMA-BUF buffers by default. On many machines that renderer
//! leaves the window blank (NVIDIA's driver, some Wayland compositors, machines without a GPU
//! render node), and WebKit's maintainers leave the choice to applications; Tauri apps
//! commonly ship `WEBKIT_DISABLE_DMABUF_RENDERER=1`. This app is a page of forms: it gains
//! nothing from GPU buffers, and WebKit's other renderer keeps about 95 MiB less in the web
//! process (measured by `scripts/bench.sh`, see docs/benchmarks.md).
//!
//! A user who set the variable keeps their choice: `WEBKIT_DISABLE_DMABUF_RENDERER=0` brings
//! back WebKit's default.

use std::ffi::OsStr;

/// The variable WebKitGTK reads when its web process starts.
pub const DMABUF_VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// The value to set, given what the environment holds now: `None` when the user chose.
pub fn dmabuf_default(current: Option<&OsStr>) -> Option<&'static str> {
    match current {
        Some(_) => None,
        None => Some("1"),
    }
}

/// Sets the renderer default for the window's web process (Linux only; WebKitGTK is not used
/// elsewhere).
///
/// Call it first thing in `main`, before any thread starts: changing the environment while
/// another thread reads it is undefined behaviour on Linux.
pub fn apply_default() {
    if cfg!(target_os = "linux") {
        if let Some(value) = dmabuf_default(std::env::var_os(DMABUF_VAR).as_deref()) {
            std::env::set_var(DMABUF_VAR, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_choice_wins_and_the_default_is_the_legacy_renderer() {
        assert_eq!(dmabuf_default(None), Some("1"));
        assert_eq!(dmabuf_default(Some(OsStr::new("0"))), None);
        assert_eq!(dmabuf_default(Some(OsStr::new("1"))), None);
        assert_eq!(dmabuf_default(Some(OsStr::new(""))), None);
    }
}
