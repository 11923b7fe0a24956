//! WSO2 / Entgra IoT Server 3.x with iOS support: the set the clustering guide's script makes, done right.
//!
//! The CA is nginx's key, self-signed with WSO2's `v3_ca`; the RA and SSL certificates are issued by it. Every node
//! gets the SSL key in wso2carbon.jks and the trust in client-truststore.jks; managers and workers serve the SCEP
//! certificate API from wso2certs.jks through certificate-config.xml; the manager calls the endpoints in
//! iot-api-config.xml; nginx serves the SSL chain. Each core role's SETTINGS.txt gives the values it sets in
//! carbon.xml and catalina-server.xml: its own public name, the store password and the SSL alias.

use super::carbon::{CARBON_KEY_STORE, CARBON_TRUST_STORE, CONNECTOR, OWN_HOST_NAMES, settings_file};
use super::{
    AliasSpec::{Fixed, Ssl},
    CertRole::{Ca, Ra, Ssl as SslCert},
    CertificateSpec, CommonName, ConfigFile, EntrySpec, FileSpec, Holds, HostGroup, HostGroupId,
    NodeRole::{self, Analytics, Broker, KeyManager, Manager, Nginx, Worker},
    Placement, Product, RelyingParty, Roles, Snippet, StoreFormat, StorePurpose, WithoutStoreName,
};
use crate::formats::profile;

/// The alias of the CA key entry in wso2certs.jks (certificate-config.xml's `CACertAlias`).
pub const CA_ALIAS: &str = "cacert";
/// The alias of the RA key entry in wso2certs.jks (certificate-config.xml's `RACertAlias`).
pub const RA_ALIAS: &str = "racert";

/// The nodes that run the IoT Server's core profiles from `repository/`.
const CORE: &[NodeRole] = &[Manager, Worker, KeyManager];
const SCEP_SERVERS: &[NodeRole] = &[Manager, Worker];

const SSL_KEY_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Ssl,
    key: SslCert,
    chain: &[SslCert, Ca],
};
const CA_KEY_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Fixed(CA_ALIAS),
    key: Ca,
    chain: &[Ca],
};
const RA_KEY_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Fixed(RA_ALIAS),
    key: Ra,
    chain: &[Ra, Ca],
};

/// A file only the output directory holds.
const fn output(name: &'static str, holds: Holds, secret: bool, description: &'static str) -> FileSpec {
    FileSpec {
        name,
        holds,
        secret,
        in_output: true,
        description,
        placements: &[],
    }
}

/// The IoT Server cluster of the clustering guide.
pub static IOT: Product = Product {
    key: "iot",
    name: "IoT Server",
    summary: "the SCEP CA and RA of iOS enrolment, the SSL certificate, three JKS stores, \
              certificate-config.xml, iot-api-config.xml and iot_default.xml",
    short_name: "iots",
    default_domain: "iots310.wso2.com",
    host_groups: &[
        HostGroup {
            id: HostGroupId::Workers,
            default_prefix: Some(""),
            nodes: Some(Worker),
            served_by: &[],
        },
        HostGroup {
            id: HostGroupId::Gateway,
            default_prefix: Some("gateway."),
            nodes: None,
            served_by: &[],
        },
        HostGroup {
            id: HostGroupId::Manager,
            default_prefix: Some("mgt."),
            nodes: Some(Manager),
            served_by: &[],
        },
        HostGroup {
            id: HostGroupId::KeyManagers,
            default_prefix: Some("keymgt."),
            nodes: Some(KeyManager),
            served_by: &[],
        },
        HostGroup {
            id: HostGroupId::Broker,
            default_prefix: None,
            nodes: Some(Broker),
            served_by: &[],
        },
        HostGroup {
            id: HostGroupId::Analytics,
            default_prefix: None,
            nodes: Some(Analytics),
            served_by: &[],
        },
        super::carbon::EXTRA_HOSTS,
    ],
    node_groups: &[],
    ca_key_given: true,
    certificates: &[
        super::CLUSTER_CA,
        CertificateSpec {
            role: Ra,
            profile: &profile::RA,
            issuer: Some(Ca),
            common_name: CommonName::Domain,
        },
        CertificateSpec {
            role: SslCert,
            profile: &profile::SSL,
            issuer: Some(Ca),
            common_name: CommonName::SslCommonName,
        },
    ],
    files: &[
        output("ca.crt", Holds::Certificate(Ca), false, "CA certificate"),
        output(
            "ca_cert.pem",
            Holds::Certificate(Ca),
            false,
            "CA certificate (copy the script also made)",
        ),
        output(
            "ca_private.pem",
            Holds::PrivateKey(Ca),
            true,
            "CA private key (the nginx key)",
        ),
        output("ra_private.key", Holds::PrivateKey(Ra), true, "RA private key"),
        output(
            "ra_private.pem",
            Holds::PrivateKey(Ra),
            true,
            "RA private key (copy the script also made)",
        ),
        output("ra.crt", Holds::Certificate(Ra), false, "RA certificate"),
        output(
            "ra_cert.pem",
            Holds::Certificate(Ra),
            false,
            "RA certificate (copy the script also made)",
        ),
        FileSpec {
            name: "iots-chain.pem",
            holds: Holds::Chain(&[SslCert, Ca]),
            secret: false,
            in_output: false,
            description: "SSL certificate, then the CA",
            placements: &[Placement {
                roles: Roles::Only(&[Nginx]),
                path: "ssl/iots-chain.pem",
                purpose: "ssl_certificate",
            }],
        },
        FileSpec {
            name: "ia.key",
            holds: Holds::PrivateKey(SslCert),
            secret: true,
            in_output: true,
            description: "SSL private key",
            placements: &[Placement {
                roles: Roles::Only(&[Nginx]),
                path: "ssl/iots.key",
                purpose: "ssl_certificate_key",
            }],
        },
        output("ia.crt", Holds::Certificate(SslCert), false, "SSL certificate"),
        output(
            "KEYSTORE.p12",
            Holds::Pkcs12(&[SSL_KEY_ENTRY]),
            true,
            "SSL key and chain (PKCS#12)",
        ),
        output(
            "ca.p12",
            Holds::Pkcs12(&[CA_KEY_ENTRY]),
            true,
            "CA key and certificate (PKCS#12)",
        ),
        output(
            "ra.p12",
            Holds::Pkcs12(&[RA_KEY_ENTRY]),
            true,
            "RA key and chain (PKCS#12)",
        ),
        FileSpec {
            name: "wso2carbon.jks",
            holds: Holds::Store(StoreFormat::Jks, StorePurpose::KeyStore, &[SSL_KEY_ENTRY]),
            secret: true,
            in_output: true,
            description: "carbon.xml KeyStore: SSL key",
            placements: &[
                Placement {
                    roles: Roles::Only(CORE),
                    path: "repository/resources/security/wso2carbon.jks",
                    purpose: "carbon.xml KeyStore",
                },
                Placement {
                    roles: Roles::Only(&[Broker]),
                    path: "wso2/broker/repository/resources/security/wso2carbon.jks",
                    purpose: "broker's carbon.xml KeyStore, MQTT and AMQP over TLS",
                },
                Placement {
                    roles: Roles::Only(&[Analytics]),
                    path: "wso2/analytics/repository/resources/security/wso2carbon.jks",
                    purpose: "analytics' carbon.xml KeyStore",
                },
            ],
        },
        FileSpec {
            name: "client-truststore.jks",
            holds: Holds::Store(
                StoreFormat::Jks,
                StorePurpose::TrustStore,
                &[
                    EntrySpec::Trusted {
                        alias: Ssl,
                        certificate: SslCert,
                    },
                    EntrySpec::Trusted {
                        alias: Fixed(CA_ALIAS),
                        certificate: Ca,
                    },
                    EntrySpec::EarlierCas,
                    EntrySpec::PublicRoots,
                ],
            ),
            secret: true,
            in_output: true,
            description: "carbon.xml TrustStore: SSL and CA certificates, public roots",
            placements: &[
                Placement {
                    roles: Roles::Only(CORE),
                    path: "repository/resources/security/client-truststore.jks",
                    purpose: "carbon.xml TrustStore",
                },
                Placement {
                    roles: Roles::Only(&[Broker]),
                    path: "wso2/broker/repository/resources/security/client-truststore.jks",
                    purpose: "broker's carbon.xml TrustStore",
                },
                Placement {
                    roles: Roles::Only(&[Analytics]),
                    path: "wso2/analytics/repository/resources/security/client-truststore.jks",
                    purpose: "analytics' carbon.xml TrustStore",
                },
            ],
        },
        FileSpec {
            name: "wso2certs.jks",
            holds: Holds::Store(StoreFormat::Jks, StorePurpose::Scep, &[CA_KEY_ENTRY, RA_KEY_ENTRY]),
            secret: true,
            in_output: true,
            description: "certificate-config.xml: SCEP CA and RA keys",
            placements: &[Placement {
                roles: Roles::Only(SCEP_SERVERS),
                path: "repository/resources/security/wso2certs.jks",
                purpose: "SCEP CA and RA keys",
            }],
        },
        FileSpec {
            name: "certificate-config.xml",
            holds: Holds::Config(ConfigFile::CertificateConfig),
            secret: true,
            in_output: true,
            description: "SCEP keystore settings (passwords)",
            placements: &[Placement {
                roles: Roles::Only(SCEP_SERVERS),
                path: "repository/conf/certificate-config.xml",
                purpose: "SCEP keystore settings",
            }],
        },
        FileSpec {
            name: "iot-api-config.xml",
            holds: Holds::Config(ConfigFile::IotApiConfig),
            secret: true,
            in_output: true,
            description: "manager's API endpoints",
            placements: &[Placement {
                roles: Roles::Only(&[Manager]),
                path: "conf/iot-api-config.xml",
                purpose: "manager's API endpoints",
            }],
        },
        FileSpec {
            name: "iot_default.xml",
            holds: Holds::Config(ConfigFile::IdentityProvider),
            secret: false,
            in_output: true,
            description: "the JWT issuer the key manager trusts: the SSL certificate",
            placements: &[Placement {
                roles: Roles::Servers,
                path: "conf/identity/identity-providers/iot_default.xml",
                purpose: "identity provider of the server's own JWTs",
            }],
        },
        settings_file!("settings-manager.txt", Manager),
        settings_file!("settings-worker.txt", Worker),
        settings_file!("settings-key-manager.txt", KeyManager),
        SECRET_CONF,
        CIPHER_TEXT,
        output(
            crate::model::product::LEDGER_FILE,
            Holds::Ledger,
            false,
            "what iospki issued for this set (serials)",
        ),
    ],
    relying_parties: &[
        RelyingParty {
            app: "store",
            path: "repository/deployment/server/jaggeryapps/store/config/store.json",
            without_store_name: WithoutStoreName::Fails,
        },
        RelyingParty {
            app: "publisher",
            path: "repository/deployment/server/jaggeryapps/publisher/config/publisher.json",
            without_store_name: WithoutStoreName::Fails,
        },
        RelyingParty {
            app: "api-store",
            path: "repository/deployment/server/jaggeryapps/api-store/site/conf/site.json",
            without_store_name: WithoutStoreName::Fails,
        },
    ],
    snippets: &[
        core(OWN_HOST_NAMES),
        core(CONNECTOR),
        core(CARBON_KEY_STORE),
        core(CARBON_TRUST_STORE),
    ],
    sso_idp_config: None,
    platform: None,
};

/// Secure Vault's secret-conf.properties on the core roles, in the IoT Server's `conf/security` (its core reads its configuration
/// from `conf/`, carbon.config.dir.path); the broker and analytics profiles keep their passwords.
const SECRET_CONF: FileSpec = super::carbon::vault_file!(SecretConf, Roles::Only(CORE), "conf/security");

/// Secure Vault's cipher-text.properties on the core roles.
const CIPHER_TEXT: FileSpec = super::carbon::vault_file!(CipherText, Roles::Only(CORE), "conf/security");

/// A Carbon 4.4 snippet for the core roles only: the broker and analytics profiles keep their carbon.xml and
/// catalina-server.xml under wso2/, and get no SETTINGS.txt.
const fn core(snippet: Snippet) -> Snippet {
    Snippet {
        roles: Roles::Only(CORE),
        ..snippet
    }
}
