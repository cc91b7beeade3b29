//! What the app remembers of an export file it wrote ([`WrittenExport`]), so that a replaced
//! token can be written into it again: made here once, for the command line's `export` and the
//! window's "Save file" alike ([`crate::manage::write_export`]).

use std::path::{Path, PathBuf};

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::export::ExportOptions;
use crate::store::connections::WrittenExport;

/// SHA-256 of `bytes`, in lower-case hex: how the app tells later whether a file still holds
/// exactly what it wrote. Not the token: a digest cannot be turned back into what it was made
/// from, and a token is far too long (and random) to be found by hashing guesses.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `path` made absolute from the current folder, without resolving links: the record names the
/// path the user chose, which the re-delivery finds again from any folder.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The record of `bytes` written at `path` in `format` (its name, e.g. `env`).
pub fn written(
    path: &Path,
    format: &str,
    include_secret: bool,
    options: &ExportOptions,
    bytes: &[u8],
) -> WrittenExport {
    WrittenExport {
        path: absolute(path),
        format: format.to_string(),
        include_secret,
        options: options.clone(),
        sha256: sha256_hex(bytes),
        at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_in_hex() {
        // The published test vector of SHA-256 for "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(sha256_hex(b"abc\n"), sha256_hex(b"abc"));
    }

    #[test]
    fn a_relative_path_is_recorded_from_the_current_folder() {
        let w = written(Path::new("acme.env"), "env", false, &ExportOptions::default(), b"x");
        assert!(w.path.is_absolute(), "{}", w.path.display());
        assert_eq!(w.path, std::env::current_dir().unwrap().join("acme.env"));
        assert_eq!(w.sha256, sha256_hex(b"x"));
    }
}
