//! OpenSSL's traditional PEM encryption (`openssl genrsa -des3`, `openssl rsa -aes256`):
//! a `DEK-Info: CIPHER,IV` header, a key from `EVP_BytesToKey` over MD5 with the IV's first 8 bytes as salt.

use aes::{Aes128, Aes192, Aes256};
use cbc::Decryptor;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use des::{Des, TdesEde3};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

use crate::io::secret::Password;

/// Why a traditional encrypted PEM key could not be decrypted. Messages are for the user, without the file name.
#[derive(Debug, thiserror::Error)]
pub(super) enum LegacyPemError {
    /// The header is not `CIPHER,IV`.
    #[error("malformed DEK-Info header '{0}'")]
    Header(String),
    /// The IV is not hex of at least 8 bytes.
    #[error("malformed IV in DEK-Info header '{0}'")]
    Iv(String),
    /// A cipher OpenSSL's traditional format has that iospki does not read.
    #[error("unsupported PEM encryption {0}; re-encrypt with `openssl pkcs8 -topk8`")]
    Cipher(String),
    /// The padding did not check out.
    #[error("wrong key password (the key did not decrypt)")]
    WrongPassword,
}

/// Decrypts the body of a PEM block whose `DEK-Info` header is `dek_info`.
pub(super) fn decrypt(dek_info: &str, body: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, LegacyPemError> {
    let (cipher, iv_hex) = dek_info
        .split_once(',')
        .ok_or_else(|| LegacyPemError::Header(dek_info.to_owned()))?;
    let iv = base16ct::mixed::decode_vec(iv_hex.trim())
        .ok()
        .filter(|iv| iv.len() >= 8)
        .ok_or_else(|| LegacyPemError::Iv(dek_info.to_owned()))?;
    let key_len = match cipher.trim() {
        "DES-EDE3-CBC" => 24,
        "DES-CBC" => 8,
        "AES-128-CBC" => 16,
        "AES-192-CBC" => 24,
        "AES-256-CBC" => 32,
        other => return Err(LegacyPemError::Cipher(other.to_owned())),
    };
    let key = bytes_to_key(password.secret_str().as_bytes(), &iv[..8], key_len);
    let mut buf = Zeroizing::new(body.to_vec());
    let plain_len = match key_len {
        24 if cipher.starts_with("DES") => cbc_decrypt::<TdesEde3>(&key, &iv, &mut buf),
        8 => cbc_decrypt::<Des>(&key, &iv, &mut buf),
        16 => cbc_decrypt::<Aes128>(&key, &iv, &mut buf),
        24 => cbc_decrypt::<Aes192>(&key, &iv, &mut buf),
        _ => cbc_decrypt::<Aes256>(&key, &iv, &mut buf),
    }
    .ok_or(LegacyPemError::WrongPassword)?;
    buf.truncate(plain_len);
    Ok(buf)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Option<usize>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
    Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let decryptor = Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor.decrypt_padded::<Pkcs7>(buf).ok().map(<[u8]>::len)
}

/// `EVP_BytesToKey(cipher, md5, salt, password, count = 1)`, key bytes only.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut previous: Option<Zeroizing<Vec<u8>>> = None;
    while key.len() < len {
        let mut md5 = Md5::new();
        if let Some(block) = &previous {
            md5.update(block.as_slice());
        }
        md5.update(password);
        md5.update(salt);
        let block = Zeroizing::new(md5.finalize().to_vec());
        key.extend_from_slice(&block);
        previous = Some(block);
    }
    key.truncate(len);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_key_starts_with_md5_of_password_and_salt() {
        // The first block is MD5(password || salt); keys written by `openssl genrsa -des3` are tested in tests/.
        let key = bytes_to_key(b"secret", &[1, 2, 3, 4, 5, 6, 7, 8], 16);
        let mut md5 = Md5::new();
        md5.update(b"secret");
        md5.update([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(key.as_slice(), md5.finalize().as_slice());
    }

    #[test]
    fn unknown_cipher_is_named() {
        let err = decrypt("SEED-CBC,0011223344556677", &[0; 16], &Password::new("x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SEED-CBC"), "{err}");
    }
}
