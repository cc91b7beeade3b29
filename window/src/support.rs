//! "Copy details for support": the last check as plain text a user can paste into a support
//! request, with everything Bitbucket answered (probes, statuses, scope headers) and the app
//! version and system, and nothing that identifies the person or opens their account.
//!
//! The token is never in a report to begin with; the account name is left out; any email
//! address (the user's own, or one a server message quoted) and anything shaped like a
//! Bitbucket token is replaced before the text leaves this module, so a mistake elsewhere
//! cannot put one on the clipboard.

use crate::bitbucket::validate::CheckDetails;
use crate::presets;

/// The support text for one check. `email` is the account email the check used, if any.
pub fn details_text(d: &CheckDetails, email: Option<&str>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut add = |line: String| lines.push(line);
    add(format!("Bitbucket Setup Assistant {} — details for support", env!("CARGO_PKG_VERSION")));
    add(format!("System: {}", system()));
    add(format!("Checked: {} against {}", d.checked_at.format("%Y-%m-%d %H:%M:%S UTC"), d.api_url));
    let target = presets::PresetId::from_target_id(&d.preset)
        .map(|p| presets::get(p).name.to_string())
        .unwrap_or_else(|| crate::safe_text::visible(&d.preset));
    add(format!("For: {target}"));
    add(format!(
        "Credential: {} chosen; Bitbucket says: {}",
        d.credential_kind.label(),
        d.credential_type.as_deref().unwrap_or("(not named)")
    ));
    add(format!(
        "Place: {}",
        d.repository.clone().unwrap_or_else(|| format!("workspace {}", d.workspace))
    ));
    let verdict = match (&d.problem, d.ok) {
        (_, true) => "ready".to_string(),
        (Some(p), false) => p.clone(),
        (None, false) => "not ready".to_string(),
    };
    add(format!("Verdict: {verdict}"));
    add(format!("Message: {}", d.message));
    if !d.next_step.is_empty() {
        add(format!("Next step: {}", d.next_step));
    }
    add(format!("Scopes needed: {}", list(&d.required)));
    add(format!("Scopes Bitbucket listed: {}", list(&d.granted_raw)));
    if !d.missing.is_empty() {
        add(format!("Missing: {}", list(&d.missing)));
    }
    for w in &d.warnings {
        add(format!("Warning: {w}"));
    }
    add(format!("Requests ({}):", d.probes.len()));
    for p in &d.probes {
        let role = match &p.role {
            crate::bitbucket::validate::Role::Reach => "reach".to_string(),
            crate::bitbucket::validate::Role::Scope(s) => format!("scope {s}"),
            crate::bitbucket::validate::Role::Info => "info".to_string(),
        };
        let answer = match (p.status, &p.error) {
            (Some(status), _) => format!("HTTP {status}"),
            (None, Some(e)) => format!("no answer: {e}"),
            (None, None) => "no answer".to_string(),
        };
        add(format!("  GET {} ({role}): {answer}", p.path));
        let header = |name: &str, value: &Option<String>| value.as_ref().map(|v| format!("    {name}: {v}"));
        for line in [
            header("x-credential-type", &p.credential_type),
            header("x-oauth-scopes", &p.oauth_scopes),
            header("x-accepted-oauth-scopes", &p.accepted_scopes),
            header("message", &p.server_message),
        ]
        .into_iter()
        .flatten()
        {
            add(line);
        }
    }
    add("Not included: the token, the account's email address and name.".to_string());
    let text = lines.join("\n") + "\n";
    redact(&text, email)
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

/// The operating system in a few words: `linux x86_64 (Debian GNU/Linux 12 (bookworm))`.
pub fn system() -> String {
    let base = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    match os_name() {
        Some(name) => format!("{base} ({name})"),
        None => base,
    }
}

#[cfg(target_os = "linux")]
fn os_name() -> Option<String> {
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    let line = text.lines().find(|l| l.starts_with("PRETTY_NAME="))?;
    let value = line["PRETTY_NAME=".len()..].trim().trim_matches('"');
    let clean: String = value.chars().filter(|c| !c.is_control()).take(80).collect();
    (!clean.is_empty()).then_some(clean)
}

#[cfg(not(target_os = "linux"))]
fn os_name() -> Option<String> {
    None
}

/// Replaces `email` (any case), every other email address and every token-shaped word.
pub fn redact(text: &str, email: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let email = crate::safe_text::non_blank(email).map(str::to_ascii_lowercase);
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_ascii_lowercase();
        let trimmed = lower.trim_end_matches('.');
        if email.as_deref().is_some_and(|e| trimmed == e) || looks_like_email(trimmed) {
            out.push_str("[email]");
            out.push_str(&word[trimmed.len()..]);
        } else if looks_like_token(word) {
            out.push_str("[token]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || "@._%+-=~/".contains(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn looks_like_email(word: &str) -> bool {
    let Some((local, domain)) = word.rsplit_once('@') else { return false };
    !local.is_empty() && !local.contains('/') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

fn looks_like_token(word: &str) -> bool {
    ["ATCT", "ATAT", "ATBB"].iter().any(|p| word.starts_with(p)) && word.len() >= 24
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::credential::CredentialKind;
    use crate::bitbucket::validate::{ProbeSummary, Role};
    use crate::presets::PresetId;

    fn details() -> CheckDetails {
        CheckDetails {
            checked_at: chrono::DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap().into(),
            api_url: "https://api.bitbucket.org/2.0".into(),
            preset: PresetId::Autoheal.slug().into(),
            credential_kind: CredentialKind::ApiToken,
            credential_type: Some("api_token".into()),
            ok: false,
            problem: Some("missing_scopes".into()),
            message: "The token works, but Autoheal also needs: Pipelines: Read. Jane.Doe@Acme.example was used.".into(),
            next_step: "Create a new token.".into(),
            workspace: "acme".into(),
            repository: Some("acme/website".into()),
            required: vec!["read:pipeline:bitbucket".into()],
            granted_raw: vec!["read:repository:bitbucket".into()],
            missing: vec!["read:pipeline:bitbucket".into()],
            warnings: vec!["Someone else <other@corp.example> said ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz.".into()],
            probes: vec![ProbeSummary {
                name: "pipelines".into(),
                role: Role::Scope("read:pipeline:bitbucket".into()),
                path: "/repositories/acme/website/pipelines".into(),
                status: Some(403),
                error: None,
                credential_type: Some("api_token".into()),
                oauth_scopes: Some("read:repository:bitbucket".into()),
                accepted_scopes: Some("pipeline".into()),
                server_message: Some("Your credentials lack one or more required privilege scopes.".into()),
            }],
        }
    }

    #[test]
    fn the_text_has_what_support_needs_and_no_person() {
        let text = details_text(&details(), Some("jane.doe@acme.example"));
        for needle in [
            "details for support",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            "GET /repositories/acme/website/pipelines (scope read:pipeline:bitbucket): HTTP 403",
            "x-oauth-scopes: read:repository:bitbucket",
            "x-accepted-oauth-scopes: pipeline",
            "x-credential-type: api_token",
            "Verdict: missing_scopes",
            "For: Autoheal",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
        }
        let lower = text.to_ascii_lowercase();
        assert!(!lower.contains("jane.doe@acme.example"), "{text}");
        assert!(!lower.contains("other@corp.example"), "{text}");
        assert!(!text.contains("ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz"), "{text}");
        assert!(text.contains("[email] was used") && text.contains("[token]"), "{text}");
    }

    #[test]
    fn redaction_leaves_ordinary_words_alone() {
        assert_eq!(redact("read:repository:bitbucket, acme/website.", None), "read:repository:bitbucket, acme/website.");
        assert_eq!(redact("mail a@b.example.", None), "mail [email].");
        assert_eq!(redact("https://api.bitbucket.org/2.0", None), "https://api.bitbucket.org/2.0");
    }
}
