//! The cost of `iospki init`'s parts: RSA-4096 generation (the subject only here) and the whole pipeline
//! from fixed keys (signing, PKCS#12, JKS, XML), without the disk.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use iospki::init::{InitOptions, generate_keys};
use iospki::key::RsaKey;
use iospki::product::CertRole;
use iospki::secret::Password;
use iospki::settings::Choices;

const BITS: usize = iospki::defaults::KEY_BITS as usize;

fn demo_key() -> RsaKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-throwaway-iots310_wso2_com.key");
    iospki::key::load(&path, || unreachable!("the demo key is not encrypted")).unwrap()
}

fn key_generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("keygen");
    group.sample_size(10);
    group.bench_function("rsa-4096", |b| b.iter(|| RsaKey::generate(black_box(BITS)).unwrap()));
    group.finish();
}

fn init_pipeline(c: &mut Criterion) {
    let options = InitOptions {
        settings: Choices::default().settings().unwrap(),
        store_password: Password::new("bench-password"),
    };
    let product = options.settings.cluster.product();
    let keys = generate_keys(product, [(CertRole::Ca, demo_key())].into_iter().collect(), BITS).unwrap();
    c.bench_function("init plan (fixed keys)", |b| {
        b.iter(|| iospki::init::plan(black_box(&options), &keys, None, None, iospki::issue::now()).unwrap())
    });
}

criterion_group!(benches, key_generation, init_pipeline);
criterion_main!(benches);
