//! Property tests (proptest) of everything that reads untrusted input: the URL parser, the
//! token classifier, the scope-header parser and the config-file loader. They run in the
//! normal test command; `fuzz/` holds cargo-fuzz targets of the same functions for longer runs.

use bitbucket_cloud::credential::{classify, PasteError, PastedKind, MAX_SECRET_LEN};
use bitbucket_cloud::location;
use bitbucket_cloud::scopes;
use bitbucket_setup_core::store::connections;
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
                let msg = e.to_string();
                prop_assert!(!msg.is_empty());
            }
        }
    }

    #[test]
    fn location_parser_survives_any_text(input in "\\PC{0,200}") {
        let _ = location::parse(&input).map_err(|e| e.to_string());
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
                    .map(|f| f.to_string());
                prop_assert!(fixed.contains(&e.to_string()));
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

mod export_writers {
    use bitbucket_cloud::credential::{CredentialKind, Secret};
    use bitbucket_setup_core::export::{self, ExportMeta};
    use bitbucket_setup_core::presets::PresetId;
    use bitbucket_setup_core::store::connections::Connection;
    use proptest::prelude::*;

    const TOKEN: &str = "ATCTT3xFfGF0PROPTOKENproptoken0123456789";

    fn text() -> impl Strategy<Value = String> {
        prop_oneof!["\\PC{0,40}", "[a-z0-9 '\"$`\\\\\\n=#:-]{0,40}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Every writer survives any text in a connection, and without the token no output
        /// contains it (with it, the file says it does).
        #[test]
        fn every_writer_is_total_and_keeps_the_token_out(
            name in text(), description in text(), workspace in text(), repo in text(), email in text(),
            branch in text(), preset in 0usize..8, kind in 0usize..4,
        ) {
            let kinds = [CredentialKind::RepositoryToken, CredentialKind::WorkspaceToken, CredentialKind::ApiToken, CredentialKind::ProjectToken];
            let presets = [PresetId::Sqai, PresetId::Autoheal, PresetId::Katalon, PresetId::Cubyts, PresetId::Nirvai, PresetId::N8n, PresetId::Git, PresetId::Custom];
            let some = |s: String| if s.is_empty() { None } else { Some(s) };
            let c = Connection {
                description: some(description), repository: some(repo), email: some(email), base_branch: some(branch),
                granted_scopes: vec!["repository".into()],
                ..Connection::new(name, presets[preset], kinds[kind], workspace, None)
            };
            let meta = ExportMeta::now(&c);
            let secret = Secret::new(TOKEN);
            // The generic formats hold anything: they must render, so the loop below cannot pass
            // by every writer refusing.
            for id in ["json", "yaml", "env"] {
                let format = export::from_slug(id).expect("a format");
                prop_assert!(export::render(&c, format, None, &meta).is_ok(), "{id} refused: {:?}", export::render(&c, format, None, &meta).err());
            }
            for info in export::formats() {
                if let Ok(r) = export::render(&c, info.format, None, &meta) {
                    prop_assert!(!r.contains_secret);
                    prop_assert!(!r.contents.contains(TOKEN), "{:?}", info.format);
                }
                if let Ok(r) = export::render(&c, info.format, Some(&secret), &meta) {
                    prop_assert!(r.contains_secret && r.mode == export::SECRET_MODE);
                }
            }
        }
    }
}
