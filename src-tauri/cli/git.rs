//! `git-credential` (the helper git runs), `git setup` and `git doctor`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::{GitArgs, GitCommand, GitCredentialArgs, GitDoctorArgs, GitSetupArgs};
use super::output::{self, say, tell};
use super::{exit_code, open_store, Exit, Failure};
use crate::bitbucket::githost::GitBase;
use crate::git::helper::{self, Operation, Outcome};
use crate::git::{doctor, setup};
use crate::manage;
use crate::shell::Program;

/// The helper git runs. It always ends with status 0, so that git goes on to the next helper
/// (or asks the user) when it cannot answer; why it could not goes to standard error.
pub fn credential(args: GitCredentialArgs) -> Exit {
    let op = Operation::from_arg(&args.operation);
    let base = GitBase::from_env();
    // The pinned connection's id, when it is given by name.
    let pinned = args.connection.as_deref();
    let today = chrono::Local::now().date_naive();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    let opener = || crate::store::Store::open_default().map_err(|e| e.to_string());
    match helper::run(op, stdin.lock(), &mut stdout, opener, &base, pinned, today) {
        Ok(Outcome::MarkedFailing { name }) => {
            tell!("bitbucket-setup: git was refused with the token of \"{name}\"; the app now shows it as needing attention.")
        }
        Ok(_) => {}
        Err(e) => tell!("bitbucket-setup: {e}"),
    }
    Ok(exit_code::OK)
}

pub fn git(args: GitArgs) -> Exit {
    match args.command {
        GitCommand::Setup(a) => git_setup(a),
        GitCommand::Doctor(a) => doctor_cmd(a),
    }
}

fn scope_of(a: &GitSetupArgs) -> setup::Scope {
    if a.local {
        setup::Scope::Local
    } else {
        setup::Scope::Global
    }
}

fn git_setup(a: GitSetupArgs) -> Exit {
    let scope = scope_of(&a);
    let base = GitBase::from_env();
    let where_ = if scope == setup::Scope::Local { "this repository's git configuration" } else { "your git configuration" };
    if a.undo {
        if a.dry_run {
            say!("Would remove this app's helper for {}://{} from {where_}.", base.scheme(), base.host());
            return Ok(exit_code::OK);
        }
        let removed = setup::undo(None, scope, &base)?;
        if removed.is_empty() {
            say!("Nothing to remove: git does not ask this app for {}://{} in {where_}.", base.scheme(), base.host());
        } else {
            say!("Removed from {where_}:");
            for l in &removed {
                say!("  {l}");
            }
        }
        return Ok(exit_code::OK);
    }
    let pinned = match &a.connection {
        Some(name) => Some(manage::find(&open_store()?, name)?.id),
        None => None,
    };
    let exe = setup::this_program().ok_or_else(|| Failure::Start("could not find this program's own path".into()))?;
    let lines = setup::lines(&base, &exe, pinned.as_deref());
    say!("{} {where_}:", if a.dry_run { "Would add to" } else { "Adding to" });
    for l in &lines {
        say!("  {}", setup::command_line(scope, l));
    }
    if a.dry_run {
        return Ok(exit_code::OK);
    }
    let added = setup::apply(None, scope, &lines)?;
    if added.len() < lines.len() {
        say!("({} of them {} already there.)", lines.len() - added.len(), if lines.len() - added.len() == 1 { "was" } else { "were" });
    }
    say!("git now asks Bitbucket Setup Assistant for {}://{}; other helpers stay in place. `{}` removes it.", base.scheme(), base.host(), Program::current().command(&["git", "setup", "--undo"]));
    Ok(exit_code::OK)
}

/// The current folder, when it is in a git repository.
fn current_repository() -> Option<PathBuf> {
    let out = std::process::Command::new("git").args(["rev-parse", "--show-toplevel"]).stderr(std::process::Stdio::null()).output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn doctor_cmd(a: GitDoctorArgs) -> Exit {
    let base = GitBase::from_env();
    let home = dirs::home_dir().ok_or_else(|| Failure::Start("could not find your home folder".into()))?;
    let xdg = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    let repos = if a.repos.is_empty() { current_repository().into_iter().collect() } else { a.repos.clone() };
    let found = doctor::find(&home, xdg.as_deref(), &repos, &base);
    if !a.fix {
        if a.json {
            output::json(&serde_json::json!({"found": found}));
        } else if found.is_empty() {
            say!("No password for {} kept in plain text was found.", base.host());
        } else {
            say!("Found {} password(s) for {} that git keeps in plain text:", found.len(), base.host());
            for f in &found {
                say!("  - {f}");
            }
            say!("App passwords stopped working on 2026-07-28. `{}` backs up each file, removes these entries and lets git ask this app instead.", Program::current().command(&["git", "doctor", "--fix"]));
        }
        return Ok(if found.is_empty() { exit_code::OK } else { exit_code::NOT_READY });
    }
    let backups = doctor::retire(&found, &base)?;
    let scope = setup::Scope::Global;
    let was_set_up = setup::is_set_up(None, scope, &base)?;
    if !was_set_up {
        let exe = setup::this_program().ok_or_else(|| Failure::Start("could not find this program's own path".into()))?;
        setup::apply(None, scope, &setup::lines(&base, &exe, None))?;
    }
    if a.json {
        output::json(&serde_json::json!({"retired": found, "backups": backups, "helper_added": !was_set_up}));
        return Ok(exit_code::OK);
    }
    for f in &found {
        say!("Retired: {f}");
    }
    for b in &backups {
        say!("Backup: {} (it still holds the old password: delete it once git works).", b.display());
    }
    if !was_set_up {
        say!("git now asks Bitbucket Setup Assistant for {}://{} (`{}` removes it).", base.scheme(), base.host(), Program::current().command(&["git", "setup", "--undo"]));
    }
    for helper in setup::store_helpers(None, scope, &base)? {
        tell!("warning: git's \"{helper}\" helper is still set up: after git gets in, it writes the token it used to a plain file. Remove it (git config --global --unset-all credential.helper '^store') if nothing should be on disk.");
    }
    if std::io::stdout().is_terminal() && !found.is_empty() {
        say!("Next: save a token for git in the app (or `{} save --preset git …`) if you have not yet.", Program::current().command(&[]));
    }
    Ok(exit_code::OK)
}
