//! `iospki init`: a product's whole set from the operator's key, built in memory by [`crate::ops::build`].
//! Nothing here touches the disk; the caller publishes `outcome.set.plan()`.

use time::OffsetDateTime;

use crate::error::Result;
use crate::formats::key::RsaKey;
use crate::io::secret::Password;
use crate::model::ledger::Ledger;
use crate::model::settings::Settings;
use crate::ops::build::{Build, build};
pub use crate::ops::build::{Outcome, Summary, generate_keys};
use crate::ops::merge::Existing;
use crate::vocab::roles::ByRole;

/// Everything `init` needs besides the keys.
#[derive(Debug)]
pub struct InitOptions {
    /// Cluster, subject, alias, protection and terms.
    pub settings: Settings,
    /// Password of every store and every key entry.
    pub store_password: Password,
}

impl InitOptions {
    /// Checks what can be checked before the slow key generation.
    pub fn check(&self) -> Result<()> {
        self.store_password.check_writable()
    }
}

/// Builds every file of the product's set at time `now`, with a key per certificate role. With `existing` stores,
/// the Java keystores keep every entry they have except those replaced by alias. `ledger` is the output
/// directory's ledger from an earlier run, if any: serials it records for the CA's name are not issued again.
pub fn plan(
    options: &InitOptions,
    keys: &ByRole<RsaKey>,
    existing: Option<&mut Existing>,
    ledger: Option<Ledger>,
    now: OffsetDateTime,
) -> Result<Outcome> {
    let settings = &options.settings;
    let ledger = match ledger {
        Some(earlier) => Ledger {
            settings: settings.clone(),
            ..earlier
        },
        None => Ledger::new(settings.clone()),
    };
    build(Build {
        settings,
        store_password: &options.store_password,
        keys,
        kept: ByRole::default(),
        existing,
        earlier_cas: Vec::new(),
        ledger,
        now,
    })
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;

    fn options() -> InitOptions {
        InitOptions {
            settings: crate::model::settings::Choices::default().settings().unwrap(),
            store_password: Password::new("test-password"),
        }
    }

    fn keys() -> ByRole<RsaKey> {
        let given = [(crate::vocab::roles::CertRole::Ca, crate::test_keys::ca())]
            .into_iter()
            .collect();
        generate_keys(&crate::model::product::iot::IOT, given, 2048).unwrap()
    }

    fn outcome() -> Outcome {
        plan(&options(), &keys(), None, None, crate::formats::issue::now()).unwrap()
    }

    fn contents<'a>(outcome: &'a Outcome, name: &str) -> &'a [u8] {
        let file = outcome.set.files().iter().find(|f| f.spec.name == name).unwrap();
        &file.contents
    }

    fn pem_der(outcome: &Outcome, name: &str) -> Vec<u8> {
        ::pem::parse(contents(outcome, name)).unwrap().into_contents()
    }

    /// (OID, critical) per extension, in certificate order.
    fn criticality(cert: &X509Certificate<'_>) -> Vec<(String, bool)> {
        cert.extensions()
            .iter()
            .map(|e| (e.oid.to_id_string(), e.critical))
            .collect()
    }

    fn verify(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) {
        let key = rsa::RsaPublicKey::from_pkcs1_der(&issuer.public_key().subject_public_key.data).unwrap();
        let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
        let signature = rsa::pkcs1v15::Signature::try_from(&cert.signature_value.data[..]).unwrap();
        verifier.verify(cert.tbs_certificate.as_ref(), &signature).unwrap();
    }

    #[test]
    fn certificates_carry_exactly_their_profiles_extensions_and_verify() {
        let outcome = outcome();
        let (ca_der, ra_der, ssl_der) = (
            pem_der(&outcome, "ca.crt"),
            pem_der(&outcome, "ra.crt"),
            pem_der(&outcome, "ia.crt"),
        );
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, ra) = X509Certificate::from_der(&ra_der).unwrap();
        let (_, ssl) = X509Certificate::from_der(&ssl_der).unwrap();
        verify(&ca, &ca);
        verify(&ra, &ca);
        verify(&ssl, &ca);
        assert_eq!(ca.subject(), ca.issuer());
        assert_eq!(ra.issuer(), ca.subject());

        // In openssl.cnf order: SKI, AKI, basicConstraints (critical on the CA only), keyUsage.
        let expected = |ca_critical| {
            [
                ("2.5.29.14", false),
                ("2.5.29.35", false),
                ("2.5.29.19", ca_critical),
                ("2.5.29.15", false),
            ]
            .map(|(oid, critical)| (oid.to_owned(), critical))
            .to_vec()
        };
        assert_eq!(criticality(&ca), expected(true));
        assert_eq!(criticality(&ra), expected(false));

        let sans = ssl
            .subject_alternative_name()
            .unwrap()
            .unwrap()
            .value
            .general_names
            .clone();
        let names: Vec<_> = sans
            .into_iter()
            .map(|n| match n {
                GeneralName::DNSName(name) => name.to_owned(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let settings = options().settings;
        let hosts: Vec<&str> = settings.cluster.ssl_hosts().into_iter().map(|h| h.as_str()).collect();
        assert_eq!(names, hosts);
        let eku = ssl.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth && !eku.any);
        let ku = ssl.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && ku.key_encipherment() && !ku.key_cert_sign());
        assert!(!ssl.basic_constraints().unwrap().unwrap().value.ca);
        assert_eq!(ssl.validity().time_to_expiration().unwrap().whole_days(), 729);
    }

    #[test]
    fn debug_output_shows_no_key_and_no_password() {
        let keys = keys();
        let outcome = outcome();
        let shown = format!("{outcome:?} {keys:?}");
        for secret in ["PRIVATE KEY", "test-password", "MII"] {
            assert!(!shown.contains(secret), "{secret} in Debug output");
        }
        assert!(shown.contains("[secret elided]") && shown.contains("bytes elided"));
    }

    #[test]
    fn key_identifiers_chain_ssl_and_ra_to_the_ca() {
        let outcome = outcome();
        let (ca_der, ssl_der) = (pem_der(&outcome, "ca.crt"), pem_der(&outcome, "ia.crt"));
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let (_, ssl) = X509Certificate::from_der(&ssl_der).unwrap();
        let ski = |cert: &X509Certificate<'_>| {
            cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            })
        };
        let aki = |cert: &X509Certificate<'_>| {
            cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(id) => id.key_identifier.as_ref().map(|k| k.0.to_vec()),
                _ => None,
            })
        };
        let ca_key_id = crate::test_keys::ca().key_identifier();
        assert_eq!(ski(&ca).unwrap(), ca_key_id);
        assert_eq!(aki(&ca).unwrap(), ca_key_id);
        assert_eq!(aki(&ssl).unwrap(), ca_key_id);
    }

    #[test]
    fn stores_read_back_with_the_password_and_hold_the_documented_entries() {
        let outcome = outcome();
        let password = Password::new("test-password");
        let read = |name: &str| crate::formats::keystore::jks::read(contents(&outcome, name), &password).unwrap();
        let aliases = |store: &crate::formats::keystore::Keystore| {
            store.entries().iter().map(|e| e.alias.clone()).collect::<Vec<_>>()
        };
        let carbon = read("wso2carbon.jks");
        assert_eq!(aliases(&carbon), ["wso2carbon"]);
        assert!(
            matches!(&carbon.entries()[0].entry, crate::formats::keystore::Entry::PrivateKey { chain, .. } if chain.len() == 2)
        );
        let trust = read("client-truststore.jks");
        let roots = crate::formats::roots::public_roots();
        assert_eq!(aliases(&trust)[..2], ["wso2carbon", "cacert"]);
        assert_eq!(
            aliases(&trust)[2..],
            roots.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>()
        );
        assert!(trust.entries().iter().all(|e| !e.entry.is_key()));
        assert_eq!(aliases(&read("wso2certs.jks")), ["cacert", "racert"]);
    }
}
