//! Connection names and descriptions through the command line, with the real Secret Service and
//! the fake Bitbucket: a name with an invisible character is refused and the character named,
//! and a name taken or a description the list refuses is bad input (status 64), not a failure of
//! the keychain or the file (74).

mod support;

use std::process::Output;
use std::time::Duration;

use fake_bitbucket::demo;
use support::cli_session::{text, CliSession};

fn save(s: &CliSession, name: &str, extra: &[&str]) -> Output {
    let mut args = vec!["save", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--name", name];
    args.extend_from_slice(extra);
    s.run(&args, demo::SQAI_READY)
}

fn names(s: &CliSession) -> Vec<String> {
    s.connections().iter().map(|c| c["name"].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn a_name_with_an_invisible_character_is_refused_and_the_character_named() {
    let Some(s) = CliSession::start() else { return };
    let first = save(&s, "e4", &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    for (name, code) in [("e4\u{200b}", "U+200B"), ("e\u{200d}4", "U+200D"), ("\u{feff}e4", "U+FEFF"), ("e4\u{2060}", "U+2060"), ("e4\u{200e}", "U+200E")] {
        let out = save(&s, name, &[]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{name:?} is refused as bad input: {err}");
        assert!(err.contains(code), "the message names {code}: {err}");
    }
    assert_eq!(names(&s), ["e4"], "nothing else was saved");
    // Remove what was saved, so the keychain keeps nothing of this test.
    assert!(s.run(&["remove", "e4"], "").status.success());
}

#[test]
fn a_description_the_list_refuses_is_bad_input() {
    let Some(s) = CliSession::start() else { return };
    let out = save(&s, "described", &["--description", "clear \u{1b}[2J the screen"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(err.contains("description"), "{err}");
    assert!(names(&s).is_empty());
}

/// Two saves of one name started together: both find the name free before either has saved
/// (the fake Bitbucket answers each check after a second), so the second learns it is taken
/// only when it saves. That is still the user's input, not the file's failure.
#[test]
fn a_name_taken_while_the_check_ran_is_bad_input() {
    let Some(s) = CliSession::start() else { return };
    s.fake.set_connect_delay(Duration::from_millis(1500));
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut cmd = support::cli_command(
                &["save", "--credential", "repository-token", "--workspace", "acme/website", "--preset", "sqai", "--name", "twice"],
                &[("BITBUCKET_API_URL", &s.fake.base_url())],
                s.config.path(),
            );
            cmd.current_dir(s.work.path());
            let mut child = cmd.spawn().expect("the app binary");
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), demo::SQAI_READY.as_bytes()).unwrap();
            child
        })
        .collect();
    let outs: Vec<Output> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    s.fake.set_connect_delay(Duration::ZERO);
    let mut codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
    codes.sort();
    let said: Vec<_> = outs.iter().map(|o| text(&o.stderr)).collect();
    assert_eq!(codes, [Some(0), Some(64)], "one saved, one refused as bad input: {said:?}");
    assert!(said.iter().any(|e| e.contains("already exists")), "{said:?}");
    assert_eq!(names(&s), ["twice"]);
    assert!(s.run(&["remove", "twice"], "").status.success());
}
