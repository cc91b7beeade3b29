//! Text from outside the app (a server's message, a name from an import file, a branch name)
//! made safe to show: on a terminal, in an export's comment or sheet. One function, used
//! wherever such text is printed, so no escape sequence can retitle a terminal, no line break
//! can end a comment early, and no bidirectional override can make text read other than it is.

/// `s` with every control character (C0, DEL, C1) and every invisible one ([`is_invisible`]:
/// bidirectional formatting, zero-width) written as a visible escape (`\n`, `\t`, `\u{1b}`,
/// `\u{202e}`, `\u{200b}`); everything else as it is.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to at most `max` characters (never inside a character), ending with `…` when cut:
/// the one way the app shortens text it echoes (a pasted value, a server's message, a name).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Text from outside the app, cut to `max` characters ([`clip`]) and made [`visible`].
pub fn visible_clip(s: &str, max: usize) -> String {
    visible(&clip(s, max))
}

/// `s` trimmed, or `None` when nothing is left: how every optional field the user typed (or a
/// file held) is read.
pub fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|v| !v.is_empty())
}

/// For text shown to a person on several lines (a terminal, a sheet): like [`visible`], but
/// line breaks stay line breaks.
pub fn for_terminal(s: &str) -> String {
    s.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// Whether `s` holds a character that [`visible`] would escape.
pub fn has_hidden(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || is_invisible(c))
}

/// The Unicode characters that change the direction text is shown in (Trojan Source).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show as nothing, or as nothing but a gap no one can tell from another: the
/// Unicode format characters (general category Cf: zero-width space and joiners U+200B..U+200F,
/// word joiner and invisible operators U+2060..U+2064, U+FEFF, the soft hyphen, the tag
/// characters, and the direction controls of [`is_bidi_control`]), the combining grapheme
/// joiner and the Hangul fillers.
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{0600}'..='\u{0605}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08e2}'
                | '\u{115f}'..='\u{1160}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206a}'..='\u{206f}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn clip_cuts_on_characters_and_marks_the_cut() {
        assert_eq!(super::clip("abc", 3), "abc");
        assert_eq!(super::clip("abcd", 3), "ab…");
        assert_eq!(super::clip("ééééé", 2), "é…");
        assert_eq!(super::visible_clip("a\u{1b}bcdef", 4), "a\\u{1b}b…");
    }

    #[test]
    fn non_blank_trims_and_drops_empty() {
        assert_eq!(super::non_blank(Some("  x ")), Some("x"));
        assert_eq!(super::non_blank(Some("   ")), None);
        assert_eq!(super::non_blank(None), None);
    }

    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(visible("plain text, é 日本"), "plain text, é 日本");
        assert_eq!(visible("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(visible("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(visible("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(visible("e4\u{200b}"), "e4\\u{200b}");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(for_terminal("one\ntwo\u{1b}[2J"), "one\ntwo\\u{1b}[2J");
        assert!(has_hidden("a\u{2066}b") && !has_hidden("plain é"));
    }

    #[test]
    fn format_characters_are_invisible_and_letters_are_not() {
        for c in ['\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{2060}', '\u{2064}', '\u{feff}', '\u{202e}', '\u{00ad}', '\u{e0041}', '\u{3164}'] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'é', '日', ' ', '-', '\u{fe0f}', '😀'] {
            assert!(!is_invisible(c), "U+{:04X}", c as u32);
        }
    }
}
