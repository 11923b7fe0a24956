//! Java properties files, as `java.util.Properties` stores and loads them: Secure Vault's secret-conf.properties,
//! cipher-text.properties and cipher-tool.properties, which the server reads with `Properties.load` (ISO-8859-1,
//! so everything else is written `\uXXXX`).

use std::fmt::Write;

/// `text` escaped as `Properties.store` escapes a key (`key`) or a value: backslash, `=`, `:`, `#` and `!`, a
/// space that would be lost, control characters by name, and what is not printable ASCII as `\uXXXX`.
pub fn escape(text: &str, key: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, unit) in text.encode_utf16().enumerate() {
        match unit {
            0x20 if key || index == 0 => out.push_str("\\ "),
            0x09 => out.push_str("\\t"),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x0C => out.push_str("\\f"),
            0x5C | 0x3D | 0x3A | 0x23 | 0x21 => {
                out.push('\\');
                out.push(char::from(unit as u8));
            }
            0x20..=0x7E => out.push(char::from(unit as u8)),
            unit => {
                // write! to a String cannot fail.
                let _ = write!(out, "\\u{unit:04X}");
            }
        }
    }
    out
}

/// One `key=value` line, with its line end.
pub fn line(key: &str, value: &str) -> String {
    format!("{}={}\n", escape(key, true), escape(value, false))
}

/// The keys and values of a properties text, in order, as `Properties.load` reads them: `#` and `!` comments,
/// a key ended by the first unescaped `=`, `:` or blank, lines continued by an odd number of backslashes, and
/// `\t`, `\n`, `\r`, `\f`, `\uXXXX` escapes. A malformed `\u` is an error, as it is for Java.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    Ok(parse_lines(text)?
        .into_iter()
        .map(|(key, value, _)| (key, value))
        .collect())
}

/// [`parse`], each key and value with the line it starts on (1 for the first).
pub fn parse_lines(text: &str) -> Result<Vec<(String, String, usize)>, String> {
    let mut pairs = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, first)) = lines.next() {
        let mut logical = first.trim_start_matches([' ', '\t', '\x0C']).to_owned();
        if logical.is_empty() || logical.starts_with(['#', '!']) {
            continue;
        }
        while continues(&logical) {
            logical.pop();
            let Some((_, next)) = lines.next() else { break };
            logical.push_str(next.trim_start_matches([' ', '\t', '\x0C']));
        }
        let (key, value) = split(&logical);
        let unescaped = |part: &str| unescape(part).map_err(|e| format!("line {}: {e}", number + 1));
        pairs.push((unescaped(key)?, unescaped(value)?, number + 1));
    }
    Ok(pairs)
}

/// Whether a line ends in an odd number of backslashes: the next line continues it.
fn continues(line: &str) -> bool {
    line.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// The raw key and value of a logical line.
fn split(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let end = line
        .char_indices()
        .find(|&(_, c)| {
            let ends = !escaped && matches!(c, '=' | ':' | ' ' | '\t' | '\x0C');
            escaped = !escaped && c == '\\';
            ends
        })
        .map_or(line.len(), |(index, _)| index);
    let (key, rest) = line.split_at(end);
    let rest = rest.trim_start_matches([' ', '\t', '\x0C']);
    let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest);
    (key, rest.trim_start_matches([' ', '\t', '\x0C']))
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut units: Vec<u16> = Vec::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            units.extend(c.encode_utf16(&mut [0; 2]).iter());
            continue;
        }
        let unit = match chars.next() {
            Some('t') => 0x09,
            Some('n') => 0x0A,
            Some('r') => 0x0D,
            Some('f') => 0x0C,
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                u16::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .ok_or_else(|| format!("malformed \\uXXXX escape '\\u{}'", hex.escape_debug()))?
            }
            Some(other) => {
                units.extend(other.encode_utf16(&mut [0; 2]).iter());
                continue;
            }
            None => continue,
        };
        units.push(unit);
    }
    Ok(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_with_every_character() {
        let value = " a=b:c#d!e\\f\tg\u{e9}\u{1F600} ";
        let text = line("Carbon.Security.KeyStore.Password", value) + &line("k e:y", "=");
        assert!(text.is_ascii(), "{text}");
        assert_eq!(
            parse(&text).unwrap(),
            [
                ("Carbon.Security.KeyStore.Password".to_owned(), value.to_owned()),
                ("k e:y".to_owned(), "=".to_owned())
            ]
        );
    }

    #[test]
    fn java_syntax_reads_as_java_reads_it() {
        let text = "# comment\n! other\n  a = 1\nb:2\nc 3\nd=long\\\n   line\ne\n\\#f=x\\=y\n";
        let pairs: Vec<_> = parse(text).unwrap();
        let expected = [
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "longline"),
            ("e", ""),
            ("#f", "x=y"),
        ];
        let expected: Vec<_> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(pairs, expected);
        assert!(parse("a=\\u12").unwrap_err().contains("line 1"));
        let lines: Vec<usize> = parse_lines(text).unwrap().iter().map(|(_, _, line)| *line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 8, 9]);
    }
}
