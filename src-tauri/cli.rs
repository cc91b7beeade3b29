//! Command-line mode of the same binary, for scripting and tests. It never opens a window.
//!
//! The secret comes from standard input or `BITBUCKET_TOKEN`, never from an argument, so it
//! cannot show up in `ps` or shell history. Exit status: 0 valid and sufficient, 1
//! authenticates but lacks scopes or access, 2 rejected credential, 3 network / rate limit /
//! server trouble, 64 bad usage or input.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::bitbucket::client::{api_url_from_env, ApiBase, Timeouts};
use crate::bitbucket::credential::{self, Credential, CredentialKind, Pasted};
use crate::bitbucket::location;
use crate::bitbucket::validate::{self, CheckRequest, Report};
use crate::export;
use crate::input;
use crate::manage;
use crate::presets;
use crate::store::Store;

/// `println!` for text a person reads: any control or bidirectional character in a value
/// (a name from a file, a message from a server) is shown as a visible escape, so nothing
/// printed can move the cursor, retitle the terminal or read differently than it is.
macro_rules! say {
    ($($t:tt)*) => { println!("{}", crate::safe_text::for_terminal(&format!($($t)*))) };
}

/// `eprintln!` with the same care as [`say!`].
macro_rules! tell {
    ($($t:tt)*) => { eprintln!("{}", crate::safe_text::for_terminal(&format!($($t)*))) };
}

use crate::exit_code;

/// How long `import -` waits for standard input to end: a pipe whose writer never closes it
/// must not hang the command (a real export arrives in well under a second).
const IMPORT_STDIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Parser, Debug)]
#[command(
    name = "bitbucket-setup",
    version,
    about = "Bitbucket Setup Assistant: check and store Bitbucket Cloud credentials.",
    long_about = "Run without arguments to open the guided window. The subcommands below are for scripts; they read the token from standard input or BITBUCKET_TOKEN, never from an argument."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
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
    /// Print a saved connection's token (for scripts: BITBUCKET_TOKEN=$(bitbucket-setup token NAME)).
    Token(TokenArgs),
    /// Write a saved connection's configuration for a product or tool. The token goes in only
    /// with --include-secret; otherwise the file holds a keychain reference.
    Export(ExportArgs),
    /// Read an export (JSON or YAML) or an n8n Bitbucket credential back into a new
    /// connection; it is checked with Bitbucket before it is saved.
    Import(ImportArgs),
}

#[derive(Args, Debug)]
struct SaveArgs {
    #[command(flatten)]
    check: CheckArgs,
    /// Name of the connection (1-50 characters, unique).
    #[arg(long)]
    name: String,
    /// What the connection is for (up to 255 characters).
    #[arg(long)]
    description: Option<String>,
    /// The expiry date chosen when the token was created (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    expires: Option<String>,
}

#[derive(Args, Debug)]
struct ListArgs {
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct TestArgs {
    /// The connection's name (or id).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    name: Option<String>,
    /// Test every saved connection.
    #[arg(long)]
    all: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct RemoveArgs {
    /// The connection's name (or id).
    name: String,
}

#[derive(Args, Debug)]
struct TokenArgs {
    /// The connection's name (or id), or a reference from an export
    /// (keychain:bitbucket-setup:NAME).
    name: String,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// The connection's name (or id).
    #[arg(required_unless_present = "list_formats")]
    name: Option<String>,
    /// The format: sqai, sqai-sheet, sqai-html, autoheal…, katalon…, cubyts…, nirvai…, n8n,
    /// env, json, yaml, git-credentials, netrc (--list-formats shows them all).
    #[arg(long, short = 'f', value_name = "FORMAT", required_unless_present = "list_formats")]
    format: Option<String>,
    /// Put the token itself in the file, which is then created readable only by you (0600).
    /// Without it the file holds a reference that `bitbucket-setup token` resolves.
    #[arg(long)]
    include_secret: bool,
    /// Where to write (default: a file named after the connection in the current folder;
    /// "-" for standard output).
    #[arg(long, short = 'o', value_name = "PATH")]
    output: Option<std::path::PathBuf>,
    /// Replace the file if it already exists.
    #[arg(long)]
    force: bool,
    /// Do not contact Bitbucket; a configuration whose last check is old or failed is then
    /// exported marked as unvalidated.
    #[arg(long)]
    no_check: bool,
    /// Export even when the configuration cannot be validated now; the file says it is
    /// unvalidated.
    #[arg(long)]
    allow_unvalidated: bool,
    /// Branch for the base branch and Katalon's project URL (default: the repository's
    /// default branch).
    #[arg(long)]
    branch: Option<String>,
    /// Folder in the repository for Katalon's project URL, for example "Test Cases".
    #[arg(long)]
    folder: Option<String>,
    /// List the formats and exit.
    #[arg(long)]
    list_formats: bool,
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// The file: a JSON or YAML export of this app, or an n8n Bitbucket credential (JSON).
    /// "-" reads it from standard input (within 30 seconds); a token it does not hold then
    /// comes from BITBUCKET_TOKEN.
    file: std::path::PathBuf,
    /// Name of the new connection (default: the name in the file).
    #[arg(long)]
    name: Option<String>,
    /// Workspace id or Bitbucket URL (needed for an n8n credential, which names none).
    #[arg(long, value_name = "WORKSPACE|URL")]
    workspace: Option<String>,
    /// Repository slug (or URL).
    #[arg(long, value_name = "REPO")]
    repo: Option<String>,
    /// What the credential is for (default: the preset in the file).
    #[arg(long)]
    preset: Option<String>,
    /// The token's expiry date (YYYY-MM-DD; default: the date in the file).
    #[arg(long, value_name = "YYYY-MM-DD")]
    expires: Option<String>,
    /// What the connection is for (up to 255 characters; default: the file's).
    #[arg(long)]
    description: Option<String>,
    /// API base URL (default: Bitbucket Cloud; also BITBUCKET_API_URL). The file's own API
    /// address is never used on its own.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// repository-token, project-token, workspace-token, api-token or app-password.
    #[arg(long, value_name = "KIND")]
    credential: String,
    /// Workspace id, or any Bitbucket URL (then --repo is optional).
    #[arg(long, value_name = "WORKSPACE|URL")]
    workspace: String,
    /// Repository slug (or URL).
    #[arg(long, value_name = "REPO")]
    repo: Option<String>,
    /// Atlassian account email (API tokens).
    #[arg(long, conflicts_with = "username")]
    email: Option<String>,
    /// Bitbucket username (app passwords, which are retired).
    #[arg(long)]
    username: Option<String>,
    /// What the credential is for: sqai, autoheal, katalon, cubyts, nirvai, n8n, git or custom
    /// (default: custom with --scope, or else just "can read the repository").
    #[arg(long)]
    preset: Option<String>,
    /// A scope the credential needs (repeatable; either vocabulary).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// API base URL (default: Bitbucket Cloud; also BITBUCKET_API_URL).
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Seconds each request may take (default 20).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the command line and returns the exit status.
pub fn main(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { exit_code::USAGE } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tell!("error: could not start: {e}");
            return exit_code::SOFTWARE;
        }
    };
    match cli.command {
        Command::Check(args) => runtime.block_on(check(args)),
        Command::Save(args) => runtime.block_on(save(args)),
        Command::List(args) => list(args),
        Command::Test(args) => runtime.block_on(test(args)),
        Command::Remove(args) => remove(args),
        Command::Token(args) => token(args),
        Command::Export(args) => runtime.block_on(export_cmd(args)),
        Command::Import(args) => runtime.block_on(import_cmd(args)),
    }
}

/// A usage or input problem, printed plainly; exit 64.
#[derive(Debug, Serialize)]
struct InputProblem {
    ok: bool,
    problem: &'static str,
    message: String,
}

fn input_error(json: bool, problem: &'static str, message: String) -> i32 {
    if json {
        let body = InputProblem { ok: false, problem, message };
        println!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
    } else {
        tell!("error: {message}");
    }
    exit_code::USAGE
}

/// `BITBUCKET_TOKEN`, when it is set and not empty.
fn secret_from_env() -> Option<zeroize::Zeroizing<String>> {
    std::env::var("BITBUCKET_TOKEN").ok().filter(|v| !v.is_empty()).map(zeroize::Zeroizing::new)
}

/// Reads the secret from `BITBUCKET_TOKEN`, a terminal prompt, or standard input.
pub fn read_secret(prompt: &str) -> Result<Pasted, String> {
    let raw = match secret_from_env() {
        Some(v) => v,
        _ if std::io::stdin().is_terminal() => {
            let _ = std::io::stderr().flush();
            zeroize::Zeroizing::new(
                rpassword::prompt_password(prompt).map_err(|_| "Could not read the token from the terminal.".to_string())?,
            )
        }
        _ => {
            let mut bytes = zeroize::Zeroizing::new(Vec::new());
            std::io::stdin()
                .take((credential::MAX_SECRET_LEN * 4) as u64)
                .read_to_end(&mut bytes)
                .map_err(|_| "Could not read the token from standard input.".to_string())?;
            zeroize::Zeroizing::new(
                String::from_utf8(bytes.to_vec()).map_err(|_| "The token on standard input is not text.".to_string())?,
            )
        }
    };
    credential::classify(&raw).map_err(|e| e.to_string())
}

/// The preset named on the command line, or the message listing the names there are.
fn preset_arg(name: &str) -> Result<presets::PresetId, String> {
    presets::from_cli_name(name).ok_or_else(|| {
        let names: Vec<&str> = presets::all().iter().map(|p| p.cli_name).collect();
        format!("Unknown preset \"{name}\". Use one of: {}.", names.join(", "))
    })
}

/// Everything `check` and `save` share: parse the arguments, read the secret, build the request.
pub fn build_request(args: &CheckArgs) -> Result<(CheckRequest, Pasted), (&'static str, String)> {
    let kind = CredentialKind::from_cli_name(&args.credential).ok_or_else(|| {
        let names: Vec<&str> = CredentialKind::ALL.iter().map(|k| k.cli_name()).collect();
        ("bad_input", format!("Unknown credential kind \"{}\". Use one of: {}.", args.credential, names.join(", ")))
    })?;
    let preset_name = args.preset.as_deref().unwrap_or("custom");
    let preset = preset_arg(preset_name).map_err(|m| ("bad_input", m))?;
    // With neither a preset nor scopes, check that the credential works and reads the place.
    let custom_scopes = if args.preset.is_none() && args.scopes.is_empty() {
        vec!["repository".to_string()]
    } else {
        args.scopes.clone()
    };
    let location = location::parse_parts(&args.workspace, args.repo.as_deref()).map_err(|e| {
        (if e.is_not_cloud() { "not_cloud" } else { "bad_input" }, e.user_message())
    })?;
    let api_url = args.api_url.clone().unwrap_or_else(api_url_from_env);
    let api_base = ApiBase::parse(&api_url).map_err(|e| ("bad_input", e.to_string()))?;
    let mut timeouts = Timeouts::default();
    if let Some(seconds) = args.timeout {
        if seconds == 0 || seconds > 300 {
            return Err(("bad_input", "--timeout must be between 1 and 300 seconds.".into()));
        }
        timeouts.request = std::time::Duration::from_secs(seconds);
        timeouts.connect = timeouts.connect.min(timeouts.request);
    }
    let pasted = read_secret(&format!("Paste the {} (input is hidden): ", kind.label())).map_err(|m| ("bad_input", m))?;
    let credential = Credential {
        kind,
        secret: pasted.secret.clone(),
        email: args.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string),
        username: args.username.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string),
    };
    let request = CheckRequest {
        credential,
        location,
        target: preset.target(&custom_scopes),
        api_base,
        timeouts,
    };
    Ok((request, pasted))
}

async fn check(args: CheckArgs) -> i32 {
    let (request, pasted) = match build_request(&args) {
        Ok(r) => r,
        Err((problem, message)) => return input_error(args.json, problem, message),
    };
    let report = match validate::validate(request, pasted.kind).await {
        Ok(report) => report,
        Err(e) => return input_error(args.json, "bad_input", e.to_string()),
    };
    print_report(&report, args.json);
    exit_code::for_report(&report)
}

/// Prints a report as text (for people) or JSON (for scripts).
pub fn print_report(report: &Report, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(report).unwrap_or_default());
        return;
    }
    let mut out = String::new();
    if report.ok {
        out.push_str(&format!("OK: {}\n", report.message));
    } else {
        let name = report.problem.map(|p| p.name()).unwrap_or("missing_scopes");
        out.push_str(&format!("NOT READY ({name}): {}\n", report.message));
    }
    if let Some(t) = &report.credential_type {
        out.push_str(&format!("  Credential type: {t}\n"));
    }
    if let Some(a) = &report.account {
        out.push_str(&format!("  Account: {a}\n"));
    }
    if let Some(w) = &report.workspace_name {
        out.push_str(&format!("  Workspace: {} ({w})\n", report.workspace));
    }
    if let Some(b) = &report.default_branch {
        out.push_str(&format!("  Default branch: {b}\n"));
    }
    if !report.granted_raw.is_empty() {
        let labels: Vec<String> = report.granted_raw.iter().map(|s| crate::bitbucket::scopes::label(s)).collect();
        out.push_str(&format!("  Scopes: {}\n", labels.join(", ")));
    }
    if !report.missing_labels.is_empty() {
        out.push_str("  Missing:\n");
        for l in &report.missing_labels {
            out.push_str(&format!("    - {} ({})\n", l.label, l.scope));
        }
    }
    for w in &report.warnings {
        out.push_str(&format!("  Warning: {w}\n"));
    }
    if !report.next_step.is_empty() {
        out.push_str(&format!("  Next step: {}\n", report.next_step));
    }
    print!("{}", crate::safe_text::for_terminal(&out));
}

fn open_store() -> Result<Store, i32> {
    Store::open_default().map_err(|e| {
        tell!("error: {}", e.user_message());
        exit_code::IO
    })
}

/// Says what was set aside and not yet seen (every command, until `list` or the window has
/// shown it once). Returns whether there was anything.
fn report_set_aside(store: &Store) -> bool {
    let Ok(loaded) = store.list() else { return false };
    for aside in &loaded.set_aside {
        tell!("warning: {}", aside.message());
    }
    !loaded.set_aside.is_empty()
}

async fn save(args: SaveArgs) -> i32 {
    let json = args.check.json;
    let today = chrono::Local::now().date_naive();
    let expires = match args.expires.as_deref().map(|d| manage::parse_expiry(d, today)).transpose() {
        Ok(e) => e,
        Err(m) => return input_error(json, "bad_input", m),
    };
    if let Err(e) = crate::store::connections::validate_name(&args.name) {
        return input_error(json, "bad_input", e.user_message());
    }
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    report_set_aside(&store);
    if let Ok(Some(_)) = store.find(&args.name) {
        return input_error(json, "bad_input", format!("A connection called \"{}\" already exists. Choose another name, or remove the old one first.", args.name.trim()));
    }
    let (request, pasted) = match build_request(&args.check) {
        Ok(r) => r,
        Err((problem, message)) => return input_error(json, problem, message),
    };
    let report = match validate::validate(request.clone(), pasted.kind).await {
        Ok(report) => report,
        Err(e) => return input_error(json, "bad_input", e.to_string()),
    };
    if !report.ok {
        print_report(&report, json);
        if !json {
            tell!("Nothing was saved: the check did not pass.");
        }
        return exit_code::for_report(&report);
    }
    let options = manage::SaveOptions { name: args.name, description: args.description, expires };
    match manage::save_validated(&store, &request, &report, &options) {
        Ok(saved) => {
            if json {
                let body = serde_json::json!({"ok": true, "saved": saved, "report": report});
                println!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
            } else {
                print_report(&report, false);
                say!("Saved \"{}\": the token is in the {} and the settings in {}.", saved.name, store.secrets().backend_name(), store.file().path().display());
            }
            0
        }
        Err(e) => {
            tell!("error: {}", e.user_message());
            exit_code::for_manage(&e)
        }
    }
}

/// A saved connection and how it stands today, for `list`.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    connection: crate::store::connections::Connection,
    status: String,
    expiry: String,
}

fn status_of(store: &Store, c: &crate::store::connections::Connection) -> (String, String) {
    use crate::manage::ConnectionStatus;
    use crate::store::connections::{expiry_status, ExpiryStatus};
    let today = chrono::Local::now().date_naive();
    let expiry_text = match expiry_status(c.expires, today) {
        ExpiryStatus::NoDate => "no expiry date".to_string(),
        ExpiryStatus::Valid { days_left } | ExpiryStatus::ExpiringSoon { days_left } => {
            format!("expires in {days_left} days")
        }
        ExpiryStatus::Expired { days_ago } => format!("expired {days_ago} days ago"),
    };
    let status = match manage::status_of(store, c, today) {
        ConnectionStatus::Expired { .. } => "expired",
        ConnectionStatus::KeychainMissing => "keychain_entry_missing",
        ConnectionStatus::NeedsAttention => "needs_attention",
        ConnectionStatus::ExpiringSoon { .. } => "expiring_soon",
        ConnectionStatus::Valid { .. } => "valid",
    };
    (status.to_string(), expiry_text)
}

fn list(args: ListArgs) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    if report_set_aside(&store) {
        // Seen now: later commands stop repeating it.
        let _ = store.acknowledge_set_aside();
    }
    let loaded = match store.list() {
        Ok(l) => l,
        Err(e) => {
            tell!("error: {}", e.user_message());
            return exit_code::IO;
        }
    };
    let listed: Vec<Listed> = loaded
        .connections
        .into_iter()
        .map(|c| {
            let (status, expiry) = status_of(&store, &c);
            Listed { connection: c, status, expiry }
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&listed).unwrap_or_default());
        return 0;
    }
    if listed.is_empty() {
        say!("No saved connections. `bitbucket-setup save` or the window adds one.");
        return 0;
    }
    for l in &listed {
        let c = &l.connection;
        let place = c.repository.as_ref().map(|r| format!("{}/{r}", c.workspace)).unwrap_or_else(|| c.workspace.clone());
        let v = crate::safe_text::visible;
        say!("{}  [{}]  {}  {}  {}  {}", v(&c.name), l.status, v(&place), c.kind.label(), crate::presets::get(c.preset).name, l.expiry);
    }
    0
}

async fn test(args: TestArgs) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    report_set_aside(&store);
    let targets = if args.all {
        match store.list() {
            Ok(l) => l.connections,
            Err(e) => {
                tell!("error: {}", e.user_message());
                return exit_code::IO;
            }
        }
    } else {
        match manage::find(&store, args.name.as_deref().unwrap_or_default()) {
            Ok(c) => vec![c],
            Err(e) => {
                tell!("error: {}", e.user_message());
                return exit_code::for_manage(&e);
            }
        }
    };
    let mut worst = 0;
    let mut results = Vec::new();
    for c in targets {
        match manage::retest(&store, &c, Timeouts::default()).await {
            Ok(report) => {
                worst = worst.max(exit_code::for_report(&report));
                if !args.json {
                    say!("{}:", c.name);
                    print_report(&report, false);
                }
                results.push(serde_json::json!({"name": c.name, "ok": report.ok, "report": report}));
            }
            Err(e) => {
                worst = worst.max(exit_code::for_manage(&e));
                if !args.json {
                    say!("{}:\n  ERROR: {}", c.name, e.user_message());
                }
                results.push(serde_json::json!({"name": c.name, "ok": false, "error": e.user_message()}));
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results).unwrap_or_default());
    }
    worst
}

fn remove(args: RemoveArgs) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let c = match manage::find(&store, &args.name) {
        Ok(c) => c,
        Err(e) => {
            tell!("error: {}", e.user_message());
            return exit_code::for_manage(&e);
        }
    };
    match store.remove(&c.id) {
        Ok(removed) => {
            if removed.keychain_entry_was_missing {
                say!("Removed \"{}\" (its keychain entry was already gone).", c.name);
            } else {
                say!("Removed \"{}\" and its keychain entry.", c.name);
            }
            0
        }
        Err(e) => {
            tell!("error: {} The connection was kept.", e.user_message());
            exit_code::IO
        }
    }
}

fn token(args: TokenArgs) -> i32 {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    // An export's reference (keychain:bitbucket-setup:NAME) names the connection too.
    let key = export::parse_reference(&args.name).unwrap_or(&args.name);
    let c = match manage::find(&store, key) {
        Ok(c) => c,
        Err(e) => {
            tell!("error: {}", e.user_message());
            return exit_code::for_manage(&e);
        }
    };
    match store.secret(&c.id) {
        Ok(secret) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(secret.expose().as_bytes());
            let _ = out.write_all(b"\n");
            0
        }
        Err(e) => {
            tell!("error: {}", e.user_message());
            exit_code::IO
        }
    }
}

fn list_formats() -> i32 {
    say!("Formats for `bitbucket-setup export NAME --format FORMAT`:\n");
    for f in export::formats() {
        say!("  {:<16} {} (.{})\n  {:<16} {}", f.id, f.label, f.extension, "", f.description);
    }
    say!("\nEvery format holds a keychain reference instead of the token unless you add --include-secret.");
    0
}

/// `export`: render a saved connection, re-validating first when its last check failed or is
/// older than 24 hours, and write it (0600 when it holds the token).
async fn export_cmd(args: ExportArgs) -> i32 {
    if args.list_formats {
        return list_formats();
    }
    let (Some(name), Some(format_raw)) = (args.name.as_deref(), args.format.as_deref()) else {
        return input_error(false, "bad_input", "Give the connection's name and --format.".into());
    };
    let Some(format) = export::from_cli_name(format_raw) else {
        let e = export::ExportError::UnknownFormat { given: format_raw.chars().take(40).collect() };
        return input_error(false, "bad_input", e.user_message());
    };
    let info = export::info(format);
    if args.include_secret && !info.can_carry_secret {
        return input_error(false, "bad_input", export::ExportError::CannotCarrySecret { format: info.label }.user_message());
    }
    let to_stdout = args.output.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if to_stdout && args.include_secret && std::io::stdout().is_terminal() {
        return input_error(false, "bad_input", "Not printing the token to the terminal. Give --output FILE, or send standard output to a file or a pipe.".into());
    }
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    report_set_aside(&store);
    let mut c = match manage::find(&store, name) {
        Ok(c) => c,
        Err(e) => {
            tell!("error: {}", e.user_message());
            return exit_code::for_manage(&e);
        }
    };
    let mut meta = export::ExportMeta::now(&c);
    meta.options = export::ExportOptions { branch: args.branch.clone(), folder: args.folder.clone() };
    // Everything that does not need Bitbucket is checked first (kind fits the product, ...).
    if let Err(e) = export::render(&c, format, None, &meta) {
        tell!("error: {}", e.user_message());
        return exit_code::for_export(&e);
    }
    let mut refused_with = exit_code::NOT_READY;
    if !args.no_check {
        let (fresh, outcome) = manage::recheck_if_stale(&store, c, |c| {
            tell!("\"{}\" has no passing check from the last 24 hours: checking it again with Bitbucket…", c.name)
        })
        .await;
        c = fresh;
        // What stopped the export, if it is refused below: the same status `test` would give.
        refused_with = match outcome {
            None => exit_code::NOT_READY,
            Some(Ok(report)) if report.ok => {
                tell!("OK: {}", report.message);
                exit_code::OK
            }
            Some(Ok(report)) => {
                tell!("The check did not pass: {}", report.message);
                exit_code::for_report(&report)
            }
            Some(Err(e)) => {
                tell!("Could not check it again: {}", e.user_message());
                exit_code::for_manage(&e)
            }
        };
        meta.validation = export::validation_of(&c, chrono::Utc::now());
    }
    if let export::Validation::Unvalidated { reason, .. } = &meta.validation {
        if !(args.allow_unvalidated || args.no_check) {
            tell!(
                "error: Not exported: this configuration is unvalidated. {reason} Fix the connection (`bitbucket-setup test \"{}\"` shows what is wrong), or add --allow-unvalidated to export it anyway; the file will then say it is unvalidated.",
                c.name
            );
            return refused_with.max(exit_code::NOT_READY);
        }
        tell!("WARNING: exporting an UNVALIDATED configuration. {reason} The file says so.");
    }
    let secret = if args.include_secret {
        match store.secret(&c.id) {
            Ok(s) => Some(s),
            Err(e) => {
                tell!("error: {}", e.user_message());
                return exit_code::IO;
            }
        }
    } else {
        None
    };
    let rendered = match export::render(&c, format, secret.as_ref(), &meta) {
        Ok(r) => r,
        Err(e) => {
            tell!("error: {}", e.user_message());
            return exit_code::for_export(&e);
        }
    };
    drop(secret);
    for w in rendered.warnings.iter().filter(|w| !w.contains("exported unvalidated")) {
        tell!("warning: {w}");
    }
    if !rendered.about.is_empty() {
        // The file's readers allow nothing but the credential: what it would say, said here.
        tell!("About this {} (its readers allow nothing else in it, so it is said here):", info.label);
        for line in &rendered.about {
            tell!("  {line}");
        }
    }
    let reference = export::secret_reference(&c);
    let command = export::token_command(&c);
    if to_stdout {
        let mut out = std::io::stdout().lock();
        if out.write_all(rendered.contents.as_bytes()).and_then(|_| out.flush()).is_err() {
            tell!("error: Could not write to standard output.");
            return exit_code::IO;
        }
        if rendered.contains_secret {
            tell!("The output above contains the token in plain text: treat wherever you sent it as a secret.");
        } else {
            tell!("The token is not in the output; its field holds {reference}. Scripts get the token with: BITBUCKET_TOKEN=$({command})");
        }
        return 0;
    }
    let path = args.output.clone().unwrap_or_else(|| std::path::PathBuf::from(&rendered.file_name));
    match export::write::write_file(&path, &rendered, args.force) {
        Ok(path) => {
            say!("Wrote {} ({}) for \"{}\".", path.display(), info.label, c.name);
            if rendered.contains_secret {
                let private = if cfg!(unix) { " It was created readable only by you (mode 0600)." } else { "" };
                say!(
                    "{} now contains the token in plain text: this file is a secret.{private} Keep it out of version control and shared folders, and delete it when it has served its purpose.",
                    path.display()
                );
            } else {
                say!("The token is not in the file; its field holds {reference}. Scripts get the token with: BITBUCKET_TOKEN=$({command})");
            }
            0
        }
        Err(e) => {
            tell!("error: {}", e.user_message());
            exit_code::for_export(&e)
        }
    }
}

/// `import`: read a file, ask for the token if it holds only a reference, check with
/// Bitbucket, and save only when the check passes.
async fn import_cmd(args: ImportArgs) -> i32 {
    use export::import::{self as imp, ImportOverrides};
    let json = args.json;
    // "-": the file comes on standard input, which then cannot carry the token as well.
    let file_on_stdin = args.file.as_os_str() == "-";
    let read = if file_on_stdin {
        if std::io::stdin().is_terminal() {
            return input_error(json, "bad_input", "Standard input is a terminal, not a file. Send the file into it (bitbucket-setup import - < export.json), or give the file's name.".into());
        }
        input::read_stdin_bounded(imp::MAX_FILE_BYTES, IMPORT_STDIN_TIMEOUT)
    } else {
        input::read_regular_file(&args.file, imp::MAX_FILE_BYTES)
    };
    let bytes = match read {
        Ok(b) => b,
        // The import's own wording: an export is a few kilobytes.
        Err(input::InputError::TooLarge { .. }) => return input_error(json, "bad_input", imp::ImportError::TooLarge.user_message()),
        Err(e) => return input_error(json, "bad_input", e.user_message()),
    };
    let draft = match imp::parse(&bytes) {
        Ok(d) => d,
        Err(e) => return input_error(json, "bad_input", e.user_message()),
    };
    drop(bytes);
    for note in &draft.notes {
        tell!("note: {note}");
    }
    let today = chrono::Local::now().date_naive();
    let expires = match args.expires.as_deref().map(|d| manage::parse_expiry(d, today)).transpose() {
        Ok(e) => e,
        Err(m) => return input_error(json, "bad_input", m),
    };
    let preset = match args.preset.as_deref().map(preset_arg).transpose() {
        Ok(p) => p,
        Err(m) => return input_error(json, "bad_input", m),
    };
    let overrides = ImportOverrides {
        name: args.name.clone(),
        workspace: args.workspace.clone(),
        repository: args.repo.clone(),
        preset,
        expires,
        description: args.description.clone(),
    };
    let name = match overrides.name.clone().or_else(|| draft.name.clone()) {
        Some(n) => n,
        None => return input_error(json, "bad_input", "The file names no connection. Add --name NAME.".into()),
    };
    if let Err(e) = crate::store::connections::validate_name(&name) {
        return input_error(json, "bad_input", e.user_message());
    }
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    report_set_aside(&store);
    if let Ok(Some(_)) = store.find(&name) {
        return input_error(json, "bad_input", format!("A connection called \"{}\" already exists. Give the imported one another name with --name NAME.", name.trim()));
    }
    let api_url = args.api_url.clone().unwrap_or_else(api_url_from_env);
    let (secret, pasted_kind) = match &draft.token {
        Some(secret) => {
            tell!("The file holds the token itself; it is used, and goes to the keychain only if the check passes.");
            let kind = credential::classify(secret.expose()).map(|p| p.kind).unwrap_or(credential::PastedKind::Unknown);
            (secret.clone(), kind)
        }
        None => {
            let from = if file_on_stdin { "The token must come from BITBUCKET_TOKEN, since the file came on standard input." } else { "Enter the token (standard input or BITBUCKET_TOKEN)." };
            if let Some(r) = &draft.reference {
                // The reference names a connection by id; say its name when it is saved here.
                let named = store.find(r).ok().flatten().map(|c| format!("the connection \"{}\"", crate::safe_text::visible(&c.name)));
                let what = named.unwrap_or_else(|| format!("a connection ({}) in another keychain", crate::safe_text::visible(r)));
                tell!("The file holds a reference to {what}, not the token. {from}");
            } else {
                tell!("The file holds no token. {from}");
            }
            let pasted = if file_on_stdin {
                match secret_from_env() {
                    Some(raw) => credential::classify(&raw).map_err(|e| e.to_string()),
                    None => Err("The file came on standard input, so the token cannot come from there too, and BITBUCKET_TOKEN is not set. Set BITBUCKET_TOKEN to the token (for example BITBUCKET_TOKEN=$(bitbucket-setup token NAME)), or give the file's name instead of - and the token on standard input. Nothing was imported.".to_string()),
                }
            } else {
                read_secret(&format!("Paste the {} (input is hidden): ", draft.kind.label()))
            };
            match pasted {
                Ok(p) => (p.secret, p.kind),
                Err(m) => return input_error(json, "bad_input", m),
            }
        }
    };
    let plan = match imp::plan(&draft, &overrides, secret, &api_url, Timeouts::default()) {
        Ok(p) => p,
        Err(e) => return input_error(json, "bad_input", e.user_message()),
    };
    for w in &plan.warnings {
        tell!("warning: {w}");
    }
    let report = match validate::validate(plan.request.clone(), pasted_kind).await {
        Ok(r) => r,
        Err(e) => return input_error(json, "bad_input", e.to_string()),
    };
    if !report.ok {
        print_report(&report, json);
        if !json {
            tell!("Nothing was imported: the check did not pass.");
        }
        return exit_code::for_report(&report);
    }
    match manage::save_validated(&store, &plan.request, &report, &plan.save) {
        Ok(saved) => {
            if json {
                let body = serde_json::json!({"ok": true, "imported": saved, "source": draft.source, "report": report});
                println!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
            } else {
                print_report(&report, false);
                say!("Imported \"{}\": the token is in the {} and the settings in {}.", saved.name, store.secrets().backend_name(), store.file().path().display());
            }
            0
        }
        Err(e) => {
            tell!("error: {}", e.user_message());
            exit_code::for_manage(&e)
        }
    }
}
