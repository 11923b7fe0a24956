//! Hex text of bytes, in the three spellings operators meet: `openssl x509 -serial` (upper case), `sha256sum`
//! (lower case) and `keytool -list` fingerprints (upper case, colon-separated).

/// Upper-case hex, two digits a byte.
pub fn upper(bytes: &[u8]) -> String {
    base16ct::upper::encode_string(bytes)
}

/// Lower-case hex, two digits a byte.
pub fn lower(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Upper-case hex with a colon between bytes, as keytool prints fingerprints.
pub fn colons(bytes: &[u8]) -> String {
    let hex = upper(bytes);
    let mut out = String::with_capacity(hex.len() + hex.len() / 2);
    for (index, pair) in hex.as_bytes().chunks(2).enumerate() {
        if index > 0 {
            out.push(':');
        }
        out.extend(pair.iter().map(|&b| char::from(b)));
    }
    out
}

/// A big-endian serial as `openssl x509 -serial` prints it: upper-case hex without leading zero bytes, at least
/// one byte.
pub fn serial(bytes: &[u8]) -> String {
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    upper(&bytes[first..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(upper(&[0x0b, 0xfe]), "0BFE");
        assert_eq!(lower(&[0x0b, 0xfe]), "0bfe");
        assert_eq!(colons(&[0x0b, 0xfe, 0x01]), "0B:FE:01");
        assert_eq!(colons(&[]), "");
        assert_eq!(serial(&[0, 0, 0x0b, 0x08]), "0B08");
        assert_eq!(serial(&[0]), "00");
    }
}
