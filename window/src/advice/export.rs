//! The window's next steps: export. The export page saves through the system's save dialog
//! (which asks before it replaces a file) and includes the token only when its checkbox is
//! ticked; these are the words for its controls.

use crate::commands::UiError;
use crate::export::{ExportError, Format, Note};
use crate::manage::ExportFlowError;

/// The export page's checkbox that puts the token in the file (ui/export.js).
pub const INCLUDE_TOKEN: &str = "Include the token in the file";

/// What the user does next in the window after `e`, when its sentence does not say it all.
pub fn for_export(e: &ExportError) -> Option<&'static str> {
    Some(match e {
        ExportError::Exists { .. } => "Save again and choose another name, or agree to replace the file.",
        ExportError::NotRegular { .. } => "Save again and choose a file.",
        ExportError::FolderNeedsBranch => "Give a branch as well as the folder.",
        ExportError::MissingEmail => {
            "Replace its token (\"Replace token\" in the saved connections) and give your Atlassian account email."
        }
        _ => return None,
    })
}

impl From<ExportError> for UiError {
    fn from(e: ExportError) -> UiError {
        UiError::with_step(&e, for_export(&e))
    }
}

/// An unvalidated export is refused with the page's way out: the "Export anyway" button, which
/// the page shows for an error on "unvalidated".
impl From<ExportFlowError> for UiError {
    fn from(e: ExportFlowError) -> UiError {
        match e {
            ExportFlowError::Unvalidated { reason, .. } => UiError::on(
                "unvalidated",
                format!("This connection did not pass a check just now, so the export would be unvalidated. {reason} Re-test it or replace the token; or export anyway and the file will say it is unvalidated."),
            ),
            ExportFlowError::Export(e) => e.into(),
            ExportFlowError::Manage(e) => e.into(),
        }
    }
}

/// One line of "About this file", in the window's words.
pub fn about_line(note: &Note) -> String {
    match note {
        Note::Says(text) => text.clone(),
        Note::TokenIsAReference { format: Format::GitCredentials, token_command } => format!(
            "The password part is a reference, not the token: tick \"{INCLUDE_TOKEN}\" and save again for a working entry, or use {token_command} in a credential helper."
        ),
        Note::TokenIsAReference { format: Format::N8n, token_command } => format!(
            "accessToken holds a reference, not the token: tick \"{INCLUDE_TOKEN}\" and save again for n8n, or get it with {token_command}."
        ),
        Note::TokenIsAReference { token_command, .. } => format!(
            "The password is a reference, not the token: tick \"{INCLUDE_TOKEN}\" and save again, or get the token with {token_command}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_command_line_words_in_the_window() {
        for e in [
            ExportError::Exists { path: "a.env".into() },
            ExportError::NotRegular { path: "/dev/null".into(), what: "a device" },
            ExportError::FolderNeedsBranch,
            ExportError::MissingEmail,
        ] {
            let ui = UiError::from(e);
            assert!(!ui.message.contains("--") && !ui.message.contains("-o -"), "{}", ui.message);
            assert!(!ui.message.contains("bitbucket-setup") && !ui.message.contains('`'), "{}", ui.message);
        }
        for format in [Format::GitCredentials, Format::N8n, Format::Netrc] {
            let line = about_line(&Note::TokenIsAReference { format, token_command: "bitbucket-setup token X".into() });
            assert!(line.contains(INCLUDE_TOKEN) && !line.contains("--include-secret"), "{line}");
        }
    }
}
