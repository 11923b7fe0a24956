//! What the Carbon 4.4 products (Identity Server, Enterprise Store, App Manager) share: one cluster key in a real
//! JKS `wso2carbon.jks`, the same on every node (SAML signatures and the shared database need one key), a
//! truststore with the cluster CA and the public roots, one certificate naming every public name, nginx's chain
//! and key, and the settings each node role pastes into the product's own files.
//! The IoT Server's core roles paste the same carbon.xml and catalina-server.xml settings.

use super::{
    AliasSpec::{Fixed, Ssl},
    CertRole::{Ca, Ssl as SslCert},
    CertificateSpec, CommonName, EntrySpec, FileSpec, Holds, HostGroup, HostGroupId, Placement, Roles, SecretAlias,
    Setting, Snippet, StoreFormat, StorePurpose,
    Syntax::{Attributes, Elements},
    Value::{self, OwnHost, SslAlias, StorePassword, Text},
};
use crate::formats::profile;

/// What a Carbon 4.4 product's set holds, as `--product`'s help says it.
pub(super) const SUMMARY: &str = "one cluster key and certificate in wso2carbon.jks, client-truststore.jks, nginx's \
     chain and key, and a settings-ROLE.txt per node role";

/// Further names for the certificate: `[hosts] extra`, none by default.
pub(super) const EXTRA_HOSTS: HostGroup = HostGroup {
    id: HostGroupId::Extra,
    default_prefix: None,
    nodes: None,
    served_by: &[],
};

/// The cluster CA (self-signed; the operator's key or one iospki makes) and the cluster key's certificate.
pub(super) const CERTIFICATES: &[CertificateSpec] = &[
    super::CLUSTER_CA,
    CertificateSpec {
        role: SslCert,
        profile: &profile::SSL,
        issuer: Some(Ca),
        common_name: CommonName::FirstHost,
    },
];

/// The CA certificate.
pub(super) const CA_CERT: FileSpec = FileSpec {
    name: "ca.crt",
    holds: Holds::Certificate(Ca),
    secret: false,
    in_output: true,
    description: "CA certificate",
    placements: &[],
};

/// The CA key: the operator's, or one iospki made.
pub(super) const CA_KEY: FileSpec = FileSpec {
    name: "ca_private.pem",
    holds: Holds::PrivateKey(Ca),
    secret: true,
    in_output: true,
    description: "CA private key",
    placements: &[],
};

/// The cluster key's certificate.
pub(super) const SSL_CERT: FileSpec = FileSpec {
    name: "ssl.crt",
    holds: Holds::Certificate(SslCert),
    secret: false,
    in_output: true,
    description: "the cluster key's certificate (every public name)",
    placements: &[],
};

const SSL_KEY_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Ssl,
    key: SslCert,
    chain: &[SslCert, Ca],
};

/// wso2carbon.jks, carbon.xml's KeyStore, the same on every node.
pub(super) const KEY_STORE: FileSpec = FileSpec {
    name: "wso2carbon.jks",
    holds: Holds::Store(StoreFormat::Jks, StorePurpose::KeyStore, &[SSL_KEY_ENTRY]),
    secret: true,
    in_output: true,
    description: "carbon.xml KeyStore: the cluster key",
    placements: &[Placement {
        roles: Roles::Servers,
        path: "repository/resources/security/wso2carbon.jks",
        purpose: "carbon.xml KeyStore",
    }],
};

/// client-truststore.jks, carbon.xml's TrustStore: the cluster's certificates and the public roots.
pub(super) const TRUST_STORE: FileSpec = FileSpec {
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
                alias: Fixed("cacert"),
                certificate: Ca,
            },
            EntrySpec::EarlierCas,
            EntrySpec::PublicRoots,
        ],
    ),
    secret: true,
    in_output: true,
    description: "carbon.xml TrustStore: the cluster CA and certificate, public roots",
    placements: &[Placement {
        roles: Roles::Servers,
        path: "repository/resources/security/client-truststore.jks",
        purpose: "carbon.xml TrustStore",
    }],
};

/// The file nginx gets at `$path` (under /etc/nginx/) for the directive `$purpose`, holding `$holds`.
macro_rules! nginx_file {
    ($name:literal, $holds:expr, $secret:literal, $path:literal, $purpose:literal, $description:literal) => {
        $crate::model::product::FileSpec {
            name: $name,
            holds: $holds,
            secret: $secret,
            in_output: true,
            description: $description,
            placements: &[$crate::model::product::Placement {
                roles: $crate::model::product::Roles::Only(&[$crate::vocab::roles::NodeRole::Nginx]),
                path: $path,
                purpose: $purpose,
            }],
        }
    };
}

/// The cluster key, which nginx serves at `$path` too: `ssl.key` in the output directory, or `$name` described
/// as `$description`.
macro_rules! nginx_key {
    ($path:literal) => {
        $crate::model::product::carbon::nginx_key!($path, "ssl.key", "the cluster key")
    };
    ($path:literal, $name:literal, $description:literal) => {
        $crate::model::product::carbon::nginx_file!(
            $name,
            $crate::model::product::Holds::PrivateKey($crate::vocab::roles::CertRole::Ssl),
            true,
            $path,
            "ssl_certificate_key",
            $description
        )
    };
}

/// nginx's `ssl_certificate` at `$path`: the cluster certificate, then the CA (made when bundled), described as
/// `$description` where given.
macro_rules! nginx_chain {
    ($path:literal) => {
        $crate::model::product::carbon::nginx_chain!($path, "the cluster certificate, then the CA")
    };
    ($path:literal, $description:literal) => {
        $crate::model::product::FileSpec {
            in_output: false,
            ..$crate::model::product::carbon::nginx_file!(
                "chain.pem",
                $crate::model::product::Holds::Chain(&[
                    $crate::vocab::roles::CertRole::Ssl,
                    $crate::vocab::roles::CertRole::Ca
                ]),
                false,
                $path,
                "ssl_certificate",
                $description
            )
        }
    };
}

/// nginx's server blocks for every public name, `$name` in the output directory, `$path` on nginx.
macro_rules! nginx_conf {
    ($name:literal, $path:literal) => {
        $crate::model::product::carbon::nginx_file!(
            $name,
            $crate::model::product::Holds::Config($crate::model::product::ConfigFile::Nginx),
            false,
            $path,
            "nginx's server blocks",
            "nginx's listen 443 ssl server blocks for every public name"
        )
    };
}

/// The values a node role sets in the product's own files (they hold the store password): `$name` in the output
/// directory, SETTINGS.txt in the role's bundle.
macro_rules! settings_file {
    ($name:literal, $role:expr) => {
        $crate::model::product::FileSpec {
            name: $name,
            holds: $crate::model::product::Holds::Config($crate::model::product::ConfigFile::Settings($role)),
            secret: true,
            in_output: true,
            description: "the values to set in the product's own files",
            placements: &[$crate::model::product::Placement {
                roles: $crate::model::product::Roles::Only(&[$role]),
                path: "SETTINGS.txt",
                purpose: "the values to set in the product's own files",
            }],
        }
    };
}

/// Secure Vault's file of kind `$kind`, which `$roles` keep in `$dir` (the server's `repository/conf/security`).
macro_rules! vault_file {
    (SecretConf, $roles:expr, $dir:literal) => {
        $crate::model::product::carbon::vault_file!(@file "secret-conf.properties", SecretConf, false, $roles, $dir,
            "Secure Vault: the keystore and alias whose key decrypts")
    };
    (CipherText, $roles:expr, $dir:literal) => {
        $crate::model::product::carbon::vault_file!(@file "cipher-text.properties", CipherText, true, $roles, $dir,
            "Secure Vault: the encrypted passwords")
    };
    (@file $name:literal, $kind:ident, $secret:literal, $roles:expr, $dir:literal, $description:literal) => {
        $crate::model::product::FileSpec {
            name: $name,
            holds: $crate::model::product::Holds::Config($crate::model::product::ConfigFile::Vault(
                $crate::model::product::VaultFile::$kind,
            )),
            secret: $secret,
            in_output: true,
            description: $description,
            placements: &[$crate::model::product::Placement {
                roles: $roles,
                path: concat!($dir, "/", $name),
                purpose: $description,
            }],
        }
    };
}

pub(super) use {nginx_chain, nginx_conf, nginx_file, nginx_key, settings_file, vault_file};

/// Secure Vault's secret-conf.properties on every server node of a Carbon 4.4 product.
pub(super) const SECRET_CONF: FileSpec = vault_file!(SecretConf, Roles::Servers, "repository/conf/security");

/// Secure Vault's cipher-text.properties on every server node.
pub(super) const CIPHER_TEXT: FileSpec = vault_file!(CipherText, Roles::Servers, "repository/conf/security");

/// The ledger, last.
pub(super) const LEDGER: FileSpec = FileSpec {
    name: crate::model::product::LEDGER_FILE,
    holds: Holds::Ledger,
    secret: false,
    in_output: true,
    description: "what iospki issued for this set (serials)",
    placements: &[],
};

/// catalina-server.xml's HTTPS connector, on every server node: behind nginx on 443, and the key store's
/// password (Tomcat opens wso2carbon.jks itself).
pub(super) const CONNECTOR: Snippet = Snippet {
    roles: Roles::Servers,
    file: CATALINA,
    place: "on the <Connector> with port=\"9443\"",
    syntax: Attributes,
    settings: &[
        Setting {
            name: "proxyPort",
            value: Text("443"),
        },
        Setting {
            name: "keystorePass",
            value: StorePassword(Some(SecretAlias {
                alias: "Server.Service.Connector.keystorePass",
                xpath: "//Server/Service/Connector[@keystorePass]",
            })),
        },
    ],
};

/// carbon.xml's KeyStore, on every server node: the cluster key's store, its alias and passwords.
pub(super) const CARBON_KEY_STORE: Snippet = Snippet {
    roles: Roles::Servers,
    file: CARBON_XML,
    place: "in <Security><KeyStore>",
    syntax: Elements,
    settings: &[
        Setting {
            name: "Password",
            value: StorePassword(Some(SecretAlias {
                alias: "Carbon.Security.KeyStore.Password",
                xpath: "//Server/Security/KeyStore/Password",
            })),
        },
        Setting {
            name: "KeyAlias",
            value: SslAlias,
        },
        Setting {
            name: "KeyPassword",
            value: StorePassword(Some(SecretAlias {
                alias: "Carbon.Security.KeyStore.KeyPassword",
                xpath: "//Server/Security/KeyStore/KeyPassword",
            })),
        },
    ],
};

/// carbon.xml's TrustStore, on every server node.
pub(super) const CARBON_TRUST_STORE: Snippet = Snippet {
    roles: Roles::Servers,
    file: CARBON_XML,
    place: "in <Security><TrustStore>",
    syntax: Elements,
    settings: &[Setting {
        name: "Password",
        value: StorePassword(Some(SecretAlias {
            alias: "Carbon.Security.TrustStore.Password",
            xpath: "//Server/Security/TrustStore/Password",
        })),
    }],
};

/// carbon.xml's host names on every node of a product whose nodes each serve one public name: that name.
pub(super) const OWN_HOST_NAMES: Snippet = Snippet {
    roles: Roles::Servers,
    file: CARBON_XML,
    place: "under <Server>",
    syntax: Elements,
    settings: &[
        Setting {
            name: "HostName",
            value: OwnHost,
        },
        Setting {
            name: "MgtHostName",
            value: OwnHost,
        },
    ],
};

/// carbon.xml, where every node sets its public name.
pub(super) const CARBON_XML: &str = "repository/conf/carbon.xml";

/// catalina-server.xml, where every node sets nginx's port.
pub(super) const CATALINA: &str = "repository/conf/tomcat/catalina-server.xml";

/// sso-idp-config.xml of a Carbon 4.4 identity provider (`repository/conf/identity/`; the guides say `security/`).
pub(super) const SSO_IDP_CONFIG: &str = "repository/conf/identity/sso-idp-config.xml";

/// The Jaggery publisher's SSO settings, on the publisher nodes.
pub(super) const PUBLISHER_JSON: &str = "repository/deployment/server/jaggeryapps/publisher/config/publisher.json";

/// The Jaggery store's SSO settings, on the store nodes.
pub(super) const STORE_JSON: &str = "repository/deployment/server/jaggeryapps/store/config/store.json";

/// Where a Jaggery app's SSO settings find the identity provider's certificate: the cluster key's store, its
/// password, its alias (R2, R3).
pub(super) const SSO_STORE: &[Setting] = &[
    Setting {
        name: "keyStoreName",
        value: Text("/repository/resources/security/wso2carbon.jks"),
    },
    // Jaggery reads the app's JSON as it is: no SecretResolver, so the password stays.
    Setting {
        name: "keyStorePassword",
        value: StorePassword(None),
    },
    Setting {
        name: "identityAlias",
        value: SslAlias,
    },
];

/// A `<ServiceProvider>` of sso-idp-config.xml: its ACS on a public name without :9443, and responses signed.
pub(super) const fn service_provider(acs: Value) -> [Setting; 3] {
    [
        Setting {
            name: "AssertionConsumerServiceURL",
            value: acs,
        },
        Setting {
            name: "DefaultAssertionConsumerServiceURL",
            value: acs,
        },
        Setting {
            name: "SignResponse",
            value: Text("true"),
        },
    ]
}
