//! A real n8n for the tests: the n8n 2.39.10 installed by `scripts/consumers-setup.sh
//! target/consumers`, started with a user folder (and SQLite database) of its own in a throwaway
//! folder, its owner and API keys made through n8n's REST API as n8n's first page makes them.
//! Under CI=true a missing n8n fails the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::cli_session::text;
use super::free_port;

/// The header n8n's REST API ties its session cookie to.
const BROWSER_ID: &str = "bitbucket-setup-n8n-test";

/// An n8n started for this test, stopped (with its process group) when dropped.
pub struct N8n {
    cache: PathBuf,
    folder: tempfile::TempDir,
    port: u16,
    child: Child,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl N8n {
    pub fn start() -> Option<N8n> {
        let cache = std::env::var_os("CONSUMERS_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/consumers"));
        let ready = ["node24/bin/node", "npm/node_modules/n8n/bin/n8n"].iter().all(|p| cache.join(p).exists());
        if super::require("n8n from scripts/consumers-setup.sh target/consumers", ready) {
            return None;
        }
        let folder = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = std::fs::File::create(folder.path().join("n8n.log")).unwrap();
        let mut cmd = n8n_command(&cache, folder.path());
        cmd.arg("start")
            .env("N8N_PORT", port.to_string())
            .env("N8N_LISTEN_ADDRESS", "127.0.0.1")
            // Its task broker listens too (5679 by default, even with runners off): a port of its
            // own, so that tests running side by side each start their n8n.
            .env("N8N_RUNNERS_BROKER_PORT", free_port().to_string())
            .env("N8N_SECURE_COOKIE", "false")
            .env("N8N_PUBLIC_API_SWAGGERUI_DISABLED", "true")
            .env("N8N_LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd.spawn().expect("start n8n");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // No idle connections kept: n8n closes them after a few seconds, and a request sent on
        // one it is closing fails.
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut n8n = N8n { cache, folder, port, child, rt, http };
        n8n.wait_ready();
        Some(n8n)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("n8n.log")).unwrap_or_default()
    }

    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("n8n stopped ({status}) before it was ready:\n{}", self.log());
            }
            if let Ok((200, _, _)) = self.request(reqwest::Method::GET, "/healthz/readiness", &[], None) {
                return;
            }
            assert!(Instant::now() < deadline, "n8n was not ready within 180 s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// One request: (status, Set-Cookie values, body as JSON or as a string).
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<(u16, Vec<String>, Value), reqwest::Error> {
        self.rt.block_on(async {
            let mut req = self.http.request(method, format!("{}{path}", self.url()));
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            let res = req.send().await?;
            let status = res.status().as_u16();
            let cookies = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect();
            let bytes = res.bytes().await?;
            let body = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            Ok((status, cookies, body))
        })
    }

    /// Sets up the owner (through the REST API as n8n's first page does) and makes two API
    /// keys: one with the credential scopes, one with a workflow scope only.
    pub fn owner_and_keys(&self) -> (String, String) {
        let owner = json!({"email": "owner@example.com", "firstName": "Test", "lastName": "Owner", "password": "Passw0rdForTests"});
        let (status, cookies, body) = self
            .request(reqwest::Method::POST, "/rest/owner/setup", &[("browser-id", BROWSER_ID)], Some(owner))
            .unwrap();
        assert_eq!(status, 200, "owner setup: {body}\n{}", self.log());
        let auth = cookies
            .iter()
            .filter_map(|c| c.split(';').next())
            .find(|c| c.starts_with("n8n-auth="))
            .unwrap_or_else(|| panic!("no n8n-auth cookie in {cookies:?}"))
            .to_string();
        let key = |label: &str, scopes: &[&str]| {
            let body = json!({"label": label, "scopes": scopes, "expiresAt": null});
            let (status, _, body) = self
                .request(
                    reqwest::Method::POST,
                    "/rest/api-keys",
                    &[("browser-id", BROWSER_ID), ("cookie", &auth)],
                    Some(body),
                )
                .unwrap();
            assert_eq!(status, 200, "api key {label}: {body}");
            body["data"]["rawApiKey"].as_str().unwrap_or_else(|| panic!("no rawApiKey in {body}")).to_string()
        };
        let full = key(
            "bitbucket-setup test",
            &["credential:create", "credential:update", "credential:read", "credential:list", "credential:delete"],
        );
        let narrow = key("workflows only", &["workflow:read"]);
        (full, narrow)
    }

    /// The public API's view of credential `id` (no secret in it).
    pub fn credential(&self, key: &str, id: &str) -> (u16, Value) {
        let (status, _, body) = self
            .request(reqwest::Method::GET, &format!("/api/v1/credentials/{id}"), &[("X-N8N-API-KEY", key)], None)
            .unwrap();
        (status, body)
    }

    pub fn delete_credential(&self, key: &str, id: &str) {
        let (status, _, body) = self
            .request(reqwest::Method::DELETE, &format!("/api/v1/credentials/{id}"), &[("X-N8N-API-KEY", key)], None)
            .unwrap();
        assert_eq!(status, 200, "delete: {body}");
    }

    /// Every credential, decrypted, as `n8n export:credentials --all --decrypted` writes them.
    pub fn export_decrypted(&self) -> Vec<Value> {
        let file = self.folder.path().join("export.json");
        let out = n8n_command(&self.cache, self.folder.path())
            .args(["export:credentials", "--all", "--decrypted", &format!("--output={}", file.display())])
            .output()
            .expect("n8n export:credentials");
        assert!(out.status.success(), "n8n export:credentials failed:\n{}\n{}", text(&out.stdout), text(&out.stderr));
        let all: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        std::fs::remove_file(&file).unwrap();
        all.as_array().expect("an array").clone()
    }
}

impl Drop for N8n {
    fn drop(&mut self) {
        // n8n and anything it started: its own process group.
        let group = -(self.child.id() as i32);
        unsafe {
            libc::kill(group, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        unsafe {
            libc::kill(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// n8n through scripts/consumers-n8n.sh, with `folder` as its user folder.
pub fn n8n_command(cache: &Path, folder: &Path) -> Command {
    let mut cmd = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/consumers-n8n.sh"));
    cmd.arg(cache).env("N8N_USER_FOLDER", folder.join("user"));
    cmd
}
