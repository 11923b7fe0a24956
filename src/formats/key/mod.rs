//! RSA keys: loading the operator's key in any format OpenSSL writes, generating new ones, signing for rcgen.
//! It may import `io`, `vocab`, `error` and the other modules of `formats`; nothing of a product.

mod describe;
mod generate;
mod legacy_pem;
mod load;

use std::fmt;

use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::signature::Signer;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, pkcs1v15};
use sha1::{Digest as _, Sha1};
use zeroize::Zeroizing;

pub use describe::{KeyInfo, describe_der, describe_pem};
pub use load::{load, load_bytes};

use crate::error::{Error, Result};
use crate::formats::x509::SignatureAlgorithm;

/// Apple's minimum for TLS server keys, and so iospki's minimum for every key.
pub const MIN_BITS: usize = 2048;

/// The hash of an RSASSA-PKCS1-v1_5 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Digest {
    /// SHA-256 (sha256WithRSAEncryption).
    #[default]
    Sha256,
    /// SHA-1 (sha1WithRSAEncryption), for old signers and verifiers that know nothing else.
    Sha1,
}

impl Digest {
    /// Every hash, the default first.
    pub const ALL: [Digest; 2] = [Digest::Sha256, Digest::Sha1];

    /// Its key, as `--digest` names it: `sha256` or `sha1`.
    pub fn key(self) -> &'static str {
        match self {
            Digest::Sha256 => "sha256",
            Digest::Sha1 => "sha1",
        }
    }

    /// "SHA-256" or "SHA-1".
    pub fn name(self) -> &'static str {
        match self {
            Digest::Sha256 => "SHA-256",
            Digest::Sha1 => "SHA-1",
        }
    }

    /// RSASSA-PKCS1-v1_5 with this hash, as certificates and CSRs name their signature algorithm.
    pub fn signature(self) -> SignatureAlgorithm {
        match self {
            Digest::Sha256 => SignatureAlgorithm::Sha256Rsa,
            Digest::Sha1 => SignatureAlgorithm::Sha1Rsa,
        }
    }
}

/// An RSA private key with its encoded public half.
pub struct RsaKey {
    private: RsaPrivateKey,
    /// PKCS#1 RSAPublicKey: the BIT STRING content of SubjectPublicKeyInfo.
    public_der: Vec<u8>,
}

impl RsaKey {
    /// Generates a new key of `bits` bits from the operating system's random source.
    pub fn generate(bits: usize) -> Result<Self> {
        let mut keys = Self::generate_many(1, bits)?;
        Ok(keys.remove(0))
    }

    /// Generates `count` keys of `bits` bits, sharing their prime searches out over all cores.
    pub fn generate_many(count: usize, bits: usize) -> Result<Vec<Self>> {
        let fail = |source| Error::KeyGeneration { bits, source };
        generate::generate(count, bits)
            .map_err(fail)?
            .into_iter()
            .map(|private| {
                Self::from_private(private).map_err(|e| fail(crate::error::KeyGenerationError::Encode(e.to_string())))
            })
            .collect()
    }

    fn from_private(private: RsaPrivateKey) -> Result<Self, rsa::pkcs1::Error> {
        let public_der = private.to_public_key().to_pkcs1_der()?.into_vec();
        Ok(RsaKey { private, public_der })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.private.n().bits() as usize
    }

    /// SHA-1 of the public key, as OpenSSL's `subjectKeyIdentifier=hash` computes it (RFC 5280 4.2.1.2 method 1).
    pub fn key_identifier(&self) -> Vec<u8> {
        Sha1::digest(&self.public_der).to_vec()
    }

    /// The PKCS#1 RSAPublicKey encoding.
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_der
    }

    /// The private key as unencrypted PKCS#8 DER.
    pub fn secret_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.private.to_pkcs8_der().map_err(encode_error)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The private key as unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`), as OpenSSL 3 writes it.
    pub fn secret_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.private.to_pkcs8_pem(LineEnding::LF).map_err(encode_error)
    }

    /// The RSAES-PKCS1-v1_5 plaintext of `ciphertext`, blinded; `None` when it is not one under this key.
    pub fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let plain = self
            .private
            .decrypt_blinded(&mut rand::rng(), rsa::Pkcs1v15Encrypt, ciphertext);
        plain.ok().map(Zeroizing::new)
    }

    /// An RSASSA-PKCS1-v1_5 signature over `message` with `digest`.
    pub fn sign_pkcs1v15(&self, digest: Digest, message: &[u8]) -> Result<Vec<u8>> {
        let signature = match digest {
            Digest::Sha256 => pkcs1v15::SigningKey::<sha2::Sha256>::new(self.private.clone()).try_sign(message),
            Digest::Sha1 => pkcs1v15::SigningKey::<Sha1>::new(self.private.clone()).try_sign(message),
        };
        signature
            .map(|s| rsa::signature::SignatureEncoding::to_vec(&s))
            .map_err(|e| Error::Sign {
                reason: format!("RSA {} signature failed: {e}", digest.name()),
            })
    }
}

fn encode_error(e: rsa::pkcs8::Error) -> Error {
    Error::Encode {
        what: "private key as PKCS#8",
        reason: e.to_string(),
    }
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaKey(RSA-{}, [secret elided])", self.bits())
    }
}

impl rcgen::PublicKeyData for RsaKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public_der
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

impl rcgen::SigningKey for RsaKey {
    /// SHA256withRSA (PKCS#1 v1.5), the algorithm WSO2's SCEP uses with the CA key.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.sign_pkcs1v15(Digest::Sha256, msg)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_size_not_key() {
        let key = crate::test_keys::ca();
        let shown = format!("{key:?}");
        assert_eq!(shown, "RsaKey(RSA-2048, [secret elided])");
    }

    #[test]
    fn pkcs1v15_signatures_verify_with_their_digest_only() {
        let key = crate::test_keys::ca();
        for (digest, other) in [(Digest::Sha256, Digest::Sha1), (Digest::Sha1, Digest::Sha256)] {
            let signature = key.sign_pkcs1v15(digest, b"the DER CSR").unwrap();
            let check = |digest: Digest, message: &[u8]| {
                crate::formats::crypto::rsa_signature_valid(
                    key.public_key_der(),
                    &digest.signature(),
                    message,
                    &signature,
                )
                .unwrap()
            };
            assert!(check(digest, b"the DER CSR"), "{digest:?}");
            assert!(!check(other, b"the DER CSR"), "{digest:?} verified as {other:?}");
            assert!(!check(digest, b"another CSR"), "{digest:?}");
        }
    }

    #[test]
    fn key_identifier_is_sha1_of_the_public_key_bits() {
        let key = crate::test_keys::ca();
        assert_eq!(key.key_identifier(), Sha1::digest(key.public_key_der()).to_vec());
        assert_eq!(key.key_identifier().len(), 20);
    }
}
