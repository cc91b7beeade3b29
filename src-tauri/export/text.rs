//! Quoting for the text formats: POSIX shell, HTML, netrc, and the sheet layout.

/// A POSIX-shell word that stands for exactly `s`: single quotes, each `'` written as `'\''`.
/// Nothing inside single quotes is expanded (`$`, backquotes, `\`, newlines stay as they are).
pub fn shell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

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

/// A netrc token: bare when it has no white space, quote or backslash, otherwise in double
/// quotes with `\"` and `\\` (curl 7.84+ and Python's netrc read that form).
pub fn netrc_token(s: &str) -> String {
    let bare = !s.is_empty() && !s.starts_with('#') && !s.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\');
    if bare {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment block: every line of `text` prefixed with `# ` (empty lines with `#`).
pub fn comment_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
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
    fn shell_quoting() {
        assert_eq!(shell_quote("plain"), "'plain'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$HOME `x` \\ \"q\"\nnext"), "'$HOME `x` \\ \"q\"\nnext'");
    }

    #[test]
    fn netrc_tokens() {
        assert_eq!(netrc_token("admin@acme.example"), "admin@acme.example");
        assert_eq!(netrc_token("keychain:bitbucket-setup:Acme Web"), "\"keychain:bitbucket-setup:Acme Web\"");
        assert_eq!(netrc_token("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(netrc_token("#x"), "\"#x\"");
    }

    #[test]
    fn html() {
        assert_eq!(html_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    }
}
