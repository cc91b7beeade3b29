//! The command line's arguments (clap), and the pure steps that turn them into typed requests
//! (no input read, nothing sent), so each can be tested in-process.

use std::ffi::OsString;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use super::Failure;
use bitbucket_cloud::client::{api_url_from_env, ApiBase, Timeouts};
use bitbucket_cloud::credential::{Credential, CredentialKind, Secret};
use bitbucket_cloud::location::{self, Location};
use bitbucket_cloud::validate::CheckRequest;
use bitbucket_setup_core::presets::{self, PresetId};

/// Parses the arguments (the first is the program's name). An error is clap's: `--help` and
/// `--version` come back as errors too, which print themselves.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args)
}

#[derive(Parser, Debug)]
#[command(
    name = "bitbucket-setup",
    version,
    about = "Bitbucket Setup Assistant: check and store Bitbucket Cloud credentials.",
    long_about = "Run without arguments to open the guided window. The subcommands below are for scripts; they read the token from standard input or BITBUCKET_TOKEN, never from an argument."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a credential against Bitbucket (read-only) and report what it can do.
    Check(CheckArgs),
    /// Check a credential and, when it passes, save it: the token to the OS keychain, the
    /// settings to the app's config file.
    Save(SaveArgs),
    /// List saved connections with their status.
    List(ListArgs),
    /// Check saved connections again with the token in the keychain.
    Test(TestArgs),
    /// Remove a saved connection and its keychain entry.
    Remove(RemoveArgs),
    /// Replace a saved connection's token, once the new one passes the check (the old one
    /// stays otherwise); then write it into the export files the app wrote (those still as
    /// written) and the n8n credentials it sent, and say what is left to paste by hand. The
    /// token is read from standard input or BITBUCKET_TOKEN, never from an argument.
    Replace(ReplaceArgs),
    /// Print a saved connection's token on standard output, for scripts (an export's
    /// keychain reference works as the name too).
    Token(TokenArgs),
    /// Write a saved connection's configuration for a product or tool. The token goes in only
    /// with --include-secret; otherwise the file holds a keychain reference.
    Export(ExportArgs),
    /// Read an export (JSON or YAML) or an n8n Bitbucket credential back into a new
    /// connection; it is checked with Bitbucket before it is saved.
    Import(ImportArgs),
    /// The git credential helper git runs (get, store or erase): it answers for Bitbucket's
    /// git host with a saved token from the keychain. `git setup` configures it.
    GitCredential(GitCredentialArgs),
    /// Use the saved tokens for git on this computer: `git setup`, `git setup --undo`, and
    /// `git doctor` (find and retire app passwords git keeps in plain text).
    Git(GitArgs),
    /// Send a saved connection straight into a tool over its API (`send n8n NAME --n8n-url
    /// URL`). The tool's API key comes from standard input or its variable, never from an
    /// argument, and is then kept in the keychain.
    Send(SendArgs),
    /// Daily reminders outside the app: a job of your own (no administrator rights) checks the
    /// saved connections every day and shows a notification when a token expires within 14
    /// days or fails its check; nothing when all is well. `reminders on`, `off`, `status`.
    Reminders(RemindersArgs),
}

#[derive(Args, Debug)]
pub struct RemindersArgs {
    #[command(subcommand)]
    pub command: RemindersCommand,
}

#[derive(Subcommand, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemindersCommand {
    /// Register the daily job: a systemd user timer on Linux, a launchd agent on macOS, a Task
    /// Scheduler task on Windows. Running it again updates it.
    On,
    /// Remove the daily job.
    Off,
    /// Say whether the daily job is registered (and when it last ran, where the system says).
    Status,
    /// What the daily job runs: check every saved connection again and show one notification
    /// if a token expires within 14 days or fails its check. Exit status 0: all is well; 1:
    /// something is due (and the notification was shown).
    Run,
}

#[derive(Args, Debug)]
pub struct SendArgs {
    #[command(subcommand)]
    pub to: SendTo,
}

#[derive(Subcommand, Debug)]
pub enum SendTo {
    /// Create n8n's "Bitbucket Access Token API" credential through n8n's API, or update the one
    /// sent before to that n8n. The n8n API key (scopes credential:create and credential:update)
    /// is read from N8N_API_KEY or standard input; once it has worked it is kept in the keychain
    /// for that address, so sending again needs no key.
    N8n(SendN8nArgs),
}

#[derive(Args, Debug)]
pub struct SendN8nArgs {
    /// The connection's name (or id).
    pub name: String,
    /// n8n's address, as you open it (for example https://n8n.example.com).
    #[arg(long = "n8n-url", value_name = "URL")]
    pub n8n_url: String,
}

#[derive(Args, Debug)]
pub struct GitCredentialArgs {
    /// What git asks: get, store or erase (anything else is ignored).
    pub operation: String,
    /// Always answer with this connection (name or id).
    #[arg(long, value_name = "NAME")]
    pub connection: Option<String>,
}

#[derive(Args, Debug)]
pub struct GitArgs {
    #[command(subcommand)]
    pub command: GitCommand,
}

#[derive(Subcommand, Debug)]
pub enum GitCommand {
    /// Tell git to ask this app for Bitbucket's git host (https://bitbucket.org) only; every
    /// other helper stays in place. Shows the lines before it adds them.
    Setup(GitSetupArgs),
    /// Find passwords for bitbucket.org that git keeps in plain text (~/.git-credentials, git's
    /// XDG credentials file, ~/.netrc, remote URLs) and, with --fix, replace them with the helper.
    Doctor(GitDoctorArgs),
}

#[derive(Args, Debug)]
pub struct GitSetupArgs {
    /// In your user's git configuration (the default).
    #[arg(long, conflicts_with = "local")]
    pub global: bool,
    /// In the current repository's configuration only.
    #[arg(long)]
    pub local: bool,
    /// Remove exactly what `git setup` added.
    #[arg(long)]
    pub undo: bool,
    /// Always answer with this saved connection (name or id) instead of the narrowest that fits.
    #[arg(long, value_name = "NAME", conflicts_with = "undo")]
    pub connection: Option<String>,
    /// Show the lines and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct GitDoctorArgs {
    /// Replace what was found: back up each file, remove the entries, and set up the helper.
    #[arg(long)]
    pub fix: bool,
    /// A repository whose remotes to look at (repeatable; default: the current folder's, if it
    /// is one).
    #[arg(long = "repo", value_name = "PATH")]
    pub repos: Vec<std::path::PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Name of the connection (1-50 characters, unique).
    #[arg(long)]
    pub name: String,
    /// What the connection is for (up to 255 characters).
    #[arg(long)]
    pub description: Option<String>,
    /// The expiry date chosen when the token was created (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// The connection's name (or id).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub name: Option<String>,
    /// Test every saved connection.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The connection's name (or id).
    #[arg(required_unless_present = "all")]
    pub name: Option<String>,
    /// Remove every saved connection and its keychain entry (what the uninstaller runs when
    /// asked to remove saved connections too).
    #[arg(long, conflicts_with = "name")]
    pub all: bool,
}

#[derive(Args, Debug)]
pub struct ReplaceArgs {
    /// The connection's name (or id).
    pub name: String,
    /// Atlassian account email (API tokens; default: the one saved).
    #[arg(long)]
    pub email: Option<String>,
    /// The new token's expiry date (YYYY-MM-DD; default: the one saved).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The connection's name (or id), or a reference from an export
    /// (keychain:bitbucket-setup:NAME).
    pub name: String,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The connection's name (or id).
    #[arg(required_unless_present = "list_formats")]
    pub name: Option<String>,
    /// The format: sqai, sqai-sheet, sqai-html, autoheal…, katalon…, cubyts…, nirvai…, n8n,
    /// env, json, yaml, git-credentials, netrc (--list-formats shows them all).
    #[arg(long, short = 'f', value_name = "FORMAT", required_unless_present = "list_formats")]
    pub format: Option<String>,
    /// Put the token itself in the file, which is then created readable only by you (0600).
    /// Without it the file holds a reference that the `token` command resolves.
    #[arg(long)]
    pub include_secret: bool,
    /// Where to write (default: a file named after the connection in the current folder;
    /// "-" for standard output).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<std::path::PathBuf>,
    /// Replace the file if it already exists.
    #[arg(long)]
    pub force: bool,
    /// Do not contact Bitbucket; a configuration whose last check is old or failed is then
    /// exported marked as unvalidated.
    #[arg(long)]
    pub no_check: bool,
    /// Export even when the configuration cannot be validated now; the file says it is
    /// unvalidated.
    #[arg(long)]
    pub allow_unvalidated: bool,
    /// Branch for the base branch and Katalon's project URL (default: the repository's
    /// default branch).
    #[arg(long)]
    pub branch: Option<String>,
    /// Folder in the repository for Katalon's project URL, for example "Test Cases".
    #[arg(long)]
    pub folder: Option<String>,
    /// List the formats and exit.
    #[arg(long)]
    pub list_formats: bool,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file: a JSON or YAML export of this app, or an n8n Bitbucket credential (JSON).
    /// "-" reads it from standard input (within 30 seconds); a token it does not hold then
    /// comes from BITBUCKET_TOKEN.
    pub file: std::path::PathBuf,
    /// Name of the new connection (default: the name in the file).
    #[arg(long)]
    pub name: Option<String>,
    /// Workspace id or Bitbucket URL (needed for an n8n credential, which names none).
    #[arg(long, value_name = "WORKSPACE|URL")]
    pub workspace: Option<String>,
    /// Repository slug (or URL).
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
    /// What the credential is for (default: the preset in the file).
    #[arg(long)]
    pub preset: Option<String>,
    /// The token's expiry date (YYYY-MM-DD; default: the date in the file).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires: Option<String>,
    /// What the connection is for (up to 255 characters; default: the file's).
    #[arg(long)]
    pub description: Option<String>,
    /// API base URL (default: Bitbucket Cloud; also BITBUCKET_API_URL). The file's own API
    /// address is never used on its own.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// repository-token, project-token, workspace-token, api-token or app-password.
    #[arg(long, value_name = "KIND")]
    pub credential: String,
    /// Workspace id, or any Bitbucket URL (then --repo is optional).
    #[arg(long, value_name = "WORKSPACE|URL")]
    pub workspace: String,
    /// Repository slug (or URL).
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,
    /// Atlassian account email (API tokens).
    #[arg(long, conflicts_with = "username")]
    pub email: Option<String>,
    /// Bitbucket username (app passwords, which are retired).
    #[arg(long)]
    pub username: Option<String>,
    /// What the credential is for: sqai, autoheal, katalon, cubyts, nirvai, n8n, git or custom
    /// (default: custom with --scope, or else just "can read the repository").
    #[arg(long)]
    pub preset: Option<String>,
    /// A scope the credential needs (repeatable; either vocabulary).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// API base URL (default: Bitbucket Cloud; also BITBUCKET_API_URL).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Seconds each request may take (default 20).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}


/// The preset named on the command line, or the message listing the names there are.
pub fn preset_arg(name: &str) -> Result<PresetId, Failure> {
    presets::from_slug(name).ok_or_else(|| {
        let names: Vec<&str> = presets::all().iter().map(|p| p.slug).collect();
        Failure::input(format!("Unknown preset \"{name}\". Use one of: {}.", names.join(", ")))
    })
}

/// A `check` or `save` with its arguments read and checked: everything but the token.
#[derive(Debug, Clone)]
pub struct CheckPlan {
    pub kind: CredentialKind,
    pub location: Location,
    pub preset: PresetId,
    pub custom_scopes: Vec<String>,
    pub api_base: ApiBase,
    pub timeouts: Timeouts,
    pub email: Option<String>,
    pub username: Option<String>,
}

impl CheckArgs {
    /// Checks the arguments; reads nothing and sends nothing.
    pub fn plan(&self) -> Result<CheckPlan, Failure> {
        let kind = CredentialKind::from_slug(&self.credential).ok_or_else(|| {
            let names: Vec<&str> = CredentialKind::ALL.iter().map(|k| k.slug()).collect();
            Failure::input(format!("Unknown credential kind \"{}\". Use one of: {}.", self.credential, names.join(", ")))
        })?;
        let preset = preset_arg(self.preset.as_deref().unwrap_or("custom"))?;
        // With neither a preset nor scopes, check that the credential works and reads the place.
        let custom_scopes = if self.preset.is_none() && self.scopes.is_empty() { vec!["repository".to_string()] } else { self.scopes.clone() };
        let location = location::parse_parts(&self.workspace, self.repo.as_deref()).map_err(|e| Failure::Input {
            problem: if e.is_not_cloud() { "not_cloud" } else { "bad_input" },
            message: e.to_string(),
        })?;
        let api_url = self.api_url.clone().unwrap_or_else(api_url_from_env);
        let api_base = ApiBase::parse(&api_url).map_err(Failure::invalid)?;
        let mut timeouts = Timeouts::default();
        if let Some(seconds) = self.timeout {
            if seconds == 0 || seconds > 300 {
                return Err(Failure::input("--timeout must be between 1 and 300 seconds."));
            }
            timeouts.request = Duration::from_secs(seconds);
            timeouts.connect = timeouts.connect.min(timeouts.request);
        }
        let given = |v: &Option<String>| bitbucket_cloud::safe_text::non_blank(v.as_deref()).map(str::to_string);
        Ok(CheckPlan { kind, location, preset, custom_scopes, api_base, timeouts, email: given(&self.email), username: given(&self.username) })
    }
}

impl CheckPlan {
    /// The check request, with the token.
    pub fn request(self, secret: Secret) -> CheckRequest {
        CheckRequest {
            credential: Credential { kind: self.kind, secret, email: self.email, username: self.username },
            location: self.location,
            target: self.preset.target(&self.custom_scopes),
            api_base: self.api_base,
            timeouts: self.timeouts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(args: &[&str]) -> Result<CheckPlan, Failure> {
        let cli = parse(std::iter::once("bitbucket-setup").chain(args.iter().copied())).expect("arguments parse");
        match cli.command {
            Command::Check(a) => a.plan(),
            Command::Save(a) => a.check.plan(),
            other => panic!("not a check: {other:?}"),
        }
    }

    fn input_message(r: Result<CheckPlan, Failure>) -> (&'static str, String) {
        match r {
            Err(Failure::Input { problem, message }) => (problem, message),
            // An error of the layers below, kept as the cause; --json names it "bad_input" too.
            Err(Failure::Invalid { source }) => ("bad_input", source.to_string()),
            other => panic!("expected an input failure, got {other:?}"),
        }
    }

    #[test]
    fn a_url_gives_workspace_and_repository() {
        let p = plan(&["check", "--credential", "repository-token", "--workspace", "https://bitbucket.org/acme/website/src/main/"]).unwrap();
        assert_eq!((p.location.workspace.as_str(), p.location.repository.as_deref()), ("acme", Some("website")));
        assert_eq!(p.kind, CredentialKind::RepositoryToken);
        assert_eq!(p.preset, PresetId::Custom);
        assert_eq!(p.custom_scopes, vec!["repository".to_string()], "no preset and no scope: just read the repository");
    }

    #[test]
    fn scopes_and_preset_are_kept() {
        let p = plan(&["check", "--credential", "api-token", "--workspace", "acme", "--repo", "web", "--email", "  a@b.c ", "--scope", "read:repository:bitbucket", "--preset", "n8n"]).unwrap();
        assert_eq!(p.preset, PresetId::N8n);
        assert_eq!(p.custom_scopes, vec!["read:repository:bitbucket".to_string()]);
        assert_eq!(p.email.as_deref(), Some("a@b.c"));
    }

    #[test]
    fn an_unknown_kind_lists_the_kinds() {
        let (problem, m) = input_message(plan(&["check", "--credential", "password", "--workspace", "acme"]));
        assert_eq!(problem, "bad_input");
        assert!(m.contains("Unknown credential kind \"password\"") && m.contains("repository-token, project-token"), "{m}");
    }

    #[test]
    fn an_unknown_preset_lists_the_presets() {
        let (_, m) = input_message(plan(&["check", "--credential", "api-token", "--workspace", "acme", "--preset", "jira"]));
        assert!(m.contains("Unknown preset \"jira\"") && m.contains("sqai") && m.contains("custom"), "{m}");
    }

    #[test]
    fn a_server_address_is_not_cloud() {
        let (problem, _) = input_message(plan(&["check", "--credential", "api-token", "--workspace", "https://git.example.com/projects/X/repos/y"]));
        assert_eq!(problem, "not_cloud");
    }

    #[test]
    fn the_timeout_is_bounded() {
        for t in ["0", "301"] {
            let (_, m) = input_message(plan(&["check", "--credential", "api-token", "--workspace", "acme", "--timeout", t]));
            assert!(m.contains("--timeout must be between 1 and 300"), "{m}");
        }
        let p = plan(&["save", "--name", "x", "--credential", "api-token", "--workspace", "acme", "--timeout", "2"]).unwrap();
        assert_eq!(p.timeouts.request, Duration::from_secs(2));
        assert!(p.timeouts.connect <= p.timeouts.request);
    }

    #[test]
    fn a_bad_api_address_is_input() {
        let (problem, _) = input_message(plan(&["check", "--credential", "api-token", "--workspace", "acme", "--api-url", "ftp://x"]));
        assert_eq!(problem, "bad_input");
    }

    #[test]
    fn the_daily_job_runs_reminders_run() {
        let args = std::iter::once("bitbucket-setup").chain(bitbucket_setup_core::remind::job::RUN_ARGS);
        match parse(args).expect("the job's arguments parse").command {
            Command::Reminders(RemindersArgs { command }) => assert_eq!(command, RemindersCommand::Run),
            other => panic!("the job runs something else: {other:?}"),
        }
    }

    #[test]
    fn usage_errors_come_from_clap() {
        assert!(parse(["bitbucket-setup", "check"]).is_err());
        assert!(parse(["bitbucket-setup", "test", "a", "--all"]).is_err(), "a name and --all conflict");
        assert!(parse(["bitbucket-setup", "check", "--credential", "api-token", "--workspace", "a", "--email", "e", "--username", "u"]).is_err());
        assert!(parse(["bitbucket-setup", "send", "n8n", "Website CI"]).is_err(), "send needs --n8n-url");
        assert!(parse(["bitbucket-setup", "send", "n8n", "x", "--n8n-url", "u", "--api-key", "k"]).is_err(), "no key as an argument");
        assert!(parse(["bitbucket-setup", "replace", "x", "--token", "t"]).is_err(), "no token as an argument");
        assert!(parse(["bitbucket-setup", "reminders"]).is_err(), "reminders needs on, off, status or run");
        let help = parse(["bitbucket-setup", "--help"]).unwrap_err();
        assert!(!help.use_stderr(), "--help is not an error");
    }
}
