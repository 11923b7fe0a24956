//! Reading the WSO2 configuration a server runs with: carbon.xml's KeyStore and TrustStore, certificate-config.xml
//! and iot-api-config.xml. Each document is parsed once; elements are found by local name, so carbon.xml's
//! namespace does not matter. Locations are returned as written (`${carbon.home}/...`): the caller resolves
//! them against the tree it reads.

use crate::secret::Password;

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
    /// A required element is missing.
    #[error("element {0} is missing")]
    Missing(String),
}

/// A parsed document.
struct Xml<'a>(roxmltree::Document<'a>);

impl<'a> Xml<'a> {
    fn parse(text: &'a str) -> Result<Xml<'a>, XmlError> {
        Ok(Xml(roxmltree::Document::parse(text)?))
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

    fn store(&self, parent: &[&str], names: [&str; 3]) -> Result<StoreRef, XmlError> {
        let at = |name| [parent, &[name]].concat();
        Ok(StoreRef {
            location: self.get(&at(names[0]))?,
            store_type: self.get(&at(names[1]))?,
            password: Password::new(self.get(&at(names[2]))?),
        })
    }
}

/// Reads carbon.xml's KeyStore and TrustStore.
pub fn carbon_stores(text: &str) -> Result<CarbonStores, XmlError> {
    let xml = Xml::parse(text)?;
    Ok(CarbonStores {
        keystore: xml.store(&["Security", "KeyStore"], ["Location", "Type", "Password"])?,
        key_alias: xml.get(&["Security", "KeyStore", "KeyAlias"])?,
        key_password: Password::new(xml.get(&["Security", "KeyStore", "KeyPassword"])?),
        truststore: xml.store(&["Security", "TrustStore"], ["Location", "Type", "Password"])?,
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
        let stores = carbon_stores(
            r#"<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security>
            <KeyStore><Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type>
            <Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias><KeyPassword>wso2carbon</KeyPassword></KeyStore>
            <TrustStore><Location>${carbon.home}/repository/resources/security/client-truststore.jks</Location>
            <Type>JKS</Type><Password>wso2carbon</Password></TrustStore></Security></Server>"#,
        )
        .unwrap();
        assert_eq!(stores.key_alias, "wso2carbon");
        assert_eq!(
            stores.truststore.location,
            "${carbon.home}/repository/resources/security/client-truststore.jks"
        );
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
