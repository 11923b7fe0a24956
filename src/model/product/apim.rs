//! WSO2 API Manager 4 behind nginx, configured through deployment.toml: all-in-one nodes (publisher, developer
//! portal, key manager) at DOMAIN, the gateway at gw.DOMAIN, the three keys of the cluster CA.
//!
//! Defaults as the release tags ship them (wso2/product-apim, deployment.toml under
//! modules/distribution/product/src/main/conf/ to 4.4.0, all-in-one-apim/... from 4.5.0): only `[keystore.tls]`
//! is set, `wso2carbon.jks` typed JKS, alias `wso2carbon` (primary and internal fall back to it); 4.4.0 and
//! 4.5.0 ship that file as PKCS#12. The gateway checks a JWT that names no key (no `kid`) with the truststore
//! certificate under the alias `gateway_certificate_alias`, a constant of carbon-apimgt (and the default of
//! default.json's `apim.devportal.api_key_alias` and `apim.publisher.key_alias`): here the primary key's
//! certificate. API Manager 4.3 to 4.6 encrypt with the internal keystore (KeyStoreBasedInternalCryptoProvider),
//! so their sets have no `[encryption] key`.

use super::platform::{PROXY_PORT, SERVER_HOSTNAME, truststore_entries};
use super::{
    AliasSpec, CertRole, Chart, EntrySpec, HostGroup, HostGroupId, NodeGroup, NodeRole::Worker, Product, Release,
    Roles, Setting, Snippet, StoreFormat, Syntax::Toml, Value::Url,
};

/// The truststore alias the gateway looks the key manager's signing certificate up by, fixed in carbon-apimgt.
pub const GATEWAY_CERTIFICATE_ALIAS: &str = "gateway_certificate_alias";

/// What every API Manager 4 release shares; each release replaces its name, files and platform.
const LINE: Product = Product {
    key: "apim",
    name: "API Manager 4",
    summary: super::platform::SUMMARY,
    short_name: "apim",
    default_domain: "am.wso2.com",
    host_groups: &[
        HostGroup {
            id: HostGroupId::Workers,
            default_prefix: Some(""),
            nodes: None,
            served_by: &[Worker],
        },
        HostGroup {
            id: HostGroupId::Gateway,
            default_prefix: Some("gw."),
            nodes: None,
            served_by: &[Worker],
        },
        super::carbon::EXTRA_HOSTS,
    ],
    node_groups: &[NodeGroup {
        role: Worker,
        default_nodes: &["apim-1", "apim-2"],
    }],
    ca_key_given: false,
    certificates: super::platform::CERTIFICATES,
    files: &[],
    relying_parties: &[],
    snippets: &[SERVER_HOSTNAME, PROXY_PORT, GATEWAY_ENDPOINT],
    sso_idp_config: None,
    platform: None,
};

/// The gateway environment's public HTTPS endpoint.
const GATEWAY_ENDPOINT: Snippet = Snippet {
    roles: Roles::Servers,
    file: super::platform::DEPLOYMENT_TOML,
    place: "in the first [[apim.gateway.environment]]",
    syntax: Toml,
    settings: &[Setting {
        name: "https_endpoint",
        value: Url(HostGroupId::Gateway, ""),
    }],
};

const TRUSTED: &[EntrySpec] = truststore_entries!(EntrySpec::Trusted {
    alias: AliasSpec::Fixed(GATEWAY_CERTIFICATE_ALIAS),
    certificate: CertRole::Primary,
});

static V4_3: Release = Release {
    family: "API Manager",
    version: "4.3",
    tag: "v4.3.0",
    format: StoreFormat::Jks,
    shipped_store: ("wso2carbon.jks", "wso2carbon", StoreFormat::Jks),
    encryption: false,
    symmetric_vault: false,
    gateway_certificate_alias: Some(GATEWAY_CERTIFICATE_ALIAS),
    shipped_fingerprints: &[],
    chart: Chart::ApiManager { branch: "4.4.x" },
};

static V4_4: Release = Release {
    version: "4.4",
    tag: "v4.4.0",
    shipped_store: ("wso2carbon.jks", "wso2carbon", StoreFormat::Pkcs12),
    ..V4_3
};

static V4_5: Release = Release {
    version: "4.5",
    tag: "v4.5.0",
    ..V4_4
};

static V4_6: Release = Release {
    version: "4.6",
    tag: "v4.6.0",
    ..V4_3
};

super::platform::platform_releases! {
    line: LINE,
    trusted: TRUSTED,
    nginx: ["ssl/apim.key", "ssl/apim-chain.pem", "nginx-apim.conf", "conf.d/apim.conf"];
    [APIM_4_3, APIM_4_3_SINGLE, APIM_4_3_P12, APIM_4_3_SINGLE_P12], "API Manager 4.3", &V4_3, Jks, Pkcs12;
    [APIM_4_4, APIM_4_4_SINGLE, APIM_4_4_P12, APIM_4_4_SINGLE_P12], "API Manager 4.4", &V4_4, Jks, Pkcs12;
    [APIM_4_5, APIM_4_5_SINGLE, APIM_4_5_P12, APIM_4_5_SINGLE_P12], "API Manager 4.5", &V4_5, Jks, Pkcs12;
    [APIM_4_6, APIM_4_6_SINGLE, APIM_4_6_P12, APIM_4_6_SINGLE_P12], "API Manager 4.6", &V4_6, Jks, Pkcs12;
}
