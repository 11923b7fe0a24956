//! Keystore encoding and decoding as stores grow: JKS and PKCS#12 write and read for 1, 150 and 10,000
//! trusted certificates (JKS at every power of ten too), and `inspect` of a 150-entry truststore. The certificates are the 144 real CA
//! certificates of keystores/truststore-cacerts.jks, reused under distinct aliases beyond 144.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use iospki::formats::keystore::pkcs12::{self, Protection};
use iospki::formats::keystore::{Entry, Keystore, jks};
use iospki::io::secret::Password;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

/// The sizes issue-level targets name, for both formats.
const SIZES: [usize; 3] = [1, 150, 10_000];
/// JKS also at every power of ten up to 100,000, for benches/growth.sh's plot of cost against size.
const JKS_SIZES: [usize; 7] = [1, 10, 100, 150, 1_000, 10_000, 100_000];

fn ca_certificates() -> Vec<CertificateDer<'static>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("keystores/truststore-cacerts.jks");
    let store = jks::read(&std::fs::read(path).unwrap(), &Password::new("changeit")).unwrap();
    store
        .entries()
        .iter()
        .filter_map(|e| e.entry.certificate().cloned())
        .collect()
}

fn truststore(certs: &[CertificateDer<'static>], size: usize) -> Keystore {
    let mut store = Keystore::new();
    for i in 0..size {
        let cert = certs[i % certs.len()].clone();
        store
            .insert(&format!("ca-{i}"), OffsetDateTime::UNIX_EPOCH, Entry::TrustedCert(cert))
            .unwrap();
    }
    store
}

fn jks_benches(c: &mut Criterion) {
    let certs = ca_certificates();
    let password = Password::new("bench-password");
    let mut group = c.benchmark_group("jks");
    for size in JKS_SIZES {
        let store = truststore(&certs, size);
        let bytes = jks::write(&store, &password).unwrap();
        group.throughput(Throughput::Elements(size as u64));
        group.bench_with_input(BenchmarkId::new("write", size), &store, |b, s| {
            b.iter(|| jks::write(s, &password))
        });
        group.bench_with_input(BenchmarkId::new("read", size), &bytes, |b, d| {
            b.iter(|| jks::read(black_box(d), &password))
        });
    }
    group.finish();
}

fn pkcs12_benches(c: &mut Criterion) {
    let certs = ca_certificates();
    let password = Password::new("bench-password");
    let mut group = c.benchmark_group("pkcs12");
    group.sample_size(10);
    for size in SIZES {
        let store = truststore(&certs, size);
        let bytes = pkcs12::write(&store, &password, Protection::Legacy).unwrap();
        group.throughput(Throughput::Elements(size as u64));
        group.bench_with_input(BenchmarkId::new("write", size), &store, |b, s| {
            b.iter(|| pkcs12::write(s, &password, Protection::Legacy))
        });
        group.bench_with_input(BenchmarkId::new("read", size), &bytes, |b, d| {
            b.iter(|| pkcs12::open(black_box(d), &password))
        });
    }
    group.finish();
}

fn inspect_bench(c: &mut Criterion) {
    let certs = ca_certificates();
    let password = Password::new("bench-password");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("truststore-150.jks");
    std::fs::write(&path, jks::write(&truststore(&certs, 150), &password).unwrap()).unwrap();
    let now = iospki::formats::issue::now();
    c.bench_function("inspect/jks-150", |b| {
        b.iter(|| iospki::ops::inspect::inspect_file(black_box(&path), Some(&password), now).unwrap())
    });
}

criterion_group!(benches, jks_benches, pkcs12_benches, inspect_bench);
criterion_main!(benches);
