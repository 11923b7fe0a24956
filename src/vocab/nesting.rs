//! How deep a file nests, measured before anything recursive walks it. json5 (the Jaggery apps' SSO settings)
//! recurses in pest's grammar and again in its deserializer, and serde_json's `Value` drops recursively: 50,000
//! nested arrays (200 KB) overflow any thread's stack. JSON is measured by a linear scan before parsing; XML
//! after roxmltree, which builds its tree without recursion (tested below), and before iospki walks the tree.
//! TOML needs no scan: the toml crate refuses more than 80 levels of inline nesting or dotted keys itself.
//! XML's width is bounded here too: roxmltree checks each attribute against every earlier one of its element, so
//! 300,000 attributes (2 MB) would keep it busy for minutes.

/// A file nests deeper, or an XML element holds more attributes, than its reader allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooDeep {
    /// Deeper than `limit` levels.
    #[error("nests deeper than {limit} levels; iospki reads {what} up to that depth")]
    Levels {
        /// The reader's limit.
        limit: usize,
        /// What the reader reads, in the message: "SSO settings".
        what: &'static str,
    },
    /// An element with more than `limit` attributes.
    #[error("has an element with more than {limit} attributes; iospki reads {what} with up to that many")]
    Attributes {
        /// The reader's limit.
        limit: usize,
        /// What the reader reads.
        what: &'static str,
    },
}

/// Refuses JSON (or JSON5) text whose arrays and objects nest deeper than `limit`. Brackets in strings and
/// comments do not count. Where the scan and a parser could disagree (a quote or `/` where JSON allows none), the
/// parser stops there with a syntax error, so it never goes deeper than the scan counted.
pub fn json(text: &str, limit: usize, what: &'static str) -> Result<(), TooDeep> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(TooDeep::Levels { limit, what });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            quote @ (b'"' | b'\'') => i = string_end(bytes, i + 1, quote),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = after(bytes, i + 2, b"\n") - 1,
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = after(bytes, i + 2, b"*/") - 1,
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The index of the quote closing a string whose text starts at `start` (a backslash escapes the next byte), or
/// the end of the text.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i
}

/// The index just past the first `end` at or after `start`, or the end of the text.
fn after(bytes: &[u8], start: usize, end: &[u8]) -> usize {
    bytes
        .get(start..)
        .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
        .map_or(bytes.len(), |at| start + at + end.len())
}

/// Refuses a parsed XML document whose elements nest deeper than `limit`. Nodes come in document order, parents
/// first, so each element's depth is its parent's plus one.
pub fn xml(document: &roxmltree::Document<'_>, limit: usize, what: &'static str) -> Result<(), TooDeep> {
    let mut depths: Vec<usize> = Vec::new();
    for node in document.root().descendants() {
        let parent = node.parent().map_or(0, |p| depths[p.id().get_usize()]);
        let depth = parent + usize::from(node.is_element());
        if depth > limit {
            return Err(TooDeep::Levels { limit, what });
        }
        let id = node.id().get_usize();
        if depths.len() <= id {
            depths.resize(id + 1, 0);
        }
        depths[id] = depth;
    }
    Ok(())
}

/// Refuses XML text with an element of more than `limit` attributes, before roxmltree compares them pairwise.
/// Each attribute has one `=` outside quotes in its start tag, so counting those over-counts at worst (a `=` in
/// a stray tag roxmltree rejects anyway). Comments, CDATA and processing instructions are skipped: a quote in
/// them opens no value.
pub fn xml_attributes(text: &str, limit: usize, what: &'static str) -> Result<(), TooDeep> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|b| *b == b'<').map(|at| i + at) {
        let rest = &bytes[at..];
        i = if rest.starts_with(b"<!--") {
            after(bytes, at + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            after(bytes, at + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            after(bytes, at + 2, b"?>")
        } else {
            tag_end(bytes, at + 1, limit).ok_or(TooDeep::Attributes { limit, what })?
        };
    }
    Ok(())
}

/// The index past the `>` ending the tag whose text starts at `start`, or `None` when it has more than `limit`
/// `=` outside quotes.
fn tag_end(bytes: &[u8], start: usize, limit: usize) -> Option<usize> {
    let mut equals = 0;
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'=') => {
                equals += 1;
                if equals > limit {
                    return None;
                }
            }
            (None, b'>') => return Some(i + 1),
            (None, _) => {}
        }
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize, open: &str, close: &str) -> String {
        open.repeat(depth) + &close.repeat(depth)
    }

    #[test]
    fn json_is_measured_by_its_brackets() {
        assert_eq!(json(&nested(8, "[", "]"), 8, "x"), Ok(()));
        assert_eq!(
            json(&nested(9, "{\"a\":", "}"), 8, "x"),
            Err(TooDeep::Levels { limit: 8, what: "x" })
        );
        assert_eq!(json("[[]] [[]] {}", 2, "x"), Ok(()));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let quoted = r#"["[[[[", '{{{{', "\"[[[[", '\'{{{{'] // [[[[
            /* {{{{ */ [1]"#;
        assert_eq!(json(quoted, 2, "x"), Ok(()));
    }

    #[test]
    fn brackets_cannot_hide_behind_a_closing_quote_or_comment() {
        // Closers in strings do not lower the count either.
        let hidden = r#"["]]]]", [[[["#;
        assert!(json(hidden, 4, "x").is_err());
        assert!(json("/* ]]] */ [[[[[", 4, "x").is_err());
        assert!(json("// ]]]\n[[[[[", 4, "x").is_err());
        // An unterminated comment or string hides nothing a parser would read.
        assert_eq!(json("[/* [[[[[", 1, "x"), Ok(()));
        assert_eq!(json("[\"\\", 1, "x"), Ok(()));
    }

    #[test]
    fn xml_is_measured_by_its_elements() {
        let text = nested(8, "<a>", "</a>");
        let document = roxmltree::Document::parse(&text).unwrap();
        assert_eq!(xml(&document, 8, "x"), Ok(()));
        assert_eq!(xml(&document, 7, "x"), Err(TooDeep::Levels { limit: 7, what: "x" }));
        let siblings = roxmltree::Document::parse("<a><b><c/></b><b><c/></b>text<!-- c --></a>").unwrap();
        assert_eq!(xml(&siblings, 3, "x"), Ok(()));
    }

    #[test]
    fn attributes_are_counted_per_element_outside_values_and_comments() {
        let attributes = |n: usize| (0..n).map(|i| format!("a{i}=\"=\"")).collect::<Vec<_>>().join(" ");
        let text = format!("<a {}><b {}/></a>", attributes(4), attributes(4));
        assert_eq!(xml_attributes(&text, 4, "x"), Ok(()));
        let wide = format!("<a {}/>", attributes(5));
        assert_eq!(
            xml_attributes(&wide, 4, "x"),
            Err(TooDeep::Attributes { limit: 4, what: "x" })
        );
        // A quote in a comment, CDATA or text opens no value that could hide the attributes after it.
        for before in ["<!-- ' -->", "<![CDATA[ ' ]]>", "<?pi ' ?>", "it's "] {
            let hidden = format!("<r>{before}<a {}/>'</r>", attributes(5));
            assert!(xml_attributes(&hidden, 4, "x").is_err(), "{before}");
        }
    }

    #[test]
    fn roxmltree_parses_and_drops_deep_documents_without_recursion() {
        // Run in a test thread (2 MiB of stack): a recursive parser would overflow long before this depth.
        let text = nested(200_000, "<a>", "</a>");
        let document = roxmltree::Document::parse(&text).unwrap();
        assert!(xml(&document, 64, "x").is_err());
    }
}
