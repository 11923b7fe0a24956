//! Password-based key derivation, bounded. A file's parameters say what deriving its keys will cost before any of
//! it runs: PKCS#12 MACs and PBE ciphers iterate RFC 7292's derivation, PBES2 iterates PBKDF2 or runs scrypt. A
//! crafted file can ask for hours of work (a hundred safes at a million iterations, a count of 2^32-1) or for
//! more memory than the machine has (scrypt with N=2^40), so iospki gives every file one [`Budget`]: each
//! derivation, for every password tried, is reserved from it before it runs, and the file is refused when they
//! would exceed it.
//!
//! Work is counted in iterations, as files state them. scrypt's work counts as N·r·p iterations: measured with the
//! RustCrypto crates iospki uses, N·r = 2^21 takes about as long as a million PBKDF2-HMAC-SHA256 iterations, so
//! this overstates scrypt's work by about twice, on the safe side.

use std::fmt;

/// The most key-derivation work iospki does for one file, in iterations: a few seconds of one core (a million
/// PBKDF2-HMAC-SHA256 iterations take about half a second). A Java 17 keystore with one key entry takes 40,000
/// (MAC, certificates and key at 10,000 each, the MAC once more for the second published password inspect and
/// check try), 60,000 if its password is the empty one they try last (twice: an empty BMPString, then no bytes);
/// one with 300 key entries about 3,000,000; OpenSSL 3 writes 2,048 per item.
pub const WORK_BUDGET: u64 = 10_000_000;

/// The most memory one derivation may take: scrypt's 128·r·(N + p) bytes. 256 MiB is N=2^18 with r=8, sixteen
/// times OpenSSL's default for `-scrypt` (N=2^14).
pub const MEMORY_BUDGET: u64 = 256 << 20;

/// One password-based key derivation, as its parameters describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    /// RFC 7292 appendix B: PKCS#12 MACs and the PKCS#12 PBE ciphers.
    Pkcs12 {
        /// The iteration count.
        iterations: u64,
    },
    /// PBKDF2 (PBES2).
    Pbkdf2 {
        /// The iteration count.
        iterations: u64,
    },
    /// scrypt (PBES2, RFC 7914).
    Scrypt {
        /// The cost parameter N.
        n: u64,
        /// The block size r.
        r: u64,
        /// The parallelization p.
        p: u64,
    },
}

impl Derivation {
    /// The derivation of PBES2 `parameters`; `None` for a function iospki cannot price, which it then does not run.
    pub fn pbes2(parameters: &pkcs5::pbes2::Parameters) -> Option<Derivation> {
        match &parameters.kdf {
            pkcs5::pbes2::Kdf::Pbkdf2(pbkdf2) => Some(Derivation::Pbkdf2 {
                iterations: pbkdf2.iteration_count.into(),
            }),
            pkcs5::pbes2::Kdf::Scrypt(scrypt) => Some(Derivation::Scrypt {
                n: scrypt.cost_parameter,
                r: scrypt.block_size.into(),
                p: scrypt.parallelization.into(),
            }),
            _ => None,
        }
    }

    /// Its work, in iterations.
    fn work(self) -> u64 {
        match self {
            Derivation::Pkcs12 { iterations } | Derivation::Pbkdf2 { iterations } => iterations,
            Derivation::Scrypt { n, r, p } => n.saturating_mul(r).saturating_mul(p),
        }
    }

    /// The memory it takes, in bytes, beyond a few blocks.
    fn memory(self) -> u64 {
        match self {
            Derivation::Scrypt { n, r, p } => 128u64.saturating_mul(r).saturating_mul(n.saturating_add(p)),
            _ => 0,
        }
    }
}

impl fmt::Display for Derivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Derivation::Pkcs12 { iterations } => write!(f, "{iterations} PKCS#12 iterations"),
            Derivation::Pbkdf2 { iterations } => write!(f, "{iterations} PBKDF2 iterations"),
            Derivation::Scrypt { n, r, p } if n.is_power_of_two() => {
                write!(f, "scrypt N=2^{}, r={r}, p={p}", n.trailing_zeros())
            }
            Derivation::Scrypt { n, r, p } => write!(f, "scrypt N={n}, r={r}, p={p}"),
        }
    }
}

/// What some derivations cost together: how many, their work, the one with the most work and the one with the
/// most memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    count: u64,
    work: u64,
    heaviest: Option<Derivation>,
    hungriest: Option<Derivation>,
}

impl Cost {
    /// `derivation`, run `times` times.
    pub fn of(derivation: Derivation, times: u64) -> Cost {
        let derivation = (times > 0).then_some(derivation);
        Cost {
            count: times,
            work: derivation.map_or(0, |d| d.work().saturating_mul(times)),
            heaviest: derivation,
            hungriest: derivation,
        }
    }

    /// This cost and `other`'s together.
    pub fn and(self, other: Cost) -> Cost {
        Cost {
            count: self.count.saturating_add(other.count),
            work: self.work.saturating_add(other.work),
            heaviest: most(self.heaviest, other.heaviest, Derivation::work),
            hungriest: most(self.hungriest, other.hungriest, Derivation::memory),
        }
    }

    /// This cost, `times` times over.
    pub fn times(self, times: u64) -> Cost {
        if times == 0 {
            return Cost::default();
        }
        Cost {
            count: self.count.saturating_mul(times),
            work: self.work.saturating_mul(times),
            ..self
        }
    }
}

/// Of `a` and `b`, the one with more of `measure`.
fn most(a: Option<Derivation>, b: Option<Derivation>, measure: fn(Derivation) -> u64) -> Option<Derivation> {
    match (a, b) {
        (Some(a), Some(b)) if measure(b) > measure(a) => Some(b),
        (a, b) => a.or(b),
    }
}

/// The key-derivation budget of one file, for the passwords it is tried with.
#[derive(Debug)]
pub struct Budget {
    spent: Cost,
    passwords: usize,
}

impl Budget {
    /// A full budget for a file tried with `passwords` passwords.
    pub fn new(passwords: usize) -> Budget {
        Budget {
            spent: Cost::default(),
            passwords,
        }
    }

    /// Whether `cost` fits in what is left, reserving nothing: to refuse a file with the whole picture before any
    /// derivation runs.
    pub fn check(&self, cost: Cost) -> Result<(), OverBudget> {
        let total = self.spent.and(cost);
        if let Some(hungriest) = total.hungriest.filter(|d| d.memory() > MEMORY_BUDGET) {
            return Err(OverBudget::Memory {
                derivation: hungriest,
                memory: hungriest.memory(),
            });
        }
        match total.heaviest {
            Some(heaviest) if total.work > WORK_BUDGET => Err(OverBudget::Work {
                count: total.count,
                heaviest,
                work: total.work,
                passwords: self.passwords,
            }),
            _ => Ok(()),
        }
    }

    /// Reserves `cost` before its derivations run; an error, and nothing reserved, when it does not fit.
    pub fn reserve(&mut self, cost: Cost) -> Result<(), OverBudget> {
        self.check(cost)?;
        self.spent = self.spent.and(cost);
        Ok(())
    }
}

/// Why a file's key derivations were refused before they ran. The caller names the file; a single derivation
/// reads as a phrase that can follow "encrypted with".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    /// Too much work in all.
    #[error("{}", work_text(*count, *heaviest, *work, *passwords))]
    Work {
        /// How many derivations.
        count: u64,
        /// The one with the most work.
        heaviest: Derivation,
        /// Their work, in iterations.
        work: u64,
        /// How many passwords they were counted for.
        passwords: usize,
    },
    /// One derivation takes too much memory.
    #[error(
        "{derivation}, which takes {} of memory, more than iospki's budget of {} per file; if the file is \
         genuine, re-encrypt it with a smaller N",
        binary_size(*memory),
        binary_size(MEMORY_BUDGET)
    )]
    Memory {
        /// The derivation.
        derivation: Derivation,
        /// Its memory, in bytes.
        memory: u64,
    },
}

fn work_text(count: u64, heaviest: Derivation, work: u64, passwords: usize) -> String {
    let what = if count == 1 {
        format!("{heaviest}, more than iospki's budget of {WORK_BUDGET} iterations per file")
    } else {
        let tried = if passwords > 1 {
            format!(" ({passwords} passwords tried)")
        } else {
            String::new()
        };
        format!(
            "{count} key derivations of up to {heaviest}{tried}, {work} iterations in all, more than iospki's \
             budget of {WORK_BUDGET} per file"
        )
    };
    format!("{what}; if the file is genuine, re-encrypt it with fewer iterations")
}

/// `bytes` in the largest binary unit it reaches, rounded down: "1 TiB".
fn binary_size(bytes: u64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut size = bytes;
    let mut unit = 0;
    while size >= 1024 && unit + 1 < units.len() {
        size /= 1024;
        unit += 1;
    }
    format!("{size} {}", units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_java_keystore_fits_with_room() {
        let java = Derivation::Pkcs12 { iterations: 10_000 };
        let mut budget = Budget::new(2);
        let keystore = Cost::of(java, 2).and(Cost::of(java, 300));
        assert!(budget.reserve(keystore).is_ok());
    }

    #[test]
    fn work_is_summed_over_items_and_passwords() {
        let safe = Derivation::Pbkdf2 { iterations: 1_000_000 };
        let budget = Budget::new(2);
        let err = budget.check(Cost::of(safe, 100).times(2)).unwrap_err().to_string();
        assert_eq!(
            err,
            "200 key derivations of up to 1000000 PBKDF2 iterations (2 passwords tried), 200000000 iterations in \
             all, more than iospki's budget of 10000000 per file; if the file is genuine, re-encrypt it with fewer \
             iterations"
        );
    }

    #[test]
    fn one_derivation_reads_after_encrypted_with() {
        let key = Derivation::Pbkdf2 {
            iterations: u32::MAX.into(),
        };
        let err = Budget::new(1).check(Cost::of(key, 1)).unwrap_err().to_string();
        assert_eq!(
            err,
            "4294967295 PBKDF2 iterations, more than iospki's budget of 10000000 iterations per file; if the file is \
             genuine, re-encrypt it with fewer iterations"
        );
    }

    #[test]
    fn what_was_reserved_counts_against_what_follows() {
        let item = Derivation::Pkcs12 { iterations: 4_000_000 };
        let mut budget = Budget::new(1);
        budget.reserve(Cost::of(item, 2)).unwrap();
        let err = budget.reserve(Cost::of(item, 1)).unwrap_err();
        assert!(
            matches!(
                err,
                OverBudget::Work {
                    count: 3,
                    work: 12_000_000,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            budget
                .reserve(Cost::of(Derivation::Pkcs12 { iterations: 2_000_000 }, 1))
                .is_ok()
        );
    }

    #[test]
    fn scrypt_memory_is_refused_without_overflow() {
        let huge = Derivation::Scrypt { n: 1 << 40, r: 8, p: 1 };
        let err = Budget::new(1).check(Cost::of(huge, 1)).unwrap_err().to_string();
        assert_eq!(
            err,
            "scrypt N=2^40, r=8, p=1, which takes 1 PiB of memory, more than iospki's budget of 256 MiB per file; \
             if the file is genuine, re-encrypt it with a smaller N"
        );
        let absurd = Derivation::Scrypt {
            n: u64::MAX,
            r: 65_535,
            p: 65_535,
        };
        assert!(matches!(
            Budget::new(1).check(Cost::of(absurd, 1)),
            Err(OverBudget::Memory { memory: u64::MAX, .. })
        ));
        let openssl_default = Derivation::Scrypt { n: 1 << 14, r: 8, p: 1 };
        assert!(Budget::new(2).check(Cost::of(openssl_default, 2)).is_ok());
    }
}
