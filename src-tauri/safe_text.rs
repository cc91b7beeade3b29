//! Text from outside the app (a server's message, a name from an import file, a branch name)
//! made safe to show: on a terminal, in an export's comment or sheet. One function, used
//! wherever such text is printed, so no escape sequence can retitle a terminal, no line break
//! can end a comment early, and no bidirectional override can make text read other than it is.

/// `s` with every control character (C0, DEL, C1) and every bidirectional formatting character
/// written as a visible escape (`\n`, `\t`, `\u{1b}`, `\u{202e}`); everything else as it is.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// For text shown to a person on several lines (a terminal, a sheet): like [`visible`], but
/// line breaks stay line breaks.
pub fn for_terminal(s: &str) -> String {
    s.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// Whether `s` holds a character that [`visible`] would escape.
pub fn has_hidden(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || is_bidi_control(c))
}

/// The Unicode characters that change the direction text is shown in (Trojan Source).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(visible("plain text, é 日本"), "plain text, é 日本");
        assert_eq!(visible("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(visible("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(visible("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(for_terminal("one\ntwo\u{1b}[2J"), "one\ntwo\\u{1b}[2J");
        assert!(has_hidden("a\u{2066}b") && !has_hidden("plain é"));
    }
}
