//! Builds the whole iOS-cluster PKI for a domain in memory with the library, and prints the files it would
//! write and the certificates it issued, without touching the disk. Private keys are never printed.
//!
//! cargo run --example plan-cluster-pki -- example.org

use iospki::io::secret::Password;
use iospki::model::settings::Choices;
use iospki::ops::init::{InitOptions, generate_keys};
use iospki::vocab::names::HostName;
use iospki::vocab::roles::CertRole;

fn main() -> Result<(), iospki::error::Error> {
    let domain = match std::env::args().nth(1) {
        Some(domain) => Some(HostName::parse(&domain).map_err(|e| iospki::error::Error::invalid("domain", e))?),
        None => None,
    };
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo-throwaway-iots310_wso2_com.key"
    );
    let ca_key = iospki::formats::key::load(demo.as_ref(), || unreachable!("the demo key is not encrypted"))?;
    let settings = Choices {
        domain,
        ..Choices::default()
    }
    .settings()?;
    let options = InitOptions::new(settings, Password::new("example-password"));
    let product = options.settings.cluster.product();
    let keys = generate_keys(product, [(CertRole::Ca, ca_key)].into_iter().collect(), 2048)?;
    let outcome = iospki::ops::init::plan(&options, &keys, None, None, iospki::formats::issue::now())?;
    for file in outcome.set.files() {
        println!(
            "{:<24} {:>6} bytes  {:04o}",
            file.spec.name,
            file.contents.len(),
            file.spec.mode()
        );
    }
    for cert in &outcome.issued {
        println!("{} serial {} SHA-256 {}", cert.role, cert.serial_hex, cert.sha256);
    }
    Ok(())
}
