//! The re-delivery after "Replace token", in the window's words: the facts of
//! [`Summary`] sorted into what the admin scans for first (what now has the new token, what
//! was left as it is, what is still to paste by hand), each file named by its name with its
//! full path on a line of its own (a path is long; the page lets it wrap), and the next step
//! as a button of the window, never a command to type (the command line has its own,
//! `cli/advice/redeliver.rs`).

use std::path::Path;

use serde::Serialize;

use crate::deliver::summary::{
    FileOutcome, FileResult, GitOutcome, PasteByHand, SentOutcome, SentResult, Summary, NOTHING_ELSE,
};
use crate::safe_text::visible;

/// The export page, where a file is saved again and the form's fields are copied one by one.
const EXPORT: &str = "\u{201c}Export\u{201d} on this connection";

/// The summary as the page shows it.
#[derive(Debug, Serialize)]
pub struct DeliveredView {
    /// The groups that have something in them, in the order [`GroupKind`] lists them.
    pub groups: Vec<Group>,
    /// Said below the groups: nothing was delivered before, or the records could not be kept.
    pub notes: Vec<String>,
}

/// Which group an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// It has the new token now (or needs nothing to get it).
    Updated,
    /// It was not changed, and may still hold the old token.
    Left,
    /// A product's own form, which only a person can fill.
    ByHand,
}

#[derive(Debug, Serialize)]
pub struct Group {
    pub kind: GroupKind,
    pub title: &'static str,
    pub items: Vec<Item>,
}

/// One file, tool or form.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// What it is called: the file's name, the tool, the product.
    pub name: String,
    /// What kind of thing it is (the file's format), shown beside the name.
    pub kind: Option<String>,
    /// What became of it, or what to do.
    pub detail: String,
    /// A path or address to show in full, on a line of its own.
    pub path: Option<String>,
    /// What that path is, when the name does not say it ("Copy sheet").
    pub path_label: Option<&'static str>,
    /// The next step in the window, when there is one.
    pub next: Option<String>,
}

/// Sorts and words `summary` for the page.
pub fn view(summary: &Summary) -> DeliveredView {
    let mut items: Vec<(GroupKind, Item)> = summary.files.iter().map(file_item).collect();
    items.extend(summary.sent.iter().map(sent_item));
    items.extend(summary.git.iter().map(git_item));
    items.extend(summary.by_hand.iter().map(|p| (GroupKind::ByHand, by_hand_item(p))));
    let mut groups: Vec<Group> = Vec::new();
    for kind in [GroupKind::Updated, GroupKind::Left, GroupKind::ByHand] {
        let (these, rest): (Vec<_>, Vec<_>) = items.into_iter().partition(|(k, _)| *k == kind);
        items = rest;
        if !these.is_empty() {
            let title = title(kind, summary);
            groups.push(Group { kind, title, items: these.into_iter().map(|(_, item)| item).collect() });
        }
    }
    let mut notes = Vec::new();
    if let Some(why) = &summary.not_recorded {
        notes.push(format!(
            "What was written could not be recorded with the connection, so a file written again will read as changed at the next replacement: {why}"
        ));
    }
    if summary.is_empty() {
        notes.push(NOTHING_ELSE.to_string());
    }
    DeliveredView { groups, notes }
}

/// "Written again" when only files were, "Updated" when a tool or git is among them.
fn title(kind: GroupKind, summary: &Summary) -> &'static str {
    let tool_updated =
        summary.sent.iter().any(|o| matches!(o.result, SentResult::Updated { .. } | SentResult::CreatedAgain { .. }))
            || summary.git.is_some_and(|g| g.set_up);
    match kind {
        GroupKind::Updated if tool_updated => "Updated",
        GroupKind::Updated => "Written again",
        GroupKind::Left => "Left as it is",
        GroupKind::ByHand => "Still to paste by hand",
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| visible(&n.to_string_lossy())).unwrap_or_else(|| visible(&path.display().to_string()))
}

fn file_item(o: &FileOutcome) -> (GroupKind, Item) {
    let path = &o.export.path;
    let holds_token = o.export.include_secret;
    let again = format!("To write it again, use {EXPORT} and save it in the same place.");
    let (group, detail, next) = match &o.result {
        FileResult::Rewritten if holds_token => (GroupKind::Updated, "Now holds the new token.".to_string(), None),
        FileResult::Rewritten => (
            GroupKind::Updated,
            "Holds the keychain reference, which now gives the new token.".to_string(),
            None,
        ),
        FileResult::Changed => (
            GroupKind::Left,
            if holds_token {
                "Changed after the app wrote it, so it may still hold the old token.".to_string()
            } else {
                "Changed after the app wrote it.".to_string()
            },
            Some(format!("To replace it with a fresh copy (your changes are lost), use {EXPORT} and save it in the same place.")),
        ),
        FileResult::Gone { forgotten: true } => (
            GroupKind::Left,
            "Deleted since the app wrote it, so it was not written again; the app no longer follows it.".to_string(),
            Some(format!("To have it again, use {EXPORT}.")),
        ),
        FileResult::Gone { forgotten: false } => (
            GroupKind::Left,
            "Not written: its folder is not there (a drive or shared folder not connected?). It will be written at the next replacement if it is back unchanged.".to_string(),
            None,
        ),
        FileResult::Folder => (
            GroupKind::Left,
            "A folder is there now, not the file the app wrote.".to_string(),
            Some(format!("To save the file elsewhere, use {EXPORT}.")),
        ),
        FileResult::Link => (
            GroupKind::Left,
            "A symbolic link is there now, not the file the app wrote, and the app does not write through links."
                .to_string(),
            Some(again),
        ),
        FileResult::Special { what } => (
            GroupKind::Left,
            format!("There is {what} there now, not the file the app wrote."),
            Some(format!("To save the file elsewhere, use {EXPORT}.")),
        ),
        FileResult::NotRewritten { reason } => (
            GroupKind::Left,
            format!("It could not be written again: {reason}"),
            Some(format!("Once that is fixed, use {EXPORT} and save it in the same place.")),
        ),
    };
    let item = Item {
        name: file_name(path),
        kind: Some(o.label()),
        detail,
        path: Some(visible(&path.display().to_string())),
        path_label: None,
        next,
    };
    (group, item)
}

fn sent_item(o: &SentOutcome) -> (GroupKind, Item) {
    let resend =
        format!("To send it again, use {EXPORT}, choose the n8n format and press \u{201c}Send to n8n\u{201d}.");
    let (group, detail, next) = match &o.result {
        SentResult::Updated { credential_id } => {
            (GroupKind::Updated, format!("The credential (id {credential_id}) now holds the new token."), None)
        }
        SentResult::CreatedAgain { old_id, credential_id } => (
            GroupKind::Updated,
            format!("The credential sent before (id {old_id}) was gone, so it was made again with the new token (id {credential_id})."),
            None,
        ),
        SentResult::NoKey => (
            GroupKind::Left,
            format!("Not updated: no {} API key is kept for this address, so it still holds the old token.", o.to),
            Some(format!("{resend} Give the API key there; it is then kept for the next time.")),
        ),
        SentResult::Failed { reason } => {
            (GroupKind::Left, format!("Not updated, so it still holds the old token: {reason}"), Some(resend))
        }
        SentResult::UnknownTool => {
            (GroupKind::Left, "Not updated: this version of the app cannot send there.".to_string(), None)
        }
    };
    let item = Item {
        name: format!("{} credential", visible(&o.to)),
        kind: None,
        detail,
        path: Some(visible(&o.url)),
        path_label: Some("At"),
        next,
    };
    (group, item)
}

fn git_item(g: &GitOutcome) -> (GroupKind, Item) {
    let (group, detail) = if g.set_up {
        (GroupKind::Updated, "Needs nothing: it asks this app, which gives it the new token from the keychain.")
    } else {
        (GroupKind::Left, "It does not ask this app, so it still uses the token it was given before.")
    };
    (group, Item { name: "git".into(), kind: None, detail: detail.into(), path: None, path_label: None, next: None })
}

fn by_hand_item(p: &PasteByHand) -> Item {
    let detail = "The app cannot reach its Bitbucket settings: paste the new token into its form.".to_string();
    let (path, next) = match &p.sheet {
        Some(sheet) if sheet.holds_token => (
            Some(visible(&sheet.path.display().to_string())),
            "It holds the new token: delete it once the token is pasted.".to_string(),
        ),
        Some(sheet) => (
            Some(visible(&sheet.path.display().to_string())),
            format!("It lists every field; copy the token itself from {EXPORT}."),
        ),
        None => (None, format!("{EXPORT} shows its form field by field, with a button to copy each one.")),
    };
    let path_label = path.as_ref().map(|_| "Copy sheet");
    Item { name: visible(&p.product_name), kind: None, detail, path, path_label, next: Some(next) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliver::summary::Sheet;
    use crate::export::ExportOptions;
    use crate::presets::PresetId;
    use crate::store::connections::WrittenExport;
    use std::path::PathBuf;

    fn file(path: &str, format: &str, include_secret: bool, result: FileResult) -> FileOutcome {
        let export = WrittenExport {
            path: PathBuf::from(path),
            format: format.into(),
            include_secret,
            options: ExportOptions::default(),
            sha256: String::new(),
            at: chrono::Utc::now(),
        };
        FileOutcome { export, result }
    }

    fn summary(
        files: Vec<FileOutcome>,
        sent: Vec<SentOutcome>,
        git: Option<GitOutcome>,
        by_hand: Vec<PasteByHand>,
    ) -> Summary {
        Summary { connection: "Acme web".into(), files, sent, git, by_hand, not_recorded: None }
    }

    fn all_words(v: &DeliveredView) -> String {
        let mut out = v.notes.join("\n");
        for g in &v.groups {
            out.push_str(g.title);
            for i in &g.items {
                for s in [Some(&i.name), i.kind.as_ref(), Some(&i.detail), i.path.as_ref(), i.next.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    out.push('\n');
                    out.push_str(s);
                }
            }
        }
        out
    }

    #[test]
    fn files_are_sorted_into_written_again_and_left_with_the_name_apart_from_the_path() {
        let s = summary(
            vec![
                file("/home/ann/acme-web.env", "env", false, FileResult::Changed),
                file("/home/ann/acme-web.sqai.txt", "sqai-sheet", true, FileResult::Rewritten),
            ],
            vec![],
            None,
            vec![PasteByHand {
                product: PresetId::Sqai,
                product_name: "SQAI Suite".into(),
                sheet: Some(Sheet { path: "/home/ann/acme-web.sqai.txt".into(), holds_token: true }),
            }],
        );
        let v = view(&s);
        let kinds: Vec<_> = v.groups.iter().map(|g| (g.kind, g.title)).collect();
        assert_eq!(
            kinds,
            [
                (GroupKind::Updated, "Written again"),
                (GroupKind::Left, "Left as it is"),
                (GroupKind::ByHand, "Still to paste by hand")
            ]
        );
        let again = &v.groups[0].items[0];
        assert_eq!(again.name, "acme-web.sqai.txt");
        assert_eq!(again.kind.as_deref(), Some("SQAI Suite (sheet to copy from)"));
        assert_eq!(again.path.as_deref(), Some("/home/ann/acme-web.sqai.txt"));
        assert_eq!(again.detail, "Now holds the new token.");
        let left = &v.groups[1].items[0];
        assert_eq!((left.name.as_str(), left.kind.as_deref()), ("acme-web.env", Some(".env file")));
        assert!(left.detail.starts_with("Changed after the app wrote it"), "{}", left.detail);
        assert!(left.next.as_deref().unwrap().contains("\u{201c}Export\u{201d}"));
        let form = &v.groups[2].items[0];
        assert_eq!(form.name, "SQAI Suite");
        assert_eq!((form.path_label, form.path.as_deref()), (Some("Copy sheet"), Some("/home/ann/acme-web.sqai.txt")));
        assert!(v.notes.is_empty());
    }

    #[test]
    fn every_outcome_has_a_group_and_no_command_to_type() {
        let results = [
            FileResult::Rewritten,
            FileResult::Changed,
            FileResult::Gone { forgotten: true },
            FileResult::Gone { forgotten: false },
            FileResult::Folder,
            FileResult::Link,
            FileResult::Special { what: "a socket" },
            FileResult::NotRewritten { reason: "The keychain is locked.".into() },
        ];
        let files = results.iter().map(|r| file("/srv/x.env", "env", true, r.clone())).collect();
        let url = "https://n8n.example.com".to_string();
        let sent = [
            SentResult::Updated { credential_id: "7".into() },
            SentResult::CreatedAgain { old_id: "7".into(), credential_id: "8".into() },
            SentResult::NoKey,
            SentResult::Failed { reason: "n8n did not answer.".into() },
            SentResult::UnknownTool,
        ]
        .into_iter()
        .map(|result| SentOutcome { to: "n8n".into(), url: url.clone(), result })
        .collect();
        let by_hand =
            vec![PasteByHand { product: PresetId::Katalon, product_name: "Katalon TestOps".into(), sheet: None }];
        let mut s = summary(files, sent, Some(GitOutcome { set_up: false }), by_hand);
        s.not_recorded = Some("The connections file could not be written.".into());
        let v = view(&s);
        let count: usize = v.groups.iter().map(|g| g.items.len()).sum();
        assert_eq!(count, results.len() + 5 + 1 + 1, "every outcome is shown once");
        assert_eq!(v.groups[0].title, "Updated", "an n8n credential is among them");
        assert_eq!(v.groups[0].items.len(), 1 + 2, "the file written again, and the two credentials updated in n8n");
        assert_eq!(v.notes.len(), 1);
        let words = all_words(&v);
        for command in ["bitbucket-setup", "--", "`", "$"] {
            assert!(!words.contains(command), "{command:?} in the window's words:\n{words}");
        }
    }

    #[test]
    fn git_set_up_counts_as_updated_and_nothing_delivered_is_said() {
        let v = view(&summary(vec![], vec![], Some(GitOutcome { set_up: true }), vec![]));
        assert_eq!(v.groups.len(), 1);
        assert_eq!((v.groups[0].kind, v.groups[0].title), (GroupKind::Updated, "Updated"));
        assert_eq!(v.groups[0].items[0].name, "git");
        let none = view(&summary(vec![], vec![], None, vec![]));
        assert!(none.groups.is_empty());
        assert_eq!(none.notes, vec![NOTHING_ELSE.to_string()]);
    }

    #[test]
    fn a_path_with_a_line_break_is_shown_on_one_line() {
        let v = view(&summary(vec![file("/tmp/a\nb.env", "env", false, FileResult::Rewritten)], vec![], None, vec![]));
        let item = &v.groups[0].items[0];
        assert_eq!(item.name, "a\\nb.env");
        assert_eq!(item.path.as_deref(), Some("/tmp/a\\nb.env"));
    }
}
