//! WSO2 Identity Server 7 behind nginx, configured through deployment.toml: identical nodes at DOMAIN, the three
//! keys of the cluster CA, and the symmetric `[encryption] key` every node shares.
//!
//! Defaults as the release tags ship them (wso2/product-is, modules/distribution/src/repository/resources/conf/
//! deployment.toml): 7.0.0 keeps `wso2carbon.jks` (JKS), 7.1.0 to 7.3.0 `wso2carbon.p12` (PKCS12), alias
//! `wso2carbon` for all three keystore sections; iospki's set uses the release's store type.

use super::platform::{PROXY_PORT, SERVER_HOSTNAME, truststore_entries};
use super::{Chart, EntrySpec, HostGroup, HostGroupId, NodeGroup, NodeRole::Worker, Product, Release, StoreFormat};

/// What every Identity Server 7 release shares; each release replaces its name, files and platform.
const LINE: Product = Product {
    key: "is",
    name: "Identity Server 7",
    summary: super::platform::SUMMARY,
    short_name: "is",
    default_domain: "is.wso2.com",
    host_groups: &[
        HostGroup {
            id: HostGroupId::Workers,
            default_prefix: Some(""),
            nodes: None,
            served_by: &[Worker],
        },
        super::carbon::EXTRA_HOSTS,
    ],
    node_groups: &[NodeGroup {
        role: Worker,
        default_nodes: &["is-1", "is-2"],
    }],
    ca_key_given: false,
    certificates: super::platform::CERTIFICATES,
    files: &[],
    relying_parties: &[],
    snippets: &[SERVER_HOSTNAME, PROXY_PORT],
    sso_idp_config: None,
    platform: None,
};

const TRUSTED: &[EntrySpec] = truststore_entries!();

/// The chart every Identity Server 7 release is deployed with here.
const CHART: Chart = Chart::IdentityServer { branch: "7.1.x" };

/// 7.1.0 and 7.2.0 ship the same key (../shared/fixtures/wso2-shipped/README.md), expired 2026-01-08.
const SHIPPED_7_1: &[&str] =
    &["9B:F7:82:53:A0:CB:31:54:D7:F6:1E:53:A2:62:FA:E1:2C:2D:A7:E0:0C:B2:60:3E:EB:1B:D6:09:3A:F9:81:FE"];

static V7_0: Release = Release {
    family: "Identity Server",
    version: "7.0",
    tag: "v7.0.0",
    format: StoreFormat::Jks,
    shipped_store: ("wso2carbon.jks", "wso2carbon", StoreFormat::Jks),
    encryption: true,
    symmetric_vault: false,
    gateway_certificate_alias: None,
    shipped_fingerprints: &[
        "9D:B3:6B:A1:1A:21:DA:D5:56:53:72:7A:BC:E1:5D:74:57:93:E8:91:98:3F:E7:AA:DF:CE:1B:39:E3:B7:C8:62",
        "CF:6F:49:F8:EC:CE:6E:92:92:8D:C2:03:85:48:E8:73:10:ED:06:B7:07:D3:F9:E2:37:83:B6:6A:82:A2:4E:D8",
    ],
    chart: CHART,
};

static V7_1: Release = Release {
    version: "7.1",
    tag: "v7.1.0",
    format: StoreFormat::Pkcs12,
    shipped_store: ("wso2carbon.p12", "wso2carbon", StoreFormat::Pkcs12),
    symmetric_vault: true,
    shipped_fingerprints: SHIPPED_7_1,
    ..V7_0
};

static V7_2: Release = Release {
    version: "7.2",
    tag: "v7.2.0",
    ..V7_1
};

static V7_3: Release = Release {
    version: "7.3",
    tag: "v7.3.0",
    shipped_fingerprints: &[
        "2B:A3:61:A0:32:FF:D4:B3:4F:7D:F0:66:DE:72:B6:1C:5E:83:6A:09:F7:A7:BD:71:05:EB:87:B4:09:4D:97:12",
    ],
    ..V7_1
};

super::platform::platform_releases! {
    line: LINE,
    trusted: TRUSTED,
    nginx: ["ssl/is.key", "ssl/is-chain.pem", "nginx-is.conf", "conf.d/is.conf"];
    [IS_7_0, IS_7_0_SINGLE, IS_7_0_P12, IS_7_0_SINGLE_P12], "Identity Server 7.0", &V7_0, Jks, Pkcs12;
    [IS_7_1, IS_7_1_SINGLE, IS_7_1_JKS, IS_7_1_SINGLE_JKS], "Identity Server 7.1", &V7_1, Pkcs12, Jks;
    [IS_7_2, IS_7_2_SINGLE, IS_7_2_JKS, IS_7_2_SINGLE_JKS], "Identity Server 7.2", &V7_2, Pkcs12, Jks;
    [IS_7_3, IS_7_3_SINGLE, IS_7_3_JKS, IS_7_3_SINGLE_JKS], "Identity Server 7.3", &V7_3, Pkcs12, Jks;
}
