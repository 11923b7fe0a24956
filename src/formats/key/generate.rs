//! RSA key generation with the prime searches of all keys shared out over all cores.
//!
//! A key is two primes, and prime search has a long tail: generating two keys on two threads waits for the
//! slowest search. Here every core searches for primes into one pool until the keys have all they need, and
//! searches still running then stop at their next candidate, so the wait is about the total work divided by
//! the cores. Each prime is made as rsa makes it (a small-factor sieve with the two top bits set, then a
//! probable-prime test), and each key is checked as rsa checks it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crypto_primes::hazmat::{SetBits, SmallFactorsSieveFactory};
use crypto_primes::{Flavor, is_prime, sieve_and_find};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, RsaPrivateKey};

use crate::error::KeyGenerationError;

/// F4, the exponent rsa and OpenSSL use.
const PUBLIC_EXPONENT: u64 = 65_537;

/// `count` RSA keys of `bits` bits.
pub(super) fn generate(count: usize, bits: usize) -> Result<Vec<RsaPrivateKey>, KeyGenerationError> {
    let needed = 2 * count;
    let pool: Mutex<Vec<BoxedUint>> = Mutex::new(Vec::with_capacity(needed));
    let enough = AtomicBool::new(false);
    let failure: Mutex<Option<KeyGenerationError>> = Mutex::new(None);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(needed);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !enough.load(Ordering::Relaxed) {
                    match random_prime(bits / 2, &enough) {
                        Ok(Some(prime)) => {
                            let Ok(mut pool) = pool.lock() else { break };
                            if pool.len() < needed {
                                pool.push(prime);
                            }
                            if pool.len() == needed {
                                enough.store(true, Ordering::Relaxed);
                            }
                        }
                        Ok(None) => break,
                        Err(reason) => {
                            if let Ok(mut failure) = failure.lock() {
                                *failure = Some(reason);
                            }
                            enough.store(true, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    if let Some(reason) = failure.into_inner().ok().flatten() {
        return Err(reason);
    }
    let primes = pool.into_inner().map_err(|_| KeyGenerationError::Thread)?;
    if primes.len() != needed {
        return Err(KeyGenerationError::Thread);
    }
    let mut primes = primes.into_iter();
    let mut keys = Vec::with_capacity(count);
    while let (Some(p), Some(q)) = (primes.next(), primes.next()) {
        let key = match key_from(p, q, bits) {
            Some(key) => key,
            // Equal primes, or e not invertible: astronomically rare; make this key afresh.
            None => RsaPrivateKey::new(&mut rand::rng(), bits).map_err(|e| KeyGenerationError::Rsa(e.to_string()))?,
        };
        keys.push(key);
    }
    Ok(keys)
}

/// A random prime of `bits` bits with its two top bits set; `None` once `stop` is set, which is looked at
/// before every candidate.
fn random_prime(bits: usize, stop: &AtomicBool) -> Result<Option<BoxedUint>, KeyGenerationError> {
    let bits = u32::try_from(bits).map_err(|_| KeyGenerationError::TooLarge(bits))?;
    let factory = SmallFactorsSieveFactory::new(Flavor::Any, bits, SetBits::TwoMsb)
        .map_err(|e| KeyGenerationError::Search(e.to_string()))?;
    // Once stopped, the predicate accepts the next candidate so that the search ends; it is then discarded.
    let found = sieve_and_find(&mut rand::rng(), factory, |_, candidate| {
        stop.load(Ordering::Relaxed) || is_prime(Flavor::Any, candidate)
    })
    .map_err(|e| KeyGenerationError::Search(e.to_string()))?;
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    found.map(Some).ok_or(KeyGenerationError::NoPrime(bits))
}

/// The key of primes `p` and `q`, if it passes rsa's checks and has exactly `bits` bits.
fn key_from(p: BoxedUint, q: BoxedUint, bits: usize) -> Option<RsaPrivateKey> {
    if p == q {
        return None;
    }
    let key = RsaPrivateKey::from_primes(vec![p, q], BoxedUint::from(PUBLIC_EXPONENT)).ok()?;
    (key.n().bits() as usize == bits && key.validate().is_ok()).then_some(key)
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa::signature::{SignatureEncoding, Signer, Verifier};

    use super::*;

    #[test]
    fn keys_have_the_size_asked_for_and_sign() {
        let keys = generate(3, 2048).unwrap();
        assert_eq!(keys.len(), 3);
        for key in &keys {
            assert_eq!(key.n().bits(), 2048);
            assert_eq!(key.e(), &BoxedUint::from(PUBLIC_EXPONENT));
            let signature = SigningKey::<sha2::Sha256>::new(key.clone()).sign(b"message").to_vec();
            let verifier = VerifyingKey::<sha2::Sha256>::new(key.to_public_key());
            verifier
                .verify(b"message", &Signature::try_from(&signature[..]).unwrap())
                .unwrap();
        }
        assert_ne!(keys[0].n(), keys[1].n());
    }
}
