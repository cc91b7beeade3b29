//! Why an export could not be made or written, as facts: which format, which field, which file.
//! `Display` says what went wrong in plain words; what the user does next (a flag to add, a
//! control to use) is each front end's to say (the command line's `cli/advice`, the window's
//! `advice`). Messages never contain the token.

use std::path::PathBuf;

use super::registry::{format_names, FORMATS};
use crate::presets::PresetError;

/// Why an export could not be made or written. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Made by [`ExportError::unknown_format`].
    #[error("Unknown format \"{given}\". Use one of: {}.", format_names())]
    UnknownFormat { given: String },
    #[error("{source}")]
    KindNotAccepted {
        format: &'static str,
        #[source]
        source: PresetError,
    },
    #[error("The {format} format needs an API token with scopes and its Atlassian account email; this connection holds {kind}. Create an API token with scopes (id.atlassian.com > Security > \"Create API token with scopes\", app Bitbucket), save it as a new connection, and export that.")]
    NeedsApiToken { format: &'static str, kind: &'static str },
    /// The connection is an API token saved without its email.
    #[error("The connection has no Atlassian account email, which an API token needs.")]
    MissingEmail,
    #[error("There is no form for {preset}. Use the env, json or yaml format instead.")]
    NoForm { preset: &'static str },
    #[error("The {field} cannot be written to {format}: {why} Change the value in the connection and export again.")]
    Unrepresentable { format: &'static str, field: &'static str, why: &'static str },
    /// An export option (the folder) cannot be used as given.
    #[error("{0}")]
    BadOption(String),
    /// A folder was chosen for a repository whose default branch Bitbucket did not report, and
    /// no branch was chosen.
    #[error("A folder needs a branch, and Bitbucket did not report this repository's default branch.")]
    FolderNeedsBranch,
    /// The file is there and replacing it was not asked for.
    #[error("{} already exists.", .path.display())]
    Exists { path: PathBuf },
    #[error("The folder {} does not exist. Create it first, or choose another place.", .path.display())]
    NoFolder { path: PathBuf },
    #[error("{} is a folder. Give a file name, for example {}.", .path.display(), FORMATS[0].file_suffix.trim_start_matches('.'))]
    IsFolder { path: PathBuf },
    /// A device, a pipe or a socket (or a link to one): replacing it would not help, and is the
    /// harm, so no front end offers to.
    #[error("{} is not a regular file ({what}), so nothing was written to it.", .path.display())]
    NotRegular { path: PathBuf, what: &'static str },
    #[error("Could not {action} {}: {source}.{}", .path.display(), write_advice(source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ExportError {
    /// A format name no format answers to, shortened for the message (it came from the user).
    pub fn unknown_format(given: &str) -> ExportError {
        ExportError::UnknownFormat { given: crate::safe_text::visible_clip(given, 40) }
    }
}

fn write_advice(source: &std::io::Error) -> std::borrow::Cow<'static, str> {
    if crate::replace::is_held_open(source) {
        return crate::replace::held_open_advice().into();
    }
    std::borrow::Cow::Borrowed(match source.kind() {
        std::io::ErrorKind::PermissionDenied => " Check that you may write to that folder.",
        std::io::ErrorKind::StorageFull => " Free some disk space and try again.",
        _ => " Try again, or choose another place.",
    })
}
