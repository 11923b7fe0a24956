//! Reading the WSO2 configuration a server runs with: carbon.xml's KeyStore and TrustStore, certificate-config.xml
//! and iot-api-config.xml. Each document is parsed once; elements are found by local name, so carbon.xml's
//! namespace does not matter. Locations are returned as written (`${carbon.home}/...`): the caller resolves
//! them against the tree it reads.

use base64ct::Encoding;

use crate::io::secret::Password;
use crate::model::product::Syntax;
use crate::vocab::nesting::{self, TooDeep};

/// The deepest XML iospki reads. carbon.xml nests 5 elements deep, the other files fewer; 64 leaves room for any
/// hand-edited file and keeps every walk over the tree cheap (roxmltree itself parses without recursion).
pub const MAX_XML_DEPTH: usize = 64;

/// The deepest SSO settings JSON iospki reads. WSO2's store.json nests 5 levels
/// (`authentication.methods.sso.attributes`); json5 recurses per level and overflows a 2 MiB test thread at about
/// 1,300 levels (8 MiB main thread: about 5,000), twenty times past this limit.
pub const MAX_JSON_DEPTH: usize = 64;

/// The most attributes iospki reads on one XML element. WSO2's elements carry at most a few (`xmlns`,
/// `class`, `enabled`); roxmltree's duplicate check is quadratic, and 256 keeps it to microseconds.
pub const MAX_XML_ATTRIBUTES: usize = 256;

/// A keystore as a configuration file names it.
#[derive(Debug, Clone)]
pub struct StoreRef {
    /// The store's location as written, usually under `${carbon.home}`.
    pub location: String,
    /// The keystore type the server asks Java for ("JKS", "PKCS12").
    pub store_type: String,
    /// The store password.
    pub password: Password,
}

/// carbon.xml as the server reads it: its stores, its host names, and every element under `<Server>` and
/// `<Security>` with its line, so that a misspelt one can be named.
#[derive(Debug, Clone)]
pub struct Carbon {
    /// `Security/KeyStore` and `Security/TrustStore`.
    pub stores: CarbonStores,
    /// `HostName`, if set.
    pub host_name: Option<String>,
    /// `MgtHostName`, if set.
    pub mgt_host_name: Option<String>,
    /// The elements under `<Server>` and `<Security>`.
    pub elements: Vec<ElementAt>,
}

/// An element of carbon.xml, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementAt {
    /// `Server` or `Security`.
    pub parent: &'static str,
    /// Its local name.
    pub name: String,
    /// Its line, from 1.
    pub line: u32,
}

/// The elements Carbon 4.4 reads under `<Server>` (product-iots 3.1.0 and the kernel's carbon.xml, those in its
/// comments included).
pub const SERVER_ELEMENTS: &[&str] = &[
    "Name",
    "ServerKey",
    "Version",
    "HostName",
    "MgtHostName",
    "ServerURL",
    "ServerRoles",
    "Package",
    "WebContextRoot",
    "ItemsPerPage",
    "Ports",
    "JNDI",
    "IsCloudDeployment",
    "EnableMetering",
    "MaxThreadExecutionTime",
    "GhostDeployment",
    "Tenant",
    "Cache",
    "Axis2Config",
    "ServiceUserRoles",
    "Security",
    "WorkDirectory",
    "HouseKeeping",
    "FileUploadConfig",
    "HttpGetRequestProcessors",
    "DeploymentSynchronizer",
    "ServerInitializers",
    "RequireCarbonServlet",
    "StatisticsReporterDisabled",
    "FeatureRepository",
    "APIManagement",
    "BamServerURL",
    "MgtProxyContextPath",
    "ProxyContextPath",
    "InstanceMgtWSEndpoint",
    "MediationConfig",
    "RegistryKeyStore",
];

/// The elements Carbon 4.4 reads under `<Security>`.
pub const SECURITY_ELEMENTS: &[&str] = &[
    "KeyStore",
    "RegistryKeyStore",
    "TrustStore",
    "NetworkAuthenticatorConfig",
    "TomcatRealm",
    "DisableTokenStore",
    "TokenStoreClassName",
    "CSRFPreventionConfig",
    "XSSPreventionConfig",
    "CRLFPreventionConfig",
];

/// carbon.xml's `Security/KeyStore` and `Security/TrustStore`.
#[derive(Debug, Clone)]
pub struct CarbonStores {
    /// The server's key store.
    pub keystore: StoreRef,
    /// `KeyStore/KeyAlias`.
    pub key_alias: String,
    /// `KeyStore/KeyPassword`.
    pub key_password: Password,
    /// The server's trust store.
    pub truststore: StoreRef,
}

/// certificate-config.xml's `CertificateKeystore`.
#[derive(Debug, Clone)]
pub struct CertificateConfig {
    /// The SCEP store (wso2certs.jks).
    pub store: StoreRef,
    /// `CACertAlias`.
    pub ca_alias: String,
    /// `CAPrivateKeyPassword`.
    pub ca_key_password: Password,
    /// `RACertAlias`.
    pub ra_alias: String,
    /// `RAPrivateKeyPassword`.
    pub ra_key_password: Password,
}

/// iot-api-config.xml's required elements.
#[derive(Debug, Clone)]
pub struct IotApiConfig {
    /// `VerificationEndpoint`.
    pub verification_endpoint: String,
    /// `DynamicClientRegistrationEndpoint`.
    pub dcr_endpoint: String,
    /// `OauthTokenEndpoint`.
    pub token_endpoint: String,
}

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// It is not well-formed XML (or has a DTD, which iospki does not read).
    #[error("not well-formed XML: {0}")]
    Malformed(#[from] roxmltree::Error),
    /// Deeper than [`MAX_XML_DEPTH`], or wider than [`MAX_XML_ATTRIBUTES`].
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
    /// A required element is missing.
    #[error("element {0} is missing")]
    Missing(String),
}

/// A parsed document.
struct Xml<'a>(roxmltree::Document<'a>);

impl<'a> Xml<'a> {
    fn parse(text: &'a str) -> Result<Xml<'a>, XmlError> {
        const WHAT: &str = "WSO2 configuration files";
        nesting::xml_attributes(text, MAX_XML_ATTRIBUTES, WHAT)?;
        let document = roxmltree::Document::parse(text)?;
        nesting::xml(&document, MAX_XML_DEPTH, WHAT)?;
        Ok(Xml(document))
    }

    /// The trimmed text of the element at `path` (local names from the root's child down).
    fn get(&self, path: &[&str]) -> Result<String, XmlError> {
        let mut node = self.0.root_element();
        for name in path {
            node = node
                .children()
                .find(|n| n.is_element() && n.tag_name().name() == *name)
                .ok_or_else(|| XmlError::Missing(path.join("/")))?;
        }
        Ok(node.text().unwrap_or_default().trim().to_owned())
    }

    /// The child elements of `node`, with their lines.
    fn children(&self, parent: &'static str, node: roxmltree::Node<'_, '_>) -> Vec<ElementAt> {
        node.children()
            .filter(|n| n.is_element())
            .map(|n| ElementAt {
                parent,
                name: n.tag_name().name().to_owned(),
                line: self.0.text_pos_at(n.range().start).row,
            })
            .collect()
    }

    fn store(&self, parent: &[&str], names: [&str; 3]) -> Result<StoreRef, XmlError> {
        let at = |name| [parent, &[name]].concat();
        Ok(StoreRef {
            location: self.get(&at(names[0]))?,
            store_type: self.get(&at(names[1]))?,
            password: Password::new(self.get(&at(names[2]))?),
        })
    }
}

/// Reads carbon.xml.
pub fn carbon(text: &str) -> Result<Carbon, XmlError> {
    let xml = Xml::parse(text)?;
    let stores = CarbonStores {
        keystore: xml.store(&["Security", "KeyStore"], ["Location", "Type", "Password"])?,
        key_alias: xml.get(&["Security", "KeyStore", "KeyAlias"])?,
        key_password: Password::new(xml.get(&["Security", "KeyStore", "KeyPassword"])?),
        truststore: xml.store(&["Security", "TrustStore"], ["Location", "Type", "Password"])?,
    };
    let root = xml.0.root_element();
    let security = root
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Security");
    let mut elements = xml.children("Server", root);
    elements.extend(security.map(|node| xml.children("Security", node)).unwrap_or_default());
    Ok(Carbon {
        stores,
        host_name: xml.get(&["HostName"]).ok().filter(|h| !h.is_empty()),
        mgt_host_name: xml.get(&["MgtHostName"]).ok().filter(|h| !h.is_empty()),
        elements,
    })
}

/// iot_default.xml's elements the key manager uses.
#[derive(Debug, Clone)]
pub struct IdentityProvider {
    /// `IdentityProviderName`: the `iss` of the JWTs it vouches for.
    pub name: String,
    /// `Alias`: an `aud` those JWTs must carry.
    pub alias: String,
    /// `Certificate` decoded as the key manager decodes it (Axiom's Base64, which skips every character outside
    /// the alphabet); `None` when that is not base64.
    pub certificate: Option<Vec<u8>>,
}

/// Reads an identity provider file (iot_default.xml).
pub fn identity_provider(text: &str) -> Result<IdentityProvider, XmlError> {
    let xml = Xml::parse(text)?;
    let base64: String = xml
        .get(&["Certificate"])?
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    Ok(IdentityProvider {
        name: xml.get(&["IdentityProviderName"])?,
        alias: xml.get(&["Alias"])?,
        certificate: base64ct::Base64::decode_vec(&base64).ok(),
    })
}

/// Reads certificate-config.xml, requiring every element the server binds.
pub fn certificate_config(text: &str) -> Result<CertificateConfig, XmlError> {
    let xml = Xml::parse(text)?;
    for required in [
        ["ManagementRepository", "DataSourceConfiguration"].as_slice(),
        &["DefaultPageSize"],
    ] {
        xml.get(required)?;
    }
    let at = |name| ["CertificateKeystore", name];
    Ok(CertificateConfig {
        store: xml.store(
            &["CertificateKeystore"],
            [
                "CertificateKeystoreLocation",
                "CertificateKeystoreType",
                "CertificateKeystorePassword",
            ],
        )?,
        ca_alias: xml.get(&at("CACertAlias"))?,
        ca_key_password: Password::new(xml.get(&at("CAPrivateKeyPassword"))?),
        ra_alias: xml.get(&at("RACertAlias"))?,
        ra_key_password: Password::new(xml.get(&at("RAPrivateKeyPassword"))?),
    })
}

/// Reads iot-api-config.xml, requiring Hostname through OauthTokenEndpoint.
pub fn iot_api_config(text: &str) -> Result<IotApiConfig, XmlError> {
    let xml = Xml::parse(text)?;
    for required in ["Hostname", "Username", "Password"] {
        xml.get(&[required])?;
    }
    Ok(IotApiConfig {
        verification_endpoint: xml.get(&["VerificationEndpoint"])?,
        dcr_endpoint: xml.get(&["DynamicClientRegistrationEndpoint"])?,
        token_endpoint: xml.get(&["OauthTokenEndpoint"])?,
    })
}

/// A Jaggery app's SAML SSO settings (store.json, publisher.json, site.json), as its relying-party code reads
/// them: the Response signature is checked with the certificate under `identity_alias` in the JKS at
/// `carbon.home + key_store_name`, opened with `key_store_password`.
#[derive(Debug, Clone)]
pub struct SsoSettings {
    /// `responseSigningEnabled`, with JavaScript's truthiness (the string "false" is true).
    pub response_signing: bool,
    /// `keyStoreName`.
    pub key_store_name: String,
    /// `keyStorePassword`.
    pub key_store_password: Password,
    /// `identityAlias`.
    pub identity_alias: String,
    /// `issuer`: the service provider the identity provider knows the app as.
    pub issuer: String,
    /// `acs`: where the app asks the identity provider to send the response (Enterprise Store; empty elsewhere).
    pub acs: String,
}

/// Why an SSO settings file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// Not JSON (comments and trailing commas, which WSO2's files have, are fine).
    #[error("not well-formed JSON: {0}")]
    Malformed(#[from] json5::Error),
    /// Deeper than [`MAX_JSON_DEPTH`].
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
    /// Neither `ssoConfiguration` nor `authentication.methods.sso.attributes`.
    #[error("holds no SSO settings (ssoConfiguration or authentication.methods.sso.attributes)")]
    NoSso,
}

/// Reads the SSO settings of a Jaggery app's JSON configuration.
pub fn sso_settings(text: &str) -> Result<SsoSettings, JsonError> {
    let json = json(text)?.map_err(JsonError::Malformed)?;
    let block = json
        .get("ssoConfiguration")
        .or_else(|| json.pointer("/authentication/methods/sso/attributes"))
        .ok_or(JsonError::NoSso)?;
    let text = |key: &str| match block.get(key) {
        Some(serde_json::Value::String(value)) => value.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let truthy = match block.get("responseSigningEnabled") {
        Some(serde_json::Value::Bool(on)) => *on,
        Some(serde_json::Value::String(value)) => !value.is_empty(),
        Some(serde_json::Value::Number(number)) => number.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    };
    Ok(SsoSettings {
        response_signing: truthy,
        key_store_name: text("keyStoreName"),
        key_store_password: Password::new(text("keyStorePassword")),
        identity_alias: text("identityAlias"),
        issuer: text("issuer"),
        acs: text("acs"),
    })
}

/// A `<ServiceProvider>` of sso-idp-config.xml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProvider {
    /// `Issuer`.
    pub issuer: String,
    /// `AssertionConsumerServiceURLs/AssertionConsumerServiceURL`, and the older single
    /// `AssertionConsumerService`.
    pub acs_urls: Vec<String>,
    /// `DefaultAssertionConsumerServiceURL`, if set.
    pub default_acs: Option<String>,
}

/// The service providers of sso-idp-config.xml.
pub fn sso_idp_config(text: &str) -> Result<Vec<ServiceProvider>, XmlError> {
    let xml = Xml::parse(text)?;
    let named = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.descendants()
            .filter(move |n| n.is_element() && n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or_default().trim().to_owned())
            .collect::<Vec<String>>()
    };
    let providers = xml
        .0
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "ServiceProvider")
        .map(|node| {
            let mut acs_urls = named(node, "AssertionConsumerServiceURL");
            acs_urls.extend(named(node, "AssertionConsumerService"));
            ServiceProvider {
                issuer: named(node, "Issuer").into_iter().next().unwrap_or_default(),
                acs_urls,
                default_acs: named(node, "DefaultAssertionConsumerServiceURL").into_iter().next(),
            }
        })
        .collect();
    Ok(providers)
}

/// A Jaggery app's JSON, measured before json5 recurses into it.
fn json(text: &str) -> Result<Result<serde_json::Value, json5::Error>, TooDeep> {
    nesting::json(text, MAX_JSON_DEPTH, "SSO settings")?;
    Ok(json5::from_str(text))
}

/// Every value a file of `syntax` gives `name`: the text of each element of that local name, each JSON member of
/// that name at any depth, each `name=value` property. Attributes and TOML (read by [`crate::wso2::deployment`]) are not read here. A file that is not well-formed
/// gives none (verify judges it elsewhere); one that nests too deep is refused.
pub fn setting_values(text: &str, syntax: Syntax, name: &str) -> Result<Vec<String>, TooDeep> {
    Ok(match syntax {
        Syntax::Elements => match Xml::parse(text) {
            Ok(xml) => xml
                .0
                .descendants()
                .filter(|n| n.is_element() && n.tag_name().name() == name)
                .map(|n| n.text().unwrap_or_default().trim().to_owned())
                .collect(),
            Err(XmlError::TooDeep(too_deep)) => return Err(too_deep),
            Err(_) => Vec::new(),
        },
        Syntax::Json => match json(text)? {
            Ok(json) => {
                let mut values = Vec::new();
                json_members(&json, name, &mut values);
                values
            }
            Err(_) => Vec::new(),
        },
        Syntax::Properties => text
            .lines()
            .filter_map(|line| line.trim().strip_prefix(name)?.trim_start().strip_prefix('='))
            .map(|value| value.trim().to_owned())
            .collect(),
        Syntax::Attributes | Syntax::Toml => Vec::new(),
    })
}

/// The string values of every member `name` under `json`.
fn json_members(json: &serde_json::Value, name: &str, values: &mut Vec<String>) {
    match json {
        serde_json::Value::Object(members) => {
            for (key, value) in members {
                match value {
                    serde_json::Value::String(text) if key == name => values.push(text.clone()),
                    other => json_members(other, name, values),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| json_members(item, name, values)),
        _ => {}
    }
}

/// The host of an `https://host[:port]/...` URL.
pub fn url_host(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    match url.scheme() {
        "https" | "http" => url.host_str().map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_certificate_config_reads_back() {
        let password = Password::new("p<&>w");
        let xml = super::super::CertificateConfig {
            store: "wso2certs.jks",
            store_password: &password,
        }
        .to_xml();
        let config = certificate_config(&xml).unwrap();
        assert_eq!(
            config.store.location,
            "${carbon.home}/repository/resources/security/wso2certs.jks"
        );
        assert_eq!(config.store.store_type, "JKS");
        assert_eq!(config.store.password, password);
        assert_eq!(
            (config.ca_alias.as_str(), config.ra_alias.as_str()),
            ("cacert", "racert")
        );
        assert_eq!(config.ra_key_password, password);
    }

    #[test]
    fn missing_elements_are_named() {
        let err = certificate_config("<CertificateConfigurations><CertificateKeystore/></CertificateConfigurations>")
            .unwrap_err()
            .to_string();
        assert!(err.contains("element") && err.contains("is missing"), "{err}");
    }

    #[test]
    fn namespaced_carbon_xml_is_read_by_local_name() {
        let carbon = carbon(
            r#"<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security>
            <KeyStore><Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type>
            <Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias><KeyPassword>wso2carbon</KeyPassword></KeyStore>
            <TrustStore><Location>${carbon.home}/repository/resources/security/client-truststore.jks</Location>
            <Type>JKS</Type><Password>wso2carbon</Password></TrustStore></Security>
            <MgtHostNam>mgt.example.org</MgtHostNam></Server>"#,
        )
        .unwrap();
        let stores = carbon.stores;
        assert_eq!(stores.key_alias, "wso2carbon");
        let misspelt = carbon.elements.iter().find(|e| e.name == "MgtHostNam").unwrap();
        assert_eq!((misspelt.parent, misspelt.line), ("Server", 6));
        assert_eq!(
            stores.truststore.location,
            "${carbon.home}/repository/resources/security/client-truststore.jks"
        );
    }

    #[test]
    fn settings_are_read_in_each_syntax() {
        let xml = "<Server><HostName> a.example.org </HostName><X><HostName>b</HostName></X></Server>";
        assert_eq!(
            setting_values(xml, Syntax::Elements, "HostName").unwrap(),
            ["a.example.org", "b"]
        );
        let json = "{ // comment\n \"proxy\": {\"proxyHost\": \"is.example.org\",}, \"proxyHost\": 1 }";
        assert_eq!(
            setting_values(json, Syntax::Json, "proxyHost").unwrap(),
            ["is.example.org"]
        );
        let properties = "<param-value>\n  shindig.host=is.example.org\n  shindig.port = 443\n";
        assert_eq!(
            setting_values(properties, Syntax::Properties, "shindig.host").unwrap(),
            ["is.example.org"]
        );
    }

    #[test]
    fn service_providers_of_both_layouts_are_read() {
        let xml = "<SSOIdentityProviderConfig><ServiceProviders>\
            <ServiceProvider><Issuer>store</Issuer><AssertionConsumerServiceURLs>\
            <AssertionConsumerServiceURL>https://s/store/acs</AssertionConsumerServiceURL>\
            </AssertionConsumerServiceURLs><DefaultAssertionConsumerServiceURL>https://s/store/acs\
            </DefaultAssertionConsumerServiceURL></ServiceProvider>\
            <ServiceProvider><Issuer>publisher</Issuer>\
            <AssertionConsumerService>https://p/publisher/acs</AssertionConsumerService></ServiceProvider>\
            </ServiceProviders></SSOIdentityProviderConfig>";
        let providers = sso_idp_config(xml).unwrap();
        assert_eq!(providers[0].default_acs.as_deref(), Some("https://s/store/acs"));
        assert_eq!(providers[1].issuer, "publisher");
        assert_eq!(providers[1].acs_urls, ["https://p/publisher/acs"]);
    }

    #[test]
    fn sso_settings_are_read_from_either_layout_with_comments() {
        let iot = sso_settings(
            r#"{ // store.json
            "ssoConfiguration": {"responseSigningEnabled": "true", "identityAlias": "wso2carbon",
              "keyStoreName": "/repository/resources/security/wso2carbon.jks", "keyStorePassword": "p",},
            }"#,
        )
        .unwrap();
        assert!(iot.response_signing);
        assert_eq!(iot.key_store_name, "/repository/resources/security/wso2carbon.jks");
        let es = sso_settings(
            r#"{"authentication": {"methods": {"sso": {"attributes": {"responseSigningEnabled": false}}}}}"#,
        )
        .unwrap();
        assert!(!es.response_signing && es.identity_alias.is_empty());
        assert!(matches!(sso_settings("{}"), Err(JsonError::NoSso)));
        assert!(matches!(sso_settings("{"), Err(JsonError::Malformed(_))));
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://keymgt.x.com/client-registration/v0.11/register").as_deref(),
            Some("keymgt.x.com")
        );
        assert_eq!(url_host("https://x.com:9443/token").as_deref(), Some("x.com"));
        assert_eq!(url_host("ftp://x"), None);
        assert_eq!(url_host("https://user@x.com/"), Some("x.com".to_owned()));
    }
}
