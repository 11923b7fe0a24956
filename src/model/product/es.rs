//! WSO2 Enterprise Store 2.x behind nginx: two publisher nodes at publisher.DOMAIN, two store nodes at
//! store.DOMAIN, one certificate for both names, and one key on all four nodes: every node is an identity provider
//! whose SAML responses any other node's ACS checks (R1, R2).
//!
//! ES 2.1's apps read no `keyStoreName`: their ACS opens carbon.xml's KeyStore, which is why the key must be the
//! same everywhere. The snippets still name the store, as the guide does, so that older 2.x releases agree.

use super::carbon::{
    CA_CERT, CA_KEY, CARBON_KEY_STORE, CARBON_TRUST_STORE, CERTIFICATES, CIPHER_TEXT, CONNECTOR, EXTRA_HOSTS,
    KEY_STORE, LEDGER, OWN_HOST_NAMES, PUBLISHER_JSON, SECRET_CONF, SSL_CERT, SSO_IDP_CONFIG, SSO_STORE, STORE_JSON,
    SUMMARY, TRUST_STORE, nginx_chain, nginx_conf, nginx_key, service_provider, settings_file,
};
use super::{
    HostGroup,
    HostGroupId::{Publisher as PublisherName, Store as StoreName},
    NodeGroup,
    NodeRole::{Publisher, Store},
    Product, RelyingParty, Roles, Setting, Snippet,
    Syntax::{Elements, Json},
    Value::{Text, Url},
    WithoutStoreName,
};

/// The Enterprise Store cluster of the clustering guide.
pub static ES: Product = Product {
    key: "es",
    name: "Enterprise Store",
    summary: SUMMARY,
    short_name: "es",
    default_domain: "es-wso2.com",
    host_groups: &[
        HostGroup {
            id: PublisherName,
            default_prefix: Some("publisher."),
            nodes: None,
            served_by: &[Publisher],
        },
        HostGroup {
            id: StoreName,
            default_prefix: Some("store."),
            nodes: None,
            served_by: &[Store],
        },
        EXTRA_HOSTS,
    ],
    node_groups: &[
        NodeGroup {
            role: Publisher,
            default_nodes: &["publisher-1", "publisher-2"],
        },
        NodeGroup {
            role: Store,
            default_nodes: &["store-1", "store-2"],
        },
    ],
    ca_key_given: false,
    certificates: CERTIFICATES,
    files: &[
        CA_CERT,
        CA_KEY,
        SSL_CERT,
        nginx_key!("ssl/es.key"),
        nginx_chain!("ssl/es-chain.pem"),
        KEY_STORE,
        TRUST_STORE,
        settings_file!("settings-publisher.txt", Publisher),
        settings_file!("settings-store.txt", Store),
        nginx_conf!("nginx-es.conf", "conf.d/es.conf"),
        SECRET_CONF,
        CIPHER_TEXT,
        LEDGER,
    ],
    relying_parties: &[
        RelyingParty {
            app: "publisher",
            path: PUBLISHER_JSON,
            without_store_name: WithoutStoreName::UsesCarbonKeyStore,
        },
        RelyingParty {
            app: "store",
            path: STORE_JSON,
            without_store_name: WithoutStoreName::UsesCarbonKeyStore,
        },
    ],
    snippets: &[
        OWN_HOST_NAMES,
        CONNECTOR,
        CARBON_KEY_STORE,
        CARBON_TRUST_STORE,
        Snippet {
            roles: Roles::Only(&[Publisher]),
            file: PUBLISHER_JSON,
            place: SSO_ATTRIBUTES,
            syntax: Json,
            settings: &sso("publisher", Url(PublisherName, "/publisher/acs")),
        },
        Snippet {
            roles: Roles::Only(&[Publisher]),
            file: PUBLISHER_JSON,
            place: SSO_ATTRIBUTES,
            syntax: Json,
            settings: SSO_STORE,
        },
        Snippet {
            roles: Roles::Only(&[Store]),
            file: STORE_JSON,
            place: SSO_ATTRIBUTES,
            syntax: Json,
            settings: &sso("store", Url(StoreName, "/store/acs")),
        },
        Snippet {
            roles: Roles::Only(&[Store]),
            file: STORE_JSON,
            place: SSO_ATTRIBUTES,
            syntax: Json,
            settings: SSO_STORE,
        },
        Snippet {
            roles: Roles::Servers,
            file: SSO_IDP_CONFIG,
            place: "in the <ServiceProvider> whose <Issuer> is publisher",
            syntax: Elements,
            settings: &service_provider(Url(PublisherName, "/publisher/acs")),
        },
        Snippet {
            roles: Roles::Servers,
            file: SSO_IDP_CONFIG,
            place: "in the <ServiceProvider> whose <Issuer> is store",
            syntax: Elements,
            settings: &service_provider(Url(StoreName, "/store/acs")),
        },
    ],
    sso_idp_config: Some(SSO_IDP_CONFIG),
    platform: None,
};

const SSO_ATTRIBUTES: &str = "in \"authentication\".\"methods\".\"sso\".\"attributes\"";

/// An app's own SSO attributes: the publisher's name is the identity provider of both apps; the ACS on the app's
/// public name, without :9443, as sso-idp-config.xml has it.
const fn sso(issuer: &'static str, acs: super::Value) -> [Setting; 3] {
    [
        Setting {
            name: "issuer",
            value: Text(issuer),
        },
        Setting {
            name: "identityProviderURL",
            value: Url(PublisherName, "/samlsso"),
        },
        Setting {
            name: "acs",
            value: acs,
        },
    ]
}
