//! WSO2 App Manager 1.2 behind nginx: one node each for the identity provider (idp.DOMAIN), the gateway
//! (gateway.DOMAIN), the publisher (publisher.DOMAIN) and the store (store.DOMAIN), all on one key.
//!
//! The identity provider signs SAML responses with its primary key; the publisher and store check them with the
//! certificate under `identityAlias` in the store their JSON names, and the gateway with `ResponseSigningKeyAlias`
//! in its own primary keystore (R2). The guide names no host for the identity provider and the gateway: the
//! defaults follow its pattern.

use super::carbon::{
    CA_CERT, CA_KEY, CARBON_KEY_STORE, CARBON_TRUST_STORE, CERTIFICATES, CIPHER_TEXT, CONNECTOR, EXTRA_HOSTS,
    KEY_STORE, LEDGER, OWN_HOST_NAMES, PUBLISHER_JSON, SECRET_CONF, SSL_CERT, SSO_IDP_CONFIG, SSO_STORE, STORE_JSON,
    SUMMARY, TRUST_STORE, nginx_chain, nginx_conf, nginx_key, service_provider, settings_file,
};
use super::{
    HostGroup,
    HostGroupId::{Gateway as GatewayName, Idp as IdpName, Publisher as PublisherName, Store as StoreName},
    NodeGroup,
    NodeRole::{Gateway, Idp, Publisher, Store},
    Product, RelyingParty, Roles, Setting, Snippet,
    Syntax::{Elements, Json},
    Value::{SslAlias, Text, Url},
    WithoutStoreName,
};

/// The App Manager cluster of the clustering guide.
pub static APPM: Product = Product {
    key: "appm",
    name: "App Manager",
    summary: SUMMARY,
    short_name: "appm",
    default_domain: "appm-wso2.com",
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
        HostGroup {
            id: IdpName,
            default_prefix: Some("idp."),
            nodes: None,
            served_by: &[Idp],
        },
        HostGroup {
            id: GatewayName,
            default_prefix: Some("gateway."),
            nodes: None,
            served_by: &[Gateway],
        },
        EXTRA_HOSTS,
    ],
    node_groups: &[
        NodeGroup {
            role: Idp,
            default_nodes: &["idp-1"],
        },
        NodeGroup {
            role: Gateway,
            default_nodes: &["gateway-1"],
        },
        NodeGroup {
            role: Publisher,
            default_nodes: &["publisher-1"],
        },
        NodeGroup {
            role: Store,
            default_nodes: &["store-1"],
        },
    ],
    ca_key_given: false,
    certificates: CERTIFICATES,
    files: &[
        CA_CERT,
        CA_KEY,
        SSL_CERT,
        nginx_key!("ssl/appm.key"),
        nginx_chain!("ssl/appm-chain.pem"),
        KEY_STORE,
        TRUST_STORE,
        settings_file!("settings-idp.txt", Idp),
        settings_file!("settings-gateway.txt", Gateway),
        settings_file!("settings-publisher.txt", Publisher),
        settings_file!("settings-store.txt", Store),
        nginx_conf!("nginx-appm.conf", "conf.d/appm.conf"),
        SECRET_CONF,
        CIPHER_TEXT,
        LEDGER,
    ],
    relying_parties: &[
        RelyingParty {
            app: "publisher",
            path: PUBLISHER_JSON,
            without_store_name: WithoutStoreName::Fails,
        },
        RelyingParty {
            app: "store",
            path: STORE_JSON,
            without_store_name: WithoutStoreName::Fails,
        },
    ],
    snippets: &[
        OWN_HOST_NAMES,
        CONNECTOR,
        CARBON_KEY_STORE,
        CARBON_TRUST_STORE,
        Snippet {
            roles: Roles::Servers,
            file: APP_MANAGER_XML,
            place: "in <SSOConfiguration> (EnableResponseSigning and EnableAssertionSigning from App Manager 1.2.3)",
            syntax: Elements,
            settings: &[
                Setting {
                    name: "IdentityProviderUrl",
                    value: Url(IdpName, "/samlsso"),
                },
                Setting {
                    name: "ResponseSigningKeyAlias",
                    value: SslAlias,
                },
                Setting {
                    name: "EnableResponseSigning",
                    value: Text("true"),
                },
                Setting {
                    name: "EnableAssertionSigning",
                    value: Text("true"),
                },
            ],
        },
        Snippet {
            roles: Roles::Servers,
            file: APP_MANAGER_XML,
            place: "in <SSOConfiguration><Configurators><Configurator><parameters>",
            syntax: Elements,
            settings: &[Setting {
                name: "providerURL",
                value: Url(IdpName, ""),
            }],
        },
        Snippet {
            roles: Roles::Servers,
            file: APP_MANAGER_XML,
            place: "in <EntitlementServiceConfiguration><Parameters>",
            syntax: Elements,
            settings: &[Setting {
                name: "ServerUrl",
                value: Url(IdpName, ""),
            }],
        },
        Snippet {
            roles: Roles::Only(&[Publisher]),
            file: PUBLISHER_JSON,
            place: SSO_CONFIGURATION,
            syntax: Json,
            settings: &sso("publisher"),
        },
        Snippet {
            roles: Roles::Only(&[Publisher]),
            file: PUBLISHER_JSON,
            place: SSO_CONFIGURATION,
            syntax: Json,
            settings: SSO_STORE,
        },
        Snippet {
            roles: Roles::Only(&[Store]),
            file: STORE_JSON,
            place: SSO_CONFIGURATION,
            syntax: Json,
            settings: &sso("store"),
        },
        Snippet {
            roles: Roles::Only(&[Store]),
            file: STORE_JSON,
            place: SSO_CONFIGURATION,
            syntax: Json,
            settings: SSO_STORE,
        },
        Snippet {
            roles: Roles::Only(&[Idp]),
            file: SSO_IDP_CONFIG,
            place: "in the <ServiceProvider> whose <Issuer> is publisher",
            syntax: Elements,
            settings: &service_provider(Url(PublisherName, "/publisher/acs")),
        },
        Snippet {
            roles: Roles::Only(&[Idp]),
            file: SSO_IDP_CONFIG,
            place: "in the <ServiceProvider> whose <Issuer> is store",
            syntax: Elements,
            settings: &service_provider(Url(StoreName, "/store/acs")),
        },
    ],
    sso_idp_config: Some(SSO_IDP_CONFIG),
    platform: None,
};

const APP_MANAGER_XML: &str = "repository/conf/app-manager.xml";
const SSO_CONFIGURATION: &str = "in \"ssoConfiguration\"";

/// An app's own SSO settings: its issuer, and the identity provider's name (the shipped `%https.host%` is the
/// node itself, and App Manager ignores the proxy port).
const fn sso(issuer: &'static str) -> [Setting; 2] {
    [
        Setting {
            name: "issuer",
            value: Text(issuer),
        },
        Setting {
            name: "identityProviderURL",
            value: Url(IdpName, "/samlsso"),
        },
    ]
}
