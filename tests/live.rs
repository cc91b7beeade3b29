//! The live contract suite: what Bitbucket really answers, recorded, and the app's verdicts
//! checked against the recording.
//!
//! * `live_contract` (ignored: it sends your tokens to Bitbucket) records the probes with the
//!   tokens in `BITBUCKET_LIVE_*` (see `fake_bitbucket::live::ENV_HELP`), writes the redacted
//!   transcript to `BITBUCKET_LIVE_TRANSCRIPT` (default `target/live/transcript.json`), prints
//!   which UNCONFIRMED point each observation settles, and replays the transcript to the app.
//!   `scripts/live-check.sh` runs it; `scripts/live-check.sh --fake strictest` runs it against
//!   the fake as if it were Bitbucket.
//! * The other tests run in the test command: the recorder against the in-process fake, and
//!   every committed transcript in `tests/data/live/` replayed to the app.

mod support;

use std::path::{Path, PathBuf};

use bitbucket_cloud::credential::CredentialKind;
use bitbucket_cloud::validate::{Problem, Report};
use bitbucket_setup_core::presets::{self, PresetId};
use fake_bitbucket::behaviour::{self, Implications, PLATFORM_SCOPES};
use fake_bitbucket::live::{self, LiveConfig};
use fake_bitbucket::transcript::{LiveKind, Transcript, REPOSITORY, WORKSPACE};
use fake_bitbucket::{replay, Behaviour, FakeBitbucket};
use support::check::Check;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// Fails when any secret of `cfg` (tokens, emails) is in the transcript's text.
fn assert_no_secret(t: &Transcript, cfg: &LiveConfig) {
    let text = t.to_json();
    for secret in cfg.secrets() {
        assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "the transcript holds a secret of the configuration");
    }
    for name in [&cfg.workspace, &cfg.repository] {
        // Placeholders stand in for the names; "{workspace}" itself is fine.
        let needle = format!("/{name}");
        assert!(!text.contains(&needle), "the transcript names {name:?}");
    }
    for marker in ["account_id", "display_name", "712020:", "557058:", "@"] {
        assert!(!text.contains(marker), "the transcript holds {marker:?}:\n{text}");
    }
}

fn kind_of(k: LiveKind) -> Option<CredentialKind> {
    match k {
        LiveKind::RepositoryToken => Some(CredentialKind::RepositoryToken),
        LiveKind::ProjectToken => Some(CredentialKind::ProjectToken),
        LiveKind::WorkspaceToken => Some(CredentialKind::WorkspaceToken),
        LiveKind::ApiToken => Some(CredentialKind::ApiToken),
        LiveKind::UnscopedApiToken | LiveKind::Anonymous => None,
    }
}

/// What the recorded Bitbucket says about the recorded token, and what the app must conclude
/// for `preset`: pass when the token holds every scope the preset needs (the boxes ticked when
/// the maintainer said, else what Bitbucket listed), fail as missing_scopes otherwise — except
/// a platform scope Bitbucket cannot show, which is a warning.
fn expected(t: &Transcript, k: LiveKind, preset: PresetId) -> Option<Result<(), String>> {
    let rec = t.credential(k)?;
    let kind = kind_of(k)?;
    let repo = rec.exchanges.iter().find(|e| e.probe == "repository")?;
    if repo.status != Some(200) {
        return None; // the token does not reach the recorded repository: nothing to expect
    }
    let listed = rec.exchanges.iter().find_map(|e| e.scopes()).unwrap_or_default();
    let held: Vec<String> = match (&rec.ticked, kind.is_access_token()) {
        (Some(ticked), true) => behaviour::holds(ticked, Implications::Documented),
        (Some(ticked), false) => ticked.clone(),
        (None, true) => behaviour::holds(&listed, Implications::Documented),
        (None, false) => listed.clone(),
    };
    let custom: Vec<String> = Vec::new();
    let required = presets::required_scopes(preset, kind, &custom).ok()?;
    let listed_platform = listed.iter().any(|s| PLATFORM_SCOPES.contains(&s.as_str()));
    let missing: Vec<String> = required
        .iter()
        .filter(|s| !held.contains(s))
        .filter(|s| listed_platform || !PLATFORM_SCOPES.contains(&s.as_str()))
        .cloned()
        .collect();
    Some(if missing.is_empty() { Ok(()) } else { Err(missing[0].clone()) })
}

/// Replays `t` and checks every preset × recorded kind against [`expected`]; the failures.
async fn verdicts_against(t: &Transcript) -> (usize, Vec<String>) {
    let fake = FakeBitbucket::start().await.expect("start the fake");
    fake.replay(t.clone());
    let location = format!("{WORKSPACE}/{REPOSITORY}");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for rec in &t.credentials {
        let Some(kind) = kind_of(rec.kind) else { continue };
        for preset in presets::all().iter().filter(|p| p.kinds.contains(&kind) && p.id != PresetId::Custom) {
            let Some(expect) = expected(t, rec.kind, preset.id) else { continue };
            let mut check = Check::new(kind, &replay::secret(rec.kind), &location, preset.id);
            if kind == CredentialKind::ApiToken {
                check = check.email(replay::EMAIL);
            }
            let r: Report = check.run(&fake).await;
            checked += 1;
            let bad = match &expect {
                Ok(()) => !r.ok,
                Err(s) => r.ok || r.problem != Some(Problem::MissingScopes) || !r.missing.contains(s),
            };
            if bad {
                wrong.push(format!("{} for {}: expected {expect:?}, got {:?}: {} (probes {:?})", kind.label(), preset.name, r.problem, r.message, r.probes.iter().map(|p| (&p.path, p.status)).collect::<Vec<_>>()));
            }
        }
        // The unscoped API token is refused in every recorded world.
    }
    if let Some(rec) = t.credential(LiveKind::UnscopedApiToken) {
        if rec.exchanges.iter().any(|e| e.probe == "repository" && e.status == Some(401)) {
            let r = Check::new(CredentialKind::ApiToken, &replay::secret(LiveKind::UnscopedApiToken), &location, PresetId::Autoheal)
                .email(replay::EMAIL)
                .run(&fake)
                .await;
            checked += 1;
            if !matches!(r.problem, Some(Problem::UnscopedApiToken | Problem::Unauthorized)) {
                wrong.push(format!("unscoped API token: got {:?}: {}", r.problem, r.message));
            }
        }
    }
    (checked, wrong)
}

fn print_settlements(t: &Transcript) {
    println!("What this recording settles (docs/bitbucket-behaviour.md):");
    for s in t.settlements() {
        println!("  {} {}: {}{}", s.point, s.title, s.observed, s.switch.map(|w| format!("  => {w}")).unwrap_or_default());
    }
    let (b, settled) = t.behaviour();
    println!("The fake's world for it: {b} (settled: {})", if settled.is_empty() { "none".to_string() } else { settled.join(",") });
}

#[test]
#[ignore = "sends your tokens to Bitbucket: set BITBUCKET_LIVE_* and run scripts/live-check.sh"]
fn live_contract() {
    let cfg = match LiveConfig::from_env() {
        Ok(Some(cfg)) => cfg,
        Ok(None) => panic!("no BITBUCKET_LIVE_* token is set. The suite reads:\n{}", live::ENV_HELP),
        Err(e) => panic!("{e}\nThe suite reads:\n{}", live::ENV_HELP),
    };
    let rt = runtime();
    let t = rt.block_on(live::record(&cfg)).expect("record");
    assert_no_secret(&t, &cfg);
    let out = std::env::var_os("BITBUCKET_LIVE_TRANSCRIPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/live/transcript.json"));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).expect("transcript folder");
    }
    std::fs::write(&out, t.to_json()).expect("write the transcript");
    println!("Transcript (no token, email, account id or names): {}", out.display());
    print_settlements(&t);
    let (checked, wrong) = rt.block_on(verdicts_against(&t));
    println!("The app's verdicts against the replayed recording: {checked} checked, {} wrong.", wrong.len());
    assert!(wrong.is_empty(), "verdicts that do not hold against this Bitbucket:\n{}", wrong.join("\n"));
}

/// The recorder against the fake in the strictest world: no secret in the transcript, the
/// settlements name the world, and the app's verdicts hold against the replay.
#[test]
fn the_contract_suite_records_the_fake_and_its_replay_serves_the_app() {
    let rt = runtime();
    rt.block_on(async {
        let fake = FakeBitbucket::start().await.expect("start the fake");
        fake.seed_demo();
        fake.set_behaviour(Behaviour::strictest());
        let env = live::demo_env(&fake.base_url());
        let cfg = config_from(&env);
        let t = live::record(&cfg).await.expect("record");
        assert_no_secret(&t, &cfg);
        assert_eq!(t.service, "fake");
        let (world, settled) = t.behaviour();
        assert_eq!(world, Behaviour::strictest(), "settled: {settled:?}");
        assert!(settled.len() >= 6, "{settled:?}");

        // A transcript read back is the same transcript.
        assert_eq!(Transcript::from_json(&t.to_json()).expect("parse"), t);

        let (checked, wrong) = verdicts_against(&t).await;
        assert!(checked >= 10, "only {checked} verdicts checked");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    });
}

/// Every transcript committed in tests/data/live/ (recordings of the real Bitbucket, when a
/// maintainer adds one, and the fake's) replays to verdicts that hold.
#[test]
fn committed_transcripts_replay_to_verdicts_that_hold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/live");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/live")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no transcript in {}", dir.display());
    let rt = runtime();
    for file in files {
        let t = Transcript::from_json(&std::fs::read_to_string(&file).expect("read")).expect("a transcript");
        let (checked, wrong) = rt.block_on(verdicts_against(&t));
        assert!(checked > 0, "{}: nothing to check", file.display());
        assert!(wrong.is_empty(), "{}:\n{}", file.display(), wrong.join("\n"));
    }
}

fn config_from(env: &[(String, String)]) -> LiveConfig {
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    LiveConfig::from_vars(get).expect("a valid configuration").expect("tokens")
}
