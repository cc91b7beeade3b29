//! The list of saved connections: a small versioned JSON file that never holds a secret.
//!
//! ```json
//! {"version": 1, "connections": [ { "id": "…", "name": "…", … } ]}
//! ```
//!
//! Writes are atomic (temporary file in the same folder, fsync, rename, fsync of the folder),
//! the file is private to the user (0600, folder 0700 on Unix), and every change holds a lock
//! across processes from read to write ([`ConnectionsFile::begin`]). A file that cannot be
//! read — broken JSON, or written by a newer version of the app — is moved aside to
//! `connections.json.corrupt-<UTC time>` / `connections.json.newer-version-<UTC time>` (never
//! over an earlier one); records this version cannot read are kept aside on their own in
//! `connections.json.unreadable-records-<UTC time>` and the rest are loaded. Either is reported
//! through [`Loaded::set_aside`] to every reader until the user has seen it.
//!
//! This module is the record and its rules; [`file`] is how the list lives on disk.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::bitbucket::credential::CredentialKind;
use crate::export::ExportOptions;
use crate::presets::PresetId;

mod file;

pub(crate) use file::{check_unique, replace_in};
pub use file::{find_in, parse, ConnectionsFile, Loaded, SetAside, SetAsideReason, Txn, MAX_FILE_BYTES};

/// The file format version this build reads and writes.
pub const FILE_VERSION: u64 = 1;
/// The file name inside the config folder.
pub const FILE_NAME: &str = "connections.json";
/// The folder name inside the OS config folder.
pub const APP_DIR: &str = "bitbucket-setup-assistant";
/// Environment variable that overrides the config folder (tests, portable setups).
pub const CONFIG_DIR_ENV: &str = "BITBUCKET_SETUP_CONFIG_DIR";
/// Longest connection name, in characters.
pub const NAME_MAX_CHARS: usize = 50;
/// Longest description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 255;
/// A token expiring within this many days is "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 14;

/// One saved connection: everything about a credential except the secret, which is in the
/// keychain under `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// UUID v4, stable for the connection's life; the keychain account.
    pub id: String,
    /// Trimmed, 1–50 characters, unique (case-insensitive).
    pub name: String,
    /// At most 255 characters.
    #[serde(default)]
    pub description: Option<String>,
    pub preset: PresetId,
    pub kind: CredentialKind,
    pub workspace: String,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    pub api_url: String,
    #[serde(default)]
    pub base_branch: Option<String>,
    #[serde(default)]
    pub granted_scopes: Vec<String>,
    /// `x-credential-type` as Bitbucket reported it.
    #[serde(default)]
    pub credential_type: Option<String>,
    #[serde(default)]
    pub last_check: Option<LastCheck>,
    #[serde(default)]
    pub expires: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The project key of a project token, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Repositories this token is known to reach ("workspace/repository", lower case): the one
    /// its check ran against, and each one git got into with it (git's `store`). At most
    /// [`PLACES_MAX`], newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reaches: Vec<String>,
    /// Where git was refused with this token (git's `erase`): the helper offers it there again
    /// only when no other saved token may work. At most [`PLACES_MAX`], newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub git_refused: Vec<GitRefusal>,
    /// Where this credential was sent (an n8n at an address) and the id it has there, so that
    /// sending again updates it. No secret: the service's key is in the keychain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<Sent>,
    /// The export files the app wrote for this connection (one per path, the last write
    /// there), so that a replaced token is written into them again, but only into those that
    /// still hold what the app wrote ([`crate::deliver::refresh`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<WrittenExport>,
}

/// An export file the app wrote: where, in which format, with or without the token, with which
/// choices, what exactly it wrote and when. No secret: [`WrittenExport::sha256`] is a digest of
/// the bytes written, to tell later whether the file still holds them. A digest is not the
/// token, and a token (a random string of well over 100 bits) is far too long to be found from
/// it by trying candidates, so it may sit in the connections file like the rest of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenExport {
    /// Absolute (made so from the current folder, not resolved through links).
    pub path: PathBuf,
    /// The format's name (`env`, `sqai-sheet`, …); kept as text so that a record naming a format
    /// another version of the app knows is read, not set aside with its connection.
    pub format: String,
    /// Whether the file holds the token itself (else a keychain reference).
    pub include_secret: bool,
    /// The choices the export was made with (branch, folder).
    #[serde(default)]
    pub options: ExportOptions,
    /// SHA-256 of the exact bytes written, in lower-case hex.
    pub sha256: String,
    pub at: DateTime<Utc>,
}

/// A credential sent to another tool: which tool (`to`, e.g. "n8n"), at which address, the id
/// the tool gave it, and when it was last sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub to: String,
    pub url: String,
    pub credential_id: String,
    pub at: DateTime<Utc>,
}

/// A place ("workspace/repository", or "workspace" when git named no repository) where git was
/// refused with a connection's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRefusal {
    pub place: String,
    pub at: DateTime<Utc>,
}

/// The most places a connection remembers in [`Connection::reaches`] and
/// [`Connection::git_refused`]; the oldest go first.
pub const PLACES_MAX: usize = 100;

impl Connection {
    /// A fresh stable id (UUID v4).
    pub fn new_id() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// A connection with a fresh id and its place, and every other field at its default (no
    /// check, no expiry, Bitbucket Cloud's API). The one place a record is built from nothing:
    /// the app and the tests say only the fields that matter to them
    /// (`Connection { expires, ..Connection::new(…) }`), so a new field touches one line here.
    pub fn new(name: impl Into<String>, preset: PresetId, kind: CredentialKind, workspace: impl Into<String>, repository: Option<&str>) -> Connection {
        let now = Utc::now();
        Connection {
            id: Self::new_id(),
            name: name.into(),
            description: None,
            preset,
            kind,
            workspace: workspace.into(),
            repository: repository.map(str::to_string),
            email: None,
            username: None,
            api_url: crate::bitbucket::client::DEFAULT_API_URL.to_string(),
            base_branch: None,
            granted_scopes: Vec::new(),
            credential_type: None,
            last_check: None,
            expires: None,
            created_at: now,
            updated_at: now,
            project: None,
            reaches: Vec::new(),
            git_refused: Vec::new(),
            sent: Vec::new(),
            exports: Vec::new(),
        }
    }

    /// "acme/website", or "acme" for a workspace-wide credential.
    pub fn target(&self) -> String {
        match self
            .repository
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(repo) => format!("{}/{}", self.workspace, repo),
            None => self.workspace.clone(),
        }
    }

    /// "acme/website" in lower case, the way git's paths are compared; `None` without a repository.
    pub fn repository_place(&self) -> Option<String> {
        let repo = crate::safe_text::non_blank(self.repository.as_deref())?;
        Some(format!("{}/{}", self.workspace.trim(), repo).to_lowercase())
    }

    /// Whether this token is known to reach `place` (lower case "workspace/repository"): its
    /// check ran against it, or git got in there with it.
    pub fn known_to_reach(&self, place: &str) -> bool {
        self.repository_place().as_deref() == Some(place) || self.reaches.iter().any(|r| r == place)
    }

    /// Whether git was refused at `place` with this token.
    pub fn refused_at(&self, place: &str) -> bool {
        self.git_refused.iter().any(|r| r.place == place)
    }

    /// Remembers that git got into `place` with this token (and so was not refused there).
    /// Returns whether anything changed.
    pub fn note_reached(&mut self, place: &str) -> bool {
        let before = self.git_refused.len();
        self.git_refused.retain(|r| r.place != place);
        let mut changed = self.git_refused.len() != before;
        if !self.reaches.iter().any(|r| r == place) {
            self.reaches.push(place.to_string());
            let extra = self.reaches.len().saturating_sub(PLACES_MAX);
            self.reaches.drain(..extra);
            changed = true;
        }
        changed
    }

    /// Remembers that git was refused at `place` with this token: it is no longer known to
    /// reach it.
    pub fn note_refused(&mut self, place: &str, at: DateTime<Utc>) {
        self.reaches.retain(|r| r != place);
        self.git_refused.retain(|r| r.place != place);
        self.git_refused.push(GitRefusal { place: place.to_string(), at });
        let extra = self.git_refused.len().saturating_sub(PLACES_MAX);
        self.git_refused.drain(..extra);
    }

    /// What was recorded when this credential was last sent to `to` at `url`.
    pub fn sent_to(&self, to: &str, url: &str) -> Option<&Sent> {
        self.sent.iter().find(|s| s.to == to && s.url == url)
    }

    /// Records that this credential was sent to `to` at `url`, where its id is `credential_id`
    /// (replacing what was recorded for that place).
    pub fn note_sent(&mut self, sent: Sent) {
        self.sent.retain(|s| !(s.to == sent.to && s.url == sent.url));
        self.sent.push(sent);
    }

    /// Records an export file written at `written.path`, replacing what was recorded for that
    /// path.
    pub fn note_export(&mut self, written: WrittenExport) {
        self.exports.retain(|e| e.path != written.path);
        self.exports.push(written);
    }

    /// The expiry status today (local date).
    pub fn expiry_status_today(&self) -> ExpiryStatus {
        expiry_status(self.expires, chrono::Local::now().date_naive())
    }

    /// Checks the fields a person typed and returns the connection with its name and
    /// description trimmed (an empty description becomes `None`).
    pub fn normalized(mut self) -> Result<Connection, ConnectionsError> {
        if uuid::Uuid::parse_str(self.id.trim()).is_err() {
            return Err(ConnectionsError::InvalidId);
        }
        self.id = self.id.trim().to_string();
        self.name = validate_name(&self.name)?;
        self.description = match self.description.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => {
                let len = d.chars().count();
                if len > DESCRIPTION_MAX_CHARS {
                    return Err(ConnectionsError::DescriptionTooLong { len });
                }
                // Line breaks and tabs are a description's own; other control characters
                // would act on a terminal or in a file that shows it.
                if d.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    return Err(ConnectionsError::DescriptionHasControlCharacters);
                }
                Some(d.to_string())
            }
        };
        if self.workspace.trim().is_empty() {
            return Err(ConnectionsError::MissingWorkspace);
        }
        Ok(self)
    }
}

/// The result of the last check against Bitbucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastCheck {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// A short problem code (e.g. "expired", "missing_scope"), when not ok.
    #[serde(default)]
    pub problem: Option<String>,
    /// The plain-language summary shown to the user.
    pub message: String,
    /// What Bitbucket answered, for "Copy details for support" (no secret, no account name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<crate::bitbucket::validate::CheckDetails>>,
}

/// How close a token is to its expiry date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ExpiryStatus {
    /// No expiry date known.
    NoDate,
    /// More than [`EXPIRING_SOON_DAYS`] days left.
    Valid { days_left: i64 },
    /// 0–14 days left (0: the expiry date is today).
    ExpiringSoon { days_left: i64 },
    /// The expiry date is in the past.
    Expired { days_ago: i64 },
}

/// The expiry status of a token that expires on `expires`, seen on `today`. A token is counted
/// as usable through its expiry date ("expires today" = 0 days left, expiring soon) and as
/// expired from the day after.
pub fn expiry_status(expires: Option<NaiveDate>, today: NaiveDate) -> ExpiryStatus {
    let Some(expires) = expires else {
        return ExpiryStatus::NoDate;
    };
    let days = expires.signed_duration_since(today).num_days();
    if days < 0 {
        ExpiryStatus::Expired { days_ago: -days }
    } else if days <= EXPIRING_SOON_DAYS {
        ExpiryStatus::ExpiringSoon { days_left: days }
    } else {
        ExpiryStatus::Valid { days_left: days }
    }
}

/// Checks a connection name and returns it trimmed: 1–50 characters (any Unicode, counted as
/// characters), no line breaks or control characters, nothing that changes the direction of
/// text or shows as nothing (zero-width and other format characters).
pub fn validate_name(raw: &str) -> Result<String, ConnectionsError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ConnectionsError::NameEmpty);
    }
    let len = name.chars().count();
    if len > NAME_MAX_CHARS {
        return Err(ConnectionsError::NameTooLong { len });
    }
    if name.chars().any(char::is_control) {
        return Err(ConnectionsError::NameHasControlCharacters);
    }
    // Characters that reverse how the rest of a line is shown would let a name pass itself
    // off as another in `list` or the window.
    if let Some(c) = name.chars().find(|c| crate::safe_text::is_bidi_control(*c)) {
        return Err(ConnectionsError::NameHasDirectionControls { code: code_point(c) });
    }
    // Nor may a name hold a character that shows as nothing: "e4" and "e4" followed by a
    // zero-width space would list alike and be two connections.
    if let Some(c) = name.chars().find(|c| crate::safe_text::is_invisible(*c)) {
        return Err(ConnectionsError::NameHasInvisibleCharacter { code: code_point(c) });
    }
    Ok(name.to_string())
}

/// "U+200B": a character as a person can look it up.
fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Names compare case-insensitively (Unicode lowercase) after trimming.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}


/// Problems with the connections list: `Display` is the user's sentence, with what to do where
/// there is something to do. Messages never contain a secret (the file has none) nor file
/// contents.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionsError {
    #[error("Give the connection a name.")]
    NameEmpty,
    #[error("The name is {len} characters long; use at most 50.")]
    NameTooLong { len: usize },
    #[error("The name cannot contain line breaks or tabs.")]
    NameHasControlCharacters,
    #[error("The name contains {code}, a character that changes the direction of text, so it could read as another name. Type the name again without it.")]
    NameHasDirectionControls { code: String },
    #[error("The name contains an invisible character ({code}), so it would look like another name. Type the name again without it.")]
    NameHasInvisibleCharacter { code: String },
    #[error("The description cannot contain control characters (other than line breaks and tabs).")]
    DescriptionHasControlCharacters,
    #[error("A connection named \"{name}\" already exists. Choose another name.")]
    DuplicateName { name: String },
    #[error("The description is {len} characters long; use at most 255.")]
    DescriptionTooLong { len: usize },
    #[error("The connection needs a Bitbucket workspace.")]
    MissingWorkspace,
    #[error("The connection's id is not valid.")]
    InvalidId,
    #[error("A connection with this id already exists.")]
    DuplicateId,
    #[error("No saved connection matches \"{what}\". List the saved connections to see their names.")]
    NotFound { what: String },
    #[error(
        "Your config folder could not be found. Set BITBUCKET_SETUP_CONFIG_DIR to a folder to use."
    )]
    NoConfigDir,
    #[error("{} is {what}, not a file of saved connections. Move it away; the app then starts a new list.", .path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("Could not {action} {}: {source}.{}", .path.display(), io_advice(source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("Another Bitbucket Setup Assistant (a window or a command) kept the saved connections busy for {seconds} seconds, so nothing was changed. Try again in a moment; if it keeps happening, close the other window or command.")]
    Busy { seconds: u64 },
    #[error("Could not write the connections list: {0}")]
    Serialize(#[source] serde_json::Error),
}

/// What to do when the connections file cannot be read or written.
fn io_advice(source: &io::Error) -> std::borrow::Cow<'static, str> {
    if crate::replace::is_held_open(source) {
        return crate::replace::held_open_advice().into();
    }
    std::borrow::Cow::Borrowed(match source.kind() {
        io::ErrorKind::PermissionDenied => " Check that you own this folder and may write to it.",
        io::ErrorKind::StorageFull => " Free some disk space and try again.",
        _ => " Try again; if it keeps failing, check the disk and the folder's permissions.",
    })
}

impl ConnectionsError {
    /// Whether the user's own input is the cause (a name, a description, a connection that does
    /// not exist), not the file or the disk: the command line says "bad usage or input".
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            ConnectionsError::NameEmpty
                | ConnectionsError::NameTooLong { .. }
                | ConnectionsError::NameHasControlCharacters
                | ConnectionsError::NameHasDirectionControls { .. }
                | ConnectionsError::NameHasInvisibleCharacter { .. }
                | ConnectionsError::DescriptionHasControlCharacters
                | ConnectionsError::DuplicateName { .. }
                | ConnectionsError::DescriptionTooLong { .. }
                | ConnectionsError::MissingWorkspace
                | ConnectionsError::NotFound { .. }
        )
    }

    fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        ConnectionsError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
