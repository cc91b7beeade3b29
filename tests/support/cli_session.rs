//! A command-line session for the tests that save connections in the real keychain and read
//! back the files the CLI writes: a throwaway config folder, a work folder (the CLI's current
//! directory) and a fake Bitbucket with the demo world.

use std::path::PathBuf;
use std::process::Output;

use chrono::Utc;
use fake_bitbucket::FakeBitbucket;

pub struct CliSession {
    pub config: tempfile::TempDir,
    pub work: tempfile::TempDir,
    pub fake: FakeBitbucket,
}

impl CliSession {
    /// None (after a loud skip) when the keychain is missing outside CI; panics under CI.
    pub fn start() -> Option<CliSession> {
        if super::require("an unlocked Secret Service (run through scripts/test.sh)", super::keychain_available()) {
            return None;
        }
        let fake = FakeBitbucket::start_in_background().expect("start the fake Bitbucket");
        fake.seed_demo();
        Some(CliSession { config: tempfile::tempdir().unwrap(), work: tempfile::tempdir().unwrap(), fake })
    }

    /// The CLI, pointed at the fake, with `env` added.
    pub fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let api = self.fake.base_url();
        let mut all = vec![("BITBUCKET_API_URL", api.as_str())];
        all.extend_from_slice(env);
        super::run_cli_in(self.work.path(), args, stdin, &all, self.config.path())
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_env(args, stdin, &[])
    }

    /// Like [`run`](Self::run), and it must succeed.
    pub fn ok(&self, args: &[&str], stdin: &str) -> Output {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?} failed ({:?}):\n{}\n{}", out.status.code(), text(&out.stdout), text(&out.stderr));
        out
    }

    /// `save` with the token on standard input.
    pub fn save(&self, name: &str, credential: &str, workspace: &str, preset: &str, token: &str, extra: &[&str]) {
        let mut args = vec!["save", "--name", name, "--credential", credential, "--workspace", workspace, "--preset", preset];
        args.extend_from_slice(extra);
        self.ok(&args, token);
    }

    /// A path in the work folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    /// Writes `contents` to `name` in the work folder; returns `name`.
    pub fn write(&self, name: &str, contents: &str) -> String {
        std::fs::write(self.path(name), contents).unwrap();
        name.to_string()
    }

    /// The saved connections, as `list --json` shows them.
    pub fn connections(&self) -> Vec<serde_json::Value> {
        let out = self.ok(&["list", "--json"], "");
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
    }

    pub fn connection(&self, name: &str) -> Option<serde_json::Value> {
        self.connections().into_iter().find(|c| c["name"] == name)
    }

    /// The token of `name`, from the keychain through the `token` command.
    pub fn token_of(&self, name: &str) -> String {
        text(&self.ok(&["token", name], "").stdout).trim_end().to_string()
    }

    /// Sets the last check of connection `name` to `hours` ago (and `ok`), in the file.
    pub fn age_last_check(&self, name: &str, hours: i64, ok: bool) {
        let file = self.config.path().join("connections.json");
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        for c in v["connections"].as_array_mut().unwrap() {
            if c["name"] == name {
                let when = Utc::now() - chrono::Duration::hours(hours);
                c["last_check"]["at"] = serde_json::json!(when.to_rfc3339());
                c["last_check"]["ok"] = serde_json::json!(ok);
            }
        }
        std::fs::write(&file, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `out` of a program that had to succeed; otherwise the test fails with its exit code and
/// everything it said.
pub fn ok(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what} failed ({:?}):\n{}\n{}", out.status.code(), text(&out.stdout), text(&out.stderr));
    out
}

/// The standard output of a program that had to succeed (see [`ok`]).
pub fn ok_stdout(out: Output, what: &str) -> String {
    text(&ok(out, what).stdout)
}
