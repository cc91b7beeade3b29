//! The command lines the user is told to type, in the words of their own shell: POSIX sh on
//! Linux and macOS, PowerShell on Windows (Windows' own terminal opens it; cmd cannot take the
//! token from a command's output in one line at all). Every line a message, an export or the
//! window shows is built here, so none tells a Windows user `BITBUCKET_TOKEN=$(…)`.
//!
//! Everything is a pure function of the shell (and, for how a line names this program, of the
//! program's path and `PATH`), so a test on Linux can produce and check the Windows forms.
//! [`Program::current`] and [`Shell::current`] are the only places that read the running system.

use crate::platform::Os;

/// The program's name on the PATH (the Linux package installs `/usr/bin/bitbucket-setup`).
pub const PROGRAM: &str = "bitbucket-setup";
/// The variable scripts keep the token, or an export's reference to it, in.
pub const TOKEN_VAR: &str = "BITBUCKET_TOKEN";

/// A shell a user types command lines into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// sh, bash, zsh: Linux and macOS.
    Posix,
    /// PowerShell (Windows PowerShell 5.1 and PowerShell 7): Windows.
    PowerShell,
}

/// The characters a word may consist of and still be typed without quotes in both shells.
fn plain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/._:+-".contains(c)
}

/// The single quotes PowerShell ends a single-quoted string on: `'` and the typographic ones
/// (U+2018 ‘, U+2019 ’, U+201A ‚, U+201B ‛).
fn powershell_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}')
}

impl Shell {
    pub const ALL: [Shell; 2] = [Shell::Posix, Shell::PowerShell];

    /// The shell a user of `os` types into.
    pub const fn of(os: Os) -> Shell {
        match os {
            Os::Windows => Shell::PowerShell,
            Os::Linux | Os::MacOs => Shell::Posix,
        }
    }

    /// This system's shell.
    pub const fn current() -> Shell {
        Shell::of(Os::current())
    }

    /// Whether `word` is one argument, exactly itself, without quotes.
    fn is_plain(self, word: &str) -> bool {
        let Some(first) = word.chars().next() else { return false };
        if !word.chars().all(plain_char) {
            return false;
        }
        match self {
            Shell::Posix => true,
            // A word starting with a digit may be read as a number (`1e3`, `0x10`, `1kb`), and
            // `-a.b` or `-a:b` is split in two on the way to a program by Windows PowerShell:
            // PowerShell takes a word bare only when it starts with a letter, or is a plain flag.
            Shell::PowerShell => first.is_ascii_alphabetic() || (first == '-' && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
        }
    }

    /// `word` as one argument of a command line: bare when that is safe, else single-quoted.
    pub fn quote(self, word: &str) -> String {
        if self.is_plain(word) {
            word.to_string()
        } else {
            self.quote_always(word)
        }
    }

    /// `word` single-quoted, even when it would be safe bare. Nothing inside single quotes is
    /// expanded in either shell: sh ends them on `'` only (written `'\''`: end, an escaped
    /// quote, start again); PowerShell ends them on any of its five single quotes, each written
    /// twice to stand for itself.
    pub fn quote_always(self, word: &str) -> String {
        let mut out = String::with_capacity(word.len() + 2);
        out.push('\'');
        for c in word.chars() {
            match self {
                Shell::Posix if c == '\'' => out.push_str(r"'\''"),
                Shell::PowerShell if powershell_single_quote(c) => {
                    out.push(c);
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    /// `words` quoted and joined with spaces: one command line. An empty last word (git's empty
    /// `helper` value) goes to PowerShell after `--%`: Windows PowerShell 5.1 drops a `''`
    /// argument on its way to a program, while after `--%` (stop parsing) the rest of the line
    /// reaches the program as typed, and `""` is one empty argument there in every PowerShell.
    pub fn line(self, words: &[&str]) -> String {
        let mut out: Vec<String> = words.iter().map(|w| self.quote(w)).collect();
        if matches!(self, Shell::PowerShell) && words.last() == Some(&"") {
            if let Some(last) = out.last_mut() {
                *last = "--% \"\"".to_string();
            }
        }
        out.join(" ")
    }

    /// The environment variable `name` in running text: `$NAME`, `$env:NAME`.
    pub fn var(self, name: &str) -> String {
        match self {
            Shell::Posix => format!("${name}"),
            Shell::PowerShell => format!("$env:{name}"),
        }
    }

    /// The environment variable `name` as one argument, whatever its value holds:
    /// `"$NAME"`, `$env:NAME` (PowerShell never splits a variable's value).
    pub fn var_arg(self, name: &str) -> String {
        match self {
            Shell::Posix => format!("\"${name}\""),
            Shell::PowerShell => format!("$env:{name}"),
        }
    }

    /// Sets the environment variable `name` to what `command` prints:
    /// `NAME=$(command)`, `$env:NAME = command`.
    pub fn set_to_output(self, name: &str, command: &str) -> String {
        match self {
            Shell::Posix => format!("{name}=$({command})"),
            Shell::PowerShell => format!("$env:{name} = {command}"),
        }
    }

    /// What `command` prints, as one argument of another command: `"$(command)"`, `(command)`.
    pub fn output_arg(self, command: &str) -> String {
        match self {
            Shell::Posix => format!("\"$({command})\""),
            Shell::PowerShell => format!("({command})"),
        }
    }

    /// curl as this shell names it: in Windows PowerShell `curl` is Invoke-WebRequest, and
    /// Windows' own curl is `curl.exe`.
    pub const fn curl(self) -> &'static str {
        match self {
            Shell::Posix => "curl",
            Shell::PowerShell => "curl.exe",
        }
    }
}

/// How a command line in one shell starts this program: `bitbucket-setup` where that name
/// finds it, else its full path in PowerShell's call form, `& 'C:\…\bitbucket-setup.exe'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    shell: Shell,
    call: String,
}

/// A Windows path as Windows compares them: one separator, no trailing one, no quotes, any case.
fn windows_key(path: &str) -> String {
    path.trim().trim_matches('"').replace('/', "\\").trim_end_matches('\\').to_lowercase()
}

impl Program {
    /// The program by its name alone: what the Linux and macOS lines say.
    pub fn named(shell: Shell) -> Program {
        Program { shell, call: PROGRAM.to_string() }
    }

    /// How a `shell` line starts the program at `exe`, given the `PATH` value and which files
    /// exist. POSIX: by name (the packages put it on the PATH). PowerShell: the Windows
    /// installer puts it in `%LOCALAPPDATA%\Programs\Bitbucket Setup Assistant`, not on the
    /// PATH, so by name only when the first `bitbucket-setup.exe` the PATH's folders hold is
    /// this very file; otherwise by its full path.
    pub fn resolve(shell: Shell, exe: &str, path_var: Option<&str>, is_file: impl Fn(&str) -> bool) -> Program {
        if shell == Shell::Posix || exe.trim().is_empty() {
            return Program::named(shell);
        }
        let file = format!("{PROGRAM}.exe");
        let first_on_path = path_var
            .unwrap_or_default()
            .split(';')
            .map(|d| d.trim().trim_matches('"').trim_end_matches(['\\', '/']))
            .filter(|d| !d.is_empty())
            .map(|d| format!("{d}\\{file}"))
            .find(|candidate| is_file(candidate));
        if first_on_path.is_some_and(|found| windows_key(&found) == windows_key(exe)) {
            return Program::named(shell);
        }
        Program { shell, call: format!("& {}", shell.quote_always(exe)) }
    }

    /// The command line, as this system's shell starts it (also when the window asks).
    pub fn current() -> Program {
        let exe = crate::exe::command_line().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let path = std::env::var("PATH").ok();
        Program::resolve(Shell::current(), &exe, path.as_deref(), |p| std::path::Path::new(p).is_file())
    }

    pub fn shell(&self) -> Shell {
        self.shell
    }

    /// The same program with `/` for every `\` in its path: PowerShell takes either in a path,
    /// and a `.env` value cannot hold a `\` that bash, python-dotenv, Node's dotenv and docker
    /// compose all read the same. Nothing changes for a program called by its name.
    pub fn with_forward_slashes(&self) -> Program {
        Program { shell: self.shell, call: self.call.replace('\\', "/") }
    }

    /// The program with `args` (each quoted as needed): `bitbucket-setup token acme-web`.
    pub fn command(&self, args: &[&str]) -> String {
        let mut out = self.call.clone();
        for a in args {
            out.push(' ');
            out.push_str(&self.shell.quote(a));
        }
        out
    }

    /// The command that prints the token of `connection` (a name, an id or a reference).
    pub fn token(&self, connection: &str) -> String {
        self.command(&["token", connection])
    }

    /// Sets `BITBUCKET_TOKEN` to the token of `connection`:
    /// `BITBUCKET_TOKEN=$(bitbucket-setup token acme-web)`,
    /// `$env:BITBUCKET_TOKEN = bitbucket-setup token acme-web`.
    pub fn set_token(&self, connection: &str) -> String {
        self.shell.set_to_output(TOKEN_VAR, &self.token(connection))
    }

    /// After an export's `.env` is read, `BITBUCKET_TOKEN` holds a reference: this turns it into
    /// the token. `BITBUCKET_TOKEN=$(bitbucket-setup token "$BITBUCKET_TOKEN")`,
    /// `$env:BITBUCKET_TOKEN = bitbucket-setup token $env:BITBUCKET_TOKEN`.
    pub fn set_token_from_reference(&self) -> String {
        let command = format!("{} token {}", self.call, self.shell.var_arg(TOKEN_VAR));
        self.shell.set_to_output(TOKEN_VAR, &command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values a connection name, a path or a reference might hold, the hostile ones included.
    const HOSTILE: [&str; 22] = [
        "acme-web",
        "Acme Web",
        "",
        " ",
        "it's",
        "''",
        "'\\''",
        "$HOME",
        "${HOME}",
        "$(touch pwned)",
        "`touch pwned`",
        "\"quoted\"",
        "a;b && c || d | e & f",
        "back\\slash\\",
        "‘curly’ ‚low‛ ’’",
        "it’s $env:PATH",
        "new\nline\ttab",
        "*.txt ?x [ab] ~user #hash",
        "(paren) {brace} <in >out",
        "@splat, comma % 100",
        "-x.y:z",
        "1e3",
    ];

    #[test]
    fn plain_words_stay_bare_in_both_shells() {
        for shell in Shell::ALL {
            for w in ["acme-web", "credential.https://bitbucket.org.helper", "credential.http://127.0.0.1:8080.useHttpPath", "true", "--global", "token"] {
                assert_eq!(shell.quote(w), w, "{shell:?}");
            }
        }
        // The same characters that are safe in sh are not all safe at the start of a
        // PowerShell word.
        assert_eq!(Shell::Posix.quote("8a0f1d3e-4c55"), "8a0f1d3e-4c55");
        assert_eq!(Shell::PowerShell.quote("8a0f1d3e-4c55"), "'8a0f1d3e-4c55'");
        assert_eq!(Shell::PowerShell.quote("-x.y"), "'-x.y'");
        assert_eq!(Shell::Posix.quote(""), "''");
        assert_eq!(Shell::PowerShell.quote(""), "''");
    }

    #[test]
    fn posix_quoting_examples() {
        assert_eq!(Shell::Posix.quote("Acme Web"), "'Acme Web'");
        assert_eq!(Shell::Posix.quote("it's"), r"'it'\''s'");
        assert_eq!(Shell::Posix.quote("$(x)"), "'$(x)'");
        assert_eq!(Shell::Posix.quote("‘’"), "'‘’'", "typographic quotes mean nothing to sh");
    }

    #[test]
    fn powershell_quoting_examples() {
        assert_eq!(Shell::PowerShell.quote("Acme Web"), "'Acme Web'");
        assert_eq!(Shell::PowerShell.quote("it's"), "'it''s'");
        assert_eq!(Shell::PowerShell.quote("it’s"), "'it’’s'");
        assert_eq!(Shell::PowerShell.quote("‘‚‛"), "'‘‘‚‚‛‛'");
        assert_eq!(Shell::PowerShell.quote("$env:X `n \"y\""), "'$env:X `n \"y\"'");
        assert_eq!(Shell::PowerShell.quote(r"C:\Program Files\x"), r"'C:\Program Files\x'");
    }

    /// sh itself reads each quoted value back: `printf '%s\n' QUOTED` must print the value.
    #[cfg(unix)]
    #[test]
    fn sh_reads_every_quoted_value_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for value in HOSTILE {
            let line = format!("printf '%s\\n' {}", Shell::Posix.quote(value));
            let out = std::process::Command::new("sh").arg("-c").arg(&line).current_dir(dir.path()).output().expect("sh");
            assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{value}\n"), "{line}");
        }
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "a quoted value ran a command");
    }

    /// sh runs the token lines: a stand-in `bitbucket-setup` on the PATH prints what it was
    /// given, and the variable must end up holding exactly that.
    #[cfg(unix)]
    #[test]
    fn sh_runs_the_token_lines() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let stub = dir.path().join(PROGRAM);
        std::fs::write(&stub, "#!/bin/sh\nprintf 'args'\nfor a in \"$@\"; do printf '|%s' \"$a\"; done\nprintf '\\n'\n").unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
        let program = Program::named(Shell::Posix);
        let sh = |script: &str| {
            let out = std::process::Command::new("sh").arg("-c").arg(script).env("PATH", &path).current_dir(dir.path()).output().expect("sh");
            assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        for name in HOSTILE {
            let line = program.set_token(name);
            assert_eq!(sh(&format!("{line}; printf %s \"$BITBUCKET_TOKEN\"")), format!("args|token|{name}"), "{line}");
            let reference = format!("BITBUCKET_TOKEN={}; {}; printf %s \"$BITBUCKET_TOKEN\"", Shell::Posix.quote(name), program.set_token_from_reference());
            assert_eq!(sh(&reference), format!("args|token|{name}"), "{reference}");
        }
        // The netrc hint's form: the output as one argument.
        let line = format!("printf '<%s>' {}", Shell::Posix.output_arg(&program.token("Acme Web")));
        assert_eq!(sh(&line), "<args|token|Acme Web>");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the stand-in is there: nothing ran");
    }

    /// PowerShell cannot be installed here: Debian has no package, npm's `pwsh` downloads it
    /// from GitHub at install time, and the npm/PyPI tree-sitter grammars are not PowerShell's
    /// own parser. So the PowerShell forms are checked against the language rules Microsoft
    /// documents in about_Quoting_Rules
    /// (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules):
    /// "A string enclosed in single quotation marks is a verbatim string ... No substitution is
    /// performed"; "To include a single quotation mark in a single-quoted string, use a second
    /// consecutive single quote"; and "PowerShell treats smart quotation marks, also called
    /// typographic or curly quotes, as normal quotation marks for strings" (the tokenizer's
    /// single quotes: ' U+2018 U+2019 U+201A U+201B).
    ///
    /// This reader follows only those rules: it reads one single-quoted string at the start of
    /// `text` and returns its value and the rest.
    fn read_powershell_verbatim(text: &str) -> Option<(String, &str)> {
        let mut chars = text.char_indices().peekable();
        let (_, open) = chars.next()?;
        if !powershell_single_quote(open) {
            return None;
        }
        let mut value = String::new();
        while let Some((i, c)) = chars.next() {
            if powershell_single_quote(c) {
                match chars.peek() {
                    Some(&(_, next)) if powershell_single_quote(next) => {
                        value.push(next);
                        chars.next();
                    }
                    _ => return Some((value, &text[i + c.len_utf8()..])),
                }
            } else {
                value.push(c);
            }
        }
        None
    }

    /// about_Parsing's argument mode: these characters start or end something (a variable,
    /// a subexpression, a string, a splat, an array, a redirection, a comment, a new statement,
    /// an escape) and never appear in a word PowerShell takes bare here.
    const POWERSHELL_SPECIAL: &str = " \t\n\r'\"`$@(){}[];,|&<>#%*?~=!\\";

    #[test]
    fn powershell_reads_every_quoted_value_back_exactly_by_its_documented_rules() {
        for value in HOSTILE {
            let quoted = Shell::PowerShell.quote(value);
            if quoted == value {
                assert!(!value.is_empty() && value.chars().all(|c| !POWERSHELL_SPECIAL.contains(c) && !powershell_single_quote(c)), "{value:?} left bare");
                assert!(value.starts_with(|c: char| c.is_ascii_alphabetic()), "{value:?} left bare");
                continue;
            }
            let (read, rest) = read_powershell_verbatim(&quoted).unwrap_or_else(|| panic!("{quoted} is not one verbatim string"));
            assert_eq!(read, value, "{quoted}");
            assert_eq!(rest, "", "{quoted}: the string ends before the word does");
        }
        // The call form of a path is one verbatim string after `& `.
        let p = Program::resolve(Shell::PowerShell, r"C:\Users\O’Brien\bitbucket-setup.exe", None, |_| false);
        let rest = p.call.strip_prefix("& ").expect("the call operator");
        assert_eq!(read_powershell_verbatim(rest), Some((r"C:\Users\O’Brien\bitbucket-setup.exe".to_string(), "")));
    }

    #[test]
    fn the_token_lines_in_each_shell() {
        let posix = Program::named(Shell::Posix);
        assert_eq!(posix.set_token("acme-web"), "BITBUCKET_TOKEN=$(bitbucket-setup token acme-web)");
        assert_eq!(posix.set_token_from_reference(), "BITBUCKET_TOKEN=$(bitbucket-setup token \"$BITBUCKET_TOKEN\")");
        assert_eq!(posix.set_token("Acme Web"), "BITBUCKET_TOKEN=$(bitbucket-setup token 'Acme Web')");
        let ps = Program::named(Shell::PowerShell);
        assert_eq!(ps.set_token("acme-web"), "$env:BITBUCKET_TOKEN = bitbucket-setup token acme-web");
        assert_eq!(ps.set_token_from_reference(), "$env:BITBUCKET_TOKEN = bitbucket-setup token $env:BITBUCKET_TOKEN");
        assert_eq!(ps.set_token("it's $x"), "$env:BITBUCKET_TOKEN = bitbucket-setup token 'it''s $x'");
        let installed = r"C:\Users\Ann\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe";
        let ps = Program::resolve(Shell::PowerShell, installed, Some(r"C:\Windows\system32;C:\Windows"), |_| false);
        assert_eq!(ps.set_token("acme-web"), format!("$env:BITBUCKET_TOKEN = & '{installed}' token acme-web"));
        assert_eq!(ps.set_token_from_reference(), format!("$env:BITBUCKET_TOKEN = & '{installed}' token $env:BITBUCKET_TOKEN"));
        assert_eq!(Shell::PowerShell.output_arg(&ps.token("x")), format!("(& '{installed}' token x)"));
        assert_eq!(ps.with_forward_slashes().token("x"), format!("& '{}' token x", installed.replace('\\', "/")));
        assert_eq!(Program::named(Shell::Posix).with_forward_slashes(), Program::named(Shell::Posix));
        assert_eq!(Shell::Posix.var("BITBUCKET_EMAIL"), "$BITBUCKET_EMAIL");
        assert_eq!(Shell::PowerShell.var("BITBUCKET_EMAIL"), "$env:BITBUCKET_EMAIL");
    }

    #[test]
    fn windows_names_the_program_only_when_the_path_finds_this_very_file() {
        let exe = r"C:\Users\Ann\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe";
        let folder = r"C:\Users\Ann\AppData\Local\Programs\Bitbucket Setup Assistant";
        let full = format!("& '{exe}'");
        let files = |list: &'static [&'static str]| move |p: &str| list.iter().any(|f| windows_key(f) == windows_key(p));
        let here: &'static [&'static str] = &[r"C:\Users\Ann\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe"];
        // Not on the PATH (the installer's default): the full path.
        let p = Program::resolve(Shell::PowerShell, exe, Some(r"C:\Windows\system32;C:\Windows"), files(here));
        assert_eq!(p.call, full);
        assert_eq!(Program::resolve(Shell::PowerShell, exe, None, files(here)).call, full);
        // Its folder on the PATH, written in another case, with a trailing separator or quotes.
        for path in [
            format!(r"C:\Windows;{folder}"),
            format!(r"C:\Windows;{}\", folder.to_uppercase()),
            format!("C:\\Windows;\"{folder}\";"),
            format!(r"C:\Windows;{}", folder.replace('\\', "/")),
        ] {
            assert_eq!(Program::resolve(Shell::PowerShell, exe, Some(&path), files(here)).call, PROGRAM, "{path}");
        }
        // Another bitbucket-setup.exe comes first on the PATH: the name would run that one.
        let two: &'static [&'static str] = &[r"C:\Tools\bitbucket-setup.exe", r"C:\Users\Ann\AppData\Local\Programs\Bitbucket Setup Assistant\bitbucket-setup.exe"];
        let p = Program::resolve(Shell::PowerShell, exe, Some(&format!(r"C:\Tools;{folder}")), files(two));
        assert_eq!(p.call, full);
        // The folder is on the PATH but the file there is not this program's path: full path.
        let other: &'static [&'static str] = &[r"C:\Tools\bitbucket-setup.exe"];
        assert_eq!(Program::resolve(Shell::PowerShell, exe, Some(r"C:\Tools"), files(other)).call, full);
        // POSIX: the name, as the packages put it on the PATH.
        assert_eq!(Program::resolve(Shell::Posix, "/opt/x/bitbucket-setup", Some("/usr/bin"), |_| false).call, PROGRAM);
        // A path with a quote in it stays one argument.
        let odd = r"C:\Users\O'Brien\bitbucket-setup.exe";
        assert_eq!(Program::resolve(Shell::PowerShell, odd, None, |_| false).token("acme-web"), r"& 'C:\Users\O''Brien\bitbucket-setup.exe' token acme-web");
    }

    #[test]
    fn each_system_gets_its_shell() {
        assert_eq!(Shell::of(Os::Windows), Shell::PowerShell);
        assert_eq!(Shell::of(Os::Linux), Shell::Posix);
        assert_eq!(Shell::of(Os::MacOs), Shell::Posix);
        assert_eq!(Shell::current(), Shell::of(Os::current()));
        assert_eq!(Program::current().shell(), Shell::current());
    }
}
