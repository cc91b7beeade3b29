//! The re-delivery after `replace`, in the command line's words: each outcome's own sentence
//! (the facts, from `bitbucket_setup_core::deliver::summary`), followed by the command to type
//! where there is something left to do (`export … --force`, `send n8n …`, `git setup`).

use bitbucket_setup_core::deliver::summary::{
    FileOutcome, FileResult, GitOutcome, PasteByHand, SentOutcome, SentResult, Summary, NOTHING_ELSE,
};
use bitbucket_setup_core::export::{self, FormStyle};
use bitbucket_setup_core::shell::Program;

use crate::send::N8N_KEY_VAR;

/// The summary as the command line prints it: what was delivered again (or not), then what is
/// left to paste by hand. Each list may be empty.
pub struct Worded {
    pub delivered: Vec<String>,
    pub by_hand: Vec<String>,
}

pub fn word(summary: &Summary, program: &Program) -> Worded {
    let name = summary.connection.as_str();
    let mut delivered: Vec<String> = summary.files.iter().map(|o| file_line(o, name, program)).collect();
    delivered.extend(summary.sent.iter().map(|o| sent_line(o, name, program)));
    delivered.extend(summary.git.iter().map(|g| git_line(g, program)));
    if let Some(why) = &summary.not_recorded {
        delivered.push(format!(
            "What was written could not be recorded with the connection, so a file written again will read as changed at the next replacement: {why}"
        ));
    }
    if summary.is_empty() {
        delivered.push(NOTHING_ELSE.to_string());
    }
    let by_hand = summary.by_hand.iter().map(|p| by_hand_line(p, name, program)).collect();
    Worded { delivered, by_hand }
}

/// `export NAME --format F --output PATH` with the record's choices, and `--force` if asked.
fn export_command(o: &FileOutcome, name: &str, program: &Program, output: Option<&str>, force: bool) -> String {
    let path = o.export.path.to_string_lossy();
    let mut args = vec!["export", name, "--format", o.export.format.as_str(), "--output", output.unwrap_or(&path)];
    if o.export.include_secret {
        args.push("--include-secret");
    }
    if let Some(branch) = o.export.options.branch.as_deref() {
        args.extend(["--branch", branch]);
    }
    if let Some(folder) = o.export.options.folder.as_deref() {
        args.extend(["--folder", folder]);
    }
    if force {
        args.push("--force");
    }
    program.command(&args)
}

fn file_line(o: &FileOutcome, name: &str, program: &Program) -> String {
    let step = match &o.result {
        FileResult::Rewritten | FileResult::Gone { forgotten: false } => None,
        FileResult::Changed => {
            Some(format!("To write it again, replacing the changes: {}", export_command(o, name, program, None, true)))
        }
        FileResult::Gone { forgotten: true } => {
            Some(format!("To write it again: {}", export_command(o, name, program, None, false)))
        }
        FileResult::Link => {
            Some(format!("To put the file in the link's place: {}", export_command(o, name, program, None, true)))
        }
        FileResult::Folder | FileResult::Special { .. } => {
            Some(format!("To write it elsewhere: {}", export_command(o, name, program, Some("OTHER-PATH"), false)))
        }
        FileResult::NotRewritten { .. } => {
            Some(format!("Once that is fixed: {}", export_command(o, name, program, None, true)))
        }
    };
    match step {
        Some(step) => format!("{o} {step}"),
        None => o.to_string(),
    }
}

fn sent_line(o: &SentOutcome, name: &str, program: &Program) -> String {
    let send = || program.command(&["send", "n8n", name, "--n8n-url", &o.url]);
    match &o.result {
        SentResult::NoKey => {
            format!("{o} To send it: {}, with the n8n API key on standard input or in {N8N_KEY_VAR}.", send())
        }
        SentResult::Failed { .. } => format!("{o} To send it again: {}", send()),
        SentResult::Updated { .. } | SentResult::CreatedAgain { .. } | SentResult::UnknownTool => o.to_string(),
    }
}

fn git_line(g: &GitOutcome, program: &Program) -> String {
    if g.set_up {
        g.to_string()
    } else {
        format!(
            "{g} `{}` makes git ask this app, which then gives it the new token.",
            program.command(&["git", "setup"])
        )
    }
}

fn by_hand_line(p: &PasteByHand, name: &str, program: &Program) -> String {
    if p.sheet.is_some() {
        return p.to_string();
    }
    let sheet = export::formats().iter().find(|f| f.product == Some(p.product) && f.style == Some(FormStyle::Text));
    match sheet {
        Some(f) => format!(
            "{p} A copy sheet with every field: {} (it holds the token: delete it once pasted).",
            program.command(&["export", name, "--format", f.id, "--include-secret"])
        ),
        None => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitbucket_setup_core::presets::PresetId;
    use bitbucket_setup_core::shell::Shell;
    use bitbucket_setup_core::store::connections::WrittenExport;

    fn file(result: FileResult) -> FileOutcome {
        FileOutcome {
            export: WrittenExport {
                path: "/home/me/acme web.env".into(),
                format: "env".into(),
                include_secret: true,
                options: Default::default(),
                sha256: "00".into(),
                at: chrono::Utc::now(),
            },
            result,
        }
    }

    #[test]
    fn each_file_left_alone_comes_with_the_command_that_writes_it_again() {
        let program = Program::named(Shell::Posix);
        let changed = file_line(&file(FileResult::Changed), "Acme Web", &program);
        assert!(changed.contains("left as it is"), "{changed}");
        assert!(
            changed.ends_with("bitbucket-setup export 'Acme Web' --format env --output '/home/me/acme web.env' --include-secret --force"),
            "{changed}"
        );
        let rewritten = file_line(&file(FileResult::Rewritten), "Acme Web", &program);
        assert!(!rewritten.contains("bitbucket-setup"), "nothing to do: {rewritten}");
        let folder = file_line(&file(FileResult::Folder), "Acme Web", &program);
        assert!(folder.contains("--output OTHER-PATH") && !folder.contains("--force"), "{folder}");
    }

    #[test]
    fn a_tool_not_updated_and_a_form_without_sheet_get_their_commands() {
        let program = Program::named(Shell::Posix);
        let sent = SentOutcome { to: "n8n".into(), url: "https://n8n.example.com".into(), result: SentResult::NoKey };
        let line = sent_line(&sent, "Acme", &program);
        assert!(
            line.contains("bitbucket-setup send n8n Acme --n8n-url https://n8n.example.com")
                && line.contains(N8N_KEY_VAR),
            "{line}"
        );
        let form = PasteByHand { product: PresetId::Sqai, product_name: "SQAI Suite".into(), sheet: None };
        let line = by_hand_line(&form, "Acme", &program);
        assert!(
            line.starts_with("SQAI Suite: ") && line.contains("export Acme --format sqai-sheet --include-secret"),
            "{line}"
        );
        let git = git_line(&GitOutcome { set_up: false }, &program);
        assert!(git.contains("bitbucket-setup git setup"), "{git}");
    }
}
