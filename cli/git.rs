//! `git-credential` (the helper git runs), `git setup` and `git doctor`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::{GitArgs, GitCommand, GitCredentialArgs, GitDoctorArgs, GitSetupArgs};
use super::output::{self, say, tell};
use super::{exit_code, open_store, Exit, Failure};
use bitbucket_cloud::githost::GitBase;
use bitbucket_setup_core::git::helper::{self, Operation, Outcome};
use bitbucket_setup_core::git::{doctor, setup};
use bitbucket_setup_core::manage;
use bitbucket_setup_core::shell::Program;

/// The helper git runs. It ends with status 0 when it cannot answer, so that git goes on to the
/// next helper (or asks the user); why it could not goes to standard error. Input that is not
/// git's (a line or a request longer than git writes, not text) is bad input.
pub fn credential(args: GitCredentialArgs) -> Exit {
    let op = Operation::from_arg(&args.operation);
    let base = GitBase::from_env();
    // The pinned connection's id, when it is given by name.
    let pinned = args.connection.as_deref();
    let today = chrono::Local::now().date_naive();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    let opener = bitbucket_setup_core::store::Store::open_default;
    match helper::run(op, stdin.lock(), &mut stdout, opener, &base, pinned, today) {
        Ok(Outcome::MarkedFailing { name }) => {
            tell!("bitbucket-setup: git was refused with the token of \"{name}\"; the app now shows it as needing attention.")
        }
        Ok(Outcome::RefusedAt { name, place }) => {
            let (name, place) = (bitbucket_cloud::safe_text::visible(&name), bitbucket_cloud::safe_text::visible(&place));
            tell!("bitbucket-setup: git was refused at {place} with the token of \"{name}\"; it is offered there again only when no other saved token may work.")
        }
        Ok(_) => {}
        Err(e @ helper::HelperError::Protocol(_)) => return Err(Failure::invalid(e)),
        Err(e) => {
            // A token missing from the keychain, or a connections file to fix: the command
            // line's next step.
            let step = match &e {
                helper::HelperError::Keychain { source, .. } | helper::HelperError::Store(source) => {
                    crate::advice::store::for_store(source, &Program::current())
                }
                _ => None,
            };
            match step {
                Some(step) => tell!("bitbucket-setup: {e} {step}"),
                None => tell!("bitbucket-setup: {e}"),
            }
        }
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
    let url = format!("{}://{}", base.scheme(), base.host());
    let where_ = if scope == setup::Scope::Local { "this repository's git configuration" } else { "your git configuration" };
    if a.undo {
        if a.dry_run {
            say!("Would remove the lines this app added for {url} from {where_}.");
            return Ok(exit_code::OK);
        }
        let undone = setup::undo(None, scope, &base)?;
        if undone.removed.is_empty() {
            say!("Nothing to remove: this app added nothing for {url} to {where_} (or it is gone already).");
        } else {
            say!("Removed from {where_}:");
            for l in &undone.removed {
                say!("  {l}");
            }
        }
        for l in &undone.left {
            if l.value.is_empty() {
                tell!("warning: the empty \"helper\" line this app added for {url} is still there, next to an empty one of yours, and git cannot remove only one of them. Until one goes, git asks no helper listed before it for {url}: open the file with git config {} --edit and delete one.", if scope == setup::Scope::Local { "--local" } else { "--global" });
            } else {
                tell!("warning: left {l} in place: you have set it again beside this app's line, and git cannot remove only one of them.");
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
    if a.dry_run {
        // Reads nothing: the lines as they go into a configuration that has none of them.
        say!("Would add to {where_}:");
        for l in &lines {
            say!("  {}", setup::command_line(scope, l));
        }
        say!("The empty helper line makes git forget, for {url} only, the helpers it has read so far; they still answer for every other host.");
        return Ok(exit_code::OK);
    }
    let plan = setup::prepare(None, scope, &lines)?;
    if let Some(own) = plan.own_use_http_path() {
        let yours: Vec<String> = plan.kept.iter().map(|l| l.to_string()).collect();
        let last = if yours.len() > 1 { " (git uses the last)" } else { "" };
        say!("Left as you set it: {}{last}.", yours.join(", "));
        if !own {
            tell!("warning: with useHttpPath off, git does not tell this app which repository it wants, so repository, project and workspace tokens never answer: only an API token (or the connection given with --connection) does. Remove your line if each repository should get its own token.");
        }
    }
    if plan.writes.is_empty() {
        say!("Nothing to add: git already asks Bitbucket Setup Assistant, and only it, for {url} in {where_}.");
        return Ok(exit_code::OK);
    }
    say!("Adding to {where_}:");
    for l in &plan.writes {
        say!("  {}", setup::command_line(scope, l));
    }
    setup::write(None, scope, &plan)?;
    if !plan.silenced.is_empty() {
        say!("For {url} git no longer asks: {} (they stay in place, and still answer for every other host).", plan.silenced.join(", "));
    }
    if let Some(ours) = lines.iter().find(|l| l.key.ends_with(".helper") && !l.value.is_empty()) {
        for later in setup::asked_after(None, scope, &base, &ours.value)? {
            tell!("warning: git reads the helper \"{later}\" after this app's line in {where_}, so it is still asked for {url} (and a store helper gets the token after a push). Move it above the [credential \"{url}\"] section (git config {} --edit), or remove it.", if scope == setup::Scope::Local { "--local" } else { "--global" });
        }
    }
    say!("git now asks Bitbucket Setup Assistant for {url}. `{}` removes exactly what was added.", Program::current().command(&["git", "setup", "--undo"]));
    Ok(exit_code::OK)
}

/// The current folder, when it is in a git repository.
fn current_repository() -> Option<PathBuf> {
    let out = std::process::Command::new("git").args(["rev-parse", "--show-toplevel"]).stderr(std::process::Stdio::null()).output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Tells which files could not be read: what they hold is not known, so "nothing found" would
/// not be true.
fn tell_unreadable(unreadable: &[doctor::Unreadable]) {
    if unreadable.is_empty() {
        return;
    }
    tell!("Could not look in {} file(s), so what they hold is not known:", unreadable.len());
    for u in unreadable {
        tell!("  - {}", bitbucket_cloud::safe_text::visible(&u.to_string()));
    }
    tell!("Make each one readable (or move it away if it is not meant to be there) and run `{}` again.", Program::current().command(&["git", "doctor"]));
}

fn doctor_cmd(a: GitDoctorArgs) -> Exit {
    let base = GitBase::from_env();
    let home = dirs::home_dir().ok_or_else(|| Failure::Start("could not find your home folder".into()))?;
    let xdg = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    let repos = if a.repos.is_empty() { current_repository().into_iter().collect() } else { a.repos.clone() };
    let survey = doctor::survey(&home, xdg.as_deref(), &repos, &base);
    let (found, unreadable) = (&survey.found, &survey.unreadable);
    if !a.fix {
        if a.json {
            output::json(&serde_json::json!({"found": found, "unreadable": unreadable}));
        } else if !found.is_empty() {
            say!("Found {} password(s) for {} that git keeps in plain text:", found.len(), base.host());
            for f in found {
                say!("  - {f}");
            }
            say!("App passwords stopped working on 2026-07-28. `{}` backs up each file, removes these entries and lets git ask this app instead.", Program::current().command(&["git", "doctor", "--fix"]));
        } else if unreadable.is_empty() {
            say!("No password for {} kept in plain text was found.", base.host());
        }
        if !a.json {
            tell_unreadable(unreadable);
        }
        return Ok(if !unreadable.is_empty() { exit_code::IO } else if found.is_empty() { exit_code::OK } else { exit_code::NOT_READY });
    }
    let fixed = doctor::fix(found, &base);
    let scope = setup::Scope::Global;
    // Set up even when a file failed: the files that were fixed need the helper now.
    let helper = (|| -> Result<bool, Failure> {
        let was = setup::is_set_up(None, scope, &base)?;
        if !was {
            let exe = setup::this_program().ok_or_else(|| Failure::Start("could not find this program's own path".into()))?;
            setup::apply(None, scope, &setup::lines(&base, &exe, None))?;
        }
        Ok(!was)
    })();
    let status = if fixed.failed.is_empty() && unreadable.is_empty() { exit_code::OK } else { exit_code::IO };
    if a.json {
        let failed: Vec<_> = fixed.failed.iter().map(|e| serde_json::json!({"file": e.file(), "why": e.to_string()})).collect();
        let backups: Vec<_> = fixed.files.iter().map(|f| &f.backup).collect();
        let added = matches!(helper, Ok(true));
        output::json(&serde_json::json!({"files": fixed.files, "backups": backups, "failed": failed, "unreadable": unreadable, "helper_added": added}));
    } else {
        if found.is_empty() && unreadable.is_empty() {
            say!("No password for {} kept in plain text was found.", base.host());
        }
        for f in &fixed.files {
            say!("Changed {}:", f.names());
            for c in &f.changes {
                say!("  - {c}");
            }
            say!("  Backup: {} (it still holds the old password: delete it once git works).", f.backup.display());
        }
        for e in &fixed.failed {
            tell!("Not changed: {e}");
        }
        tell_unreadable(unreadable);
    }
    let added = helper?;
    if a.json {
        return Ok(status);
    }
    if added {
        say!("git now asks Bitbucket Setup Assistant for {}://{} (`{}` removes it).", base.scheme(), base.host(), Program::current().command(&["git", "setup", "--undo"]));
    }
    // A store helper matters only while git still asks it for Bitbucket: before the helper is
    // set up (the empty line that resets git's list comes with it).
    let asked = if setup::is_set_up(None, scope, &base)? { Vec::new() } else { setup::store_helpers(None, scope, &base)? };
    for helper in asked {
        tell!("warning: git's \"{helper}\" helper is still set up: after git gets in, it writes the token it used to a plain file. Remove it (git config --global --unset-all credential.helper '^store') if nothing should be on disk.");
    }
    if std::io::stdout().is_terminal() && !fixed.files.is_empty() {
        say!("Next: save a token for git in the app (or `{} save --preset git …`) if you have not yet.", Program::current().command(&[]));
    }
    Ok(status)
}
