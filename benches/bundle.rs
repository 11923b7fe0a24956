//! The cost of `iospki bundle` for the largest cluster iospki takes: 997 workers beside the three default hosts
//! (`cluster::MAX_HOSTS`), one archive per node from one set, without the disk. What the workers share is made
//! once, so the cost per node is its INSTALL.txt, its SHA256SUMS and its archive.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use iospki::formats::key::RsaKey;
use iospki::io::secret::Password;
use iospki::model::cluster::MAX_HOSTS;
use iospki::model::settings::Choices;
use iospki::ops::bundle::archive;
use iospki::ops::init::{InitOptions, generate_keys, plan};
use iospki::vocab::names::HostName;
use iospki::vocab::roles::{CertRole, HostGroupId};

fn demo_key() -> RsaKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-throwaway-iots310_wso2_com.key");
    iospki::formats::key::load(&path, || unreachable!("the demo key is not encrypted")).unwrap()
}

fn largest_cluster(c: &mut Criterion) {
    let mut choices = Choices::default();
    let workers = (0..MAX_HOSTS - 3).map(|i| HostName::parse(&format!("w{i}.iot.example.org")).unwrap());
    choices.hosts.set(HostGroupId::Workers, workers.collect());
    let options = InitOptions {
        settings: choices.settings().unwrap(),
        store_password: Password::new("bench-password"),
    };
    let product = options.settings.cluster.product();
    let keys = generate_keys(product, [(CertRole::Ca, demo_key())].into_iter().collect(), 2048).unwrap();
    let set = plan(&options, &keys, None, None, iospki::formats::issue::now())
        .unwrap()
        .set;
    let mut group = c.benchmark_group("bundle");
    group.sample_size(10);
    group.bench_function("1000 hosts", |b| {
        b.iter(|| archive::plan(black_box(&set), set.cluster(), |_, _, _| {}).unwrap())
    });
    group.finish();
}

criterion_group!(benches, largest_cluster);
criterion_main!(benches);
