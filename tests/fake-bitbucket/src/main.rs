//! `fake-bitbucket [--port N] [--quiet] [--behaviour WORLD] [--replay FILE] [--live-env]`:
//! serves the demo world of the fake Bitbucket Cloud on 127.0.0.1 (or a recorded transcript),
//! prints its base URL and the demo tokens (all fake), and runs until Ctrl-C or until standard
//! input reaches its end (when standard input is a terminal, pipe or socket; an input of
//! /dev/null or a file is ignored, so `fake-bitbucket &` in a script keeps running).

use std::io::Write;
use std::time::Duration;

use fake_bitbucket::transcript::{LiveKind, Transcript};
use fake_bitbucket::{demo, replay, Behaviour, FakeBitbucket};

const USAGE: &str = "usage: fake-bitbucket [--port N] [--quiet] [--behaviour WORLD] [--replay FILE] [--live-env]

Serves a FAKE Bitbucket Cloud REST API (base URL http://127.0.0.1:PORT/2.0) with the demo
world: workspaces acme and other-co, four repositories and one credential of every kind.
  --port N           listen on port N (default: any free port)
  --quiet            print only the base URL, and no request log
  --behaviour WORLD  behave as one plausible Bitbucket: default, strictest, or key=value pairs
                     such as workspace=403,platform-scopes=hidden (docs/bitbucket-behaviour.md)
  --replay FILE      answer from a live transcript (scripts/live-check.sh) instead of the demo
                     world; prints the replay's tokens
  --live-env         print BITBUCKET_LIVE_* lines that point the live suite at this server
Stops on Ctrl-C, or at the end of standard input.";

fn main() {
    let mut port: u16 = 0;
    let mut quiet = false;
    let mut behaviour = Behaviour::default();
    let mut replay_file: Option<String> = None;
    let mut live_env = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quiet" | "-q" => quiet = true,
            "--live-env" => live_env = true,
            "--behaviour" | "--behavior" => match args.next().map(|v| v.parse::<Behaviour>()) {
                Some(Ok(b)) => behaviour = b,
                Some(Err(e)) => exit_usage(&format!("--behaviour: {e}")),
                None => exit_usage("--behaviour needs a world"),
            },
            "--replay" => match args.next() {
                Some(f) => replay_file = Some(f),
                None => exit_usage("--replay needs a transcript file"),
            },
            "--port" | "-p" => match args.next().and_then(|v| v.parse().ok()) {
                Some(p) => port = p,
                None => exit_usage("--port needs a number from 0 to 65535"),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return;
            }
            other => match other.strip_prefix("--port=").map(str::parse) {
                Some(Ok(p)) => port = p,
                _ => exit_usage(&format!("unknown argument {other:?}")),
            },
        }
    }

    let fake = match FakeBitbucket::start_in_background_on(port) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fake-bitbucket: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    fake.seed_demo();
    fake.set_behaviour(behaviour);
    fake.set_verbose(!quiet);
    let replaying = match &replay_file {
        Some(path) => match std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| Transcript::from_json(&t)) {
            Ok(t) => {
                fake.replay(t);
                true
            }
            Err(e) => {
                eprintln!("fake-bitbucket: cannot replay {path}: {e}");
                std::process::exit(1);
            }
        },
        None => false,
    };

    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", fake.base_url());
    if live_env {
        for (k, v) in fake_bitbucket::live::demo_env(&fake.base_url()) {
            let _ = writeln!(out, "{k}={v}");
        }
    }
    if replaying && !quiet {
        let _ = writeln!(out);
        let _ = writeln!(out, "Replaying a recorded Bitbucket. Workspace {}, repository {}.", fake_bitbucket::transcript::WORKSPACE, fake_bitbucket::transcript::REPOSITORY);
        let _ = writeln!(out, "These tokens are FAKE and work only against this server:");
        for kind in [LiveKind::RepositoryToken, LiveKind::ProjectToken, LiveKind::WorkspaceToken, LiveKind::ApiToken, LiveKind::UnscopedApiToken] {
            let _ = writeln!(out, "  {:<20} {}", kind.name(), replay::secret(kind));
        }
        let _ = writeln!(out, "API tokens go as Basic {}:TOKEN; access tokens as Bearer.", replay::EMAIL);
    } else if !quiet && !live_env {
        let _ = writeln!(out);
        let _ = writeln!(out, "Fake Bitbucket Cloud (REST API 2.0) for tests and offline demos.");
        let _ = writeln!(out, "Workspaces: acme (Acme Corp), other-co (Other Co).");
        let _ = writeln!(
            out,
            "Repositories: acme/website (private, main), acme/public-docs (public, master), \
             acme/mobile-app (private, develop), other-co/secret (private)."
        );
        let _ = writeln!(out, "These tokens are FAKE and work only against this server:");
        for (name, label, secret) in demo::ALL {
            let _ = writeln!(out, "  {name:<20} {label}\n  {:<20} {secret}", "");
        }
        let _ = writeln!(
            out,
            "API tokens go as Basic EMAIL:TOKEN ({} or {}); access tokens as Bearer.",
            demo::ADMIN_EMAIL,
            demo::READER_EMAIL
        );
        let _ = writeln!(out, "Stop with Ctrl-C (or end standard input).");
    }
    let _ = out.flush();
    drop(out);

    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fake-bitbucket: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(async {
        let stdin_eof = async {
            if watch_stdin() {
                use tokio::io::AsyncReadExt;
                let mut stdin = tokio::io::stdin();
                let mut buf = [0u8; 1024];
                loop {
                    match stdin.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = stdin_eof => {},
        }
    });
    drop(fake);
    // let the server thread wind down
    std::thread::sleep(Duration::from_millis(50));
}

fn exit_usage(msg: &str) -> ! {
    eprintln!("fake-bitbucket: {msg}\n\n{USAGE}");
    std::process::exit(2);
}

/// Whether the end of standard input should stop the server: yes for a terminal, a pipe or a
/// socket; no for /dev/null or a regular file (as in `fake-bitbucket &` from a script).
fn watch_stdin() -> bool {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        match std::fs::metadata("/dev/stdin") {
            Ok(m) => {
                let t = m.file_type();
                t.is_fifo() || t.is_socket()
            }
            Err(_) => false,
        }
    }
    #[cfg(not(unix))]
    {
        false
    }
}
