//! Writing PKCS#12 the way `openssl pkcs12 -export -name ALIAS` does: one encrypted safe of certificate bags
//! (the key's certificate with the alias and the key's localKeyID, the rest of its chain with neither; a trusted
//! certificate with its alias and Java's trusted-usage attribute, as keytool writes it), one safe of shrouded key
//! bags with the alias and localKeyID, and an HMAC over both (RFC 7292).
//!
//! p12-keystore reads them; it can write PKCS#12 too, but it names every certificate bag after its subject, and
//! openssl, keytool, macOS Keychain and Windows then show a distinguished name where the alias belongs. The
//! primitives are RustCrypto's: the pkcs12 crate's structures and key derivation, cms, pkcs5 (PBES2), des, cbc,
//! hmac.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{Any, BmpString, OctetString, SetOfVec};
use der::{Decode, Encode};
use hmac::{KeyInit, Mac};
use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use pkcs12::{CertBag, DigestInfo, MacData};
use sha1::{Digest, Sha1};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, Attributes};
use zeroize::Zeroizing;

use super::{Protection, check_password};
use crate::error::StoreError;
use crate::formats::keystore::{Entry, Keystore};
use crate::formats::oid;
use crate::io::secret::Password;

/// Encodes `store` as PKCS#12 with `password` for keys, certificates and the MAC.
pub fn write(store: &Keystore, password: &Password, protection: Protection) -> Result<Vec<u8>, StoreError> {
    check_password(password)?;
    let mut cert_bags = Vec::new();
    let mut key_bags = Vec::new();
    for item in store.entries() {
        match &item.entry {
            Entry::PrivateKey { key, chain } => {
                // OpenSSL's localKeyID: SHA-1 of the key's certificate.
                let local_key_id = chain.first().map(|c| Sha1::digest(c).to_vec()).unwrap_or_default();
                let named = attributes(&[friendly_name(&item.alias)?, local_key_id_of(&local_key_id)?])?;
                for (index, cert) in chain.iter().enumerate() {
                    let attributes = if index == 0 { Some(named.clone()) } else { None };
                    cert_bags.push(certificate_bag(cert, attributes)?);
                }
                let pkcs8 = key.secret_pkcs8(&item.alias, password)?;
                key_bags.push(key_bag(&pkcs8, named, password, protection)?);
            }
            Entry::TrustedCert(cert) => {
                let trusted = attributes(&[friendly_name(&item.alias)?, trusted_for_any_usage()?])?;
                cert_bags.push(certificate_bag(cert, Some(trusted))?);
            }
            Entry::SecretKey(key) => {
                // Java's localKeyID for a key without a certificate: "Time " and its date in milliseconds.
                let id = format!("Time {}", item.created.unix_timestamp_nanos() / 1_000_000);
                let named = attributes(&[friendly_name(&item.alias)?, local_key_id_of(id.as_bytes())?])?;
                key_bags.push(secret_bag(key, named, password, protection)?);
            }
        }
    }
    let certificates = encrypted_safe(&cert_bags, password, protection)?;
    let keys = plain_safe(&key_bags)?;
    let safes = OctetString::new(vec![certificates, keys].to_der().map_err(der_error)?).map_err(der_error)?;
    let auth_safe = ContentInfo {
        content_type: oid::DATA,
        content: any(&safes)?,
    };
    let mac_data = mac(safes.as_bytes(), password, protection)?;
    Pfx {
        version: Version::V3,
        auth_safe,
        mac_data: Some(mac_data),
    }
    .to_der()
    .map_err(der_error)
}

fn attributes(list: &[Attribute]) -> Result<Attributes, StoreError> {
    let mut set = Attributes::new();
    for attribute in list {
        set.insert(attribute.clone()).map_err(der_error)?;
    }
    Ok(set)
}

fn attribute(oid: der::oid::ObjectIdentifier, value: &impl Encode) -> Result<Attribute, StoreError> {
    let values = SetOfVec::from_iter([any(value)?]).map_err(der_error)?;
    Ok(Attribute { oid, values })
}

fn friendly_name(alias: &str) -> Result<Attribute, StoreError> {
    attribute(oid::FRIENDLY_NAME, &BmpString::from_utf8(alias).map_err(der_error)?)
}

fn local_key_id_of(id: &[u8]) -> Result<Attribute, StoreError> {
    attribute(oid::LOCAL_KEY_ID, &OctetString::new(id).map_err(der_error)?)
}

fn trusted_for_any_usage() -> Result<Attribute, StoreError> {
    attribute(oid::ORACLE_TRUSTED_KEY_USAGE, &oid::ANY_EXTENDED_KEY_USAGE)
}

fn certificate_bag(cert: &[u8], attributes: Option<Attributes>) -> Result<SafeBag, StoreError> {
    let bag = CertBag {
        cert_id: oid::X509_CERTIFICATE,
        cert_value: OctetString::new(cert).map_err(der_error)?,
    };
    Ok(SafeBag {
        bag_id: oid::CERT_BAG,
        bag_value: bag.to_der().map_err(der_error)?,
        bag_attributes: attributes,
    })
}

fn key_bag(
    pkcs8: &[u8],
    attributes: Attributes,
    password: &Password,
    protection: Protection,
) -> Result<SafeBag, StoreError> {
    let (encryption_algorithm, encrypted) = encrypt(pkcs8, password, protection)?;
    let info = EncryptedPrivateKeyInfo {
        encryption_algorithm,
        encrypted_data: OctetString::new(encrypted).map_err(der_error)?,
    };
    Ok(SafeBag {
        bag_id: oid::SHROUDED_KEY_BAG,
        bag_value: info.to_der().map_err(der_error)?,
        bag_attributes: Some(attributes),
    })
}

/// A secret bag as Java's PKCS12 keystore writes an AES key: a pkcs8ShroudedKeyBag secret whose PrivateKeyInfo-like
/// body is version 0, the AES algorithm and the key's bytes (RFC 7292 4.2.5), encrypted as a key is.
fn secret_bag(
    key: &[u8],
    attributes: Attributes,
    password: &Password,
    protection: Protection,
) -> Result<SafeBag, StoreError> {
    let info = super::SecretKeyInfo {
        version: 0,
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::AES,
            parameters: None,
        },
        key: OctetString::new(key).map_err(der_error)?,
    };
    let plain = Zeroizing::new(info.to_der().map_err(der_error)?);
    let (encryption_algorithm, encrypted) = encrypt(&plain, password, protection)?;
    let sealed = EncryptedPrivateKeyInfo {
        encryption_algorithm,
        encrypted_data: OctetString::new(encrypted).map_err(der_error)?,
    };
    let bag = super::SecretBag {
        secret_type_id: oid::SHROUDED_KEY_BAG,
        secret_value: OctetString::new(sealed.to_der().map_err(der_error)?).map_err(der_error)?,
    };
    Ok(SafeBag {
        bag_id: oid::SECRET_BAG,
        bag_value: bag.to_der().map_err(der_error)?,
        bag_attributes: Some(attributes),
    })
}

/// A safe of `bags` encrypted with the password.
fn encrypted_safe(bags: &[SafeBag], password: &Password, protection: Protection) -> Result<ContentInfo, StoreError> {
    let plain = Zeroizing::new(bags.to_vec().to_der().map_err(der_error)?);
    let (content_enc_alg, encrypted) = encrypt(&plain, password, protection)?;
    let data = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: oid::DATA,
            content_enc_alg,
            encrypted_content: Some(OctetString::new(encrypted).map_err(der_error)?),
        },
        unprotected_attrs: None,
    };
    Ok(ContentInfo {
        content_type: oid::ENCRYPTED_DATA,
        content: any(&data)?,
    })
}

/// A safe of `bags` as they are (shrouded key bags are encrypted one by one).
fn plain_safe(bags: &[SafeBag]) -> Result<ContentInfo, StoreError> {
    let safe = OctetString::new(bags.to_vec().to_der().map_err(der_error)?).map_err(der_error)?;
    Ok(ContentInfo {
        content_type: oid::DATA,
        content: any(&safe)?,
    })
}

/// `data` encrypted as the profile says: PBE-SHA1-3DES (the PKCS#12 key derivation) or PBES2 with
/// PBKDF2-HMAC-SHA256 and AES-256-CBC.
fn encrypt(
    data: &[u8],
    password: &Password,
    protection: Protection,
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), StoreError> {
    let iterations = protection.iterations();
    match protection {
        Protection::Legacy => {
            let salt: [u8; 8] = rand::random();
            let derive = |kind, len| {
                derive_key_utf8::<Sha1>(password.secret_str(), &salt, kind, iterations, len)
                    .map(Zeroizing::new)
                    .map_err(der_error)
            };
            let (key, iv) = (derive(Pkcs12KeyType::EncryptionKey, 24)?, derive(Pkcs12KeyType::Iv, 8)?);
            let cipher = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|_| encoding("3DES key or IV of the wrong length"))?;
            let params = Pkcs12PbeParams {
                salt: OctetString::new(salt).map_err(der_error)?,
                iterations,
            };
            let algorithm = AlgorithmIdentifierOwned {
                oid: oid::PBE_SHA1_3DES,
                parameters: Some(any(&params)?),
            };
            Ok((algorithm, cipher.encrypt_padded_vec::<Pkcs7>(data)))
        }
        Protection::Modern => {
            let salt: [u8; 16] = rand::random();
            let params = pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
                iterations.unsigned_abs(),
                &salt,
                rand::random(),
            )
            .map_err(|e| encoding(&e.to_string()))?;
            let encrypted = params
                .encrypt(password.secret_str(), data)
                .map_err(|e| encoding(&e.to_string()))?;
            let algorithm = AlgorithmIdentifierOwned {
                oid: oid::PBES2,
                parameters: Some(any(&params)?),
            };
            Ok((algorithm, encrypted))
        }
    }
}

/// HMAC with `$digest` of `$data`, keyed by the PKCS#12 key derivation of the password with that digest.
macro_rules! hmac_with {
    ($digest:ty, $password:expr, $salt:expr, $iterations:expr, $data:expr) => {{
        let len = <$digest as Digest>::output_size();
        let key = derive_key_utf8::<$digest>($password.secret_str(), $salt, Pkcs12KeyType::Mac, $iterations, len)
            .map(Zeroizing::new)
            .map_err(der_error)?;
        let mut mac = hmac::Hmac::<$digest>::new_from_slice(&key).map_err(|_| encoding("MAC key"))?;
        mac.update($data);
        mac.finalize().into_bytes().to_vec()
    }};
}

/// The MAC over the authenticated safe: HMAC-SHA1 or HMAC-SHA256 with the PKCS#12 key derivation.
fn mac(data: &[u8], password: &Password, protection: Protection) -> Result<MacData, StoreError> {
    let salt: [u8; 8] = rand::random();
    let iterations = protection.iterations();
    let (digest_oid, digest) = match protection {
        Protection::Legacy => (oid::SHA1, hmac_with!(Sha1, password, &salt, iterations, data)),
        Protection::Modern => (oid::SHA256, hmac_with!(sha2::Sha256, password, &salt, iterations, data)),
    };
    Ok(MacData {
        mac: DigestInfo {
            algorithm: AlgorithmIdentifierOwned {
                oid: digest_oid,
                parameters: None,
            },
            digest: OctetString::new(digest).map_err(der_error)?,
        },
        mac_salt: OctetString::new(salt).map_err(der_error)?,
        iterations,
    })
}

fn any(value: &impl Encode) -> Result<Any, StoreError> {
    Any::from_der(&value.to_der().map_err(der_error)?).map_err(der_error)
}

fn der_error(err: der::Error) -> StoreError {
    encoding(&err.to_string())
}

fn encoding(reason: &str) -> StoreError {
    StoreError::Unsupported(format!("PKCS#12 encoding failed: {reason}"))
}
