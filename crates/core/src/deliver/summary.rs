//! What a re-delivery did, as typed facts ([`Summary`]): one outcome per export file, one per
//! credential sent to a tool, git, and what the admin must still paste by hand. Each outcome's
//! `Display` is a plain sentence true in every front end (no flag, no button); the command line
//! adds its commands (`cli/advice/redeliver.rs`), the window its own words.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::export;
use crate::presets::PresetId;
use crate::store::connections::WrittenExport;

/// Everything a token replacement re-delivered, or could not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The connection's name.
    pub connection: String,
    pub files: Vec<FileOutcome>,
    pub sent: Vec<SentOutcome>,
    /// Present when git asks this app (`git setup`), or the connection is for git.
    pub git: Option<GitOutcome>,
    pub by_hand: Vec<PasteByHand>,
    /// The files were handled, but what was done could not be recorded with the connection
    /// (the store's sentence): a file written again then reads as "changed" next time.
    pub not_recorded: Option<String>,
}

impl Summary {
    /// Whether nothing was delivered with this token before: no file, no tool, no git, no form.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.sent.is_empty() && self.git.is_none() && self.by_hand.is_empty()
    }

    /// Every outcome's sentence, in order: files, tools, git, forms.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.files.iter().map(ToString::to_string).collect();
        lines.extend(self.sent.iter().map(ToString::to_string));
        lines.extend(self.git.iter().map(ToString::to_string));
        lines.extend(self.by_hand.iter().map(ToString::to_string));
        if let Some(why) = &self.not_recorded {
            lines.push(format!("What was written could not be recorded with the connection: {why}"));
        }
        if self.is_empty() {
            lines.push(NOTHING_ELSE.to_string());
        }
        lines
    }
}

/// Said when nothing was delivered with the old token.
pub const NOTHING_ELSE: &str =
    "The app had delivered this token nowhere else (no export file written, no credential sent to a tool).";

/// One recorded export file, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileOutcome {
    /// The record as it was before the replacement (path, format, token or not, choices).
    pub export: WrittenExport,
    pub result: FileResult,
}

impl FileOutcome {
    /// The format's label (`.env file`), or its name when this version does not know it.
    pub fn label(&self) -> String {
        match export::from_slug(&self.export.format) {
            Some(format) => export::info(format).label.to_string(),
            None => self.export.format.clone(),
        }
    }
}

/// What became of one export file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileResult {
    /// It held exactly what the app wrote: written again, with the new token if it held one.
    Rewritten,
    /// Its contents changed after the app wrote it: left as it is.
    Changed,
    /// Nothing is at the path. `forgotten`: its folder is there, so the user deleted the file,
    /// and the app no longer follows it; otherwise the folder is gone too (a drive or share not
    /// connected now) and the record is kept for the next replacement.
    Gone { forgotten: bool },
    /// The path is now a folder: left as it is.
    Folder,
    /// The path is now a symbolic link: left as it is (the app never writes through a link).
    Link,
    /// The path is now a named pipe, a socket or a device (`what`): left as it is.
    Special { what: &'static str },
    /// It could not be read, or could not be written again (`reason`: the error's sentence):
    /// left as it is.
    NotRewritten { reason: String },
}

impl fmt::Display for FileOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.export.path.display();
        let label = self.label();
        match &self.result {
            FileResult::Rewritten if self.export.include_secret => {
                write!(f, "{path} ({label}) was written again with the new token.")
            }
            FileResult::Rewritten => write!(
                f,
                "{path} ({label}) was written again; it holds the keychain reference, which now gives the new token."
            ),
            FileResult::Changed => write!(
                f,
                "{path} ({label}) was left as it is: it was changed after the app wrote it{}.",
                if self.export.include_secret { ", so it may still hold the old token" } else { "" }
            ),
            FileResult::Gone { forgotten: true } => {
                write!(f, "{path} ({label}) is gone, so it was not written again; the app no longer follows it.")
            }
            FileResult::Gone { forgotten: false } => write!(
                f,
                "{path} ({label}) was not written: its folder is not there (a drive or shared folder not connected?). It will be written at the next replacement if it is back unchanged."
            ),
            FileResult::Folder => {
                write!(f, "{path} is now a folder, not the file the app wrote, so it was left as it is.")
            }
            FileResult::Link => write!(
                f,
                "{path} is now a symbolic link, not the file the app wrote, so it was left as it is (the app does not write through links)."
            ),
            FileResult::Special { what } => {
                write!(f, "{path} is now {what}, not the file the app wrote, so it was left as it is.")
            }
            FileResult::NotRewritten { reason } => {
                write!(f, "{path} ({label}) could not be written again, so it was left as it is: {reason}")
            }
        }
    }
}

/// One credential sent to a tool, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentOutcome {
    /// The tool ("n8n").
    pub to: String,
    /// Its address, as recorded.
    pub url: String,
    pub result: SentResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SentResult {
    /// The credential sent before now holds the new token.
    Updated { credential_id: String },
    /// The credential sent before (`old_id`) was gone from the tool: created again.
    CreatedAgain { old_id: String, credential_id: String },
    /// No API key is kept for the tool at this address, so nothing was sent.
    NoKey,
    /// The tool could not be updated (`reason`: the error's sentence).
    Failed { reason: String },
    /// A tool this version of the app cannot send to.
    UnknownTool,
}

impl fmt::Display for SentOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (to, url) = (&self.to, &self.url);
        match &self.result {
            SentResult::Updated { credential_id } => {
                write!(f, "The {to} credential at {url} (id {credential_id}) now holds the new token.")
            }
            SentResult::CreatedAgain { old_id, credential_id } => write!(
                f,
                "The {to} credential sent to {url} before (id {old_id}) was gone there, so it was created again with the new token (id {credential_id})."
            ),
            SentResult::NoKey => write!(
                f,
                "The {to} credential at {url} was not updated: no {to} API key is kept for that address, so it still holds the old token."
            ),
            SentResult::Failed { reason } => {
                write!(f, "The {to} credential at {url} was not updated, so it still holds the old token: {reason}")
            }
            SentResult::UnknownTool => {
                write!(f, "The credential sent to {to} at {url} was not updated: this version of the app cannot send there.")
            }
        }
    }
}

/// git: it asks this app for Bitbucket's git host, or not (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GitOutcome {
    /// git is set up (in the user's configuration) to ask this app, which reads the keychain.
    pub set_up: bool,
}

impl fmt::Display for GitOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.set_up {
            f.write_str("git needs nothing: it asks this app for Bitbucket's git host, and gets the new token from the keychain.")
        } else {
            f.write_str(
                "git does not ask this app for Bitbucket's git host, so it still uses the token it was given before.",
            )
        }
    }
}

/// A product whose only way in is its own web form: the admin pastes the new token there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PasteByHand {
    pub product: PresetId,
    /// The product's name, as it calls itself.
    pub product_name: String,
    /// The product's copy sheet (or form export) the app has just written again, if any.
    pub sheet: Option<Sheet>,
}

/// An export of the product's form written again with this replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sheet {
    pub path: PathBuf,
    /// Whether its token field holds the token (else the keychain reference).
    pub holds_token: bool,
}

impl fmt::Display for PasteByHand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the app cannot reach its Bitbucket settings, so paste the new token into its form by hand.",
            self.product_name
        )?;
        match &self.sheet {
            Some(Sheet { path, holds_token: true }) => {
                write!(f, " The copy sheet {} holds the new token; delete it once it is pasted.", path.display())
            }
            Some(Sheet { path, holds_token: false }) => write!(
                f,
                " The copy sheet {} lists every field; its token field holds the keychain reference, not the token.",
                path.display()
            ),
            None => Ok(()),
        }
    }
}
