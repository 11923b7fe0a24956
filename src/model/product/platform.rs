//! What the deployment.toml products (Identity Server 7, API Manager 4) share: three keys issued by the cluster CA
//! (primary signs, internal encrypts, tls serves HTTPS), kept in the release's store type in one store each or
//! in one store for all three, a truststore with the CA, the three certificates and the public roots,
//! `deployment-security.toml` with the sections to merge into `repository/conf/deployment.toml`, nginx's chain
//! and key, and a settings file per node role.
//!
//! A release is a [`super::Release`] and one line of its product's [`platform_releases!`], which declares a set per
//! store layout and store type ([`platform_product!`]); the file lists are made by [`platform_files!`] from the
//! layout and the store type, so JKS and PKCS#12 sets cannot drift apart.

use super::{
    AliasSpec::{Fixed, Ssl},
    CertRole::{Ca, Internal, Primary, Ssl as Tls},
    CertificateSpec, CommonName, EntrySpec, FileSpec, Holds, Placement, Roles, Setting, Snippet,
    Syntax::Toml,
    Value::{Host, Integer},
};
use crate::formats::profile;
use crate::vocab::roles::HostGroupId;

/// What a deployment.toml product's set holds, as `--product`'s help says it.
pub(super) const SUMMARY: &str = "primary, internal and TLS keys in the release's store type, the truststore, \
     deployment-security.toml to merge into deployment.toml, nginx's chain and key";

/// The cluster CA, then the TLS certificate (every public name and localhost), the primary and the internal
/// key's certificates, all issued by it.
pub(super) const CERTIFICATES: &[CertificateSpec] = &[
    super::CLUSTER_CA,
    CertificateSpec {
        role: Tls,
        profile: &profile::TLS,
        issuer: Some(Ca),
        common_name: CommonName::FirstHost,
    },
    CertificateSpec {
        role: Primary,
        profile: &profile::PRIMARY,
        issuer: Some(Ca),
        common_name: CommonName::FirstHost,
    },
    CertificateSpec {
        role: Internal,
        profile: &profile::INTERNAL,
        issuer: Some(Ca),
        common_name: CommonName::FirstHost,
    },
];

/// The primary key's alias, in its store and in the truststore.
pub const PRIMARY_ALIAS: &str = "primary";

/// The internal key's alias, in its store and in the truststore.
pub const INTERNAL_ALIAS: &str = "internal";

/// The TLS key's entry: the SSL alias setting (`wso2carbon` by default), its chain with the CA.
pub(super) const TLS_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Ssl,
    key: Tls,
    chain: &[Tls, Ca],
};

/// The primary key's entry.
pub(super) const PRIMARY_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Fixed(PRIMARY_ALIAS),
    key: Primary,
    chain: &[Primary, Ca],
};

/// The internal key's entry.
pub(super) const INTERNAL_ENTRY: EntrySpec = EntrySpec::Key {
    alias: Fixed(INTERNAL_ALIAS),
    key: Internal,
    chain: &[Internal, Ca],
};

/// The truststore's entries every deployment.toml product has: the CA, the three certificates (the Identity
/// Server chart's README asks for them), the CAs a rotation replaces, the public roots.
macro_rules! truststore_entries {
    ($($extra:expr),*) => {
        &[
            $crate::model::product::EntrySpec::Trusted {
                alias: $crate::model::product::AliasSpec::Fixed("cacert"),
                certificate: $crate::vocab::roles::CertRole::Ca,
            },
            $crate::model::product::EntrySpec::Trusted {
                alias: $crate::model::product::AliasSpec::Ssl,
                certificate: $crate::vocab::roles::CertRole::Ssl,
            },
            $crate::model::product::EntrySpec::Trusted {
                alias: $crate::model::product::AliasSpec::Fixed($crate::model::product::platform::PRIMARY_ALIAS),
                certificate: $crate::vocab::roles::CertRole::Primary,
            },
            $crate::model::product::EntrySpec::Trusted {
                alias: $crate::model::product::AliasSpec::Fixed($crate::model::product::platform::INTERNAL_ALIAS),
                certificate: $crate::vocab::roles::CertRole::Internal,
            },
            $($extra,)*
            $crate::model::product::EntrySpec::EarlierCas,
            $crate::model::product::EntrySpec::PublicRoots,
        ]
    };
}

/// A store every server node keeps under `repository/resources/security/`, named `$name`.
macro_rules! security_store {
    ($name:expr, $format:expr, $purpose:ident, $entries:expr, $section:literal, $description:literal) => {
        $crate::model::product::FileSpec {
            name: $name,
            holds: $crate::model::product::Holds::Store(
                $format,
                $crate::model::product::StorePurpose::$purpose,
                $entries,
            ),
            secret: true,
            in_output: true,
            description: $description,
            placements: &[$crate::model::product::Placement {
                roles: $crate::model::product::Roles::Servers,
                path: concat!("repository/resources/security/", $name),
                purpose: $section,
            }],
        }
    };
}

/// The file name extension of a store format: `jks`, `p12`.
macro_rules! extension {
    (Jks) => {
        "jks"
    };
    (Pkcs12) => {
        "p12"
    };
}

/// Every file of a deployment.toml product's set in `$layout`, its stores of the format `$format` named `*.jks` or
/// `*.p12`, the
/// truststore holding `$trusted`, and nginx's key, chain and server blocks at the paths `$nginx` names (the blocks' name in the output
/// directory before their path). The
/// separate layout has primary, internal and tls stores; the single layout one `wso2carbon` store with the three
/// keys.
macro_rules! platform_files {
    (Separate, $format:ident, $trusted:expr, $($nginx:literal),+) => {
        $crate::model::product::platform::platform_files!(@stores [
            $crate::model::product::platform::security_store!(
                concat!("primary.", $crate::model::product::platform::extension!($format)),
                $crate::model::product::StoreFormat::$format,
                KeyStore,
                &[$crate::model::product::platform::PRIMARY_ENTRY],
                "[keystore.primary]",
                "[keystore.primary]: the primary key, which signs"
            ),
            $crate::model::product::platform::security_store!(
                concat!("internal.", $crate::model::product::platform::extension!($format)),
                $crate::model::product::StoreFormat::$format,
                KeyStore,
                &[
                    $crate::model::product::platform::INTERNAL_ENTRY,
                    $crate::model::product::EntrySpec::VaultKey
                ],
                "[keystore.internal]",
                "[keystore.internal]: the internal key, which encrypts"
            ),
            $crate::model::product::platform::security_store!(
                concat!("tls.", $crate::model::product::platform::extension!($format)),
                $crate::model::product::StoreFormat::$format,
                KeyStore,
                &[$crate::model::product::platform::TLS_ENTRY],
                "[keystore.tls]",
                "[keystore.tls]: the TLS key, the same on every node"
            )
        ], $format, $trusted, $($nginx),+)
    };
    (Single, $format:ident, $trusted:expr, $($nginx:literal),+) => {
        $crate::model::product::platform::platform_files!(@stores [
            $crate::model::product::platform::security_store!(
                concat!("wso2carbon.", $crate::model::product::platform::extension!($format)),
                $crate::model::product::StoreFormat::$format,
                KeyStore,
                &[
                    $crate::model::product::platform::TLS_ENTRY,
                    $crate::model::product::platform::PRIMARY_ENTRY,
                    $crate::model::product::platform::INTERNAL_ENTRY,
                    $crate::model::product::EntrySpec::VaultKey,
                ],
                "[keystore.primary], [keystore.internal], [keystore.tls]",
                "[keystore.*]: the TLS, primary and internal keys"
            )
        ], $format, $trusted, $($nginx),+)
    };
    (@stores [$($store:expr),+], $format:ident, $trusted:expr, $nginx_key:literal, $nginx_chain:literal,
     $nginx_conf:literal, $nginx_conf_path:literal) => {
        &[
            $crate::model::product::carbon::CA_CERT,
            $crate::model::product::carbon::CA_KEY,
            $crate::model::product::platform::TLS_CERT,
            $crate::model::product::carbon::nginx_key!($nginx_key, "tls.key", "the TLS key"),
            $crate::model::product::carbon::nginx_chain!($nginx_chain, "the TLS certificate, then the CA"),
            $crate::model::product::platform::PRIMARY_CERT,
            $crate::model::product::platform::PRIMARY_KEY,
            $crate::model::product::platform::INTERNAL_CERT,
            $crate::model::product::platform::INTERNAL_KEY,
            $($store,)+
            $crate::model::product::platform::security_store!(
                concat!("client-truststore.", $crate::model::product::platform::extension!($format)),
                $crate::model::product::StoreFormat::$format,
                TrustStore,
                $trusted,
                "[truststore]",
                "[truststore]: the cluster CA, the three certificates, public roots"
            ),
            $crate::model::product::platform::DEPLOYMENT_SECURITY,
            // Secure Vault's files as a Carbon 4.4 product keeps them.
            $crate::model::product::carbon::SECRET_CONF,
            $crate::model::product::carbon::CIPHER_TEXT,
            $crate::model::product::carbon::settings_file!(
                "settings-node.txt",
                $crate::vocab::roles::NodeRole::Worker
            ),
            $crate::model::product::carbon::nginx_conf!($nginx_conf, $nginx_conf_path),
            $crate::model::product::carbon::LEDGER,
        ]
    };
}

pub(super) use {platform_files, security_store, truststore_entries};

/// The TLS certificate.
pub(super) const TLS_CERT: FileSpec = FileSpec {
    name: "tls.crt",
    holds: Holds::Certificate(Tls),
    secret: false,
    in_output: true,
    description: "the TLS certificate (every public name and localhost)",
    placements: &[],
};

/// The primary key's certificate.
pub(super) const PRIMARY_CERT: FileSpec = FileSpec {
    name: "primary.crt",
    holds: Holds::Certificate(Primary),
    secret: false,
    in_output: true,
    description: "the primary key's certificate (signing)",
    placements: &[],
};

/// The primary key, for rotate and for tools that sign as the server does.
pub(super) const PRIMARY_KEY: FileSpec = FileSpec {
    name: "primary.key",
    holds: Holds::PrivateKey(Primary),
    secret: true,
    in_output: true,
    description: "the primary key",
    placements: &[],
};

/// The internal key's certificate.
pub(super) const INTERNAL_CERT: FileSpec = FileSpec {
    name: "internal.crt",
    holds: Holds::Certificate(Internal),
    secret: false,
    in_output: true,
    description: "the internal key's certificate (dataEncipherment)",
    placements: &[],
};

/// The internal key: kept for every renewal, never replaced.
pub(super) const INTERNAL_KEY: FileSpec = FileSpec {
    name: "internal.key",
    holds: Holds::PrivateKey(Internal),
    secret: true,
    in_output: true,
    description: "the internal key (never replaced)",
    placements: &[],
};

/// The sections every server node merges into its deployment.toml.
pub(super) const DEPLOYMENT_SECURITY: FileSpec = FileSpec {
    name: DEPLOYMENT_SECURITY_FILE,
    holds: Holds::Config(super::ConfigFile::DeploymentSecurity),
    secret: true,
    in_output: true,
    description: "[keystore.*], [truststore] and [encryption] for deployment.toml",
    placements: &[Placement {
        roles: Roles::Servers,
        path: DEPLOYMENT_SECURITY_FILE,
        purpose: "the sections to merge into repository/conf/deployment.toml",
    }],
};

/// deployment-security.toml's name, in the output directory and in each node's bundle.
pub const DEPLOYMENT_SECURITY_FILE: &str = "deployment-security.toml";

/// The product's configuration, under the server home.
pub const DEPLOYMENT_TOML: &str = "repository/conf/deployment.toml";

/// `[server] hostname`: the public name the nodes are reached by.
pub(super) const SERVER_HOSTNAME: Snippet = Snippet {
    roles: Roles::Servers,
    file: DEPLOYMENT_TOML,
    place: "in [server]",
    syntax: Toml,
    settings: &[Setting {
        name: "hostname",
        value: Host(HostGroupId::Workers),
    }],
};

/// `[transport.https.properties] proxyPort`: behind nginx on 443.
pub(super) const PROXY_PORT: Snippet = Snippet {
    roles: Roles::Servers,
    file: DEPLOYMENT_TOML,
    place: "in [transport.https.properties]",
    syntax: Toml,
    settings: &[Setting {
        name: "proxyPort",
        value: Integer(443),
    }],
};

/// A deployment.toml product's declaration for `$release` in `$layout` with stores of `$format`, from the product
/// line's `$line` (a [`super::Product`] whose files, platform and name are replaced).
macro_rules! platform_product {
    ($line:expr, $name:literal, $release:expr, $layout:ident, $format:ident, $files:expr) => {
        $crate::model::product::Product {
            name: $name,
            files: $files,
            platform: Some($crate::model::product::Platform {
                release: $release,
                layout: $crate::model::product::Layout::$layout,
                format: $crate::model::product::StoreFormat::$format,
            }),
            ..$line
        }
    };
}

/// The declarations of a product line's releases, and `RELEASES`, all of them: for each release, `$name` with
/// stores of its `$format` (a store per key, one store), then with stores of `$other`, the type the product
/// also reads (`type = "..."`); the line `$line`'s truststore holds `$trusted` and its nginx files are `$nginx`
/// (key, chain, the server blocks' name and path).
macro_rules! platform_releases {
    (line: $line:expr, trusted: $trusted:expr, nginx: $nginx:tt;
     $([$separate:ident, $single:ident, $separate_other:ident, $single_other:ident], $name:literal,
       $release:expr, $format:ident, $other:ident;)+) => {
        $(
            $crate::model::product::platform::platform_releases!(@one $separate, $line, $trusted, $nginx,
                $name, $release, Separate, $format, ", a store per key.");
            $crate::model::product::platform::platform_releases!(@one $single, $line, $trusted, $nginx,
                $name, $release, Single, $format, ", one store.");
            $crate::model::product::platform::platform_releases!(@one $separate_other, $line, $trusted,
                $nginx, $name, $release, Separate, $other, ", a store per key, of the other type.");
            $crate::model::product::platform::platform_releases!(@one $single_other, $line, $trusted,
                $nginx, $name, $release, Single, $other, ", one store, of the other type.");
        )+
        /// Every declaration of the line, in the order of the releases.
        pub static RELEASES: &[&$crate::model::product::Product] =
            &[$(&$separate, &$single, &$separate_other, &$single_other),+];
    };
    (@one $static:ident, $line:expr, $trusted:expr, [$($nginx:literal),+], $name:literal, $release:expr,
     $layout:ident, $format:ident, $what:literal) => {
        #[doc = concat!($name, $what)]
        pub static $static: $crate::model::product::Product = $crate::model::product::platform::platform_product!(
            $line,
            $name,
            $release,
            $layout,
            $format,
            $crate::model::product::platform::platform_files!($layout, $format, $trusted, $($nginx),+)
        );
    };
}

pub(super) use {extension, platform_product, platform_releases};
