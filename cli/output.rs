//! What the command line prints: text for people passes through [`bitbucket_cloud::safe_text::for_terminal`]
//! (nothing printed can move the cursor, retitle the terminal or read differently than it is),
//! JSON for scripts, and the one place a [`Failure`] is printed.

use serde::Serialize;

use super::Failure;
use bitbucket_cloud::validate::Report;
use bitbucket_setup_core::manage::ExportFlowError;

/// `println!` for text a person reads: any control or bidirectional character in a value
/// (a name from a file, a message from a server) is shown as a visible escape.
macro_rules! say {
    ($($t:tt)*) => { println!("{}", bitbucket_cloud::safe_text::for_terminal(&format!($($t)*))) };
}

/// `eprintln!` with the same care as [`say!`].
macro_rules! tell {
    ($($t:tt)*) => { eprintln!("{}", bitbucket_cloud::safe_text::for_terminal(&format!($($t)*))) };
}

pub(crate) use {say, tell};

/// Prints one JSON value on standard output.
pub fn json(value: &impl Serialize) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// A usage or input problem as `--json` prints it.
#[derive(Serialize)]
struct InputProblem<'a> {
    ok: bool,
    problem: &'a str,
    message: &'a str,
}

/// Prints why a command stopped: `error: …` on standard error, or, for a usage or input problem
/// under `--json`, one JSON object on standard output.
pub fn failure(f: &Failure, as_json: bool) {
    match f {
        Failure::Input { problem, message } if as_json => json(&InputProblem { ok: false, problem, message }),
        Failure::Invalid { source } if as_json => {
            json(&InputProblem { ok: false, problem: "bad_input", message: &source.to_string() })
        }
        Failure::ExportFlow(e) => match &**e {
            ExportFlowError::Unvalidated { reason, connection, .. } => tell!(
                "error: Not exported: this configuration is unvalidated. {reason} Fix the connection (`{}` shows what is wrong), or add --allow-unvalidated to export it anyway; the file will then say it is unvalidated.",
                bitbucket_setup_core::shell::Program::current().command(&["test", &connection.name])
            ),
            other => tell!("error: {}", with_next_step(f, other)),
        },
        other => tell!("error: {}", with_next_step(f, other)),
    }
}

/// What the user reads about `f` (without `error: `): its sentence and the command line's next
/// step for it, if any.
pub fn sentence(f: &Failure) -> String {
    with_next_step(f, f)
}

/// An error's sentence followed by the command line's next step for it, if any.
fn with_next_step(f: &Failure, sentence: &impl std::fmt::Display) -> String {
    match crate::advice::next_step(f, &bitbucket_setup_core::shell::Program::current()) {
        Some(step) => format!("{sentence} {step}"),
        None => sentence.to_string(),
    }
}

/// Prints a report as text (for people) or JSON (for scripts).
pub fn report(report: &Report, as_json: bool) {
    if as_json {
        json(report);
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
        let labels: Vec<String> = report.granted_raw.iter().map(|s| bitbucket_cloud::scopes::label(s)).collect();
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
    print!("{}", bitbucket_cloud::safe_text::for_terminal(&out));
}
