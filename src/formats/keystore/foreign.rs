//! Keystore formats iospki names but does not read (JCEKS, BouncyCastle's BKS and UBER), told from their first
//! bytes so that the refusal says what the file is and how to convert it.

/// A keystore format iospki recognizes but does not read, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    /// Sun's JCEKS (magic CECECECE), which can hold secret keys.
    Jceks,
    /// BouncyCastle's BKS (version 1 or 2): a salt, an iteration count, entries in the clear, an HMAC.
    Bks,
    /// BouncyCastle's UBER (version 1): the same header, then the entries encrypted with Twofish.
    Uber,
    /// A BouncyCastle BKS version 1 or UBER store, which its first bytes do not tell apart.
    BksOrUber,
}

impl Foreign {
    /// The format of `data`, if it is a store iospki recognizes and does not read. BouncyCastle writes a
    /// 20-byte salt and 1,024 to 2,047 iterations; a header with another salt length, or a count of 0 or past
    /// 2^20, is not taken for one, so that other bytes are not misnamed.
    pub fn detect(data: &[u8]) -> Option<Foreign> {
        if data.starts_with(&[0xce, 0xce, 0xce, 0xce]) {
            return Some(Foreign::Jceks);
        }
        let word = |at: usize| Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?));
        let (version, salt_len) = (word(0)?, word(4)?);
        let iterations = word(8 + BOUNCY_CASTLE_SALT)?;
        if !(1..=2).contains(&version) || salt_len as usize != BOUNCY_CASTLE_SALT || !(1..1 << 20).contains(&iterations)
        {
            return None;
        }
        let rest = &data[12 + BOUNCY_CASTLE_SALT..];
        // BKS goes on with an entry type (0 ends the store) and ends with a 20-byte HMAC; UBER is Twofish blocks.
        let bks_like = rest.first().is_some_and(|&t| t <= 5) && (rest[0] != 0 || rest.len() == 21);
        let uber_like = !rest.is_empty() && rest.len().is_multiple_of(16);
        match (version, bks_like, uber_like) {
            (2, true, _) => Some(Foreign::Bks),
            (1, true, false) => Some(Foreign::Bks),
            (1, false, true) => Some(Foreign::Uber),
            (1, true, true) => Some(Foreign::BksOrUber),
            _ => None,
        }
    }

    /// "a JCEKS keystore", and so on.
    pub fn name(self) -> &'static str {
        match self {
            Foreign::Jceks => "a JCEKS keystore",
            Foreign::Bks => "a BouncyCastle BKS keystore",
            Foreign::Uber => "a BouncyCastle UBER keystore",
            Foreign::BksOrUber => "a BouncyCastle BKS or UBER keystore",
        }
    }

    /// Why iospki does not read it and what to do, as the whole message.
    pub fn refusal(self) -> String {
        let provider = match self {
            Foreign::Jceks => "",
            _ => {
                " (with BouncyCastle's provider: -providerpath bcprov.jar -providerclass org.bouncycastle.jce.provider.BouncyCastleProvider)"
            }
        };
        format!(
            "{}: iospki reads JKS and PKCS#12; convert it with keytool -importkeystore{provider}",
            self.name()
        )
    }
}

/// The salt length BouncyCastle's BKS and UBER stores are written with.
const BOUNCY_CASTLE_SALT: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    /// A BouncyCastle header: version, salt length 20, salt, iteration count; then `rest`.
    fn bouncy_castle(version: u32, iterations: u32, rest: &[u8]) -> Vec<u8> {
        let mut data = version.to_be_bytes().to_vec();
        data.extend_from_slice(&20u32.to_be_bytes());
        data.extend_from_slice(&[0xa5; 20]);
        data.extend_from_slice(&iterations.to_be_bytes());
        data.extend_from_slice(rest);
        data
    }

    #[test]
    fn bouncy_castle_stores_are_named_by_their_header() {
        let empty_bks = [&[0u8][..], &[0x11; 20]].concat();
        assert_eq!(Foreign::detect(&bouncy_castle(2, 1500, &empty_bks)), Some(Foreign::Bks));
        assert_eq!(Foreign::detect(&bouncy_castle(1, 1500, &empty_bks)), Some(Foreign::Bks));
        let twofish = [0x99u8; 48];
        assert_eq!(Foreign::detect(&bouncy_castle(1, 1024, &twofish)), Some(Foreign::Uber));
        // An entry type first and a whole number of blocks: either.
        let ambiguous = [&[1u8][..], &[0x99; 31]].concat();
        assert_eq!(
            Foreign::detect(&bouncy_castle(1, 2047, &ambiguous)),
            Some(Foreign::BksOrUber)
        );
        // Not BouncyCastle's: another version, salt length or iteration count, or a truncated header.
        assert_eq!(Foreign::detect(&bouncy_castle(3, 1500, &empty_bks)), None);
        assert_eq!(Foreign::detect(&bouncy_castle(2, 0, &empty_bks)), None);
        assert_eq!(Foreign::detect(&bouncy_castle(2, 1500, &empty_bks)[..30]), None);
        let mut other_salt = bouncy_castle(2, 1500, &empty_bks);
        other_salt[7] = 16;
        assert_eq!(Foreign::detect(&other_salt), None);
        let err = super::super::open(&bouncy_castle(2, 1500, &empty_bks), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "a BouncyCastle BKS keystore: iospki reads JKS and PKCS#12; convert it with keytool -importkeystore"
            ),
            "{err}"
        );
    }
}
