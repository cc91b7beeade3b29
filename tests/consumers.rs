//! The exports, read by the tools that read them. A format is right when the tool that reads it
//! reads it back exactly; so each test here saves connections with awkward names and
//! descriptions (quotes of both kinds, `$`, `${…}`, backquotes, backslashes, line breaks,
//! non-ASCII), exports them with the command line, and has the real readers read the files:
//!
//! * `.env`: bash (`set -a; . FILE`), python-dotenv and Node's dotenv;
//! * `.netrc`: Python's netrc, `requests` (`get_netrc_auth`) and curl against the fake;
//! * git-credentials: `git credential fill` through `store --file`, and a real `git ls-remote`,
//!   `git clone` and `git push` against a Bitbucket-like smart-HTTP server on 127.0.0.1;
//! * JSON and YAML: jq and PyYAML;
//! * n8n: n8n's own `import:credentials` and `export:credentials --decrypted`, and
//!   `bitbucket-setup import` of what n8n exported.
//!
//! The readers come from `scripts/consumers-setup.sh target/consumers` (python-dotenv,
//! requests and PyYAML in a venv, Node 24, Node's dotenv and n8n 2.39.10 from the npm
//! registry; jq, curl and git from apt), which `scripts/test.sh` runs first. Under CI=true a
//! missing reader fails the test.

mod support;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use fake_bitbucket::git_http::{make_bare_repository, GitServer};
use fake_bitbucket::{demo, FakeToken};
use support::cli_session::{ok_stdout as ok, text, CliSession as Session};

/// Quotes of both kinds, `$`, backquotes, a backslash, a line break and non-ASCII: no .env
/// quoting keeps a name like this the same in every reader, so it must be left out, not
/// written wrong.
const NAME_EVERYTHING: &str = "O'Brien's \"CI\" $HOME `id` \\ é 日本";
/// An apostrophe only: written in double quotes.
const NAME_APOSTROPHE: &str = "Acme's web é";
const DESCRIPTION_MULTILINE: &str = "Line one: say \"hi\", costs $5 and `nothing` runs\\here\nline two # not a comment\n  indented ünïcode";
const DESCRIPTION_EXPANDS: &str = "uses ${HOME} and $(id)";

/// FAKE tokens of this test's own, each holding what its preset needs.
const GIT_PROJECT_TOKEN: &str = "ATCTT3xFfGN0consumersProjectTokenForGitXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0C0C0C01";
const GIT_WORKSPACE_TOKEN: &str = "ATCTT3xFfGN0consumersWorkspaceTokenForGitXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0C0C0C02";
const GIT_API_TOKEN: &str = "ATATT3xFfGF0consumersApiTokenForGitXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0C0C0C03";
const N8N_API_TOKEN: &str = "ATATT3xFfGF0consumersApiTokenForN8nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX=0C0C0C04";

fn add_tokens(s: &Session) {
    s.fake.add_token(FakeToken::project(GIT_PROJECT_TOKEN, "acme", "WEB", &["repository:write"]));
    s.fake.add_token(FakeToken::workspace(GIT_WORKSPACE_TOKEN, "acme", &["repository:write"]));
    s.fake.add_token(FakeToken::api(GIT_API_TOKEN, demo::ADMIN_EMAIL, "acme", &["read:repository:bitbucket", "write:repository:bitbucket"]));
    s.fake.add_token(FakeToken::api(
        N8N_API_TOKEN,
        demo::ADMIN_EMAIL,
        "acme",
        &["read:user:bitbucket", "read:workspace:bitbucket", "read:repository:bitbucket", "read:webhook:bitbucket", "write:webhook:bitbucket", "delete:webhook:bitbucket"],
    ));
}

/// Where the readers are.
struct Readers {
    cache: PathBuf,
}

impl Readers {
    fn find() -> Option<Readers> {
        let cache = std::env::var_os("CONSUMERS_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/consumers"));
        let ready = ["py/bin/python", "node24/bin/node", "npm/node_modules/dotenv/package.json", "npm/node_modules/n8n/bin/n8n"]
            .iter()
            .all(|p| cache.join(p).exists());
        let tools = ["jq", "curl", "git", "bash"].iter().all(|t| support::runs(t, &["--version"]));
        if support::require("the readers of scripts/consumers-setup.sh target/consumers, and jq, curl, git, bash", ready && tools) {
            return None;
        }
        Some(Readers { cache })
    }

    fn python(&self, script: &str, args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(self.cache.join("py/bin/python"));
        cmd.arg("-c").arg(script).args(args).current_dir(cwd);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("python")
    }

    fn node(&self, script: &str, args: &[&str], cwd: &Path) -> Output {
        Command::new(self.cache.join("node24/bin/node"))
            .arg("-e")
            .arg(script)
            .arg("--")
            .args(args)
            .current_dir(cwd)
            .env("NODE_PATH", self.cache.join("npm/node_modules"))
            .output()
            .expect("node")
    }

    /// n8n with a user folder of its own (see scripts/consumers-n8n.sh).
    fn n8n(&self, user_folder: &Path, args: &[&str]) -> Output {
        Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/consumers-n8n.sh"))
            .arg(&self.cache)
            .args(args)
            .env("N8N_USER_FOLDER", user_folder)
            .output()
            .expect("n8n")
    }
}

/// A connection as the app holds it (`list --json`): the values an export must give back.
fn record(s: &Session, name: &str) -> serde_json::Value {
    s.connection(name).unwrap_or_else(|| panic!("no connection {name:?}"))
}

// ---------------------------------------------------------------------------------------------
// .env

/// The `BITBUCKET_*` variables each reader gets from `file`.
fn dotenv_readings(r: &Readers, s: &Session, file: &str) -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let bash = Command::new("env")
        .args(["-i", "PATH=/usr/bin:/bin", "bash", "-c", "set -eu; set -a; . \"./$1\"; env -0", "bash", file])
        .current_dir(s.work.path())
        .output()
        .unwrap();
    let bash = ok(bash, "bash");
    out.insert(
        "bash",
        bash.split('\0')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, _)| k.starts_with("BITBUCKET_"))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    let py = ok(
        r.python("import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))", &[file], s.work.path(), &[]),
        "python-dotenv",
    );
    out.insert("python-dotenv", serde_json::from_str(&py).expect("python-dotenv's JSON"));
    let js = ok(
        r.node("const fs = require('fs'); const dotenv = require('dotenv'); process.stdout.write(JSON.stringify(dotenv.parse(fs.readFileSync(process.argv[1]))))", &[file], s.work.path()),
        "Node dotenv",
    );
    out.insert("node dotenv", serde_json::from_str(&js).expect("dotenv's JSON"));
    out
}

#[test]
fn every_dotenv_reader_reads_every_value_back_exactly() {
    let Some(r) = Readers::find() else { return };
    let Some(s) = Session::start() else { return };
    s.save(NAME_EVERYTHING, "repository-token", "acme/website", "sqai", demo::SQAI_READY, &["--description", DESCRIPTION_MULTILINE]);
    s.save(NAME_APOSTROPHE, "api-token", "acme", "autoheal", demo::API_TOKEN_AUTOHEAL, &["--email", demo::ADMIN_EMAIL, "--description", DESCRIPTION_EXPANDS]);
    for (name, left_out) in [(NAME_EVERYTHING, "BITBUCKET_CONNECTION_NAME"), (NAME_APOSTROPHE, "BITBUCKET_DESCRIPTION")] {
        let c = record(&s, name);
        for secret in [false, true] {
            let file = format!("{}{}.env", bitbucket_setup_core::export::file_stem(name), if secret { ".secret" } else { "" });
            let mut args = vec!["export", name, "-f", "env", "-o", file.as_str()];
            if secret {
                args.push("--include-secret");
            }
            let out = s.ok(&args, "");
            assert!(text(&out.stderr).contains("is not in the .env file"), "the user is told what was left out: {}", text(&out.stderr));
            let readings = dotenv_readings(&r, &s, &file);
            let bash = &readings["bash"];
            for (reader, vars) in &readings {
                assert_eq!(vars, bash, "{name}: {reader} and bash disagree");
            }
            assert!(!bash.contains_key(left_out), "{name}: {left_out} should be left out, not written differently");
            let contents = std::fs::read_to_string(s.path(&file)).unwrap();
            assert!(contents.contains(&format!("# {left_out} (")), "{name}: the file says what it left out:\n{contents}");
            // What the connection holds, back exactly.
            let want = |var: &str, value: &serde_json::Value| {
                if var != left_out {
                    assert_eq!(bash.get(var).map(String::as_str), Some(value.as_str().unwrap_or("")), "{name}: {var}");
                }
            };
            want("BITBUCKET_CONNECTION_NAME", &c["name"]);
            want("BITBUCKET_DESCRIPTION", &c["description"]);
            want("BITBUCKET_WORKSPACE", &c["workspace"]);
            want("BITBUCKET_EMAIL", &c["email"]);
            let token = if c["kind"] == "api_token" { demo::API_TOKEN_AUTOHEAL } else { demo::SQAI_READY };
            if secret {
                assert_eq!(bash["BITBUCKET_TOKEN"], token);
            } else {
                assert_eq!(bash["BITBUCKET_TOKEN"], format!("keychain:bitbucket-setup:{}", c["id"].as_str().unwrap()));
            }
        }
    }
    // Sourcing ran nothing from the values.
    assert!(!s.path("pwned").exists());
    // The documented idiom turns the reference into the token through the keychain.
    let bin_dir = support::app_binary().parent().unwrap().to_path_buf();
    let out = Command::new("bash")
        .args(["-c", "set -eu; . \"./$1.env\"; BITBUCKET_TOKEN=$(bitbucket-setup token \"$BITBUCKET_TOKEN\"); printf %s \"$BITBUCKET_TOKEN\"", "bash", &bitbucket_setup_core::export::file_stem(NAME_APOSTROPHE)])
        .current_dir(s.work.path())
        .env("PATH", format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()))
        .env("BITBUCKET_SETUP_CONFIG_DIR", s.config.path())
        .output()
        .unwrap();
    assert_eq!(ok(out, "the token idiom"), demo::API_TOKEN_AUTOHEAL);
}

// ---------------------------------------------------------------------------------------------
// .netrc

#[test]
fn python_requests_and_curl_read_the_netrc() {
    let Some(r) = Readers::find() else { return };
    let Some(s) = Session::start() else { return };
    s.save(NAME_EVERYTHING, "api-token", "acme", "autoheal", demo::API_TOKEN_AUTOHEAL, &["--email", demo::ADMIN_EMAIL]);
    s.save(NAME_APOSTROPHE, "repository-token", "acme/website", "git", demo::SQAI_READY, &[]);
    // The git host apart from the API's (both are this computer in a test): netrc tells hosts,
    // not ports, apart.
    let git = [("BITBUCKET_GIT_URL", "http://localhost:9")];
    let api_host = "127.0.0.1";
    for (name, file) in [(NAME_EVERYTHING, "api.netrc"), (NAME_APOSTROPHE, "access.netrc")] {
        let out = s.run_env(&["export", name, "-f", "netrc", "-o", file, "--include-secret"], "", &git);
        ok(out, "export netrc");
        let contents = std::fs::read_to_string(s.path(file)).unwrap();
        assert!(contents.lines().all(|l| l.starts_with("machine ")), "only credential lines:\n{}", contents.replace(demo::API_TOKEN_AUTOHEAL, "<token>").replace(demo::SQAI_READY, "<token>"));
    }
    let script = "import json, netrc, sys\n\
        n = netrc.netrc(sys.argv[1])\n\
        print(json.dumps({h: n.authenticators(h) for h in sys.argv[2:]}))";
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_str(&ok(r.python(script, &[file, api_host, "localhost"], s.work.path(), &[]), "python netrc")).unwrap()
    };
    let api = read("api.netrc");
    assert_eq!(api[api_host], serde_json::json!([demo::ADMIN_EMAIL, "", demo::API_TOKEN_AUTOHEAL]));
    assert_eq!(api["localhost"], serde_json::json!(["x-bitbucket-api-token-auth", "", demo::API_TOKEN_AUTOHEAL]));
    let access = read("access.netrc");
    assert_eq!(access[api_host], serde_json::Value::Null, "no REST API entry for an access token (it wants Bearer)");
    assert_eq!(access["localhost"], serde_json::json!(["x-token-auth", "", demo::SQAI_READY]));

    // requests finds the REST API host's entry (and sends nothing when it cannot read the file).
    let url = format!("{}/user", s.fake.base_url());
    let netrc = s.path("api.netrc");
    let auth = ok(
        r.python("import json, sys\nfrom requests.utils import get_netrc_auth\nprint(json.dumps(get_netrc_auth(sys.argv[1])))", &[&url], s.work.path(), &[("NETRC", netrc.to_str().unwrap())]),
        "requests",
    );
    assert_eq!(serde_json::from_str::<serde_json::Value>(&auth).unwrap(), serde_json::json!([demo::ADMIN_EMAIL, demo::API_TOKEN_AUTOHEAL]));

    // curl authenticates with it against the fake Bitbucket.
    let curl = Command::new("curl").args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--netrc-file", "api.netrc", &url]).current_dir(s.work.path()).output().unwrap();
    assert_eq!(ok(curl, "curl"), "200");
    assert!(s.fake.requests().iter().any(|q| q.path == "/2.0/user" && q.auth.as_deref() == Some("Basic")));
}

// ---------------------------------------------------------------------------------------------
// git

fn git(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "/bin/false")
        .env_remove("SSH_ASKPASS")
        .stdin(Stdio::null())
        .output()
        .expect("git")
}

#[test]
fn git_clones_and_pushes_with_the_credential_store_entry() {
    let Some(_r) = Readers::find() else { return };
    let Some(s) = Session::start() else { return };
    let root = tempfile::tempdir().unwrap();
    make_bare_repository(root.path(), "acme", "website").expect("a bare repository");
    let server = GitServer::start(
        root.path(),
        vec![
            ("x-token-auth".into(), demo::SQAI_READY.into()),
            ("x-token-auth".into(), GIT_WORKSPACE_TOKEN.into()),
            ("x-token-auth".into(), GIT_PROJECT_TOKEN.into()),
            ("x-bitbucket-api-token-auth".into(), GIT_API_TOKEN.into()),
        ],
    )
    .expect("the git server");
    let git_env = [("BITBUCKET_GIT_URL", server.url())];
    let git_env: Vec<(&str, &str)> = git_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.save(NAME_EVERYTHING, "repository-token", "acme/website", "git", demo::SQAI_READY, &[]);
    add_tokens(&s);
    s.save("project", "project-token", "acme/website", "git", GIT_PROJECT_TOKEN, &[]);
    s.save("workspace", "workspace-token", "acme/website", "git", GIT_WORKSPACE_TOKEN, &[]);
    s.save("api", "api-token", "acme/website", "git", GIT_API_TOKEN, &["--email", demo::ADMIN_EMAIL]);
    let home = tempfile::tempdir().unwrap();
    let remote = format!("{}/acme/website.git", server.url());
    let host = server.url().trim_start_matches("http://").to_string();
    for (name, user, token) in [
        (NAME_EVERYTHING, "x-token-auth", demo::SQAI_READY),
        ("project", "x-token-auth", GIT_PROJECT_TOKEN),
        ("workspace", "x-token-auth", GIT_WORKSPACE_TOKEN),
        ("api", "x-bitbucket-api-token-auth", GIT_API_TOKEN),
    ] {
        let file = format!("{}.git-credentials", bitbucket_setup_core::export::file_stem(name));
        ok(s.run_env(&["export", name, "-f", "git-credentials", "-o", &file, "--include-secret"], "", &git_env), "export");
        let path = s.path(&file);
        let contents = std::fs::read_to_string(&path).unwrap();
        assert_eq!(contents.lines().count(), 1, "{name}: one credential line and nothing else");
        let helper = format!("credential.helper=store --file={}", path.display());

        // git credential fill finds the entry.
        let mut child = Command::new("git")
            .args(["-c", "credential.helper=", "-c", &helper, "credential", "fill"])
            .env("HOME", home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("protocol=http\nhost={host}\npath=acme/website.git\n\n").as_bytes()).unwrap();
        let filled = ok(child.wait_with_output().unwrap(), "git credential fill");
        assert!(filled.contains(&format!("username={user}\n")) && filled.contains(&format!("password={token}\n")), "{name}: git credential fill did not give the entry back");

        // A real ls-remote and clone work with it, and not without it.
        let work = tempfile::tempdir().unwrap();
        let without = git(work.path(), home.path(), &["-c", "credential.helper=", "ls-remote", &remote]);
        assert!(!without.status.success(), "{name}: the server let git in without credentials");
        ok(git(work.path(), home.path(), &["-c", "credential.helper=", "-c", &helper, "ls-remote", &remote]), "git ls-remote");
        ok(git(work.path(), home.path(), &["-c", "credential.helper=", "-c", &helper, "clone", "-q", &remote, "clone"]), "git clone");
        assert!(work.path().join("clone/README.md").exists(), "{name}: the clone has the repository's file");
        let dir = work.path().join("clone");
        std::fs::write(dir.join("pushed.txt"), name).unwrap();
        ok(git(&dir, home.path(), &["add", "pushed.txt"]), "add");
        ok(git(&dir, home.path(), &["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-qm", "push test"]), "commit");
        ok(git(&dir, home.path(), &["-c", "credential.helper=", "-c", &helper, "push", "-q", "origin", "HEAD:main"]), "git push");
    }
    // The repository token's entry names its repository: it works with useHttpPath too. (A
    // fresh file: git's store rewrites an entry it used without the path it did not ask with.)
    ok(s.run_env(&["export", NAME_EVERYTHING, "-f", "git-credentials", "-o", "path.git-credentials", "--include-secret"], "", &git_env), "export");
    let helper = format!("credential.helper=store --file={}", s.path("path.git-credentials").display());
    let work = tempfile::tempdir().unwrap();
    ok(git(work.path(), home.path(), &["-c", "credential.helper=", "-c", &helper, "-c", "credential.useHttpPath=true", "ls-remote", &remote]), "ls-remote with useHttpPath");
    assert!(server.requests().iter().any(|q| q.user.as_deref() == Some("x-bitbucket-api-token-auth") && q.status == 200));
    assert!(server.requests().iter().any(|q| q.user.is_none() && q.status == 401), "git asked without credentials first, as with Bitbucket");
    assert!(server.requests().iter().any(|q| q.method == "POST" && q.path.ends_with("git-receive-pack") && q.status == 200), "a push went through");
    // git keeps the entry where it was; nothing else under HOME holds a token.
    for token in [demo::SQAI_READY, GIT_API_TOKEN] {
        assert!(support::files_containing(home.path(), token).is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// JSON and YAML

#[test]
fn jq_and_pyyaml_read_the_json_and_yaml_exports() {
    let Some(r) = Readers::find() else { return };
    let Some(s) = Session::start() else { return };
    // Values that YAML 1.1 readers turn into booleans, dates and numbers when left unquoted.
    s.save("on", "repository-token", "acme/website", "sqai", demo::SQAI_READY, &["--description", "yes\n2026-12-31\n0o17 ~ null: [x]", "--expires", "2099-12-31"]);
    s.save(NAME_EVERYTHING, "api-token", "acme", "autoheal", demo::API_TOKEN_AUTOHEAL, &["--email", demo::ADMIN_EMAIL, "--description", DESCRIPTION_MULTILINE]);
    for name in ["on", NAME_EVERYTHING] {
        let c = record(&s, name);
        let stem = bitbucket_setup_core::export::file_stem(name);
        s.ok(&["export", name, "-f", "yaml", "-o", &format!("{stem}.yaml")], "");
        s.ok(&["export", name, "-f", "json", "-o", &format!("{stem}.json")], "");
        let script = "import json, sys, yaml\n\
            y = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n\
            j = json.load(open(sys.argv[2], encoding='utf-8'))\n\
            assert y['metadata'].pop('exported_at') and j['metadata'].pop('exported_at')\n\
            assert y == j, (y, j)\n\
            print(json.dumps(y['connection']))";
        let conn: serde_json::Value = serde_json::from_str(&ok(r.python(script, &[&format!("{stem}.yaml"), &format!("{stem}.json")], s.work.path(), &[]), "PyYAML")).unwrap();
        for key in ["name", "description", "workspace", "repository", "email", "expires"] {
            assert_eq!(conn[key], c[key], "{name}: {key}");
        }
        let jq = Command::new("jq").args(["-r", ".connection.name, .token"]).arg(format!("{stem}.json")).current_dir(s.work.path()).output().unwrap();
        assert_eq!(ok(jq, "jq"), format!("{name}\nkeychain:bitbucket-setup:{}\n", c["id"].as_str().unwrap()));
    }
}

// ---------------------------------------------------------------------------------------------
// n8n

/// Imports `file` into a fresh n8n and exports every credential back, decrypted.
fn through_n8n(r: &Readers, dir: &Path, file: &Path) -> serde_json::Value {
    let folder = dir.join("n8n-user");
    ok(r.n8n(&folder, &["import:credentials", &format!("--input={}", file.display())]), "n8n import:credentials");
    let out = dir.join("n8n-export.json");
    ok(r.n8n(&folder, &["export:credentials", "--all", "--decrypted", &format!("--output={}", out.display())]), "n8n export:credentials");
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

#[test]
fn n8n_imports_our_credential_and_we_import_what_n8n_exports() {
    let Some(r) = Readers::find() else { return };
    let Some(s) = Session::start() else { return };
    add_tokens(&s);
    s.save(NAME_EVERYTHING, "api-token", "acme", "n8n", N8N_API_TOKEN, &["--email", demo::ADMIN_EMAIL]);
    s.ok(&["export", NAME_EVERYTHING, "-f", "n8n", "-o", "ours.n8n.json", "--include-secret"], "");
    let ours: serde_json::Value = serde_json::from_slice(&std::fs::read(s.path("ours.n8n.json")).unwrap()).unwrap();
    let ours = ours.as_array().expect("an array, as n8n import:credentials wants").clone();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["type"], "bitbucketAccessTokenApi");
    assert_eq!(ours[0]["data"], serde_json::json!({"email": demo::ADMIN_EMAIL, "accessToken": N8N_API_TOKEN}));

    let back = through_n8n(&r, s.work.path(), &s.path("ours.n8n.json"));
    let entry = back.as_array().unwrap().iter().find(|e| e["id"] == ours[0]["id"]).expect("n8n gives our credential back, same id");
    for key in ["id", "name", "type", "data"] {
        assert_eq!(entry[key], ours[0][key], "n8n changed {key}");
    }

    // What n8n exported goes back into the app (n8n keeps no workspace: it is given).
    let import = s.run(&["import", "n8n-export.json", "--workspace", "acme", "--name", "From n8n"], "");
    ok(import, "bitbucket-setup import of n8n's export");
    let c = record(&s, "From n8n");
    assert_eq!(c["kind"], "api_token");
    assert_eq!(c["email"], demo::ADMIN_EMAIL);
    assert_eq!(s.token_of("From n8n"), N8N_API_TOKEN);

    // n8n's app-password credential: explained, and led to the replacement.
    let old = serde_json::json!([{"id": "AppPasswordCred1", "name": "old Bitbucket", "type": "bitbucketApi", "data": {"username": demo::APP_PASSWORD_USERNAME, "appPassword": demo::APP_PASSWORD}}]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.json"), old.to_string()).unwrap();
    through_n8n(&r, dir.path(), &dir.path().join("old.json"));
    let export = dir.path().join("n8n-export.json");
    let out = s.run(&["import", export.to_str().unwrap(), "--workspace", "acme"], "");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("App passwords stopped working on 2026-07-28") && err.contains("Bitbucket Access Token API"), "{err}");
    assert!(!err.contains(demo::APP_PASSWORD), "the message never repeats the secret");
}
