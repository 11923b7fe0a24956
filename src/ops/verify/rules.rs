//! The rules of `iospki verify`: pure functions from what was observed to findings, in the order the server meets
//! the files: its stores, the key entries its configuration names, the rules each certificate must meet (WSO2's
//! profiles, Apple's), the truststore, expiry, and the files beside the stores.

use super::Options;
use super::observe::{KeyLookup, Observation, OpenError, Store};
use super::vault::{Outcome, Vault};
use crate::error::StoreError;
use crate::formats::crypto::{belongs_to, signed_by};
use crate::formats::keystore::{Format, Oddity};
use crate::formats::x509::{Certificate, ExtendedKeyUsage, KeyUsage};
use crate::io::secret::Password;
use crate::model::defaults::APPLE_MAX_DAYS;
use crate::ops::findings::Finding;
use crate::vocab::roles::{ByRole, CertRole};

/// A certificate found somewhere, and where.
struct Located<'a> {
    location: String,
    cert: &'a Certificate,
}

type Rule = fn(&Observation, &Options) -> Vec<Finding>;

/// Every rule, in the order its findings are reported.
const RULES: &[Rule] = &[
    server_stores,
    published_xml_passwords,
    key_entries_found,
    keys_belong_to_certificates,
    ssl_chain_holds_the_ca,
    ca_is_self_signed,
    ca_may_issue,
    ra_may_do_scep,
    ssl_meets_apples_rules,
    issued_by_the_ca,
    nothing_outlives_its_ca,
    ssl_names_every_host,
    identity_provider_vouches_for_the_server,
    truststore_holds_no_keys,
    truststore_trusts_the_cluster,
    manager_trusts_apples_push_service,
    relying_parties_name_a_store_and_alias,
    relying_party_stores,
    relying_parties_hold_the_signing_certificate,
    configured_hosts_are_in_the_certificate,
    acs_agrees_with_the_identity_provider,
    carbon_elements_are_known,
    nothing_expires,
    pem_files_agree,
    pkcs12_files,
    nginx_chain_and_key,
    nginx_serves_each_name_once,
    secure_vault,
];

/// What is checked of every store, each a rule of its own.
const STORE_RULES: &[fn(&Store) -> Option<Finding>] = &[
    store_opens,
    store_is_authenticated,
    store_has_its_type,
    java8_reads_store,
    pkcs12_password_is_ascii,
    store_password_is_not_published,
];

/// Judges `observation`: what reading found, then each rule's findings.
pub(super) fn run(observation: &Observation, options: &Options) -> Vec<Finding> {
    let mut findings = observation.findings.clone();
    for rule in RULES {
        findings.extend(rule(observation, options));
    }
    findings
}

/// The stores the server's configuration names: key store, trust store, SCEP store.
fn server_stores(observation: &Observation, _: &Options) -> Vec<Finding> {
    let stores = [&observation.keystore, &observation.truststore, &observation.scep_store];
    stores.into_iter().flatten().flat_map(store_findings).collect()
}

/// The PKCS#12 files of an output directory.
fn pkcs12_files(observation: &Observation, _: &Options) -> Vec<Finding> {
    observation.pkcs12.iter().flat_map(store_findings).collect()
}

fn store_findings(store: &Store) -> Vec<Finding> {
    let mut findings: Vec<Finding> = STORE_RULES.iter().filter_map(|rule| rule(store)).collect();
    findings.extend(oddities(store));
    findings
}

/// What Java reads in a store but the operator should know. The server reads it as iospki does (the last entry
/// of a duplicated alias, the empty alias); a missing MAC is [`store_is_authenticated`]'s.
pub(super) fn oddities(store: &Store) -> Vec<Finding> {
    let Ok(opened) = &store.opened else {
        return Vec::new();
    };
    opened
        .oddities
        .iter()
        .filter_map(|oddity| match oddity {
            Oddity::NoMac => None,
            Oddity::EmptyPassword => Some(Finding::problem(
                &store.location,
                oddity.to_string(),
                "write it again with a password of your own (iospki init --password-file) and set it in carbon.xml",
            )),
            Oddity::DuplicateAliases(_) => Some(Finding::warning(
                &store.location,
                oddity.to_string(),
                "other tools may take the first entry or refuse the store: write it again (iospki init, or keytool \
                 -importkeystore, which keeps what Java sees)",
            )),
            Oddity::NotTrustedByJava(_) => Some(Finding::problem(
                &store.location,
                oddity.to_string(),
                "import them with keytool -importcert (or write the store with iospki), which marks them trusted",
            )),
            Oddity::KeysInTheClear(_) => Some(Finding::problem(
                &store.location,
                oddity.to_string(),
                "write it again with its keys encrypted (iospki init, or openssl pkcs12 -export without -keypbe NONE)",
            )),
            Oddity::EmptyAlias | Oddity::NulTerminatedNames(_) => Some(Finding::warning(
                &store.location,
                oddity.to_string(),
                "give the entry a plain alias (keytool -changealias), and name that in the configuration",
            )),
        })
        .collect()
}

/// The certificates of the cluster, by role, wherever they were found.
fn certificates(observation: &Observation) -> ByRole<Located<'_>> {
    let mut located: ByRole<Located<'_>> = observation
        .keys
        .iter()
        .filter_map(|(role, lookup)| match lookup {
            KeyLookup::Found(entry) => Some((
                role,
                Located {
                    location: entry.location.clone(),
                    cert: entry.certificate(),
                },
            )),
            _ => None,
        })
        .collect();
    if let Some(nginx) = &observation.nginx
        && let Ok([leaf, ca]) = nginx.chain.as_deref()
    {
        let at = |what: &str| format!("{} ({what})", nginx.chain_file);
        located.insert(
            CertRole::Ssl,
            Located {
                location: at("SSL certificate"),
                cert: leaf,
            },
        );
        located.insert(
            CertRole::Ca,
            Located {
                location: at("CA"),
                cert: ca,
            },
        );
    }
    located
}

fn store_opens(store: &Store) -> Option<Finding> {
    let (what, fix) = match &store.opened {
        Ok(_) => return None,
        Err(OpenError::Unreadable(reason)) => (
            reason.clone(),
            "write it with iospki init, or fix the path in the configuration",
        ),
        Err(OpenError::Store(StoreError::WrongPassword)) => (
            "the configured store password is wrong or the file was modified".to_owned(),
            "give the password the store was written with (iospki verify --password-file FILE, - for standard \
             input, or IOSPKI_PASSWORD; a server home: the password its configuration holds), or write it again",
        ),
        Err(OpenError::Store(other)) => (other.to_string(), "write it again with iospki init"),
    };
    Some(Finding::problem(&store.location, what, fix))
}

fn store_has_its_type(store: &Store) -> Option<Finding> {
    let opened = store.opened.as_ref().ok()?;
    let configured = store.configured_type.to_ascii_uppercase();
    let matches = matches!(
        (opened.format, configured.as_str()),
        (Format::Jks, "JKS") | (Format::Pkcs12, "PKCS12")
    );
    (!matches).then(|| {
        Finding::problem(
            &store.location,
            format!(
                "is {} but is configured as type {}",
                opened.format.name(),
                store.configured_type
            ),
            "Java 8 opens it only with its own type: write it as JKS (iospki init) or fix the type",
        )
    })
}

/// A PKCS#12 file without a MAC opens with any password: whoever can write it can add a trusted certificate.
pub(super) fn store_is_authenticated(store: &Store) -> Option<Finding> {
    let opened = store.opened.as_ref().ok()?;
    (opened.integrity == crate::formats::keystore::Integrity::NotChecked).then(|| {
        Finding::problem(
            &store.location,
            "has no MAC: its certificates and keys are not protected against change",
            "write it again with a MAC (iospki init writes JKS, whose digest covers the store)",
        )
    })
}

/// A store Java 8 cannot read is a problem, unless the set chose that protection (then a reminder).
fn java8_reads_store(store: &Store) -> Option<Finding> {
    let opened = store.opened.as_ref().ok().filter(|o| !o.java8_readable)?;
    let what = format!("Java 8 before 8u301 cannot read it ({})", opened.protection);
    let finding = if store.modern_by_choice {
        Finding::warning(
            &store.location,
            what,
            "the set chose --p12-profile modern: give it to Java 8u301+ only",
        )
    } else {
        Finding::problem(
            &store.location,
            what,
            "WSO2 Carbon 4.4 servers run on Java 8: write it as JKS, or PKCS#12 with 3DES and HMAC-SHA1",
        )
    };
    Some(finding)
}

fn pkcs12_password_is_ascii(store: &Store) -> Option<Finding> {
    let pkcs12 = matches!(&store.opened, Ok(opened) if opened.format == Format::Pkcs12);
    (pkcs12 && !store.password_ascii).then(|| {
        Finding::warning(
            &store.location,
            "has a non-ASCII password, which Java's PKCS12 keystore cannot use (OpenSSL can)",
            "use JKS for Java (iospki writes it), or an ASCII password",
        )
    })
}

fn store_password_is_not_published(store: &Store) -> Option<Finding> {
    (store.opened.is_ok() && store.password_well_known).then(|| {
        Finding::warning(
            &store.location,
            "uses a published default password",
            "choose your own (iospki init --password-file) and set it in carbon.xml and the files that name the store",
        )
    })
}

fn published_xml_passwords(observation: &Observation, _: &Options) -> Vec<Finding> {
    observation
        .xml_key_passwords
        .iter()
        .filter(|(_, _, well_known)| *well_known)
        .map(|(location, element, _)| {
            Finding::warning(
                location,
                format!("{element} is a published default password"),
                "choose your own with iospki init --password-file",
            )
        })
        .collect()
}

fn key_entries_found(observation: &Observation, _: &Options) -> Vec<Finding> {
    observation
        .keys
        .iter()
        .filter_map(|(_, lookup)| match lookup {
            KeyLookup::Found(_) => None,
            KeyLookup::Absent { location, aliases } => Some(Finding::problem(
                location,
                format!(
                    "has no entry under the alias the configuration names (it has: {})",
                    aliases.join(", ")
                ),
                "write the key under that alias (iospki init --ssl-alias) or fix the configuration",
            )),
            KeyLookup::NotAKey { location } => Some(Finding::problem(
                location,
                "is a trusted certificate, not a key entry",
                "write the key entry with iospki init",
            )),
            KeyLookup::WrongPassword { location } => Some(Finding::problem(
                location,
                "the configured key password does not open the key",
                "set the key password (WSO2 expects it to equal the store password)",
            )),
            KeyLookup::Unparsable { location, reason } => Some(Finding::problem(
                location,
                reason.as_str(),
                "write it again with iospki init",
            )),
        })
        .collect()
}

fn keys_belong_to_certificates(observation: &Observation, _: &Options) -> Vec<Finding> {
    observation
        .keys
        .iter()
        .filter_map(|(_, lookup)| match lookup {
            KeyLookup::Found(entry) if !belongs_to(entry.key_public.as_deref(), entry.certificate()) => {
                Some(Finding::problem(
                    &entry.location,
                    "the private key does not belong to the certificate",
                    "write the pair again with iospki init",
                ))
            }
            _ => None,
        })
        .collect()
}

fn ssl_chain_holds_the_ca(observation: &Observation, _: &Options) -> Vec<Finding> {
    match observation.keys.get(CertRole::Ssl) {
        Some(KeyLookup::Found(entry)) if entry.chain.len() < 2 => vec![Finding::problem(
            &entry.location,
            "the key's chain holds only the SSL certificate, not its CA",
            "write it with the chain SSL + CA (iospki init does)",
        )],
        _ => Vec::new(),
    }
}

fn ca_is_self_signed(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ca) = certificates.get(CertRole::Ca) else {
        return Vec::new();
    };
    let self_signed = ca.cert.self_issued() && signed_by(ca.cert, ca.cert).unwrap_or(false);
    if self_signed {
        return Vec::new();
    }
    vec![Finding::problem(
        &ca.location,
        "the CA is not self-signed; the server takes the issuer name of device certificates from it",
        "make the CA self-signed (iospki init does)",
    )]
}

fn ca_may_issue(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ca) = certificates.get(CertRole::Ca) else {
        return Vec::new();
    };
    let fix = "issue the CA with WSO2's v3_ca profile (iospki init)";
    let mut findings = Vec::new();
    if !ca.cert.is_ca() {
        findings.push(Finding::problem(
            &ca.location,
            "basicConstraints does not say CA:TRUE",
            fix,
        ));
    }
    if !ca.cert.allows(KeyUsage::KeyCertSign) {
        findings.push(Finding::problem(&ca.location, "keyUsage lacks keyCertSign", fix));
    }
    findings
}

fn ra_may_do_scep(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ra) = certificates.get(CertRole::Ra) else {
        return Vec::new();
    };
    [KeyUsage::DigitalSignature, KeyUsage::KeyEncipherment]
        .into_iter()
        .filter(|usage| !ra.cert.has_key_usage(*usage))
        .map(|usage| {
            Finding::problem(
                &ra.location,
                format!("keyUsage lacks {}, which SCEP needs (RFC 8894 2.1.2)", usage.name()),
                "issue the RA with WSO2's v3_req profile (iospki init)",
            )
        })
        .collect()
}

/// Apple's rules for TLS server certificates (support.apple.com/103769).
fn ssl_meets_apples_rules(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ssl) = certificates.get(CertRole::Ssl) else {
        return Vec::new();
    };
    let cert = ssl.cert;
    let days = cert.validity_days();
    let problems = [
        (
            cert.version < 3,
            "is an X.509 v1 certificate without extensions (no subjectAltName, no EKU)".to_owned(),
        ),
        (
            !cert.extended_key_usage.contains(&ExtendedKeyUsage::ServerAuth),
            "extendedKeyUsage lacks serverAuth, which Apple's devices require of a TLS server".to_owned(),
        ),
        (
            days > i64::from(APPLE_MAX_DAYS),
            format!("is valid for {days} days; Apple accepts at most {APPLE_MAX_DAYS}"),
        ),
        (
            cert.rsa_bits().is_some_and(|bits| bits < 2048),
            format!(
                "key is RSA {}; OpenSSL 3 will not serve a key under 2048 bits (ee key too small), nor do Apple's \
                 devices accept one",
                cert.rsa_bits().unwrap_or(0)
            ),
        ),
        (
            !cert.signature.is_sha2_rsa(),
            format!("is signed with {}; Apple requires SHA-2", cert.signature.name()),
        ),
    ];
    problems
        .into_iter()
        .filter(|(broken, _)| *broken)
        .map(|(_, what)| {
            Finding::problem(
                &ssl.location,
                what,
                "issue it again with iospki init or iospki rotate --ssl",
            )
        })
        .collect()
}

fn issued_by_the_ca(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ca) = certificates.get(CertRole::Ca) else {
        return Vec::new();
    };
    [CertRole::Ra, CertRole::Ssl]
        .into_iter()
        .filter_map(|role| certificates.get(role))
        .filter(|leaf| leaf.cert.issuer.der != ca.cert.subject.der || !signed_by(leaf.cert, ca.cert).unwrap_or(false))
        .map(|leaf| {
            Finding::problem(
                &leaf.location,
                format!("is not issued by the CA in {}", ca.location),
                "issue it again under the current CA (iospki rotate)",
            )
        })
        .collect()
}

/// Apple devices stop connecting once any certificate of the chain expires: what the CA issued must end with it.
fn nothing_outlives_its_ca(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ca) = certificates.get(CertRole::Ca) else {
        return Vec::new();
    };
    let date = |cert: &Certificate| cert.not_after.date().to_string();
    [CertRole::Ra, CertRole::Ssl]
        .into_iter()
        .filter_map(|role| certificates.get(role))
        .filter(|leaf| leaf.cert.not_after > ca.cert.not_after)
        .map(|leaf| {
            Finding::problem(
                &leaf.location,
                format!(
                    "ends on {}, after its CA in {} ({}): once the CA expires, devices cannot connect",
                    date(leaf.cert),
                    ca.location,
                    date(ca.cert)
                ),
                "renew the CA and what it issued together (iospki rotate --ca)",
            )
        })
        .collect()
}

/// The SSL certificate must name every host of the cluster in subjectAltName (the CN is not trusted): the hosts
/// the set's ledger records, or else those iot-api-config.xml sends clients to.
fn ssl_names_every_host(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let (Some(ssl), Some(hosts)) = (
        certificates.get(CertRole::Ssl),
        observation.cluster_hosts.as_ref().or(observation.api_hosts.as_ref()),
    ) else {
        return Vec::new();
    };
    let missing: Vec<&str> = hosts
        .iter()
        .filter(|host| {
            !ssl.cert
                .subject_alt_names
                .iter()
                .any(|name| matches!(name, crate::formats::x509::AltName::Dns(dns) if dns.eq_ignore_ascii_case(host)))
        })
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![Finding::problem(
        &ssl.location,
        format!(
            "subjectAltName lacks {}; clients check the SAN, not the CN",
            missing.join(", ")
        ),
        "issue it again with iospki init or iospki rotate --ssl",
    )]
}

fn truststore_holds_no_keys(observation: &Observation, _: &Options) -> Vec<Finding> {
    let Some(store) = &observation.truststore else {
        return Vec::new();
    };
    let Ok(opened) = &store.opened else {
        return Vec::new();
    };
    opened
        .store
        .entries()
        .iter()
        .filter(|e| e.entry.is_key())
        .map(|item| {
            Finding::problem(
                &store.location,
                format!(
                    "holds a private key (alias {}); a truststore holds certificates only",
                    item.alias
                ),
                "write the truststore with iospki init (trusted certificates only)",
            )
        })
        .collect()
}

fn truststore_trusts_the_cluster(observation: &Observation, _: &Options) -> Vec<Finding> {
    let Some(store) = &observation.truststore else {
        return Vec::new();
    };
    let Ok(opened) = &store.opened else {
        return Vec::new();
    };
    let certificates = certificates(observation);
    [(CertRole::Ca, "the CA"), (CertRole::Ssl, "the SSL certificate")]
        .into_iter()
        .filter_map(|(role, name)| Some((certificates.get(role)?, name)))
        .filter(|(cert, _)| {
            !opened
                .store
                .entries()
                .iter()
                .any(|e| e.entry.certificate().is_some_and(|der| *der == cert.cert.der))
        })
        .map(|(_, name)| {
            Finding::problem(
                &store.location,
                format!("does not trust {name}; calls between nodes fail with certificate_unknown"),
                "merge it in with iospki init --merge-from",
            )
        })
        .collect()
}

/// The key manager checks the JWTs the server signs with its KeyAlias key against iot_default.xml.
fn identity_provider_vouches_for_the_server(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let (Some(provider), Some(ssl)) = (&observation.identity_provider, certificates.get(CertRole::Ssl)) else {
        return Vec::new();
    };
    let fix = "write it with iospki init or iospki rotate (its Certificate must be the KeyAlias certificate)";
    let mut findings = Vec::new();
    match &provider.certificate {
        None => findings.push(Finding::problem(
            &provider.location,
            "its Certificate is not a certificate as the key manager decodes it (base64 of DER, without PEM armour)",
            fix,
        )),
        Some(cert) if cert.der != ssl.cert.der => findings.push(Finding::problem(
            &provider.location,
            format!(
                "its Certificate is {}, not the certificate under KeyAlias in {}: the key manager rejects the \
                 server's own JWTs (\"failed to retrieve oauth token using jwt\")",
                cert.subject.text, ssl.location
            ),
            fix,
        )),
        Some(_) => {}
    }
    for (element, found, expected) in [
        ("IdentityProviderName", &provider.name, crate::wso2::JWT_ISSUER),
        ("Alias", &provider.alias, crate::wso2::JWT_AUDIENCE),
    ] {
        if found != expected {
            findings.push(Finding::problem(
                &provider.location,
                format!("{element} is '{found}'; the server's JWTs need '{expected}' (conf/etc/jwt.properties)"),
                fix,
            ));
        }
    }
    findings
}

/// A manager pushes to iOS devices over TLS to Apple's push service.
fn manager_trusts_apples_push_service(observation: &Observation, _: &Options) -> Vec<Finding> {
    let Some(store) = observation.truststore.as_ref().filter(|_| observation.pushes_to_apple) else {
        return Vec::new();
    };
    let Ok(opened) = &store.opened else {
        return Vec::new();
    };
    let trusts_apple = opened.store.entries().iter().any(|item| {
        let cert = item.entry.certificate().and_then(|der| Certificate::parse(der).ok());
        cert.is_some_and(|cert| {
            crate::formats::roots::common_name(&cert).is_some_and(|cn| crate::formats::roots::APNS_ROOTS.contains(&cn))
        })
    });
    if trusts_apple {
        return Vec::new();
    }
    vec![Finding::warning(
        &store.location,
        format!(
            "trusts neither of the roots of Apple's push service ({}): the manager cannot push to iOS devices",
            crate::formats::roots::APNS_ROOTS.join(", ")
        ),
        "write it with iospki init (without --no-public-roots), or import USERTrust RSA Certification Authority",
    )]
}

/// With response signing on, an app without a keystore or alias cannot check the IdP's signature.
fn relying_parties_name_a_store_and_alias(observation: &Observation, _: &Options) -> Vec<Finding> {
    let mut findings = Vec::new();
    for party in observation
        .relying_parties
        .iter()
        .filter(|p| p.settings.response_signing)
    {
        // An app that falls back to carbon.xml's KeyStore (Enterprise Store 2.1) has a store without a name.
        let store_missing = party.settings.key_store_name.is_empty() && party.store.is_none();
        for (key, missing) in [
            ("keyStoreName", store_missing),
            ("identityAlias", party.settings.identity_alias.is_empty()),
        ] {
            if missing {
                findings.push(Finding::problem(
                    &party.location,
                    format!(
                        "{key} is empty while responseSigningEnabled is on: the app cannot check the IdP's signature"
                    ),
                    "set keyStoreName /repository/resources/security/wso2carbon.jks, its keyStorePassword, and \
                     identityAlias wso2carbon",
                ));
            }
        }
    }
    findings
}

/// The apps open their keystore as JKS with the JSON's password.
fn relying_party_stores(observation: &Observation, _: &Options) -> Vec<Finding> {
    observation
        .relying_parties
        .iter()
        .filter_map(|party| party.store.as_ref())
        .flat_map(store_findings)
        .filter(|finding| finding.severity == crate::ops::findings::Severity::Problem)
        .collect()
}

/// The certificate under identityAlias must be the IdP's signing key (one key per cluster, R1 and R2).
fn relying_parties_hold_the_signing_certificate(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let signing = certificates.get(CertRole::Ssl);
    let mut findings = Vec::new();
    for party in &observation.relying_parties {
        let Some(store) = party.store.as_ref().filter(|s| s.opened.is_ok()) else {
            continue;
        };
        let alias = &party.settings.identity_alias;
        match (&party.certificate, signing) {
            (None, _) if !alias.is_empty() => findings.push(Finding::problem(
                &party.location,
                format!(
                    "{} has no certificate under identityAlias {alias}: the app fails with a NullPointerException in \
                     X509CredentialImpl",
                    store.location
                ),
                "set identityAlias to the alias of the IdP's signing certificate (wso2carbon)",
            )),
            (Some(cert), Some(signing)) if !belongs_to(signing.cert.rsa_public_key(), cert) => {
                findings.push(Finding::problem(
                    &party.location,
                    format!(
                        "the certificate under identityAlias {alias} in {} is not the IdP's signing key ({}): \
                         \"Signature did not validate against the credential's key\"",
                        store.location, signing.location
                    ),
                    "give every node the same wso2carbon key (copy wso2carbon.jks from the same set)",
                ));
            }
            _ => {}
        }
    }
    findings
}

/// Every host the node's files send clients and nodes to (carbon.xml's HostName, the SSO URLs, proxyHost) must
/// be one the server's certificate covers (R5): Java checks it ("SSL peer failed hostname validation").
fn configured_hosts_are_in_the_certificate(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let Some(ssl) = certificates.get(CertRole::Ssl) else {
        return Vec::new();
    };
    observation
        .named_hosts
        .iter()
        .filter(|named| !ssl.cert.covers(&named.host))
        .map(|named| {
            Finding::problem(
                &named.location,
                format!(
                    "{} names {}, which the certificate in {} does not cover: clients reaching it fail hostname verification",
                    named.value, named.host, ssl.location
                ),
                "use the cluster's public names (SETTINGS.txt of iospki bundle), or add the name to [hosts] and issue the certificate again (iospki rotate --ssl)",
            )
        })
        .collect()
}

/// The ACS an app asks for must be one the identity provider lists for its issuer: it refuses any other
/// ("Invalid Assertion Consumer Service URL in the Authentication Request").
fn acs_agrees_with_the_identity_provider(observation: &Observation, _: &Options) -> Vec<Finding> {
    let Some(idp) = &observation.idp_config else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for party in &observation.relying_parties {
        let settings = &party.settings;
        if settings.acs.is_empty() || settings.acs.contains('%') {
            continue;
        }
        let Some(provider) = idp.providers.iter().find(|p| p.issuer == settings.issuer) else {
            findings.push(Finding::problem(
                &party.location,
                format!(
                    "issuer {} is not a service provider of {}",
                    settings.issuer, idp.location
                ),
                "add its <ServiceProvider> with the ACS and SignResponse of SETTINGS.txt",
            ));
            continue;
        };
        let listed = provider.acs_urls.iter().chain(&provider.default_acs);
        if !listed.clone().any(|url| *url == settings.acs) {
            let urls: Vec<&str> = listed.map(String::as_str).collect();
            findings.push(Finding::problem(
                &party.location,
                format!(
                    "acs {} is not an ACS of issuer {} in {} ({}): the identity provider refuses the request",
                    settings.acs,
                    settings.issuer,
                    idp.location,
                    urls.join(", ")
                ),
                "set the same ACS on the public name, without :9443, in both files (SETTINGS.txt)",
            ));
        }
    }
    findings
}

/// carbon.xml ignores an element it does not know: a misspelt one (the guide's `<MgtHostNam>`) sets nothing.
fn carbon_elements_are_known(observation: &Observation, _: &Options) -> Vec<Finding> {
    use crate::wso2::read::{SECURITY_ELEMENTS, SERVER_ELEMENTS};
    observation
        .carbon_elements
        .iter()
        .filter_map(|element| {
            let known = if element.parent == "Server" {
                SERVER_ELEMENTS
            } else {
                SECURITY_ELEMENTS
            };
            if known.contains(&element.name.as_str()) {
                return None;
            }
            let meant = known
                .iter()
                .find(|name| strsim::levenshtein(name, &element.name) <= 2)?;
            Some(Finding::warning(
                format!("repository/conf/carbon.xml:{}", element.line),
                format!(
                    "<{}> is not an element carbon.xml reads, so the server ignores it; <{meant}> is",
                    element.name
                ),
                format!("rename it to <{meant}>"),
            ))
        })
        .collect()
}

fn nothing_expires(observation: &Observation, options: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    certificates
        .iter()
        .filter_map(|(_, located)| expiry(&located.location, located.cert, options))
        .collect()
}

/// A problem at `location` when `cert` has expired or expires within the options' window.
pub(super) fn expiry(location: &str, cert: &Certificate, options: &Options) -> Option<Finding> {
    let deadline = options.now.checked_add(options.within);
    let not_after = cert.not_after;
    let date = not_after
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    if not_after < options.now {
        Some(Finding::problem(
            location,
            format!("expired on {date}"),
            "renew it with iospki rotate",
        ))
    } else if deadline.is_none_or(|deadline| not_after < deadline) {
        let days = (not_after - options.now).whole_days();
        Some(Finding::problem(
            location,
            format!("expires in {days} days, on {date}"),
            "renew it with iospki rotate",
        ))
    } else {
        None
    }
}

/// The PEM files of an output directory hold the certificates and keys its stores hold.
fn pem_files_agree(observation: &Observation, _: &Options) -> Vec<Finding> {
    let certificates = certificates(observation);
    let mut findings = Vec::new();
    for pair in &observation.pems {
        let Some(stored) = certificates.get(pair.role) else {
            continue;
        };
        match &pair.cert {
            Err(reason) => findings.push(unreadable(pair.cert_file, reason)),
            Ok(cert) if cert.as_ref().is_none_or(|cert| cert.der != stored.cert.der) => {
                findings.push(Finding::problem(
                    pair.cert_file,
                    format!("is not the certificate in {}", stored.location),
                    "the files come from different runs: write them all again with iospki init",
                ));
            }
            Ok(_) => {}
        }
        match &pair.key_public {
            Err(reason) => findings.push(unreadable(pair.key_file, reason)),
            Ok(key) if !belongs_to(Some(key), stored.cert) => findings.push(Finding::problem(
                pair.key_file,
                format!("is not the key of {}", pair.cert_file),
                "write the pair again with iospki init",
            )),
            Ok(_) => {}
        }
    }
    findings
}

/// A file that could not be read or loaded: said as it is, since the fix for a mismatch (writing the file
/// again) would destroy what an unreadable file may still hold.
fn unreadable(file: &str, reason: &str) -> Finding {
    Finding::problem(
        file,
        reason,
        "let the user iospki runs as read it (iospki writes it 0600, owned by that user), then verify again",
    )
}

/// No name is the server_name of two TLS server blocks: nginx would send all its traffic to the first.
fn nginx_serves_each_name_once(observation: &Observation, _: &Options) -> Vec<Finding> {
    let Some((file, text)) = &observation.nginx_conf else {
        return Vec::new();
    };
    let mut first_block = std::collections::HashMap::new();
    let mut findings = Vec::new();
    for (block, names) in crate::wso2::nginx::tls_server_names(text).iter().enumerate() {
        for name in names {
            match first_block.insert(name.to_ascii_lowercase(), block) {
                Some(first) if first != block => findings.push(Finding::problem(
                    file.as_str(),
                    format!(
                        "server_name {} is in two listen 443 server blocks; nginx serves it from the first only",
                        name.escape_debug()
                    ),
                    "give each host group names of its own in the cluster description and run iospki init again",
                )),
                _ => {}
            }
        }
    }
    findings
}

/// nginx's chain is the SSL certificate then its CA, and its key is the SSL certificate's.
fn nginx_chain_and_key(observation: &Observation, _: &Options) -> Vec<Finding> {
    let Some(nginx) = &observation.nginx else {
        return Vec::new();
    };
    let fix = "make the bundle again with iospki bundle";
    let chain = match &nginx.chain {
        Ok(chain) => chain,
        Err(reason) => return vec![unreadable(&nginx.chain_file, reason)],
    };
    let key_public = match &nginx.key_public {
        Ok(key) => key,
        Err(reason) => return vec![unreadable(&nginx.key_file, reason)],
    };
    let [leaf, _] = chain.as_slice() else {
        return vec![Finding::problem(
            &nginx.chain_file,
            format!(
                "holds {} certificates; nginx's ssl_certificate needs the SSL certificate, then its CA",
                chain.len()
            ),
            fix,
        )];
    };
    if belongs_to(Some(key_public), leaf) {
        return Vec::new();
    }
    vec![Finding::problem(
        &nginx.key_file,
        "is not the key of the chain's SSL certificate",
        fix,
    )]
}

/// What to do about a Secure Vault secret that the server cannot use.
const VAULT_FIX: &str = "encrypt the stores' password again with the key secret-conf.properties names (iospki init \
                         --secure-vault --force, or the cipher tool on the node)";

/// A Secure Vault set, as the server meets it at start: its secret-conf.properties and key, then each secret,
/// each alias the settings name and each password they hold in plain text.
fn secure_vault(observation: &Observation, options: &Options) -> Vec<Finding> {
    (observation.vault.as_ref())
        .map(|vault| vault_findings(vault, Some(&options.store_password)))
        .unwrap_or_default()
}

/// Secure Vault's rules on `vault`, each secret expected to decrypt to `expected` where given.
pub(super) fn vault_findings(vault: &Vault, expected: Option<&Password>) -> Vec<Finding> {
    let mut findings = vault_key(vault);
    findings.extend(vault_secrets(vault, expected));
    findings.extend(vault_references(vault));
    findings.extend(vault_plain_passwords(vault));
    findings
}

/// The transformations the server's file secret repository decrypts iospki's values with: PKCS#1 v1.5.
const PKCS1_TRANSFORMATIONS: [&str; 2] = ["RSA", "RSA/ECB/PKCS1Padding"];

/// The transformation of the symmetric mode, the server's default for it.
const GCM_TRANSFORMATIONS: [&str; 1] = ["AES/GCM/NoPadding"];

/// secret-conf.properties must be there and name a key the store password opens, decrypted with PKCS#1 v1.5 (or,
/// in the symmetric mode, AES-GCM).
fn vault_key(vault: &Vault) -> Vec<Finding> {
    let conf = match &vault.conf {
        Ok(conf) => conf,
        Err(reason) => {
            return vec![Finding::problem(
                &vault.conf_location,
                format!("{reason}: the server decrypts no secret of this Secure Vault set and does not start"),
                "write it with iospki init --secure-vault (it names the keystore and alias whose key decrypts)",
            )];
        }
    };
    let mut findings = Vec::new();
    let (accepted, cipher) = match conf.symmetric {
        false => (
            &PKCS1_TRANSFORMATIONS[..],
            "RSA PKCS#1 v1.5 (the cipher tool's default)",
        ),
        true => (&GCM_TRANSFORMATIONS[..], "AES-GCM (the symmetric mode)"),
    };
    if let Some(algorithm) = conf.algorithm.as_deref()
        && !accepted.iter().any(|t| t.eq_ignore_ascii_case(algorithm.trim()))
    {
        findings.push(Finding::problem(
            format!("{} secretRepositories.file.algorithm", vault.conf_location),
            format!("is {algorithm}: the values are {cipher}, which it does not decrypt"),
            format!(
                "remove the line (the server's default for the mode) or set it to {}",
                accepted[accepted.len() - 1]
            ),
        ));
    }
    if let Some((location, Err(reason))) = &vault.key {
        findings.push(Finding::problem(
            location,
            format!(
                "{reason}: {} names it (keystore.identity.*), so the server decrypts no secret",
                vault.conf_location
            ),
            "name the keystore and key alias of the set's own store there (iospki init --secure-vault writes it)",
        ));
    }
    findings
}

/// Each secret must be encrypted, and decrypt with the key; with `expected`, to that password (the one that
/// opens the stores every alias of an iospki set protects).
fn vault_secrets(vault: &Vault, expected: Option<&Password>) -> Vec<Finding> {
    let key = vault.key.as_ref().map_or("", |(location, _)| location.as_str());
    vault
        .secrets
        .iter()
        .filter_map(|secret| {
            let what = match &secret.outcome {
                Outcome::Plain => "is still plain text in [brackets]: the server refuses it (the cipher tool \
                                   encrypts it only when run on the node)"
                    .to_owned(),
                Outcome::Undecrypted(e) => {
                    format!("{e} ({key}): it was encrypted under another key or is no ciphertext")
                }
                Outcome::Decrypted(password) if expected.is_some_and(|p| p.secret_str() != password.secret_str()) => {
                    format!(
                        "decrypts with {key} to a password that does not open the stores: it holds another password, \
                         or was encrypted under another key (whose padding the key rejects implicitly, as random text)"
                    )
                }
                Outcome::Decrypted(_) | Outcome::Unjudged => return None,
            };
            Some(Finding::problem(&secret.location, what, VAULT_FIX))
        })
        .collect()
}

/// Each alias a configuration file names must be a secret: the server resolves nothing else.
fn vault_references(vault: &Vault) -> Vec<Finding> {
    vault
        .references
        .iter()
        .filter(|named| !vault.secrets.iter().any(|s| s.alias == named.name))
        .map(|named| {
            Finding::problem(
                &named.location,
                format!(
                    "is a Secure Vault alias {} does not hold: the server has no password for it",
                    vault.secrets_file
                ),
                VAULT_FIX,
            )
        })
        .collect()
}

/// A password iospki protects must not sit in plain text in a Secure Vault set.
fn vault_plain_passwords(vault: &Vault) -> Vec<Finding> {
    vault
        .plain
        .iter()
        .map(|named| {
            Finding::problem(
                &named.location,
                format!(
                    "holds {} in plain text in a Secure Vault set: anyone who reads the file has the stores' password",
                    named.name
                ),
                "name its alias instead (svns:secretAlias in Carbon's XML, $secret{alias} in deployment.toml), as \
                 iospki init --secure-vault writes it",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::OnceLock;

    use zeroize::Zeroizing;

    use super::super::observe::{self, KeyEntry, Nginx, PemPair};
    use super::super::tree::Tree;
    use super::*;
    use crate::formats::x509::{AltName, SignatureAlgorithm};
    use crate::io::secret::Password;
    use crate::model::ledger::Ledger;
    use crate::model::settings::Choices;
    use crate::ops::init::{InitOptions, generate_keys, plan};

    const PASSWORD: &str = "rules-test-password";

    /// The files of one IoT set by name, and its ledger.
    type Made = (Vec<(PathBuf, Zeroizing<Vec<u8>>)>, Ledger);

    /// The set, made once.
    fn files() -> &'static Made {
        static FILES: OnceLock<Made> = OnceLock::new();
        FILES.get_or_init(|| {
            let options = InitOptions::new(Choices::default().settings().unwrap(), Password::new(PASSWORD));
            let given = [(CertRole::Ca, crate::test_keys::ca())].into_iter().collect();
            let keys = generate_keys(options.settings.cluster.product(), given, 2048).unwrap();
            let outcome = plan(&options, &keys, None, None, crate::formats::issue::now()).unwrap();
            let files = outcome
                .set
                .files()
                .iter()
                .map(|f| (PathBuf::from(f.spec.name), f.contents.clone()))
                .collect();
            (files, outcome.set.ledger().unwrap())
        })
    }

    fn options() -> Options {
        Options {
            store_password: Password::new(PASSWORD),
            ssl_alias: "wso2carbon".into(),
            within: time::Duration::days(30),
            now: crate::formats::issue::now(),
        }
    }

    /// What verify observes of a sound output directory.
    fn sound() -> Observation {
        let (files, ledger) = files();
        observe::output(&Tree::Memory(files.clone()), Some(ledger.clone()), &options()).unwrap()
    }

    fn entry(observation: &mut Observation, role: CertRole) -> &mut KeyEntry {
        match observation.keys.get_mut(role) {
            Some(KeyLookup::Found(entry)) => entry,
            other => panic!("no {role} entry: {other:?}"),
        }
    }

    fn cert(observation: &mut Observation, role: CertRole) -> &mut Certificate {
        &mut entry(observation, role).chain[0]
    }

    /// The findings of `rule`, as text.
    fn judged(rule: Rule, observation: &Observation) -> Vec<String> {
        rule(observation, &options()).iter().map(ToString::to_string).collect()
    }

    /// `rule` finds exactly one finding in `observation`, and it says `what`.
    fn finds(rule: Rule, observation: &Observation, what: &str) {
        let found = judged(rule, observation);
        assert!(
            found.len() == 1 && found[0].contains(what),
            "expected one '{what}', got {found:?}"
        );
    }

    #[test]
    fn a_sound_set_passes_every_rule() {
        let observation = sound();
        assert!(observation.findings.is_empty(), "{:?}", observation.findings);
        for rule in RULES {
            assert_eq!(judged(*rule, &observation), Vec::<String>::new());
        }
    }

    #[test]
    fn a_store_that_does_not_open_is_a_problem() {
        let mut observation = sound();
        let store = observation.keystore.as_mut().unwrap();
        store.opened = Err(OpenError::Store(StoreError::WrongPassword));
        finds(server_stores, &observation, "store password is wrong");
        observation.keystore.as_mut().unwrap().opened = Err(OpenError::Unreadable("cannot be read: gone".into()));
        finds(server_stores, &observation, "cannot be read: gone");
    }

    #[test]
    fn a_store_of_another_type_than_configured_is_a_problem() {
        let mut observation = sound();
        observation.truststore.as_mut().unwrap().configured_type = "PKCS12".into();
        finds(server_stores, &observation, "is JKS but is configured as type PKCS12");
    }

    #[test]
    fn a_store_java_8_cannot_read_is_a_problem() {
        let mut observation = sound();
        let opened = observation.scep_store.as_mut().unwrap().opened.as_mut().unwrap();
        opened.java8_readable = false;
        finds(server_stores, &observation, "Java 8 before 8u301 cannot read it");
    }

    #[test]
    fn a_non_ascii_pkcs12_password_is_a_warning() {
        let mut observation = sound();
        let p12 = &mut observation.pkcs12[0];
        assert!(store_findings(p12).is_empty());
        p12.password_ascii = false;
        finds(
            pkcs12_files,
            &observation,
            "warning: KEYSTORE.p12: has a non-ASCII password",
        );
    }

    #[test]
    fn a_published_store_password_is_a_warning() {
        let mut observation = sound();
        observation.keystore.as_mut().unwrap().password_well_known = true;
        finds(
            server_stores,
            &observation,
            "warning: wso2carbon.jks: uses a published default password",
        );
    }

    #[test]
    fn what_java_reads_oddly_is_a_finding_and_the_empty_password_a_problem() {
        let mut observation = sound();
        let keystore = observation.keystore.as_mut().unwrap();
        let opened = keystore.opened.as_mut().unwrap();
        opened.oddities = vec![
            Oddity::DuplicateAliases(vec!["wso2carbon".into()]),
            Oddity::EmptyAlias,
            Oddity::EmptyPassword,
        ];
        let found = judged(server_stores, &observation);
        let expected = [
            "warning: wso2carbon.jks: alias 'wso2carbon' appears more than once: Java uses the last entry",
            "warning: wso2carbon.jks: an entry has the empty alias",
            "problem: wso2carbon.jks: the store password is empty",
        ];
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for (found, expected) in found.iter().zip(expected) {
            assert!(found.starts_with(expected), "{found}");
        }
    }

    #[test]
    fn a_published_key_password_in_xml_is_a_warning() {
        let mut observation = sound();
        observation.xml_key_passwords[1].2 = true;
        finds(
            published_xml_passwords,
            &observation,
            "RAPrivateKeyPassword is a published default password",
        );
    }

    #[test]
    fn a_key_entry_the_configuration_names_must_be_there_and_open() {
        let mut observation = sound();
        let location = "wso2carbon.jks alias other".to_owned();
        let absent = KeyLookup::Absent {
            location: location.clone(),
            aliases: vec!["wso2carbon".into()],
        };
        observation.keys.insert(CertRole::Ssl, absent);
        finds(
            key_entries_found,
            &observation,
            "has no entry under the alias the configuration names (it has: wso2carbon)",
        );
        observation.keys.insert(
            CertRole::Ssl,
            KeyLookup::NotAKey {
                location: location.clone(),
            },
        );
        finds(
            key_entries_found,
            &observation,
            "is a trusted certificate, not a key entry",
        );
        observation
            .keys
            .insert(CertRole::Ssl, KeyLookup::WrongPassword { location });
        finds(
            key_entries_found,
            &observation,
            "the configured key password does not open the key",
        );
    }

    #[test]
    fn a_key_must_belong_to_its_certificate() {
        let mut observation = sound();
        let other = entry(&mut observation, CertRole::Ra).key_public.clone();
        entry(&mut observation, CertRole::Ssl).key_public = other;
        finds(
            keys_belong_to_certificates,
            &observation,
            "the private key does not belong to the certificate",
        );
    }

    #[test]
    fn the_ssl_chain_must_hold_the_ca() {
        let mut observation = sound();
        entry(&mut observation, CertRole::Ssl).chain.truncate(1);
        finds(
            ssl_chain_holds_the_ca,
            &observation,
            "the key's chain holds only the SSL certificate",
        );
    }

    #[test]
    fn the_ca_must_be_self_signed() {
        let mut observation = sound();
        let ssl = cert(&mut observation, CertRole::Ssl).clone();
        *cert(&mut observation, CertRole::Ca) = ssl;
        finds(ca_is_self_signed, &observation, "the CA is not self-signed");
    }

    #[test]
    fn the_ca_must_be_a_ca_that_may_sign_certificates() {
        let mut observation = sound();
        let ca = cert(&mut observation, CertRole::Ca);
        ca.basic_constraints = None;
        finds(ca_may_issue, &observation, "basicConstraints does not say CA:TRUE");
        let ca = cert(&mut observation, CertRole::Ca);
        ca.basic_constraints = Some(crate::formats::x509::BasicConstraints {
            ca: true,
            path_len: None,
            critical: true,
        });
        ca.key_usage = Some(vec![KeyUsage::DigitalSignature]);
        finds(ca_may_issue, &observation, "keyUsage lacks keyCertSign");
    }

    #[test]
    fn the_ra_needs_what_scep_does() {
        let mut observation = sound();
        cert(&mut observation, CertRole::Ra).key_usage = Some(vec![KeyUsage::DigitalSignature]);
        finds(
            ra_may_do_scep,
            &observation,
            "keyUsage lacks keyEncipherment, which SCEP needs",
        );
    }

    #[test]
    fn a_v1_ssl_certificate_breaks_apples_rules() {
        let mut observation = sound();
        cert(&mut observation, CertRole::Ssl).version = 1;
        finds(ssl_meets_apples_rules, &observation, "is an X.509 v1 certificate");
    }

    #[test]
    fn an_ssl_certificate_without_server_auth_breaks_apples_rules() {
        let mut observation = sound();
        cert(&mut observation, CertRole::Ssl).extended_key_usage = vec![ExtendedKeyUsage::ClientAuth];
        finds(
            ssl_meets_apples_rules,
            &observation,
            "extendedKeyUsage lacks serverAuth",
        );
    }

    #[test]
    fn an_ssl_certificate_longer_than_825_days_breaks_apples_rules() {
        let mut observation = sound();
        let ssl = cert(&mut observation, CertRole::Ssl);
        ssl.not_after = ssl.not_before + time::Duration::days(826);
        finds(
            ssl_meets_apples_rules,
            &observation,
            "is valid for 826 days; Apple accepts at most 825",
        );
    }

    #[test]
    fn a_small_or_sha1_ssl_certificate_breaks_apples_rules() {
        let mut observation = sound();
        cert(&mut observation, CertRole::Ssl).public_key = crate::formats::x509::PublicKey::Rsa {
            bits: 1024,
            pkcs1: Vec::new(),
        };
        finds(
            ssl_meets_apples_rules,
            &observation,
            "key is RSA 1024; OpenSSL 3 will not serve a key under 2048 bits (ee key too small)",
        );
        let mut observation = sound();
        cert(&mut observation, CertRole::Ssl).signature = SignatureAlgorithm::Sha1Rsa;
        finds(
            ssl_meets_apples_rules,
            &observation,
            "is signed with SHA1withRSA; Apple requires SHA-2",
        );
    }

    #[test]
    fn ra_and_ssl_must_be_issued_by_the_ca() {
        let mut observation = sound();
        let ra = cert(&mut observation, CertRole::Ra).clone();
        *cert(&mut observation, CertRole::Ca) = ra;
        let found = judged(issued_by_the_ca, &observation);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|f| f.contains("is not issued by the CA in")),
            "{found:?}"
        );
    }

    #[test]
    fn no_certificate_may_outlive_its_ca() {
        let mut observation = sound();
        let ca_ends = cert(&mut observation, CertRole::Ca).not_after;
        cert(&mut observation, CertRole::Ssl).not_after = ca_ends + time::Duration::days(1);
        finds(
            nothing_outlives_its_ca,
            &observation,
            "after its CA in wso2certs.jks alias cacert",
        );
    }

    #[test]
    fn the_ssl_certificate_must_name_every_cluster_host() {
        let mut observation = sound();
        let ssl = cert(&mut observation, CertRole::Ssl);
        ssl.subject_alt_names
            .retain(|name| *name != AltName::Dns("mgt.iots310.wso2.com".into()));
        finds(
            ssl_names_every_host,
            &observation,
            "subjectAltName lacks mgt.iots310.wso2.com",
        );
    }

    #[test]
    fn without_a_ledger_the_hosts_come_from_iot_api_config() {
        let mut observation = sound();
        observation.cluster_hosts = None;
        assert!(judged(ssl_names_every_host, &observation).is_empty());
        observation.api_hosts = Some(vec!["elsewhere.example.org".into()]);
        finds(
            ssl_names_every_host,
            &observation,
            "subjectAltName lacks elsewhere.example.org",
        );
    }

    #[test]
    fn a_truststore_holds_no_private_key() {
        let mut observation = sound();
        let keystore = observation.keystore.take().unwrap();
        observation.truststore = Some(keystore);
        let found = judged(truststore_holds_no_keys, &observation);
        assert!(found[0].contains("holds a private key (alias wso2carbon)"), "{found:?}");
    }

    #[test]
    fn a_truststore_trusts_the_ca_and_the_ssl_certificate() {
        let mut observation = sound();
        let scep = observation.scep_store.take().unwrap();
        observation.truststore = Some(scep);
        finds(
            truststore_trusts_the_cluster,
            &observation,
            "does not trust the SSL certificate",
        );
    }

    #[test]
    fn an_expired_certificate_is_a_problem() {
        let mut observation = sound();
        let ra = cert(&mut observation, CertRole::Ra);
        ra.not_after = crate::formats::issue::now() - time::Duration::days(1);
        finds(nothing_expires, &observation, "expired on");
    }

    #[test]
    fn a_certificate_expiring_within_the_window_is_a_problem() {
        let mut observation = sound();
        let ra = cert(&mut observation, CertRole::Ra);
        ra.not_after = crate::formats::issue::now() + time::Duration::days(10) + time::Duration::hours(1);
        finds(nothing_expires, &observation, "expires in 10 days");
    }

    #[test]
    fn iot_default_xml_must_hold_the_certificate_that_signs_the_servers_jwts() {
        let mut observation = sound();
        let ca = cert(&mut observation, CertRole::Ca).clone();
        let provider = observation.identity_provider.as_mut().unwrap();
        provider.certificate = Some(ca);
        finds(
            identity_provider_vouches_for_the_server,
            &observation,
            "not the certificate under KeyAlias",
        );
        let provider = observation.identity_provider.as_mut().unwrap();
        provider.certificate = None;
        finds(
            identity_provider_vouches_for_the_server,
            &observation,
            "base64 of DER, without PEM armour",
        );
    }

    #[test]
    fn iot_default_xml_must_name_the_servers_jwt_issuer_and_audience() {
        let mut observation = sound();
        observation.identity_provider.as_mut().unwrap().alias = "other".into();
        finds(
            identity_provider_vouches_for_the_server,
            &observation,
            "Alias is 'other'; the server's JWTs need 'devicemgt'",
        );
    }

    #[test]
    fn a_manager_truststore_without_apples_push_roots_is_a_warning() {
        let mut observation = sound();
        observation.truststore = observation.scep_store.take();
        finds(
            manager_trusts_apples_push_service,
            &observation,
            "warning: wso2certs.jks: trusts neither of the roots",
        );
        observation.pushes_to_apple = false;
        assert!(judged(manager_trusts_apples_push_service, &observation).is_empty());
    }

    /// A relying party whose settings name `alias` in the sound keystore, holding `certificate`.
    fn party(observation: &mut Observation, alias: &str, certificate: Option<Certificate>) -> observe::RelyingParty {
        observe::RelyingParty {
            location: "store.json".into(),
            settings: crate::wso2::read::SsoSettings {
                response_signing: true,
                key_store_name: "/repository/resources/security/wso2carbon.jks".into(),
                key_store_password: Password::new(PASSWORD),
                identity_alias: alias.into(),
                issuer: "store".into(),
                acs: "https://store.example.org/store/acs".into(),
            },
            store: observation.keystore.take(),
            certificate,
        }
    }

    #[test]
    fn a_relying_party_holds_the_idps_signing_certificate_under_its_alias() {
        let mut observation = sound();
        let ssl = cert(&mut observation, CertRole::Ssl).clone();
        let sound_party = party(&mut observation, "wso2carbon", Some(ssl));
        observation.relying_parties = vec![sound_party];
        assert!(judged(relying_parties_hold_the_signing_certificate, &observation).is_empty());
        let ca = cert(&mut observation, CertRole::Ca).clone();
        observation.relying_parties[0].certificate = Some(ca);
        finds(
            relying_parties_hold_the_signing_certificate,
            &observation,
            "is not the IdP's signing key",
        );
        observation.relying_parties[0].certificate = None;
        finds(
            relying_parties_hold_the_signing_certificate,
            &observation,
            "NullPointerException in X509CredentialImpl",
        );
    }

    #[test]
    fn a_relying_party_with_signing_on_needs_a_keystore_and_an_alias() {
        let mut observation = sound();
        let mut empty = party(&mut observation, "", None);
        empty.settings.key_store_name.clear();
        let falls_back = empty.store.take();
        observation.relying_parties = vec![empty];
        let found = judged(relying_parties_name_a_store_and_alias, &observation);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("keyStoreName is empty while responseSigningEnabled is on"),
            "{found:?}"
        );
        observation.relying_parties[0].store = falls_back;
        let found = judged(relying_parties_name_a_store_and_alias, &observation);
        assert_eq!(
            found.len(),
            1,
            "carbon.xml's KeyStore stands in for keyStoreName: {found:?}"
        );
        observation.relying_parties[0].settings.response_signing = false;
        assert!(judged(relying_parties_name_a_store_and_alias, &observation).is_empty());
    }

    #[test]
    fn every_configured_host_must_be_covered_by_the_certificate() {
        let mut observation = sound();
        let host = |value: &str, host: &str| observe::NamedHost {
            location: "repository/conf/carbon.xml HostName".into(),
            value: value.into(),
            host: host.into(),
        };
        let ssl_name = match &cert(&mut observation, CertRole::Ssl).subject_alt_names[0] {
            crate::formats::x509::AltName::Dns(name) => name.clone(),
            other => panic!("{other:?}"),
        };
        observation.named_hosts = vec![host(&format!("https://{ssl_name}/samlsso"), &ssl_name)];
        assert!(judged(configured_hosts_are_in_the_certificate, &observation).is_empty());
        observation.named_hosts.push(host("wso2.is.com", "wso2.is.com"));
        finds(
            configured_hosts_are_in_the_certificate,
            &observation,
            "problem: repository/conf/carbon.xml HostName: wso2.is.com names wso2.is.com, which the certificate",
        );
        let ssl = cert(&mut observation, CertRole::Ssl);
        ssl.subject_alt_names = vec![crate::formats::x509::AltName::Dns("*.is.com".into())];
        observation.named_hosts = vec![host("wso2.is.com", "wso2.is.com")];
        assert!(judged(configured_hosts_are_in_the_certificate, &observation).is_empty());
        observation.named_hosts = vec![host("mgt.wso2.is.com", "mgt.wso2.is.com")];
        let found = judged(configured_hosts_are_in_the_certificate, &observation);
        assert_eq!(found.len(), 1, "a wildcard covers one label: {found:?}");
    }

    #[test]
    fn an_apps_acs_must_be_one_its_identity_provider_lists() {
        let mut observation = sound();
        observation.relying_parties = vec![party(&mut observation, "wso2carbon", None)];
        let provider = |acs: &str| crate::wso2::read::ServiceProvider {
            issuer: "store".into(),
            acs_urls: vec![acs.into()],
            default_acs: Some(acs.into()),
        };
        observation.idp_config = Some(observe::IdpConfig {
            location: "sso-idp-config.xml".into(),
            providers: vec![provider("https://store.example.org/store/acs")],
        });
        assert!(judged(acs_agrees_with_the_identity_provider, &observation).is_empty());
        observation.idp_config.as_mut().unwrap().providers = vec![provider("https://localhost:9443/store/acs")];
        finds(
            acs_agrees_with_the_identity_provider,
            &observation,
            "acs https://store.example.org/store/acs is not an ACS of issuer store in sso-idp-config.xml",
        );
        observation.idp_config.as_mut().unwrap().providers.clear();
        finds(
            acs_agrees_with_the_identity_provider,
            &observation,
            "issuer store is not a service provider of sso-idp-config.xml",
        );
    }

    #[test]
    fn a_relying_partys_store_must_open_as_jks_with_its_password() {
        let mut observation = sound();
        let mut wrong = party(&mut observation, "wso2carbon", None);
        wrong.store.as_mut().unwrap().opened = Err(OpenError::Store(StoreError::WrongPassword));
        observation.relying_parties = vec![wrong];
        finds(relying_party_stores, &observation, "store password is wrong");
    }

    #[test]
    fn a_misspelt_carbon_xml_element_is_a_warning_naming_its_line() {
        let mut observation = sound();
        let element = |name: &str| crate::wso2::read::ElementAt {
            parent: "Server",
            name: name.into(),
            line: 12,
        };
        observation.carbon_elements = vec![element("HostName"), element("MgtHostNam"), element("Custom")];
        finds(
            carbon_elements_are_known,
            &observation,
            "warning: repository/conf/carbon.xml:12: <MgtHostNam> is not an element carbon.xml reads",
        );
    }

    #[test]
    fn pem_files_must_hold_what_the_stores_hold() {
        let mut observation = sound();
        let ca = cert(&mut observation, CertRole::Ca).clone();
        let pair: &mut PemPair = observation.pems.iter_mut().find(|p| p.role == CertRole::Ssl).unwrap();
        pair.cert = Ok(Some(ca));
        pair.key_public = Ok(vec![0x30, 0]);
        let found = judged(pem_files_agree, &observation);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("ia.crt: is not the certificate in wso2carbon.jks alias wso2carbon"));
        assert!(found[1].contains("ia.key: is not the key of ia.crt"));
    }

    #[test]
    fn an_unreadable_pem_file_is_reported_as_unreadable_not_as_another_key() {
        let mut observation = sound();
        let pair: &mut PemPair = observation.pems.iter_mut().find(|p| p.role == CertRole::Ssl).unwrap();
        pair.key_public = Err("cannot be read: Permission denied (os error 13)".into());
        pair.cert = Err("cannot be read: Input/output error (os error 5)".into());
        let found = judged(pem_files_agree, &observation);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("ia.crt: cannot be read: Input/output error"),
            "{found:?}"
        );
        assert!(
            found[1].contains("ia.key: cannot be read: Permission denied"),
            "{found:?}"
        );
        assert!(found.iter().all(|f| !f.contains("write the pair again")), "{found:?}");
    }

    #[test]
    fn pkcs12_files_are_checked_as_stores() {
        let mut observation = sound();
        observation.pkcs12[1].opened = Err(OpenError::Store(StoreError::WrongPassword));
        finds(
            pkcs12_files,
            &observation,
            "ca.p12: the configured store password is wrong",
        );
    }

    #[test]
    fn nginx_needs_the_ssl_certificate_then_its_ca_and_the_matching_key() {
        let mut observation = sound();
        let ssl = entry(&mut observation, CertRole::Ssl);
        let (chain, key_public) = (ssl.chain.clone(), ssl.key_public.clone());
        let key_public = key_public.ok_or("not RSA".to_owned());
        let nginx = |chain: Vec<Certificate>, key_public| Nginx {
            chain_file: "ssl/iots-chain.pem".into(),
            chain: Ok(chain),
            key_file: "ssl/iots.key".into(),
            key_public,
        };
        observation.nginx = Some(nginx(chain.clone(), key_public.clone()));
        assert!(judged(nginx_chain_and_key, &observation).is_empty());
        observation.nginx = Some(nginx(chain[..1].to_vec(), key_public));
        finds(
            nginx_chain_and_key,
            &observation,
            "holds 1 certificates; nginx's ssl_certificate needs",
        );
        observation.nginx = Some(nginx(chain, Ok(vec![0x30, 0])));
        finds(
            nginx_chain_and_key,
            &observation,
            "ssl/iots.key: is not the key of the chain's SSL certificate",
        );
    }

    #[test]
    fn a_name_in_two_tls_server_blocks_is_a_problem() {
        let block = |names: &str| format!("server {{ listen 443 ssl; server_name {names}; }}\n");
        let mut observation = Observation::default();
        let text = block("pub.example.org") + &block("shop.example.org");
        observation.nginx_conf = Some(("nginx-es.conf".into(), text));
        assert!(judged(nginx_serves_each_name_once, &observation).is_empty());
        let text = block("pub.example.org shop.example.org") + &block("SHOP.example.org");
        observation.nginx_conf = Some(("nginx-es.conf".into(), text));
        finds(
            nginx_serves_each_name_once,
            &observation,
            "nginx-es.conf: server_name SHOP.example.org is in two listen 443 server blocks",
        );
    }

    /// A sound Secure Vault observation: one secret decrypting to the store password, named by one setting.
    fn vault() -> Vault {
        use super::super::vault::{Named, Secret};
        Vault {
            conf_location: "secret-conf.properties".into(),
            conf: crate::wso2::vault::SecretConf::parse(
                "secVault.enabled=true\nkeystore.identity.location=k.jks\nkeystore.identity.type=JKS\n\
                 keystore.identity.alias=a\nsecretRepositories.file.location=c.properties\n",
            ),
            key: Some((
                "k.jks alias a".into(),
                Ok(crate::ops::verify::vault::IdentityKey::Rsa(Box::new(
                    crate::test_keys::ca(),
                ))),
            )),
            secrets_file: "c.properties".into(),
            secrets: vec![Secret {
                location: "c.properties:1 A".into(),
                alias: "A".into(),
                outcome: Outcome::Decrypted(Password::new(PASSWORD)),
            }],
            references: vec![Named {
                location: "settings.txt:3 A".into(),
                name: "A".into(),
            }],
            plain: Vec::new(),
        }
    }

    fn vault_judged(vault: Vault) -> Vec<String> {
        let observation = Observation {
            vault: Some(vault),
            ..Observation::default()
        };
        judged(secure_vault, &observation)
    }

    fn vault_finds(vault: Vault, what: &str) {
        let found = vault_judged(vault);
        assert!(
            found.len() == 1 && found[0].contains(what),
            "expected one '{what}', got {found:?}"
        );
    }

    #[test]
    fn a_sound_secure_vault_set_passes() {
        assert_eq!(vault_judged(vault()), Vec::<String>::new());
    }

    #[test]
    fn a_missing_secret_conf_a_key_that_does_not_load_and_an_oaep_algorithm_are_problems() {
        let missing = Vault {
            conf: Err("is missing".into()),
            ..vault()
        };
        vault_finds(
            missing,
            "secret-conf.properties: is missing: the server decrypts no secret",
        );
        let no_key = Vault {
            key: Some((
                "k.jks alias b".into(),
                Err("is not in the store (keystore.identity.alias)".into()),
            )),
            ..vault()
        };
        vault_finds(no_key, "k.jks alias b: is not in the store");
        let mut oaep = vault();
        if let Ok(conf) = &mut oaep.conf {
            conf.algorithm = Some("RSA/ECB/OAEPwithSHA1andMGF1Padding".into());
        }
        vault_finds(
            oaep,
            "secretRepositories.file.algorithm: is RSA/ECB/OAEPwithSHA1andMGF1Padding",
        );
        let mut pkcs1 = vault();
        if let Ok(conf) = &mut pkcs1.conf {
            conf.algorithm = Some("RSA/ECB/PKCS1Padding".into());
        }
        assert!(vault_judged(pkcs1).is_empty());
    }

    #[test]
    fn a_secret_in_plain_text_under_another_key_or_of_another_password_is_a_problem() {
        let with = |outcome| {
            let mut vault = vault();
            vault.secrets[0].outcome = outcome;
            vault
        };
        vault_finds(
            with(Outcome::Plain),
            "c.properties:1 A: is still plain text in [brackets]",
        );
        vault_finds(
            with(Outcome::Undecrypted(crate::formats::vault::VaultError::WrongKey)),
            "c.properties:1 A: does not decrypt with the key of keystore.identity.alias",
        );
        vault_finds(
            with(Outcome::Decrypted(Password::new("other"))),
            "decrypts with k.jks alias a to a password that does not open the stores",
        );
        assert!(vault_judged(with(Outcome::Unjudged)).is_empty());
    }

    #[test]
    fn an_alias_named_but_not_held_and_a_plain_password_are_problems() {
        let mut unheld = vault();
        unheld.secrets.clear();
        vault_finds(
            unheld,
            "settings.txt:3 A: is a Secure Vault alias c.properties does not hold",
        );
        let mut plain = vault();
        plain.plain.push(super::super::vault::Named {
            location: "settings.txt:5".into(),
            name: "Password".into(),
        });
        vault_finds(
            plain,
            "settings.txt:5: holds Password in plain text in a Secure Vault set",
        );
    }
}
