//! Quoting for the text formats: .env, HTML, netrc, comments, and the sheet layout.

/// Text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value for a `.env` line that bash (`set -a; . FILE`), python-dotenv, Node's dotenv and
/// docker compose's `env_file` all read back as exactly `s`, or why there is none.
///
/// The only forms all four agree on are the text verbatim inside single quotes, or verbatim
/// inside double quotes; no escape means the same thing to all of them. So: single quotes
/// when `s` has no `'` (but python-dotenv turns `\\` into `\` and a final `\` escapes the
/// quote), double quotes when it has (but then `"`, `$`, backquotes and `\` mean something
/// to one reader or another). `${` is expanded by python-dotenv even inside single quotes,
/// and a carriage return becomes a different line break in different readers.
pub fn dotenv_value(s: &str) -> Result<String, &'static str> {
    if s.contains('\0') {
        return Err("it contains a NUL character, which no reader keeps");
    }
    if s.contains('\r') {
        return Err("it contains a carriage return, which the readers turn into different line breaks");
    }
    if s.contains("${") {
        return Err("it contains \"${\", which python-dotenv expands even inside quotes");
    }
    if !s.contains('\'') {
        if s.contains("\\\\") || s.ends_with('\\') {
            return Err("it has a double or final backslash, which python-dotenv reads as an escape even inside single quotes");
        }
        return Ok(format!("'{s}'"));
    }
    if s.contains(['"', '$', '`', '\\']) {
        return Err("it contains both a single quote and one of \" $ ` \\, which no quoting keeps the same in every reader");
    }
    Ok(format!("\"{s}\""))
}

/// A netrc word that Python's netrc (3.8 to 3.13), curl and git's netrc support all read as
/// exactly `s`, or why there is none: printable ASCII without spaces or backslashes, not
/// starting with `"` or `#`. (Quoting is read differently by each, so none is written.)
pub fn netrc_word(s: &str) -> Result<&str, &'static str> {
    if s.is_empty() {
        return Err("it is empty");
    }
    if !s.chars().all(|c| ('!'..='~').contains(&c) && c != '\\') {
        return Err("it contains a space, a backslash or a character outside plain ASCII, which netrc readers split or change");
    }
    if s.starts_with(['"', '#']) {
        return Err("it starts with \" or #, which netrc readers take as a quote or a comment");
    }
    Ok(s)
}

/// A comment block: every line of `text` prefixed with `# ` (empty lines with `#`). Control
/// and bidirectional characters inside a line are written as visible escapes, so no text from
/// outside can end the comment or hide what it says.
pub fn comment_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(&crate::safe_text::visible(line));
            out.push('\n');
        }
    }
    if text.ends_with('\n') {
        out.truncate(out.len() - 2);
    }
    out
}

/// `value` on the following lines, each indented by `indent` spaces (multi-line values keep
/// their line breaks).
pub fn indented(value: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    if value.is_empty() {
        out.push_str(&pad);
        out.push_str("(empty)\n");
        return out;
    }
    for line in value.split('\n') {
        out.push_str(&pad);
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_values_every_reader_agrees_on() {
        assert_eq!(dotenv_value("plain value").unwrap(), "'plain value'");
        assert_eq!(dotenv_value("O'Brien").unwrap(), "\"O'Brien\"");
        assert_eq!(dotenv_value("say \"hi\"").unwrap(), "'say \"hi\"'");
        assert_eq!(dotenv_value("a$b `cmd` back\\slash #hash\nnext é").unwrap(), "'a$b `cmd` back\\slash #hash\nnext é'");
        assert_eq!(dotenv_value("").unwrap(), "''");
        for bad in ["${HOME}", "a\rb", "a\0b", "ends\\", "two\\\\", "it's \"x\"", "it's $5", "it's `x`", "it's \\"] {
            assert!(dotenv_value(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn netrc_words() {
        assert_eq!(netrc_word("admin@acme.example"), Ok("admin@acme.example"));
        assert_eq!(netrc_word("keychain:bitbucket-setup:8a0f1d3e"), Ok("keychain:bitbucket-setup:8a0f1d3e"));
        for bad in ["", "two words", "back\\slash", "\"quoted", "#hash", "é"] {
            assert!(netrc_word(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        assert_eq!(comment_lines("one\n\ntwo"), "# one\n#\n# two\n");
        assert_eq!(comment_lines("evil\rKEY=value"), "# evil\\rKEY=value\n");
    }

    #[test]
    fn html() {
        assert_eq!(html_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    }
}
