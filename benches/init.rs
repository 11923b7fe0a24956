//! The cost of `iospki init`'s parts: RSA-4096 generation (the subject only here) and the whole pipeline
//! from fixed keys (signing, PKCS#12, JKS, XML), without the disk.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use iospki::formats::key::RsaKey;
use iospki::io::secret::Password;
use iospki::model::settings::Choices;
use iospki::ops::init::{InitOptions, generate_keys};
use iospki::vocab::roles::CertRole;

const BITS: usize = iospki::model::defaults::KEY_BITS as usize;

fn demo_key() -> RsaKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-throwaway-iots310_wso2_com.key");
    iospki::formats::key::load(&path, || unreachable!("the demo key is not encrypted")).unwrap()
}

fn key_generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("keygen");
    group.sample_size(10);
    group.bench_function("rsa-4096", |b| b.iter(|| RsaKey::generate(black_box(BITS)).unwrap()));
    group.finish();
}

fn init_pipeline(c: &mut Criterion) {
    let options = InitOptions::new(Choices::default().settings().unwrap(), Password::new("bench-password"));
    let product = options.settings.cluster.product();
    let keys = generate_keys(product, [(CertRole::Ca, demo_key())].into_iter().collect(), BITS).unwrap();
    c.bench_function("init plan (fixed keys)", |b| {
        b.iter(|| {
            iospki::ops::init::plan(black_box(&options), &keys, None, None, iospki::formats::issue::now()).unwrap()
        })
    });
}

criterion_group!(benches, key_generation, init_pipeline);
criterion_main!(benches);
