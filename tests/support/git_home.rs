//! A throwaway HOME for git and the app: the environment git (and the helper it starts) runs
//! with, pointed at a Bitbucket-like git server and the fake Bitbucket, with no system
//! configuration, no prompts and nothing of the developer's own git settings.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use fake_bitbucket::demo;
use fake_bitbucket::git_http::{make_bare_repository, GitServer};

use super::cli_session::CliSession;

pub struct GitHome {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl GitHome {
    pub fn new(s: &CliSession, server: &GitServer) -> GitHome {
        let dir = tempfile::tempdir().unwrap();
        let env = vec![
            ("HOME".to_string(), dir.path().display().to_string()),
            ("XDG_CONFIG_HOME".to_string(), dir.path().join(".config").display().to_string()),
            ("GIT_CONFIG_NOSYSTEM".to_string(), "1".to_string()),
            ("GIT_TERMINAL_PROMPT".to_string(), "0".to_string()),
            ("GIT_ASKPASS".to_string(), "/bin/false".to_string()),
            ("BITBUCKET_GIT_URL".to_string(), server.url()),
            ("BITBUCKET_API_URL".to_string(), s.fake.base_url()),
            ("BITBUCKET_SETUP_CONFIG_DIR".to_string(), s.config.path().display().to_string()),
        ];
        GitHome { dir, env }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn env(&self) -> Vec<(&str, &str)> {
        self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    /// `program` in `dir` with this HOME's environment, and none of the caller's git settings.
    pub fn command(&self, program: &Path, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        for v in ["SSH_ASKPASS", "BITBUCKET_TOKEN", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_DIR"] {
            cmd.env_remove(v);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// git in `dir`.
    pub fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(Path::new("git"), dir, args).output().expect("git")
    }

    /// The app in this HOME.
    pub fn app(&self, s: &CliSession, args: &[&str], stdin: &str) -> Output {
        let mut env = self.env();
        env.retain(|(k, _)| *k != "BITBUCKET_SETUP_CONFIG_DIR");
        super::run_cli_in(self.path(), args, stdin, &env, s.config.path())
    }
}

/// A Bitbucket-like git server with `acme/website`, letting in the demo repository token and
/// the given project, workspace and API tokens (each with the user name Bitbucket takes).
pub fn git_server(root: &Path, project_token: &str, workspace_token: &str, api_token: &str) -> GitServer {
    make_bare_repository(root, "acme", "website").expect("a bare repository");
    GitServer::start(
        root,
        vec![
            ("x-token-auth".into(), demo::SQAI_READY.into()),
            ("x-token-auth".into(), project_token.into()),
            ("x-token-auth".into(), workspace_token.into()),
            ("x-bitbucket-api-token-auth".into(), api_token.into()),
        ],
    )
    .expect("the git server")
}
