//! The little YAML that manifests need, written by hand: block mappings of strings, a string plain where YAML
//! reads it back as the same string, a text as a literal block where that keeps it byte for byte, and
//! double-quoted everywhere else. Values are copied straight into one buffer, sized up front, so that key
//! material leaves no stray copies behind; the caller owns (and zeroizes) the finished text.

/// A YAML document being written, line by line.
pub struct Yaml {
    text: String,
}

impl Yaml {
    /// An empty document with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Yaml {
            text: String::with_capacity(capacity),
        }
    }

    /// A `# ` comment line for each line of `text`.
    pub fn comment(&mut self, text: &str) -> &mut Self {
        for line in text.lines() {
            self.text.push('#');
            if !line.is_empty() {
                self.text.push(' ');
                self.text.push_str(line);
            }
            self.text.push('\n');
        }
        self
    }

    /// `key:` opening a nested mapping at `depth` levels of two spaces.
    pub fn open(&mut self, depth: usize, key: &str) -> &mut Self {
        self.key(depth, key);
        self.text.push('\n');
        self
    }

    /// `key: value` at `depth`.
    pub fn entry(&mut self, depth: usize, key: &str, value: &str) -> &mut Self {
        self.key(depth, key);
        self.text.push(' ');
        self.string(value);
        self.text.push('\n');
        self
    }

    /// `key: true` or `key: false` at `depth`: a boolean, not a string.
    pub fn flag(&mut self, depth: usize, key: &str, value: bool) -> &mut Self {
        self.key(depth, key);
        self.text.push_str(if value { " true\n" } else { " false\n" });
        self
    }

    /// `- key: value`, opening an item of a sequence at `depth`; the item's further entries go at `depth + 1`.
    pub fn item(&mut self, depth: usize, key: &str, value: &str) -> &mut Self {
        self.indent(depth);
        self.text.push_str("- ");
        self.entry(0, key, value)
    }

    /// `key: value` with `value` as a literal block when that keeps it byte for byte, else as a quoted string.
    pub fn text(&mut self, depth: usize, key: &str, value: &str) -> &mut Self {
        let Some(header) = block_header(value) else {
            self.key(depth, key);
            self.text.push(' ');
            self.quoted(value);
            self.text.push('\n');
            return self;
        };
        self.key(depth, key);
        self.text.push(' ');
        self.text.push_str(header);
        self.text.push('\n');
        for line in value.lines() {
            if !line.is_empty() {
                self.indent(depth + 1);
                self.text.push_str(line);
            }
            self.text.push('\n');
        }
        self
    }

    /// The text written so far.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    fn indent(&mut self, depth: usize) {
        self.text.extend(std::iter::repeat_n(' ', 2 * depth));
    }

    fn key(&mut self, depth: usize, key: &str) {
        self.indent(depth);
        self.string(key);
        self.text.push(':');
    }

    /// `value` as a scalar YAML reads back as this string: plain when it starts with a letter, holds only
    /// characters that mean nothing to YAML and is none of YAML 1.1's booleans or null; double-quoted otherwise.
    fn string(&mut self, value: &str) {
        const RESERVED: [&str; 9] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
        let plain = value.starts_with(|c: char| c.is_ascii_alphabetic())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._/+=".contains(&b))
            && !RESERVED.iter().any(|word| value.eq_ignore_ascii_case(word));
        if plain {
            self.text.push_str(value);
        } else {
            self.quoted(value);
        }
    }

    /// A double-quoted scalar; `"`, `\` and control characters escaped.
    fn quoted(&mut self, value: &str) {
        self.text.push('"');
        for c in value.chars() {
            match c {
                '"' => self.text.push_str("\\\""),
                '\\' => self.text.push_str("\\\\"),
                '\n' => self.text.push_str("\\n"),
                c if c.is_control() || c == '\u{feff}' => {
                    self.text.push_str(&format!("\\u{:04x}", u32::from(c)));
                }
                c => self.text.push(c),
            }
        }
        self.text.push('"');
    }
}

/// The header of a literal block that gives back `value` exactly (`|` one final newline, `|-` none, `|+` more),
/// or None when a block cannot: empty text, a first line that starts with white space, control characters, or a
/// byte-order mark.
fn block_header(value: &str) -> Option<&'static str> {
    let printable = value
        .chars()
        .all(|c| c == '\n' || c == '\t' || (!c.is_control() && c != '\u{feff}'));
    if value.is_empty() || value.starts_with([' ', '\n', '\t']) || !printable {
        return None;
    }
    Some(if !value.ends_with('\n') {
        "|-"
    } else if value.ends_with("\n\n") {
        "|+"
    } else {
        "|"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(value: &str) -> String {
        Yaml::with_capacity(0).entry(0, "k", value).finish()
    }

    #[test]
    fn strings_that_yaml_would_read_as_something_else_are_quoted() {
        assert_eq!(entry("iots-manager"), "k: iots-manager\n");
        assert_eq!(entry("MIIB+/x=="), "k: MIIB+/x==\n");
        for other in ["yes", "On", "null", "123", "1e5", "+AB", "a: b", "a #b", ""] {
            assert!(entry(other).starts_with("k: \""), "{other}");
        }
        assert_eq!(entry("a\"\\\n\u{1}"), "k: \"a\\\"\\\\\\n\\u0001\"\n");
    }

    #[test]
    fn flags_are_booleans_not_strings() {
        let yaml = Yaml::with_capacity(0)
            .flag(1, "secret", true)
            .flag(1, "public", false)
            .finish();
        assert_eq!(yaml, "  secret: true\n  public: false\n");
    }

    #[test]
    fn blocks_keep_every_final_newline() {
        assert_eq!(block_header("a\nb\n"), Some("|"));
        assert_eq!(block_header("a\nb"), Some("|-"));
        assert_eq!(block_header("a\n\n"), Some("|+"));
        for other in ["", " a\n", "a\r\n", "\u{feff}a\n", "\na"] {
            assert_eq!(block_header(other), None, "{other:?}");
        }
        let yaml = Yaml::with_capacity(0).text(1, "ca.crt", "A\n\nB\n").finish();
        assert_eq!(yaml, "  ca.crt: |\n    A\n\n    B\n");
    }
}
