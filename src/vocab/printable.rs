//! Text from input shown to people: a certificate's subject, a file name in an archive, a label of a metric. Its
//! control characters (line ends too) and bidirectional formatting characters are written as `\u{..}` escapes,
//! so that input can neither move a terminal's cursor, make a line of its own, nor reorder what a line shows.

use std::borrow::Cow;

/// Whether `c` must not be shown as it is: a control character (a line end too), the line and paragraph
/// separators some viewers break lines at, a bidirectional formatting character (the embeddings, overrides and
/// isolates, and the marks), which reorders what follows it, or an invisible one (zero-width spaces and joiners,
/// word joiners and invisible operators, the byte order mark), which hides or splits text.
pub fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// `text` with every character [`unprintable`] written as a `\u{..}` escape: one line, shown as it reads.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unprintable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_cannot_make_a_line_nor_reorder_one() {
        let forged = "evil\n.tar.gz: 0 problem(s)\r\u{1b}[2J\u{202e}gpj.exe\u{2066}";
        let shown = printable(forged);
        assert!(!shown.chars().any(unprintable), "{shown}");
        assert_eq!(
            shown,
            "evil\\u{a}.tar.gz: 0 problem(s)\\u{d}\\u{1b}[2J\\u{202e}gpj.exe\\u{2066}"
        );
        assert_eq!(printable("ünïcode stays"), "ünïcode stays");
        assert_eq!(
            printable("a\u{2028}b\u{200b}c\u{feff}"),
            "a\\u{2028}b\\u{200b}c\\u{feff}"
        );
    }
}
