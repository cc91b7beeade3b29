//! After a token is replaced, everything the app delivered gets the new one
//! ([`after_replacement`]): each export file it wrote, each credential it sent to a tool; git
//! needs nothing; and what only a person can do (a product's web form) is listed.
//!
//! A file is written again only when it still holds exactly what the app wrote (the digest in
//! its [`WrittenExport`] record): a file the user edited, or replaced with a folder, a link or a
//! special file, is left alone and named. Written again means: rendered in its format with its
//! choices (and the new token if it held the token), and written atomically over the old one
//! ([`crate::export::write`]), never wider in its permissions than the file it replaces.
//!
//! Records: a file written again gets its new digest. A file that is gone from a folder that is
//! still there was deleted by someone, most likely the user once it had served (the app itself
//! says to delete a file holding the token when done): its record is dropped, so the app does not
//! bring a secret back that was removed on purpose, nor mention it at every replacement. A file
//! whose folder is gone too may be on a drive or share that is not connected now: its record is
//! kept, and the digest still guards it when it is back. Every other record is kept as it was, so
//! a changed file is named again at the next replacement (it holds a token that no longer works).
//!
//! Nothing here fails the replacement: the token is already replaced when this runs, and each
//! delivery that could not be made is an outcome in the [`Summary`], with the reason.

use std::fs;
use std::path::PathBuf;

use crate::bitbucket::credential::Secret;
use crate::deliver::n8n::{self, N8nAddress, SendError};
use crate::deliver::record::{sha256_hex, written};
use crate::deliver::summary::{
    FileOutcome, FileResult, GitOutcome, PasteByHand, SentOutcome, SentResult, Sheet, Summary,
};
use crate::export::{self, ExportError, ExportMeta, FormStyle};
use crate::presets::{self, PresetId};
use crate::store::connections::{Connection, ConnectionsError, WrittenExport};
use crate::store::{Store, StoreError};

/// The largest export file compared: none of the app's is near it, so a larger file has changed.
const MAX_EXPORT_BYTES: usize = 1 << 20;

/// What is at a recorded export path now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A regular file holding exactly the bytes the app wrote; `mode`: its permission bits.
    AsWritten {
        mode: u32,
    },
    /// A regular file holding something else.
    Changed,
    /// Nothing; `folder_there`: its folder is.
    Gone {
        folder_there: bool,
    },
    Folder,
    Link,
    /// A named pipe, a socket, a device.
    Special(&'static str),
    /// It could not be looked at (the error's sentence).
    Unreadable(String),
}

/// Looks at `record.path` without following a link, and compares a regular file's bytes with
/// what the app wrote.
pub fn look(record: &WrittenExport) -> Found {
    let path = &record.path;
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Found::Gone { folder_there: path.parent().is_some_and(|p| p.is_dir()) }
        }
        Err(source) => {
            let input = crate::safe_text::visible(&path.display().to_string());
            return Found::Unreadable(crate::input::InputError::Io { input, source }.to_string());
        }
    };
    let file_type = meta.file_type();
    if file_type.is_symlink() {
        return Found::Link;
    }
    if file_type.is_dir() {
        return Found::Folder;
    }
    if let Some(what) = crate::input::special_kind(&file_type) {
        return Found::Special(what);
    }
    match crate::input::read_regular_file(path, MAX_EXPORT_BYTES) {
        Ok(bytes) if sha256_hex(&bytes) == record.sha256 => Found::AsWritten { mode: mode_of(&meta) },
        Ok(_) | Err(crate::input::InputError::TooLarge { .. }) => Found::Changed,
        Err(crate::input::InputError::NotFound { .. }) => Found::Gone { folder_there: true },
        // Became a folder or a special file between the two looks.
        Err(crate::input::InputError::NotAFile { what: "a folder", .. }) => Found::Folder,
        Err(crate::input::InputError::NotAFile { what, .. }) => Found::Special(what),
        Err(e) => Found::Unreadable(e.to_string()),
    }
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn mode_of(_meta: &fs::Metadata) -> u32 {
    0o777
}

/// Why a file that still held what the app wrote was not written again.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    #[error("this version of the app does not know the format \"{0}\".")]
    UnknownFormat(String),
    /// Rendering (the connection no longer fits the format) or writing.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The new token could not be read from the keychain.
    #[error(transparent)]
    Keychain(#[from] StoreError),
}

/// Renders `record`'s format for `c` with its choices (and `secret` when it held the token) and
/// writes it over the old file, at most as open as `mode` (the old file's permission bits).
/// Returns the new record.
pub fn rewrite(
    c: &Connection,
    record: &WrittenExport,
    secret: Option<&Secret>,
    mode: u32,
) -> Result<WrittenExport, RewriteError> {
    let format = export::from_slug(&record.format).ok_or_else(|| RewriteError::UnknownFormat(record.format.clone()))?;
    let mut meta = ExportMeta::now(c);
    meta.options = record.options.clone();
    let rendered = export::render(c, format, secret, &meta)?;
    // The user may have narrowed the file's permissions; a rewrite never opens them again.
    export::write::write_bytes(&record.path, rendered.contents.as_bytes(), rendered.mode & mode, true)?;
    let mut new =
        written(&record.path, &record.format, record.include_secret, &record.options, rendered.contents.as_bytes());
    new.path = record.path.clone();
    Ok(new)
}

/// A change to make to the records once every file has been looked at.
enum RecordChange {
    /// `(path, digest before)` now holds `new`.
    Replace(PathBuf, String, WrittenExport),
    /// `(path, digest before)` is forgotten.
    Drop(PathBuf, String),
}

/// Writes again each export file recorded for `c` that still holds what the app wrote, and
/// records what changed. Returns one outcome per recorded file, and the store's sentence when the
/// records could not be updated.
pub fn refresh_files(store: &Store, c: &Connection) -> (Vec<FileOutcome>, Option<String>) {
    let mut secret: Option<Result<Secret, String>> = None;
    let mut changes = Vec::new();
    let mut outcomes = Vec::new();
    for record in &c.exports {
        let result = match look(record) {
            Found::AsWritten { mode } => {
                let token = if record.include_secret {
                    match secret.get_or_insert_with(|| store.secret(&c.id).map_err(|e| e.to_string())) {
                        Ok(s) => Ok(Some(&*s)),
                        Err(reason) => Err(reason.clone()),
                    }
                } else {
                    Ok(None)
                };
                match token.and_then(|t| rewrite(c, record, t, mode).map_err(|e| e.to_string())) {
                    Ok(new) => {
                        changes.push(RecordChange::Replace(record.path.clone(), record.sha256.clone(), new));
                        FileResult::Rewritten
                    }
                    Err(reason) => FileResult::NotRewritten { reason },
                }
            }
            Found::Changed => FileResult::Changed,
            Found::Gone { folder_there: true } => {
                changes.push(RecordChange::Drop(record.path.clone(), record.sha256.clone()));
                FileResult::Gone { forgotten: true }
            }
            Found::Gone { folder_there: false } => FileResult::Gone { forgotten: false },
            Found::Folder => FileResult::Folder,
            Found::Link => FileResult::Link,
            Found::Special(what) => FileResult::Special { what },
            Found::Unreadable(reason) => FileResult::NotRewritten { reason },
        };
        outcomes.push(FileOutcome { export: record.clone(), result });
    }
    let not_recorded = if changes.is_empty() {
        None
    } else {
        store.change_exports(&c.id, |list| apply(list, changes)).err().map(|e| e.to_string())
    };
    (outcomes, not_recorded)
}

/// Applies the changes to the records that are still as they were looked at (another export to
/// the same path meanwhile has its own, newer record, which stays).
fn apply(list: &mut Vec<WrittenExport>, changes: Vec<RecordChange>) {
    for change in changes {
        match change {
            RecordChange::Replace(path, before, new) => {
                if let Some(entry) = list.iter_mut().find(|e| e.path == path && e.sha256 == before) {
                    *entry = new;
                }
            }
            RecordChange::Drop(path, before) => list.retain(|e| !(e.path == path && e.sha256 == before)),
        }
    }
}

/// Sends `c` again to each tool it was sent to, with the API key kept in the keychain.
pub async fn resend(store: &Store, c: &Connection) -> Vec<SentOutcome> {
    let mut outcomes = Vec::new();
    for sent in &c.sent {
        let result = if sent.to != n8n::TO {
            SentResult::UnknownTool
        } else {
            match N8nAddress::parse(&sent.url) {
                Err(e) => SentResult::Failed { reason: e.to_string() },
                Ok(address) => match n8n::send(store, c, &address, None).await {
                    Ok(done) => match done.action {
                        n8n::Action::Created | n8n::Action::Updated => {
                            SentResult::Updated { credential_id: done.credential_id }
                        }
                        n8n::Action::CreatedAgain { old_id } => {
                            SentResult::CreatedAgain { old_id, credential_id: done.credential_id }
                        }
                    },
                    Err(SendError::NoKey { .. }) => SentResult::NoKey,
                    Err(e) => SentResult::Failed { reason: e.to_string() },
                },
            }
        };
        outcomes.push(SentOutcome { to: sent.to.clone(), url: sent.url.clone(), result });
    }
    outcomes
}

/// git's line: when git asks this app (`set_up`), or the connection is for git.
pub fn git_outcome(preset: PresetId, set_up: bool) -> Option<GitOutcome> {
    (set_up || preset == PresetId::Git).then_some(GitOutcome { set_up })
}

/// Whether git asks this app for Bitbucket's git host in the user's configuration. Unknown
/// (no git, an unreadable configuration) counts as not.
fn git_set_up() -> bool {
    let base = crate::bitbucket::githost::GitBase::from_env();
    crate::git::setup::is_set_up(None, crate::git::setup::Scope::Global, &base).unwrap_or(false)
}

/// The form to fill by hand when `preset` is a product whose only way in is its web form (one
/// with form exports: SQAI Suite, Autoheal, Katalon TestOps, Cubyts, Nirvai), naming the copy
/// sheet written again just now, if any (a text sheet first, then the printable page, then the
/// JSON).
pub fn paste_by_hand(preset: PresetId, files: &[FileOutcome]) -> Vec<PasteByHand> {
    if !export::formats().iter().any(|f| f.product == Some(preset)) {
        return Vec::new();
    }
    let rank = |style: Option<FormStyle>| match style {
        Some(FormStyle::Text) => 0,
        Some(FormStyle::Html) => 1,
        _ => 2,
    };
    let sheet = files
        .iter()
        .filter(|o| o.result == FileResult::Rewritten)
        .filter_map(|o| {
            let info = export::info(export::from_slug(&o.export.format)?);
            (info.product == Some(preset)).then_some((rank(info.style), o))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, o)| Sheet { path: o.export.path.clone(), holds_token: o.export.include_secret });
    vec![PasteByHand { product: preset, product_name: presets::get(preset).name.to_string(), sheet }]
}

/// Re-delivers connection `id` after its token was replaced: files, tools, git, and what is
/// left to paste by hand. An error only when the connection cannot be read at all.
pub async fn after_replacement(store: &Store, id: &str) -> Result<Summary, StoreError> {
    let find = |id: &str| -> Result<Connection, StoreError> {
        store.find(id)?.ok_or_else(|| ConnectionsError::NotFound { what: id.to_string() }.into())
    };
    let c = find(id)?;
    let (files, not_recorded) = refresh_files(store, &c);
    let sent = resend(store, &c).await;
    let git = git_outcome(c.preset, git_set_up());
    let by_hand = paste_by_hand(c.preset, &files);
    Ok(Summary { connection: c.name.clone(), files, sent, git, by_hand, not_recorded })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::bitbucket::credential::CredentialKind;
    use crate::export::{ExportOptions, Format};
    use crate::store::connections::{ConnectionsFile, LastCheck};
    use crate::store::secrets::MemoryStore;

    const OLD: &str = "ATCTT3xFfGN0oldREDELIVERtokenCANARY111";
    const NEW: &str = "ATCTT3xFfGN0newREDELIVERtokenCANARY222";

    /// A store in `dir` with a validated SQAI connection holding [`OLD`].
    fn setup(dir: &Path) -> (Arc<MemoryStore>, Store, Connection) {
        let mem = Arc::new(MemoryStore::new());
        let store = Store::new(ConnectionsFile::at(dir.join("config").join("connections.json")), mem.clone());
        let now = chrono::Utc::now();
        let c = Connection {
            base_branch: Some("main".into()),
            granted_scopes: vec!["repository:write".into(), "pullrequest:write".into()],
            last_check: Some(LastCheck { at: now, ok: true, problem: None, message: "OK".into(), details: None }),
            ..Connection::new("Acme Web", PresetId::Sqai, CredentialKind::RepositoryToken, "acme", Some("website"))
        };
        let c = store.save_new(c, &Secret::new(OLD)).unwrap();
        (mem, store, c)
    }

    /// Exports `c` as `format` to `path` the way the front ends do, and records it.
    fn export_to(store: &Store, c: &Connection, format: Format, include_secret: bool, path: &Path) -> String {
        let secret = include_secret.then(|| store.secret(&c.id).unwrap());
        let rendered = export::render(c, format, secret.as_ref(), &ExportMeta::now(c)).unwrap();
        export::write::write_file(path, &rendered, false).unwrap();
        let record = written(
            path,
            export::info(format).id,
            include_secret,
            &ExportOptions::default(),
            rendered.contents.as_bytes(),
        );
        store.record_export(&c.id, record).unwrap();
        rendered.contents.to_string()
    }

    /// The token replaced with [`NEW`], expiring on 2027-06-30 (as `replace --expires` does).
    fn replace(store: &Store, c: &Connection) -> Connection {
        let mut updated = store.find(&c.id).unwrap().unwrap();
        updated.expires = chrono::NaiveDate::from_ymd_opt(2027, 6, 30);
        store.replace_token(updated, &Secret::new(NEW)).unwrap()
    }

    fn result_for<'a>(outcomes: &'a [FileOutcome], path: &Path) -> &'a FileResult {
        &outcomes.iter().find(|o| o.export.path == path).unwrap_or_else(|| panic!("{}", path.display())).result
    }

    #[test]
    fn an_unchanged_file_is_written_again_with_the_new_token_and_its_record_follows() {
        let d = tempfile::tempdir().unwrap();
        let (_mem, store, c) = setup(d.path());
        let env = d.path().join("acme.env");
        let json = d.path().join("acme.json");
        assert!(export_to(&store, &c, Format::Env, true, &env).contains(OLD));
        let before_json = export_to(&store, &c, Format::Json, false, &json);
        let c = replace(&store, &c);

        let (outcomes, not_recorded) = refresh_files(&store, &c);
        assert_eq!(not_recorded, None);
        assert_eq!(result_for(&outcomes, &env), &FileResult::Rewritten);
        assert_eq!(result_for(&outcomes, &json), &FileResult::Rewritten);
        let now = fs::read_to_string(&env).unwrap();
        assert!(now.contains(NEW) && !now.contains(OLD), "{now}");
        let json_now = fs::read_to_string(&json).unwrap();
        assert!(!json_now.contains(NEW) && !json_now.contains(OLD), "no token where there was none");
        assert!(json_now.contains(&export::secret_reference(&c)));
        assert!(!before_json.contains("2027-06-30") && json_now.contains("\"expires\": \"2027-06-30\""), "{json_now}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&env).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // The records hold the new digests: a second replacement writes them again.
        let saved = store.find(&c.id).unwrap().unwrap();
        let env_record = saved.exports.iter().find(|e| e.path == env).unwrap();
        assert_eq!(env_record.sha256, sha256_hex(now.as_bytes()));
        assert!(matches!(look(env_record), Found::AsWritten { .. }), "{:?}", look(env_record));
        let lines = outcomes.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        assert!(!lines.contains(NEW) && !lines.contains(OLD), "{lines}");
        assert!(lines.contains("written again with the new token"), "{lines}");
    }

    #[test]
    fn a_changed_file_is_left_byte_for_byte_and_named() {
        let d = tempfile::tempdir().unwrap();
        let (_mem, store, c) = setup(d.path());
        let env = d.path().join("acme.env");
        let written = export_to(&store, &c, Format::Env, true, &env);
        let edited = format!("{written}EXTRA=1\n");
        fs::write(&env, &edited).unwrap();
        let c = replace(&store, &c);
        let (outcomes, _) = refresh_files(&store, &c);
        assert_eq!(result_for(&outcomes, &env), &FileResult::Changed);
        assert_eq!(fs::read_to_string(&env).unwrap(), edited);
        assert_eq!(store.find(&c.id).unwrap().unwrap().exports.len(), 1, "kept: named again next time");
        let line = outcomes[0].to_string();
        assert!(line.contains("left as it is") && line.contains("may still hold the old token"), "{line}");
    }

    #[test]
    fn a_deleted_file_is_not_brought_back_and_no_longer_followed() {
        let d = tempfile::tempdir().unwrap();
        let (_mem, store, c) = setup(d.path());
        let env = d.path().join("acme.env");
        export_to(&store, &c, Format::Env, true, &env);
        fs::remove_file(&env).unwrap();
        let c = replace(&store, &c);
        let (outcomes, _) = refresh_files(&store, &c);
        assert_eq!(result_for(&outcomes, &env), &FileResult::Gone { forgotten: true });
        assert!(!env.exists());
        assert!(store.find(&c.id).unwrap().unwrap().exports.is_empty());

        // Its folder gone too (a drive not connected): the record stays for next time.
        let sub = d.path().join("usb");
        fs::create_dir(&sub).unwrap();
        let away = sub.join("acme.env");
        export_to(&store, &c, Format::Env, false, &away);
        fs::remove_dir_all(&sub).unwrap();
        let c = store.find(&c.id).unwrap().unwrap();
        let (outcomes, _) = refresh_files(&store, &c);
        assert_eq!(result_for(&outcomes, &away), &FileResult::Gone { forgotten: false });
        assert_eq!(store.find(&c.id).unwrap().unwrap().exports.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_or_a_link_in_its_place_is_left_and_named() {
        let d = tempfile::tempdir().unwrap();
        let (_mem, store, c) = setup(d.path());
        let folder = d.path().join("folder.env");
        let link = d.path().join("link.env");
        export_to(&store, &c, Format::Env, true, &folder);
        let written = export_to(&store, &c, Format::Env, true, &link);
        fs::remove_file(&folder).unwrap();
        fs::create_dir(&folder).unwrap();
        // A link to a file holding exactly what was written: still not written through.
        let target = d.path().join("elsewhere.env");
        fs::write(&target, &written).unwrap();
        fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let c = replace(&store, &c);
        let (outcomes, _) = refresh_files(&store, &c);
        assert_eq!(result_for(&outcomes, &folder), &FileResult::Folder);
        assert_eq!(result_for(&outcomes, &link), &FileResult::Link);
        assert!(folder.is_dir() && fs::read_dir(&folder).unwrap().next().is_none(), "the folder is untouched");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), written, "nothing written through the link");
        let lines: Vec<String> = outcomes.iter().map(ToString::to_string).collect();
        assert!(lines.iter().any(|l| l.contains("is now a folder")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("is now a symbolic link")), "{lines:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_special_file_in_its_place_is_left_and_named() {
        let d = tempfile::tempdir().unwrap();
        let (_mem, store, c) = setup(d.path());
        let sock = d.path().join("acme.env");
        export_to(&store, &c, Format::Env, true, &sock);
        fs::remove_file(&sock).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let c = replace(&store, &c);
        let (outcomes, _) = refresh_files(&store, &c);
        assert_eq!(result_for(&outcomes, &sock), &FileResult::Special { what: "a socket" });
        assert!(outcomes[0].to_string().contains("is now a socket"));
    }

    #[test]
    fn a_keychain_that_cannot_be_read_leaves_the_file_and_says_why() {
        let d = tempfile::tempdir().unwrap();
        let (mem, store, c) = setup(d.path());
        let env = d.path().join("acme.env");
        let json = d.path().join("acme.json");
        let before = export_to(&store, &c, Format::Env, true, &env);
        export_to(&store, &c, Format::Json, false, &json);
        let c = replace(&store, &c);
        mem.set_fail_all(Some(crate::store::secrets::SecretStoreError::Locked));
        let (outcomes, _) = refresh_files(&store, &c);
        assert!(matches!(result_for(&outcomes, &env), FileResult::NotRewritten { .. }), "{outcomes:?}");
        assert_eq!(fs::read_to_string(&env).unwrap(), before);
        assert_eq!(result_for(&outcomes, &json), &FileResult::Rewritten, "no token needed");
    }

    #[test]
    fn the_product_form_is_listed_with_the_sheet_written_again() {
        let d = tempfile::tempdir().unwrap();
        let (_mem, store, c) = setup(d.path());
        let sheet = d.path().join("acme.sqai.txt");
        let json = d.path().join("acme.sqai.json");
        export_to(&store, &c, Format::SqaiSheet, true, &sheet);
        export_to(&store, &c, Format::Sqai, true, &json);
        let c = replace(&store, &c);
        let (files, _) = refresh_files(&store, &c);
        let by_hand = paste_by_hand(c.preset, &files);
        assert_eq!(by_hand.len(), 1);
        assert_eq!(by_hand[0].product_name, "SQAI Suite");
        assert_eq!(by_hand[0].sheet, Some(Sheet { path: sheet.clone(), holds_token: true }), "the text sheet first");
        assert!(by_hand[0].to_string().contains("paste the new token into its form by hand"));
        // No sheet written again: the product is still named.
        assert_eq!(paste_by_hand(PresetId::Katalon, &[])[0].sheet, None);
        // Tools the app can reach, or that read a file, have no form to fill.
        for preset in [PresetId::N8n, PresetId::Git, PresetId::Custom] {
            assert!(paste_by_hand(preset, &files).is_empty(), "{preset:?}");
        }
    }

    #[test]
    fn git_is_named_when_it_asks_this_app_or_the_connection_is_for_git() {
        assert_eq!(git_outcome(PresetId::Sqai, true), Some(GitOutcome { set_up: true }));
        assert_eq!(git_outcome(PresetId::Git, false), Some(GitOutcome { set_up: false }));
        assert_eq!(git_outcome(PresetId::Sqai, false), None);
    }

    #[test]
    fn a_summary_with_nothing_delivered_says_so() {
        let s = Summary {
            connection: "x".into(),
            files: vec![],
            sent: vec![],
            git: None,
            by_hand: vec![],
            not_recorded: None,
        };
        assert_eq!(s.lines(), vec![crate::deliver::summary::NOTHING_ELSE.to_string()]);
    }
}
