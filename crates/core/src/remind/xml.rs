//! XML's escapes, for the launchd property list and the Task Scheduler task (both XML 1.0).

/// `text` with `&`, `<`, `>` and both quotes escaped, so it can stand in an element or an
/// attribute. (Control characters never reach here: a job's paths are checked for them.)
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_five_characters_are_escaped() {
        assert_eq!(super::escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(super::escape("C:\\Program Files\\x"), "C:\\Program Files\\x");
    }
}
