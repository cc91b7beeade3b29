//! Thin Tauri commands for the "Use this for git on this computer" step: what `git setup` would
//! add, doing it, confirming with `git ls-remote`, and retiring the app passwords git keeps in
//! plain text (the same steps as `bitbucket-setup git setup` and `git doctor --fix`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::bitbucket::githost::GitBase;
use crate::commands::{open_store, UiError};
use crate::git::{doctor, reach, setup};
use crate::manage;

/// How long the window waits for `git ls-remote`.
const LS_REMOTE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Serialize)]
pub struct GitPlan {
    /// The commands, as the user would type them.
    commands: Vec<String>,
    /// git already asks this app for Bitbucket.
    set_up: bool,
    /// Passwords for Bitbucket git keeps in plain text (never the password itself).
    found: Vec<String>,
    /// Files that are there but could not be read, and why: what they hold is unknown.
    unreadable: Vec<String>,
}

fn home() -> Result<PathBuf, UiError> {
    dirs::home_dir().ok_or_else(|| UiError::new("Your home folder could not be found."))
}

fn survey(base: &GitBase) -> Result<doctor::Survey, UiError> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    Ok(doctor::survey(&home()?, xdg.as_deref(), &[], base))
}

fn lines(base: &GitBase) -> Result<Vec<setup::ConfigLine>, UiError> {
    let exe = setup::this_program().ok_or_else(|| UiError::new("The app could not find its own program file."))?;
    Ok(setup::lines(base, &exe, None))
}

#[tauri::command]
pub async fn git_plan(id: String) -> Result<GitPlan, UiError> {
    let store = open_store()?;
    manage::find(&store, &id)?;
    let base = GitBase::from_env();
    let commands = lines(&base)?.iter().map(|l| setup::command_line(setup::Scope::Global, l)).collect();
    let set_up = tauri::async_runtime::spawn_blocking(move || setup::is_set_up(None, setup::Scope::Global, &GitBase::from_env()))
        .await
        .map_err(|_| UiError::new("git could not be asked."))??;
    let survey = survey(&base)?;
    let found = survey.found.iter().map(|f| f.to_string()).collect();
    let unreadable = survey.unreadable.iter().map(|u| u.to_string()).collect();
    Ok(GitPlan { commands, set_up, found, unreadable })
}

#[derive(Serialize)]
pub struct GitDone {
    added: Vec<String>,
    reach: Option<reach::Reach>,
}

/// Adds the helper to the user's git configuration, then tries `git ls-remote` on the
/// connection's repository.
#[tauri::command]
pub async fn git_apply(id: String) -> Result<GitDone, UiError> {
    let store = open_store()?;
    let c = manage::find(&store, &id)?;
    let base = GitBase::from_env();
    let lines = lines(&base)?;
    tauri::async_runtime::spawn_blocking(move || {
        let added = setup::apply(None, setup::Scope::Global, &lines)?;
        let reach = c.repository.as_deref().map(|repo| {
            let place = format!("{}/{repo}", c.workspace);
            let cwd = std::env::temp_dir();
            reach::ls_remote(&base.clone_url(&c.workspace, repo), &place, LS_REMOTE_TIMEOUT, &cwd)
        });
        Ok(GitDone { added: added.iter().map(|l| setup::command_line(setup::Scope::Global, l)).collect(), reach })
    })
    .await
    .map_err(|_| UiError::new("git could not be set up."))?
}

#[derive(Serialize)]
pub struct Retired {
    /// Each change made (never a password).
    retired: Vec<String>,
    backups: Vec<String>,
    /// Each file left as it was, and why.
    failed: Vec<String>,
}

/// Backs up each file, removes the Bitbucket entries (each file completely or not at all; one
/// that fails does not stop the others), and sets up the helper.
#[tauri::command]
pub async fn git_retire() -> Result<Retired, UiError> {
    let base = GitBase::from_env();
    let found = survey(&base)?.found;
    let lines = lines(&base)?;
    tauri::async_runtime::spawn_blocking(move || {
        let fixed = doctor::fix(&found, &base);
        setup::apply(None, setup::Scope::Global, &lines)?;
        Ok(Retired {
            retired: fixed.files.iter().flat_map(|f| f.changes.iter().map(move |c| format!("{}: {c}", f.names()))).collect(),
            backups: fixed.files.iter().map(|f| f.backup.display().to_string()).collect(),
            failed: fixed.failed.iter().map(|e| e.to_string()).collect(),
        })
    })
    .await
    .map_err(|_| UiError::new("The stored passwords could not be retired."))?
}
