//! Builds the whole iOS-cluster PKI for a domain in memory with the library, and prints the files it would
//! write and the certificates it issued, without touching the disk. Private keys are never printed.
//!
//! cargo run --example plan-cluster-pki -- example.org

use iospki::cluster::Cluster;
use iospki::init::{DEFAULT_SSL_ALIAS, InitOptions, Keys};
use iospki::keystore::pkcs12::Protection;
use iospki::secret::Password;
use iospki::subject::Subject;

fn main() -> Result<(), iospki::error::Error> {
    let domain = std::env::args()
        .nth(1)
        .unwrap_or_else(|| iospki::cluster::DEFAULT_DOMAIN.into());
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo-throwaway-iots310_wso2_com.key"
    );
    let ca_key = iospki::key::load(demo.as_ref(), || unreachable!("the demo key is not encrypted"))?;
    let keys = Keys::generate(ca_key, 2048)?;
    let options = InitOptions {
        cluster: Cluster::new(&domain, None)?,
        subject: Subject::default(),
        ssl_alias: DEFAULT_SSL_ALIAS.into(),
        store_password: Password::new("example-password"),
        protection: Protection::Legacy,
        issuance: Default::default(),
    };
    let outcome = iospki::init::plan(&options, &keys, None, None, iospki::issue::now())?;
    for file in &outcome.plan.files {
        println!("{:<24} {:>6} bytes  {:04o}", file.name, file.contents.len(), file.mode);
    }
    for cert in &outcome.issued {
        println!("{} serial {} SHA-256 {}", cert.name, cert.serial_hex, cert.sha256);
    }
    Ok(())
}
