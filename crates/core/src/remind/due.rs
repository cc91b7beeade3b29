//! What the daily job tells the user, decided without touching anything: from each saved
//! connection's status after its re-test (the connections view's own rule,
//! [`crate::manage::status_of`], with its 14-day window) to a list of alerts with plain
//! sentences, and from those to one notification (several connections make one notification,
//! not one each).
//!
//! A failed check is an alert when Bitbucket said something about the token (refused it, a
//! scope is missing, the place is gone), not when Bitbucket could not be asked (no network at
//! the time the job ran, a rate limit, a server error): a reminder that cries wolf every time
//! the laptop wakes up offline would teach the user to ignore it.

use chrono::NaiveDate;

use crate::manage::ConnectionStatus;
use crate::platform::Words;
use crate::store::connections::Connection;

/// A saved connection as the job saw it: its record after the re-test, and its status today.
#[derive(Debug, Clone)]
pub struct Observed {
    pub connection: Connection,
    pub status: ConnectionStatus,
}

/// What needs the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The token's expiry date has passed.
    Expired { days_ago: i64, on: NaiveDate },
    /// The token expires within 14 days (0: today).
    ExpiresSoon { days_left: i64, on: NaiveDate },
    /// The token is no longer in the keychain.
    TokenMissing,
    /// Bitbucket refused the token or found it short of what it is for; `message` is the
    /// check's own.
    CheckFailed { message: String },
}

/// One connection that needs the user, and the sentence that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The connection's name.
    pub name: String,
    pub need: Need,
    /// "\"Website CI\": its token expires in 5 days, on 2026-07-01. …"
    pub sentence: String,
}

/// The notification: a title and a body of one line per connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

/// The most connections a notification names; the others are counted.
pub const NOTICE_MAX_LINES: usize = 4;

/// The problems of a check that say nothing about the token: Bitbucket could not be asked.
const COULD_NOT_ASK: [&str; 4] = ["network", "rate_limited", "server_error", "unexpected_response"];

/// The alerts for `observed`, most urgent first (as [`ConnectionStatus`] orders them), in the
/// words of the system whose keychain is `words`'s. Nothing when all is well.
pub fn due(observed: &[Observed], words: &Words) -> Vec<Alert> {
    let mut alerts: Vec<(u8, Alert)> = observed.iter().filter_map(|o| alert_for(o, words)).collect();
    alerts.sort_by_key(|(rank, _)| *rank);
    alerts.into_iter().map(|(_, alert)| alert).collect()
}

fn alert_for(o: &Observed, words: &Words) -> Option<(u8, Alert)> {
    let c = &o.connection;
    let name = crate::safe_text::visible(c.name.trim());
    let replace = "Create a new token in Bitbucket and replace the old one in Bitbucket Setup Assistant";
    let (rank, need, sentence) = match o.status {
        ConnectionStatus::Expired { days_ago } => {
            let on = c.expires?;
            (
                0,
                Need::Expired { days_ago, on },
                format!("\"{name}\": its token expired {} ago, on {on}. {replace}.", days(days_ago)),
            )
        }
        ConnectionStatus::KeychainMissing => (
            1,
            Need::TokenMissing,
            format!(
                "\"{name}\": its token is no longer in the {}. Replace the token in Bitbucket Setup Assistant.",
                words.keychain_short
            ),
        ),
        ConnectionStatus::NeedsAttention => {
            let last = c.last_check.as_ref()?;
            if last.problem.as_deref().is_some_and(|p| COULD_NOT_ASK.contains(&p)) {
                return None;
            }
            let message = sentence_of(&last.message);
            (2, Need::CheckFailed { message: message.clone() }, format!("\"{name}\": its check with Bitbucket failed: {message} Open Bitbucket Setup Assistant to see what to do."))
        }
        ConnectionStatus::ExpiringSoon { days_left } => {
            let on = c.expires?;
            (
                3,
                Need::ExpiresSoon { days_left, on },
                format!("\"{name}\": its token {}. {replace} before then.", expires_in(days_left, on)),
            )
        }
        ConnectionStatus::Valid { .. } => return None,
    };
    Some((rank, Alert { name, need, sentence }))
}

/// The one notification for `alerts`, or `None` when there are none.
pub fn notice(alerts: &[Alert]) -> Option<Notice> {
    let summary = match alerts {
        [] => return None,
        [one] => match &one.need {
            Need::Expired { .. } => format!("Bitbucket token \"{}\" has expired", one.name),
            Need::ExpiresSoon { days_left, .. } => {
                format!("Bitbucket token \"{}\" {}", one.name, expires_when(*days_left))
            }
            Need::TokenMissing => format!("Bitbucket token \"{}\" is missing", one.name),
            Need::CheckFailed { .. } => format!("Bitbucket connection \"{}\" failed its check", one.name),
        },
        many => format!("{} Bitbucket connections need attention", many.len()),
    };
    let mut lines: Vec<String> = alerts.iter().take(NOTICE_MAX_LINES).map(|a| a.sentence.clone()).collect();
    if alerts.len() > NOTICE_MAX_LINES {
        lines.push(format!(
            "…and {} more: open Bitbucket Setup Assistant to see them all.",
            alerts.len() - NOTICE_MAX_LINES
        ));
    }
    Some(Notice { summary, body: lines.join("\n") })
}

/// "1 day", "5 days".
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// "expires today", "expires tomorrow", "expires in 5 days".
fn expires_when(days_left: i64) -> String {
    match days_left {
        0 => "expires today".to_string(),
        1 => "expires tomorrow".to_string(),
        n => format!("expires in {}", days(n)),
    }
}

/// [`expires_when`], with the date.
fn expires_in(days_left: i64, on: NaiveDate) -> String {
    match days_left {
        0 | 1 => format!("{} ({on})", expires_when(days_left)),
        _ => format!("{}, on {on}", expires_when(days_left)),
    }
}

/// A check's message as one sentence: on one line, made safe to show, shortened, ending with
/// a full stop.
fn sentence_of(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s = crate::safe_text::visible_clip(&one_line, 200);
    if !s.ends_with(['.', '!', '?', '…']) {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitbucket::credential::CredentialKind;
    use crate::platform::{words, Os};
    use crate::presets::PresetId;
    use crate::store::connections::LastCheck;
    use crate::store::secrets::SecretStore as _;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 26).unwrap()
    }

    fn connection(name: &str, expires_in: Option<i64>) -> Connection {
        Connection {
            expires: expires_in.map(|d| today() + chrono::Duration::days(d)),
            ..Connection::new(name, PresetId::Sqai, CredentialKind::RepositoryToken, "acme", Some("website"))
        }
    }

    fn failed(mut c: Connection, problem: &str, message: &str) -> Connection {
        c.last_check = Some(LastCheck {
            at: chrono::Utc::now(),
            ok: false,
            problem: Some(problem.into()),
            message: message.into(),
            details: None,
        });
        c
    }

    /// The status the connections view gives ([`crate::manage::status_of`]), with the token in
    /// an in-memory keychain.
    fn seen(c: Connection) -> Observed {
        let secrets = std::sync::Arc::new(crate::store::secrets::MemoryStore::new());
        secrets.set(&c.id, "label", &crate::bitbucket::credential::Secret::new("ATCTx")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::new(
            crate::store::connections::ConnectionsFile::at(dir.path().join("c.json")),
            secrets,
        );
        let status = crate::manage::status_of(&store, &c, today());
        Observed { connection: c, status }
    }

    fn linux() -> Words {
        words(Os::Linux)
    }

    #[test]
    fn nothing_is_due_when_all_is_well() {
        let all_well = [
            seen(connection("a", None)),
            seen(connection("b", Some(15))),
            seen(failed(connection("c", Some(40)), "network", "Bitbucket could not be reached.")),
        ];
        assert_eq!(due(&all_well, &linux()), vec![]);
        assert_eq!(notice(&[]), None);
    }

    #[test]
    fn a_token_expiring_within_14_days_is_named_with_its_days_left() {
        let alerts = due(&[seen(connection("Website CI", Some(5)))], &linux());
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            alerts[0].need,
            Need::ExpiresSoon { days_left: 5, on: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap() }
        );
        assert_eq!(alerts[0].sentence, "\"Website CI\": its token expires in 5 days, on 2026-07-01. Create a new token in Bitbucket and replace the old one in Bitbucket Setup Assistant before then.");
        let n = notice(&alerts).unwrap();
        assert_eq!(n.summary, "Bitbucket token \"Website CI\" expires in 5 days");
        assert_eq!(n.body, alerts[0].sentence);
        let edge = due(
            &[seen(connection("t", Some(0))), seen(connection("u", Some(1))), seen(connection("v", Some(14)))],
            &linux(),
        );
        assert_eq!(edge.len(), 3);
        assert!(edge[0].sentence.contains("expires today (2026-06-26)"), "{}", edge[0].sentence);
        assert!(edge[1].sentence.contains("expires tomorrow (2026-06-27)"), "{}", edge[1].sentence);
        assert!(edge[2].sentence.contains("expires in 14 days"), "{}", edge[2].sentence);
    }

    #[test]
    fn a_refused_token_is_due_and_bitbucket_out_of_reach_is_not() {
        let refused = failed(
            connection("Deploy", None),
            "unauthorized",
            "Bitbucket rejected this token:\nit was revoked or has expired",
        );
        let alerts = due(&[seen(refused)], &linux());
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].sentence, "\"Deploy\": its check with Bitbucket failed: Bitbucket rejected this token: it was revoked or has expired. Open Bitbucket Setup Assistant to see what to do.");
        assert_eq!(notice(&alerts).unwrap().summary, "Bitbucket connection \"Deploy\" failed its check");
        for trouble in COULD_NOT_ASK {
            assert_eq!(due(&[seen(failed(connection("x", None), trouble, "no"))], &linux()), vec![], "{trouble}");
        }
    }

    #[test]
    fn a_missing_keychain_entry_names_this_systems_keychain() {
        let c = connection("Nightly", None);
        let dir = tempfile::tempdir().unwrap();
        let empty = crate::store::Store::new(
            crate::store::connections::ConnectionsFile::at(dir.path().join("c.json")),
            std::sync::Arc::new(crate::store::secrets::MemoryStore::new()),
        );
        let o = Observed { status: crate::manage::status_of(&empty, &c, today()), connection: c };
        assert_eq!(o.status, ConnectionStatus::KeychainMissing);
        let mac = due(std::slice::from_ref(&o), &words(Os::MacOs));
        assert_eq!(mac[0].sentence, "\"Nightly\": its token is no longer in the macOS Keychain. Replace the token in Bitbucket Setup Assistant.");
        assert_eq!(notice(&mac).unwrap().summary, "Bitbucket token \"Nightly\" is missing");
        assert!(due(&[o], &words(Os::Windows))[0].sentence.contains("Windows Credential Manager"));
    }

    #[test]
    fn several_connections_make_one_notification_most_urgent_first() {
        let observed = [
            seen(connection("soon", Some(3))),
            seen(connection("gone", Some(-2))),
            seen(failed(connection("refused", None), "missing_scopes", "The token lacks a scope.")),
        ];
        let alerts = due(&observed, &linux());
        let names: Vec<&str> = alerts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["gone", "refused", "soon"]);
        assert_eq!(alerts[0].sentence, "\"gone\": its token expired 2 days ago, on 2026-06-24. Create a new token in Bitbucket and replace the old one in Bitbucket Setup Assistant.");
        let n = notice(&alerts).unwrap();
        assert_eq!(n.summary, "3 Bitbucket connections need attention");
        assert_eq!(n.body.lines().count(), 3);
    }

    #[test]
    fn a_long_list_is_counted_not_listed() {
        let observed: Vec<Observed> = (0..7).map(|i| seen(connection(&format!("c{i}"), Some(2)))).collect();
        let n = notice(&due(&observed, &linux())).unwrap();
        assert_eq!(n.summary, "7 Bitbucket connections need attention");
        assert_eq!(n.body.lines().count(), NOTICE_MAX_LINES + 1);
        assert!(n.body.ends_with("…and 3 more: open Bitbucket Setup Assistant to see them all."), "{}", n.body);
    }

    #[test]
    fn a_name_with_control_characters_is_shown_escaped() {
        let alerts = due(&[seen(connection("a\u{1b}[2Jb", Some(2)))], &linux());
        assert!(alerts[0].sentence.starts_with("\"a\\u{1b}[2Jb\""), "{}", alerts[0].sentence);
    }
}
