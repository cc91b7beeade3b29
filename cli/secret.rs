//! Where the command line gets a token: `BITBUCKET_TOKEN`, a hidden terminal prompt, or standard
//! input; never an argument, so it cannot show up in `ps` or shell history.

use std::io::{IsTerminal, Read, Write};

use zeroize::Zeroizing;

use super::Failure;
use bitbucket_cloud::credential::{self, Pasted};

/// `BITBUCKET_TOKEN`, when it is set and not empty.
pub fn from_env() -> Option<Zeroizing<String>> {
    std::env::var("BITBUCKET_TOKEN").ok().filter(|v| !v.is_empty()).map(Zeroizing::new)
}

/// Reads the token from `BITBUCKET_TOKEN`, a terminal prompt, or standard input, and says what
/// it looks like.
pub fn read(prompt: &str) -> Result<Pasted, Failure> {
    let raw = match from_env() {
        Some(v) => v,
        _ if std::io::stdin().is_terminal() => {
            let _ = std::io::stderr().flush();
            Zeroizing::new(rpassword::prompt_password(prompt).map_err(|_| Failure::input("Could not read the token from the terminal."))?)
        }
        _ => {
            let mut bytes = Zeroizing::new(Vec::new());
            std::io::stdin()
                .take((credential::MAX_SECRET_LEN * 4) as u64)
                .read_to_end(&mut bytes)
                .map_err(|_| Failure::input("Could not read the token from standard input."))?;
            Zeroizing::new(String::from_utf8(bytes.to_vec()).map_err(|_| Failure::input("The token on standard input is not text."))?)
        }
    };
    classify(&raw)
}

/// What a token looks like, or why it cannot be one.
pub fn classify(raw: &str) -> Result<Pasted, Failure> {
    credential::classify(raw).map_err(Failure::invalid)
}
