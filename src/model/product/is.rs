//! WSO2 Identity Server 5.x behind nginx: workers at DOMAIN, the management console at mgt.DOMAIN, two nodes
//! sharing one key.
//!
//! The guide's HostName `wso2.is.com` and proxyHost `nginx.mycomp.org` name no host nginx serves; every setting
//! here uses the two public names, so that the certificate names every host the servers call each other by.

use super::carbon::{
    CA_CERT, CA_KEY, CARBON_KEY_STORE, CARBON_TRUST_STORE, CARBON_XML, CERTIFICATES, CIPHER_TEXT, CONNECTOR,
    EXTRA_HOSTS, KEY_STORE, LEDGER, SECRET_CONF, SSL_CERT, SSO_IDP_CONFIG, SUMMARY, TRUST_STORE, nginx_chain,
    nginx_conf, nginx_key, service_provider, settings_file,
};
use super::{
    HostGroup, HostGroupId, NodeGroup,
    NodeRole::{Manager, Worker},
    Product, Roles, Setting, Snippet,
    Syntax::{Elements, Json, Properties},
    Value::{Host, Text, Url},
};

/// The Identity Server cluster of the clustering guide.
pub static IS: Product = Product {
    key: "is",
    name: "Identity Server",
    summary: SUMMARY,
    short_name: "is",
    default_domain: "is.wso2.com",
    host_groups: &[
        HostGroup {
            id: HostGroupId::Workers,
            default_prefix: Some(""),
            nodes: None,
            served_by: &[Manager, Worker],
        },
        HostGroup {
            id: HostGroupId::Manager,
            default_prefix: Some("mgt."),
            nodes: None,
            served_by: &[Manager],
        },
        EXTRA_HOSTS,
    ],
    node_groups: &[
        NodeGroup {
            role: Manager,
            default_nodes: &["is-1"],
        },
        NodeGroup {
            role: Worker,
            default_nodes: &["is-2"],
        },
    ],
    ca_key_given: false,
    certificates: CERTIFICATES,
    files: &[
        CA_CERT,
        CA_KEY,
        SSL_CERT,
        nginx_key!("ssl/is.key"),
        nginx_chain!("ssl/is-chain.pem"),
        KEY_STORE,
        TRUST_STORE,
        settings_file!("settings-manager.txt", Manager),
        settings_file!("settings-worker.txt", Worker),
        nginx_conf!("nginx-is.conf", "conf.d/is.conf"),
        SECRET_CONF,
        CIPHER_TEXT,
        LEDGER,
    ],
    relying_parties: &[],
    snippets: &[
        Snippet {
            roles: Roles::Servers,
            file: CARBON_XML,
            place: "under <Server>",
            syntax: Elements,
            settings: &[
                Setting {
                    name: "HostName",
                    value: Host(HostGroupId::Workers),
                },
                Setting {
                    name: "MgtHostName",
                    value: Host(HostGroupId::Manager),
                },
            ],
        },
        CONNECTOR,
        CARBON_KEY_STORE,
        CARBON_TRUST_STORE,
        Snippet {
            roles: Roles::Servers,
            file: "repository/deployment/server/jaggeryapps/dashboard/conf/site.json",
            place: "in \"proxy\"",
            syntax: Json,
            settings: PROXY,
        },
        Snippet {
            roles: Roles::Servers,
            file: "repository/deployment/server/jaggeryapps/portal/conf/site.json",
            place: "in \"proxy\"",
            syntax: Json,
            settings: PROXY,
        },
        Snippet {
            roles: Roles::Servers,
            file: SSO_IDP_CONFIG,
            place: "in the <ServiceProvider> whose <Issuer> is wso2.my.dashboard",
            syntax: Elements,
            settings: &service_provider(Url(HostGroupId::Workers, "/dashboard/acs")),
        },
        Snippet {
            roles: Roles::Servers,
            file: "repository/deployment/server/webapps/shindig/WEB-INF/web.xml",
            place: "in the <context-param> system.properties",
            syntax: Properties,
            settings: &[
                Setting {
                    name: "shindig.host",
                    value: Host(HostGroupId::Workers),
                },
                Setting {
                    name: "shindig.port",
                    value: Text("443"),
                },
            ],
        },
    ],
    sso_idp_config: Some(SSO_IDP_CONFIG),
    platform: None,
};

/// The dashboard's and portal's proxy: the workers' public name on 443.
const PROXY: &[Setting] = &[
    Setting {
        name: "proxyHost",
        value: Host(HostGroupId::Workers),
    },
    Setting {
        name: "proxyHTTPSPort",
        value: Text("443"),
    },
];
