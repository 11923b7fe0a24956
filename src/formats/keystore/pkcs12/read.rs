//! Reading PKCS#12 (RFC 7292) within iospki's key-derivation budget ([`crate::formats::kdf`]).
//!
//! The PFX is decoded without a password first: its MAC, its encrypted safes and the shrouded keys of its plain
//! safes name every derivation that opening it takes, and their sum for every password to be tried is checked
//! before any of them runs. Keys shrouded inside an encrypted safe show only once it is decrypted; they are
//! reserved then, still before their own derivations run. p12-keystore reads PKCS#12 too, and caps each item's
//! iterations, but not their number, and derives as it parses.
//!
//! The primitives are RustCrypto's, as in [`super::write`]: the pkcs12 crate's structures and key derivation,
//! cms, pkcs5 (PBES2), des, rc2, cbc, hmac.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{Any, BmpString, ContextSpecific, OctetString};
use der::{Decode, Encode};
use hmac::Mac as _;
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::pbe_params::Pkcs12PbeParams;
use pkcs12::safe_bag::SafeBag;
use pkcs12::{CertBag, MacData};
use sha1::{Digest, Sha1};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::super::EncryptedPrivateKeyInfo;
use crate::error::StoreError;
use crate::formats::kdf::{Budget, Cost, Derivation};
use crate::formats::oid;
use crate::io::secret::Password;

/// What a PKCS#12 file holds, decrypted: key bags, AES secret keys and certificate bags in file order (other bags
/// are skipped).
#[derive(Default)]
pub(super) struct Contents {
    /// The private keys.
    pub(super) keys: Vec<KeyBag>,
    /// The AES keys of secret bags (Java's SecretKeyEntry), in the clear.
    pub(super) secret_keys: Vec<SecretKeyBag>,
    /// The certificates.
    pub(super) certificates: Vec<CertificateBag>,
    /// Whether a MAC vouched for them (a file without one can be changed by anyone who can write it).
    pub(super) authenticated: bool,
    /// How many of the keys were in the clear (keyBag), which Java's PKCS12 keystore does not read.
    pub(super) keys_in_the_clear: usize,
}

/// A private key, in the clear.
#[derive(Clone)]
pub(super) struct KeyBag {
    /// The bag's attributes.
    pub(super) names: Names,
    /// PKCS#8 PrivateKeyInfo.
    pub(super) pkcs8: Zeroizing<Vec<u8>>,
}

/// An AES key, in the clear.
pub(super) struct SecretKeyBag {
    /// The bag's attributes.
    pub(super) names: Names,
    /// The key's bytes.
    pub(super) key: Zeroizing<Vec<u8>>,
}

/// A certificate.
#[derive(Clone)]
pub(super) struct CertificateBag {
    /// The bag's attributes.
    pub(super) names: Names,
    /// The DER certificate.
    pub(super) der: Vec<u8>,
}

/// The attributes that name a bag and tie a key to its certificate.
#[derive(Clone, Default)]
pub(super) struct Names {
    /// PKCS#9 friendlyName: the alias.
    pub(super) friendly_name: Option<String>,
    /// Whether the friendlyName ended in a NUL, a C string's terminator written into it, which is left out of
    /// the alias (Java keeps it in; iospki takes no alias with a control character).
    pub(super) nul_terminated: bool,
    /// Whether the bag has Java's trusted-key-usage attribute, without which Java's PKCS12 keystore does not
    /// list a certificate that belongs to no key.
    pub(super) java_trusted: bool,
    /// PKCS#9 localKeyId.
    pub(super) local_key_id: Option<Vec<u8>>,
}

/// Decodes `data` and decrypts it with the first of `passwords` that opens it, within one budget for them all.
pub(super) fn read<'p>(data: &[u8], passwords: &'p [Password]) -> Result<(Contents, &'p Password), StoreError> {
    let pfx = Pfx::decode(data)?;
    let attempts = Attempt::all(passwords);
    let mut budget = Budget::new(passwords.len());
    budget.check(pfx.cost(attempts.len() as u64))?;
    for attempt in attempts {
        match pfx.open(attempt, &mut budget) {
            Err(StoreError::WrongPassword) => continue,
            result => return result.map(|contents| (contents, attempt.password)),
        }
    }
    Err(StoreError::WrongPassword)
}

/// Decodes `data` if it needs no password: no MAC and nothing encrypted, so opening it derives nothing.
pub(super) fn read_without_password(data: &[u8]) -> Result<Contents, StoreError> {
    let pfx = Pfx::decode(data)?;
    if pfx.mac.is_some() || pfx.items_cost() != Cost::default() {
        return Err(StoreError::PasswordNeeded);
    }
    let nothing = Password::new("");
    let attempt = Attempt {
        password: &nothing,
        terminated: true,
    };
    pfx.open(attempt, &mut Budget::new(0))
}

/// One way of trying a password. RFC 7292's derivation takes it as a BMPString with a two-byte terminator; the
/// empty password is tried that way and then as no bytes at all, which OpenSSL writes for "no password" and
/// Java retries (PKCS12KeyStore's RetryWithZero). PBES2 takes the password as UTF-8 either way.
#[derive(Clone, Copy)]
struct Attempt<'p> {
    password: &'p Password,
    terminated: bool,
}

impl<'p> Attempt<'p> {
    /// The attempts for `passwords`, in order: one each, two for the empty password.
    fn all(passwords: &'p [Password]) -> Vec<Attempt<'p>> {
        let mut attempts = Vec::with_capacity(passwords.len() + 1);
        for password in passwords {
            attempts.push(Attempt {
                password,
                terminated: true,
            });
            if password.is_empty() {
                attempts.push(Attempt {
                    password,
                    terminated: false,
                });
            }
        }
        attempts
    }

    /// The password as RFC 7292's derivation takes it.
    fn secret_rfc7292(&self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        if !self.terminated {
            return Ok(Zeroizing::new(Vec::new()));
        }
        let bmp = BmpString::from_utf8(self.password.secret_str()).map_err(der_error)?;
        let mut bytes = Zeroizing::new(Vec::from(bmp.into_bytes()));
        bytes.extend_from_slice(&[0, 0]);
        Ok(bytes)
    }
}

/// A PFX decoded without its password.
struct Pfx {
    mac: Option<Mac>,
    /// The authenticated safes' DER, which the MAC covers.
    authenticated: Vec<u8>,
    safes: Vec<Safe>,
}

/// One authenticated safe.
enum Safe {
    /// SafeContents in the clear (their key bags may be shrouded one by one).
    Plain(Vec<Bag>),
    /// SafeContents encrypted as a whole.
    Encrypted(Sealed),
}

/// The bags iospki reads.
#[derive(Clone)]
enum Bag {
    Key(KeyBag),
    Shrouded(Names, Sealed),
    /// A secret bag holding a shrouded secret key.
    Secret(Names, Sealed),
    Certificate(CertificateBag),
}

/// Bytes encrypted under the password, with the derivation that decrypting them takes.
#[derive(Clone)]
struct Sealed {
    scheme: Scheme,
    derivation: Derivation,
    ciphertext: Vec<u8>,
}

/// How bytes are encrypted under the password.
#[derive(Clone)]
enum Scheme {
    /// A PKCS#12 PBE cipher and its salt and count: SHA-1 derives key and IV (RFC 7292 appendix B).
    Pkcs12(Pkcs12Cipher, Pkcs12PbeParams),
    /// PBES2 (RFC 8018): PBKDF2 or scrypt, then AES or 3DES.
    Pbes2(pkcs5::pbes2::Parameters),
}

/// The PKCS#12 PBE ciphers iospki decrypts: 3DES (OpenSSL, Java) and RC2-40 (OpenSSL 1.x, older keytool).
#[derive(Clone, Copy)]
enum Pkcs12Cipher {
    TripleDes,
    Rc2With40Bits,
}

/// The MAC and what computing it takes.
struct Mac {
    data: MacData,
    derivation: Derivation,
}

impl Pfx {
    fn decode(data: &[u8]) -> Result<Pfx, StoreError> {
        let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(der_error)?;
        if pfx.auth_safe.content_type != oid::DATA {
            return Err(unsupported(&format!(
                "integrity mode {} (only password integrity is read)",
                pfx.auth_safe.content_type
            )));
        }
        let authenticated = OctetString::from_der(&pfx.auth_safe.content.to_der().map_err(der_error)?)
            .map_err(der_error)?
            .into_bytes()
            .into_vec();
        let safes = Vec::<ContentInfo>::from_der(&authenticated)
            .map_err(der_error)?
            .iter()
            .map(Safe::decode)
            .collect::<Result<_, _>>()?;
        Ok(Pfx {
            mac: pfx.mac_data.map(Mac::decode).transpose()?,
            authenticated,
            safes,
        })
    }

    /// The work of trying `passwords` passwords: with a MAC, a wrong one stops there and only the right one
    /// goes on to the items; without, each may go through them all.
    fn cost(&self, passwords: u64) -> Cost {
        let items = self.items_cost();
        match &self.mac {
            Some(mac) => Cost::of(mac.derivation, passwords).and(items),
            None => items.times(passwords),
        }
    }

    fn items_cost(&self) -> Cost {
        self.safes
            .iter()
            .map(|safe| match safe {
                Safe::Plain(bags) => bags_cost(bags),
                Safe::Encrypted(sealed) => Cost::of(sealed.derivation, 1),
            })
            .fold(Cost::default(), Cost::and)
    }

    /// The contents with `attempt`: each derivation is reserved from `budget` before it runs.
    fn open(&self, attempt: Attempt<'_>, budget: &mut Budget) -> Result<Contents, StoreError> {
        if let Some(mac) = &self.mac {
            budget.reserve(Cost::of(mac.derivation, 1))?;
            mac.verify(attempt, &self.authenticated)?;
        }
        budget.reserve(self.items_cost())?;
        let mut contents = Contents {
            authenticated: self.mac.is_some(),
            ..Contents::default()
        };
        // Without a MAC, a wrong password shows as garbage that happens to end in valid padding.
        let wrong_password = |e| match self.mac {
            Some(_) => e,
            None => StoreError::WrongPassword,
        };
        for safe in &self.safes {
            match safe {
                Safe::Plain(bags) => unseal(bags, attempt, &mut contents).map_err(wrong_password)?,
                Safe::Encrypted(sealed) => {
                    let bags = decode_bags(&sealed.open(attempt)?).map_err(wrong_password)?;
                    budget.reserve(bags_cost(&bags))?;
                    unseal(&bags, attempt, &mut contents).map_err(wrong_password)?;
                }
            }
        }
        Ok(contents)
    }
}

impl Safe {
    fn decode(info: &ContentInfo) -> Result<Safe, StoreError> {
        let content = info.content.to_der().map_err(der_error)?;
        match info.content_type {
            oid::DATA => Ok(Safe::Plain(decode_bags(
                OctetString::from_der(&content).map_err(der_error)?.as_bytes(),
            )?)),
            oid::ENCRYPTED_DATA => {
                let encrypted = EncryptedData::from_der(&content).map_err(der_error)?;
                let info = encrypted.enc_content_info;
                let ciphertext = info
                    .encrypted_content
                    .map(|o| o.into_bytes().into_vec())
                    .unwrap_or_default();
                Ok(Safe::Encrypted(Sealed::new(&info.content_enc_alg, ciphertext)?))
            }
            other => Err(unsupported(&format!("safe of content type {other}"))),
        }
    }
}

/// The derivations of the shrouded keys among `bags`.
fn bags_cost(bags: &[Bag]) -> Cost {
    bags.iter()
        .filter_map(|bag| match bag {
            Bag::Shrouded(_, sealed) | Bag::Secret(_, sealed) => Some(Cost::of(sealed.derivation, 1)),
            _ => None,
        })
        .fold(Cost::default(), Cost::and)
}

/// Adds `bags` to `contents`, decrypting shrouded keys with `attempt`.
fn unseal(bags: &[Bag], attempt: Attempt<'_>, contents: &mut Contents) -> Result<(), StoreError> {
    for bag in bags {
        match bag {
            Bag::Key(key) => {
                contents.keys.push(key.clone());
                contents.keys_in_the_clear += 1;
            }
            Bag::Certificate(certificate) => contents.certificates.push(certificate.clone()),
            Bag::Shrouded(names, sealed) => contents.keys.push(KeyBag {
                names: names.clone(),
                pkcs8: pkcs8(sealed.open(attempt)?)?,
            }),
            Bag::Secret(names, sealed) => {
                let info = Zeroizing::new(sealed.open(attempt)?);
                let info = super::SecretKeyInfo::from_der(&info).map_err(der_error)?;
                if info.algorithm.oid == oid::AES {
                    contents.secret_keys.push(SecretKeyBag {
                        names: names.clone(),
                        key: Zeroizing::new(info.key.into_bytes().into_vec()),
                    });
                }
            }
        }
    }
    Ok(())
}

fn decode_bags(safe_contents: &[u8]) -> Result<Vec<Bag>, StoreError> {
    let bags = pkcs12::safe_bag::SafeContents::from_der(safe_contents).map_err(der_error)?;
    let mut decoded = Vec::with_capacity(bags.len());
    for bag in &bags {
        decoded.extend(Bag::decode(bag)?);
    }
    Ok(decoded)
}

impl Bag {
    /// The bag, or `None` for one iospki does not read (secrets other than shrouded keys, CRLs, nested safes).
    fn decode(bag: &SafeBag) -> Result<Option<Bag>, StoreError> {
        let names = Names::of(bag);
        let value = || {
            ContextSpecific::<Any>::from_der(&bag.bag_value)
                .and_then(|explicit| explicit.value.to_der())
                .map_err(der_error)
        };
        let decoded = match bag.bag_id {
            oid::KEY_BAG => Bag::Key(KeyBag {
                names,
                pkcs8: pkcs8(Zeroizing::new(value()?))?,
            }),
            oid::SHROUDED_KEY_BAG => {
                let info = EncryptedPrivateKeyInfo::from_der(&value()?).map_err(der_error)?;
                Bag::Shrouded(
                    names,
                    Sealed::new(&info.algorithm, info.encrypted_data.into_bytes().into_vec())?,
                )
            }
            oid::SECRET_BAG => {
                let secret = super::SecretBag::from_der(&value()?).map_err(der_error)?;
                if secret.secret_type_id != oid::SHROUDED_KEY_BAG {
                    return Ok(None);
                }
                let info = EncryptedPrivateKeyInfo::from_der(secret.secret_value.as_bytes()).map_err(der_error)?;
                Bag::Secret(
                    names,
                    Sealed::new(&info.algorithm, info.encrypted_data.into_bytes().into_vec())?,
                )
            }
            oid::CERT_BAG => {
                let cert = CertBag::from_der(&value()?).map_err(der_error)?;
                if cert.cert_id != oid::X509_CERTIFICATE {
                    return Err(unsupported(&format!("certificate type {}", cert.cert_id)));
                }
                Bag::Certificate(CertificateBag {
                    names,
                    der: cert.cert_value.into_bytes().into_vec(),
                })
            }
            _ => return Ok(None),
        };
        Ok(Some(decoded))
    }
}

/// `bytes` if they are a PKCS#8 PrivateKeyInfo.
fn pkcs8(bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    match rsa::pkcs8::PrivateKeyInfoRef::from_der(&bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => Err(malformed(&format!("a key bag holds no PKCS#8 key: {e}"))),
    }
}

impl Names {
    fn of(bag: &SafeBag) -> Names {
        let first = |oid| {
            let attributes = bag.bag_attributes.as_ref()?;
            attributes.iter().find(|a| a.oid == oid)?.values.iter().next()
        };
        let friendly_name = first(oid::FRIENDLY_NAME)
            .and_then(|v| v.decode_as::<BmpString>().ok())
            .map(|name| name.to_string());
        let nul_terminated = friendly_name.as_ref().is_some_and(|name| name.ends_with('\0'));
        Names {
            friendly_name: friendly_name.map(|name| name.strip_suffix('\0').map(str::to_owned).unwrap_or(name)),
            nul_terminated,
            java_trusted: first(oid::ORACLE_TRUSTED_KEY_USAGE).is_some(),
            local_key_id: first(oid::LOCAL_KEY_ID)
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .map(|id| id.into_bytes().into_vec()),
        }
    }
}

impl Sealed {
    /// `ciphertext` under `algorithm`, which must be a scheme iospki decrypts and prices.
    fn new(algorithm: &AlgorithmIdentifierOwned, ciphertext: Vec<u8>) -> Result<Sealed, StoreError> {
        let params = || {
            algorithm
                .parameters
                .as_ref()
                .ok_or_else(|| malformed("PBE without parameters"))
        };
        let pkcs12 = |cipher| -> Result<(Scheme, Derivation), StoreError> {
            let params: Pkcs12PbeParams = params()?.decode_as().map_err(der_error)?;
            let derivation = Derivation::Pkcs12 {
                iterations: positive(params.iterations)?,
            };
            Ok((Scheme::Pkcs12(cipher, params), derivation))
        };
        let (scheme, derivation) = match algorithm.oid {
            oid::PBE_SHA1_3DES => pkcs12(Pkcs12Cipher::TripleDes)?,
            oid::PBE_SHA1_RC2_40 => pkcs12(Pkcs12Cipher::Rc2With40Bits)?,
            oid::PBES2 => {
                let params: pkcs5::pbes2::Parameters = params()?.decode_as().map_err(der_error)?;
                let derivation = Derivation::pbes2(&params)
                    .ok_or_else(|| unsupported("PBES2 with a key derivation other than PBKDF2 or scrypt"))?;
                (Scheme::Pbes2(params), derivation)
            }
            other => return Err(unsupported(&format!("encryption {other}"))),
        };
        Ok(Sealed {
            scheme,
            derivation,
            ciphertext,
        })
    }

    /// The plaintext; [`StoreError::WrongPassword`] when its padding does not check out.
    fn open(&self, attempt: Attempt<'_>) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        match &self.scheme {
            Scheme::Pkcs12(Pkcs12Cipher::TripleDes, params) => {
                pkcs12_decrypt::<des::TdesEde3>(params, 24, attempt, &self.ciphertext)
            }
            Scheme::Pkcs12(Pkcs12Cipher::Rc2With40Bits, params) => {
                pkcs12_decrypt::<rc2::Rc2>(params, 5, attempt, &self.ciphertext)
            }
            Scheme::Pbes2(params) => params
                .decrypt(attempt.password.secret_str(), &self.ciphertext)
                .map(Zeroizing::new)
                .map_err(|e| match e {
                    pkcs5::Error::DecryptFailed => StoreError::WrongPassword,
                    other => unsupported(&format!("PBES2: {other}")),
                }),
        }
    }
}

/// CBC with `C`, its key and IV derived from the password by RFC 7292's SHA-1 derivation.
fn pkcs12_decrypt<C>(
    params: &Pkcs12PbeParams,
    key_len: usize,
    attempt: Attempt<'_>,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, StoreError>
where
    C: BlockCipherDecrypt + KeyInit,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let secret = attempt.secret_rfc7292()?;
    let derive = |kind, len| {
        Zeroizing::new(derive_key::<Sha1>(
            &secret,
            params.salt.as_bytes(),
            kind,
            params.iterations,
            len,
        ))
    };
    let (key, iv) = (
        derive(Pkcs12KeyType::EncryptionKey, key_len),
        derive(Pkcs12KeyType::Iv, 8),
    );
    let cipher = cbc::Decryptor::<C>::new_from_slices(&key, &iv).map_err(|_| malformed("PBE key or IV"))?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let len = cipher
        .decrypt_padded::<Pkcs7>(&mut buffer)
        .map_err(|_| StoreError::WrongPassword)?
        .len();
    buffer.truncate(len);
    Ok(buffer)
}

/// HMAC with `$digest` over `$data`, keyed by RFC 7292's derivation of the password bytes `$secret` with that
/// digest; whether it matches the MAC.
macro_rules! hmac_matches {
    ($digest:ty, $mac:expr, $secret:expr, $data:expr) => {{
        let len = <$digest as Digest>::output_size();
        let salt = $mac.mac_salt.as_bytes();
        let key = Zeroizing::new(derive_key::<$digest>(
            $secret,
            salt,
            Pkcs12KeyType::Mac,
            $mac.iterations,
            len,
        ));
        let mut hmac = hmac::Hmac::<$digest>::new_from_slice(&key).map_err(|_| malformed("MAC key"))?;
        hmac.update($data);
        hmac.verify_slice($mac.mac.digest.as_bytes()).is_ok()
    }};
}

impl Mac {
    fn decode(data: MacData) -> Result<Mac, StoreError> {
        let digest = data.mac.algorithm.oid;
        if ![
            oid::SHA1,
            oid::SHA224,
            oid::SHA256,
            oid::SHA384,
            oid::SHA512,
            oid::SHA512_224,
            oid::SHA512_256,
        ]
        .contains(&digest)
        {
            return Err(unsupported(&format!("MAC algorithm {digest}")));
        }
        let iterations = positive(data.iterations)?;
        Ok(Mac {
            data,
            derivation: Derivation::Pkcs12 { iterations },
        })
    }

    /// [`StoreError::WrongPassword`] unless the MAC over `authenticated` matches with `attempt`.
    fn verify(&self, attempt: Attempt<'_>, authenticated: &[u8]) -> Result<(), StoreError> {
        let mac = &self.data;
        let password = &attempt.secret_rfc7292()?[..];
        let matches = match mac.mac.algorithm.oid {
            oid::SHA1 => hmac_matches!(Sha1, mac, password, authenticated),
            oid::SHA224 => hmac_matches!(sha2::Sha224, mac, password, authenticated),
            oid::SHA256 => hmac_matches!(sha2::Sha256, mac, password, authenticated),
            oid::SHA384 => hmac_matches!(sha2::Sha384, mac, password, authenticated),
            oid::SHA512 => hmac_matches!(sha2::Sha512, mac, password, authenticated),
            oid::SHA512_224 => hmac_matches!(sha2::Sha512_224, mac, password, authenticated),
            _ => hmac_matches!(sha2::Sha512_256, mac, password, authenticated),
        };
        if matches {
            Ok(())
        } else {
            Err(StoreError::WrongPassword)
        }
    }
}

/// An iteration count, which RFC 7292 has at least 1.
fn positive(iterations: i32) -> Result<u64, StoreError> {
    u64::try_from(iterations)
        .ok()
        .filter(|&count| count > 0)
        .ok_or_else(|| malformed(&format!("iteration count {iterations}")))
}

fn der_error(err: der::Error) -> StoreError {
    malformed(&err.to_string())
}

fn malformed(reason: &str) -> StoreError {
    StoreError::Malformed {
        format: "PKCS#12",
        reason: reason.into(),
    }
}

fn unsupported(what: &str) -> StoreError {
    StoreError::Unsupported(format!("PKCS#12 file uses {what}, which iospki does not read"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::keystore::pkcs12::{Protection, write};
    use crate::formats::keystore::{Entry, Keystore};
    use time::OffsetDateTime;

    fn written(protection: Protection) -> Vec<u8> {
        let mut store = Keystore::new();
        let pem = ::pem::parse(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keystores/expired.crt"
        )))
        .unwrap();
        let cert = rustls_pki_types::CertificateDer::from(pem.into_contents());
        store
            .insert("cacert", OffsetDateTime::UNIX_EPOCH, Entry::TrustedCert(cert))
            .unwrap();
        write(&store, &Password::new("right"), protection).unwrap()
    }

    #[test]
    fn a_wrong_password_costs_only_the_mac() {
        let pfx = Pfx::decode(&written(Protection::Modern)).unwrap();
        let mac = Derivation::Pkcs12 { iterations: 10_000 };
        let safe = Derivation::Pbkdf2 { iterations: 10_000 };
        assert_eq!(pfx.cost(3), Cost::of(mac, 3).and(Cost::of(safe, 1)));
    }

    #[test]
    fn the_first_password_that_opens_is_named() {
        let passwords = [Password::new("wrong"), Password::new("right")];
        for protection in [Protection::Legacy, Protection::Modern] {
            let (contents, used) = read(&written(protection), &passwords).unwrap();
            assert_eq!(used.secret_str(), "right");
            assert_eq!(contents.certificates[0].names.friendly_name.as_deref(), Some("cacert"));
        }
    }
}
