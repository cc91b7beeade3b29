//! Property tests (proptest) of everything that reads untrusted input: the URL parser, the
//! token classifier, the scope-header parser and the config-file loader. They run in the
//! normal test command; `fuzz/` holds cargo-fuzz targets of the same functions for longer runs.

use bitbucket_setup::bitbucket::credential::{classify, PasteError, PastedKind, MAX_SECRET_LEN};
use bitbucket_setup::bitbucket::location;
use bitbucket_setup::bitbucket::scopes;
use bitbucket_setup::store::connections;
use proptest::prelude::*;

fn url_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("https://".to_string()),
        Just("http://".to_string()),
        Just("git@".to_string()),
        Just("ssh://".to_string()),
        Just("bitbucket.org".to_string()),
        Just("bitbucket.org:".to_string()),
        Just("/".to_string()),
        Just("src".to_string()),
        Just("pull-requests".to_string()),
        Just("branch".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("%7B".to_string()),
        Just("%2F".to_string()),
        Just(".git".to_string()),
        Just("?at=main".to_string()),
        Just("#x".to_string()),
        Just("@".to_string()),
        "[a-zA-Z0-9_.-]{1,12}",
        "\\PC{1,4}",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn location_parser_never_panics_and_results_follow_the_rules(input in url_like()) {
        match location::parse(&input) {
            Ok(loc) => {
                let ws = &loc.workspace;
                prop_assert!(!ws.is_empty());
                prop_assert!(ws.starts_with('{') || ws.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'), "{ws}");
                if let Some(repo) = &loc.repository {
                    prop_assert!(repo.starts_with('{') || (repo.len() <= 62 && repo.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))), "{repo}");
                }
                // What it understood parses again to the same place.
                let again = location::parse(&loc.web_url()).expect("web_url parses");
                prop_assert_eq!(&again.workspace, &loc.workspace);
                prop_assert_eq!(&again.repository, &loc.repository);
            }
            Err(e) => {
                let msg = e.user_message();
                prop_assert!(!msg.is_empty());
            }
        }
    }

    #[test]
    fn location_parser_survives_any_text(input in "\\PC{0,200}") {
        let _ = location::parse(&input).map_err(|e| e.user_message());
        let _ = location::parse_parts(&input, Some(&input));
    }

    #[test]
    fn classifier_never_panics_and_never_quotes_the_value(input in "\\PC{0,300}", prefix in prop_oneof![Just(""), Just("ATCT"), Just("ATAT"), Just("ATBB")]) {
        let raw = format!("{prefix}{input}");
        match classify(&raw) {
            Ok(p) => {
                prop_assert_eq!(p.secret.expose(), p.secret.expose().trim());
                prop_assert!(!p.secret.is_empty());
                if raw.trim().starts_with("ATCT") { prop_assert_eq!(p.kind, PastedKind::AccessToken); }
            }
            Err(PasteError::TooLong { len }) => prop_assert!(len > MAX_SECRET_LEN),
            Err(e) => {
                // Nothing of the value goes into a message: it is one of the fixed ones.
                let fixed = [PasteError::Empty, PasteError::LooksLikeUrl, PasteError::LooksLikeEmail, PasteError::WhitespaceInside, PasteError::ControlCharacters]
                    .map(|f| f.user_message());
                prop_assert!(fixed.contains(&e.user_message()));
            }
        }
    }

    #[test]
    fn scope_header_parsing_is_total_and_idempotent(input in "[ ,:a-zA-Z_'`\\-\\t]{0,120}") {
        let once = scopes::parse_header(&input);
        let again = scopes::parse_header(&once.join(", "));
        prop_assert_eq!(&once, &again);
        for s in &once {
            prop_assert!(!s.is_empty() && !s.contains(',') && !s.contains(' '));
            prop_assert_eq!(s.to_lowercase(), s.clone());
        }
        let expanded = scopes::expand(&once);
        for s in &once {
            prop_assert!(expanded.contains(s) || scopes::canonical(s).is_some_and(|c| expanded.contains(c)), "{s}");
        }
    }

    #[test]
    fn config_loader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = connections::parse(&bytes);
    }

    #[test]
    fn config_loader_handles_json_shaped_garbage(version in any::<i64>(), body in "\\PC{0,80}") {
        let text = format!("{{\"version\": {version}, \"connections\": [{{\"name\": {body:?}}}]}}");
        let _ = connections::parse(text.as_bytes());
    }
}
