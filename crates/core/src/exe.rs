//! The assistant's two programs, installed side by side: the command line (`bitbucket-setup`,
//! which git runs as its credential helper and scripts call for a token) and the window
//! (`bitbucket-setup-window`, the wizard). The command line links no window, so a fetch or a
//! `token` call does not load WebKit; with no arguments it starts the window beside it.
//!
//! Every line that names "this program" (git's helper line, the commands the user is told to
//! type) names the command line, also when the window writes it.

use std::path::{Path, PathBuf};

/// The command line's file name, without `.exe`.
pub const COMMAND_LINE: &str = "bitbucket-setup";
/// The window's file name, without `.exe`.
pub const WINDOW: &str = "bitbucket-setup-window";

/// `name` with this system's executable suffix (`.exe` on Windows).
fn file_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The program called `name` in the folder of `exe`.
fn beside(exe: &Path, name: &str) -> Option<PathBuf> {
    Some(exe.parent()?.join(file_name(name)))
}

/// The command line, as a path: this process when it is the command line, otherwise the
/// command line installed beside it. `None` when this process cannot find its own file.
pub fn command_line() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    command_line_for(&exe)
}

/// [`command_line`] for a process running `exe`.
pub fn command_line_for(exe: &Path) -> Option<PathBuf> {
    let is_window = exe.file_stem().is_some_and(|stem| stem == WINDOW);
    if is_window {
        beside(exe, COMMAND_LINE)
    } else {
        Some(exe.to_path_buf())
    }
}

/// The window installed beside the command line at `exe`.
pub fn window_for(exe: &Path) -> Option<PathBuf> {
    beside(exe, WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_names_the_command_line_beside_it() {
        let dir = Path::new("/opt/app");
        let window = dir.join(file_name(WINDOW));
        let cli = dir.join(file_name(COMMAND_LINE));
        assert_eq!(command_line_for(&window), Some(cli.clone()));
        assert_eq!(command_line_for(&cli), Some(cli.clone()));
        assert_eq!(window_for(&cli), Some(window));
    }

    #[test]
    fn a_renamed_command_line_is_still_itself() {
        let renamed = Path::new("/home/me/bin/bbs");
        assert_eq!(command_line_for(renamed), Some(renamed.to_path_buf()));
    }
}
