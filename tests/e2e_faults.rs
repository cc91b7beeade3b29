//! The fault matrix through the window: what Bitbucket or the network answers reaches the
//! person as a plain verdict, never a raw HTTP error, never the token, and the window stays
//! usable. (The full matrix through the engine is tests/fault_matrix.rs.)
//!
//! `scripts/test.sh --test e2e_faults`; see tests/e2e_wizard.rs for how the window runs.

mod support;

use fake_bitbucket::{demo, Fault};
use support::app::{self, app, block_on, Setup};

#[test]
fn every_kind_of_failure_gets_a_plain_verdict_in_the_window() {
    block_on(async {
        let Some(app) = app(Setup::LIGHT).await else { return };
        let cases: Vec<(&str, Fault, &str)> = vec![
            ("429", Fault::RateLimited { retry_after: Some(30) }, "limiting requests"),
            ("500", Fault::Status(500), "problem answering"),
            ("502", Fault::Status(502), "problem answering"),
            ("503", Fault::Status(503), "problem answering"),
            ("400", Fault::Status(400), "did not accept the request"),
            ("410", Fault::Status(410), "removed"),
            ("403 without detail", Fault::Status(403), "refused"),
            ("401", Fault::Status(401), "rejected"),
            ("redirect", Fault::Redirect { status: 302, location: "https://login.example.com/".into() }, "redirect"),
            ("malformed JSON", Fault::MalformedJson, "not valid JSON"),
            ("HTML page", Fault::WrongContentType, "web page"),
            ("50 MB body", Fault::HugeBody { bytes: 50 * 1024 * 1024 }, "far larger"),
            ("connection reset", Fault::ConnectionReset, "cut off"),
        ];
        for (label, fault, needle) in cases {
            app.reload().await;
            app::fake().clear_faults();
            app.to_paste("sqai", "https://bitbucket.org/acme/website", "repository_token").await;
            app::fake().set_fault(fault);
            let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
            app::fake().clear_faults();
            assert!(verdict.contains("Not ready yet") || verdict.contains("Could not"), "{label}: {verdict}");
            assert!(verdict.contains(needle), "{label}: expected {needle:?} in:\n{verdict}");
            assert!(verdict.contains("What to do"), "{label}: no next step in:\n{verdict}");
            assert!(!verdict.contains(demo::SQAI_READY), "{label}: the token is on screen");
            assert!(!verdict.to_lowercase().contains("reqwest") && !verdict.contains("hyper::"), "{label}: a raw error reached the window:\n{verdict}");
            // Nothing was kept to save: Continue stays disabled.
            let can_continue = app.js("const b = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Continue'); return !!b && !b.disabled;").await;
            assert_eq!(can_continue, serde_json::Value::Bool(false), "{label}: a failed check can be saved");
        }
        // Without Bitbucket's (undocumented) credential headers, the private repository's answer
        // proves the token: ready, with the scopes no probe could read named in a warning.
        app.reload().await;
        app.to_paste("sqai", "https://bitbucket.org/acme/website", "repository_token").await;
        app::fake().set_fault(Fault::MissingHeaders);
        let verdict = app.paste_and_check(demo::SQAI_READY, None).await;
        app::fake().clear_faults();
        assert!(verdict.contains("Ready to use"), "no credential headers: {verdict}");
        assert!(verdict.contains("could not be confirmed") && verdict.contains("Pull requests: Write"), "no credential headers: {verdict}");
        assert!(!verdict.contains(demo::SQAI_READY), "the token is on screen");
    });
}
