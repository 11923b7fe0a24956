//! The cost of `iospki bundle` for the largest cluster iospki takes: 997 workers beside the three default hosts
//! (`cluster::MAX_HOSTS`), every node's tree and archive from one set, written and published as the command does
//! (into a fresh directory each time). What the workers share is made once, so the cost per node is its
//! INSTALL.txt, iospki-bundle.json, SHA256SUMS, its archive and the writing. The comparison with `tar -czf` of the
//! same trees, and peak memory, are whole-process runs: benches/bundle-compare.sh.

use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
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
    let options = InitOptions::new(choices.settings().unwrap(), Password::new("bench-password"));
    let product = options.settings.cluster.product();
    let keys = generate_keys(product, [(CertRole::Ca, demo_key())].into_iter().collect(), 2048).unwrap();
    let set = plan(&options, &keys, None, None, iospki::formats::issue::now())
        .unwrap()
        .set;
    let mut group = c.benchmark_group("bundle");
    group.sample_size(10);
    group.bench_function("1000 hosts", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let out = dir.path().join("bundles");
                archive::publish(&set, dir.path(), set.cluster(), &out, &|_| {}).unwrap();
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, largest_cluster);
criterion_main!(benches);
