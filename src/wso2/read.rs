//! Reading the WSO2 configuration a server runs with: carbon.xml's KeyStore and TrustStore, certificate-config.xml
//! and iot-api-config.xml. Elements are found by local name, so carbon.xml's namespace does not matter.

use std::path::{Path, PathBuf};

use crate::secret::Password;

/// A keystore as a configuration file names it.
#[derive(Debug, Clone)]
pub struct StoreRef {
    /// The store's path, with `${carbon.home}` replaced.
    pub location: PathBuf,
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

/// A parsed XML file with `${carbon.home}` resolved to `home`.
struct Xml {
    text: String,
    home: PathBuf,
}

impl Xml {
    fn read(path: &Path, home: &Path) -> Result<Xml, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        roxmltree::Document::parse(&text).map_err(|e| format!("not well-formed XML: {e}"))?;
        Ok(Xml {
            text,
            home: home.to_path_buf(),
        })
    }

    /// The trimmed text of the element at `path` (local names from the root's child down).
    fn get(&self, path: &[&str]) -> Result<String, String> {
        let doc = roxmltree::Document::parse(&self.text).map_err(|e| e.to_string())?;
        let mut node = doc.root_element();
        for name in path {
            node = node
                .children()
                .find(|n| n.is_element() && n.tag_name().name() == *name)
                .ok_or_else(|| format!("element {} is missing", path.join("/")))?;
        }
        Ok(node.text().unwrap_or_default().trim().to_owned())
    }

    fn location(&self, path: &[&str]) -> Result<PathBuf, String> {
        let value = self.get(path)?;
        let home = self.home.to_string_lossy();
        Ok(PathBuf::from(value.replace("${carbon.home}", &home)))
    }

    fn store(&self, parent: &[&str], names: [&str; 3]) -> Result<StoreRef, String> {
        Ok(StoreRef {
            location: self.location(&child(parent, names[0]))?,
            store_type: self.get(&child(parent, names[1]))?,
            password: Password::new(self.get(&child(parent, names[2]))?),
        })
    }
}

fn child<'a>(parent: &[&'a str], name: &'a str) -> Vec<&'a str> {
    let mut path = parent.to_vec();
    path.push(name);
    path
}

/// Reads carbon.xml's KeyStore and TrustStore; `home` replaces `${carbon.home}`.
pub fn carbon_stores(path: &Path, home: &Path) -> Result<CarbonStores, String> {
    let xml = Xml::read(path, home)?;
    Ok(CarbonStores {
        keystore: xml.store(&["Security", "KeyStore"], ["Location", "Type", "Password"])?,
        key_alias: xml.get(&["Security", "KeyStore", "KeyAlias"])?,
        key_password: Password::new(xml.get(&["Security", "KeyStore", "KeyPassword"])?),
        truststore: xml.store(&["Security", "TrustStore"], ["Location", "Type", "Password"])?,
    })
}

/// Reads certificate-config.xml, requiring every element the server binds; `home` replaces `${carbon.home}`.
pub fn certificate_config(path: &Path, home: &Path) -> Result<CertificateConfig, String> {
    let xml = Xml::read(path, home)?;
    let keystore = ["CertificateKeystore"];
    let at = |name| child(&keystore, name);
    for required in [
        ["ManagementRepository", "DataSourceConfiguration"].as_slice(),
        &["DefaultPageSize"],
    ] {
        xml.get(required)?;
    }
    Ok(CertificateConfig {
        store: xml.store(
            &keystore,
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
pub fn iot_api_config(path: &Path) -> Result<IotApiConfig, String> {
    let xml = Xml::read(path, Path::new(""))?;
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
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    authority
        .rsplit_once(':')
        .map_or(Some(authority), |(host, _)| Some(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_certificate_config_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certificate-config.xml");
        let password = Password::new("p<&>w");
        std::fs::write(
            &path,
            super::super::CertificateConfig {
                store_password: &password,
            }
            .to_xml()
            .as_bytes(),
        )
        .unwrap();
        let config = certificate_config(&path, Path::new("/opt/iots")).unwrap();
        assert_eq!(
            config.store.location,
            Path::new("/opt/iots/repository/resources/security/wso2certs.jks")
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.xml");
        std::fs::write(
            &path,
            "<CertificateConfigurations><CertificateKeystore/></CertificateConfigurations>",
        )
        .unwrap();
        let err = certificate_config(&path, dir.path()).unwrap_err();
        assert!(err.contains("element") && err.contains("is missing"), "{err}");
    }

    #[test]
    fn namespaced_carbon_xml_is_read_by_local_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carbon.xml");
        std::fs::write(
            &path,
            r#"<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security>
            <KeyStore><Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location><Type>JKS</Type>
            <Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias><KeyPassword>wso2carbon</KeyPassword></KeyStore>
            <TrustStore><Location>${carbon.home}/repository/resources/security/client-truststore.jks</Location>
            <Type>JKS</Type><Password>wso2carbon</Password></TrustStore></Security></Server>"#,
        )
        .unwrap();
        let stores = carbon_stores(&path, Path::new("/h")).unwrap();
        assert_eq!(stores.key_alias, "wso2carbon");
        assert_eq!(
            stores.truststore.location,
            Path::new("/h/repository/resources/security/client-truststore.jks")
        );
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://keymgt.x.com/client-registration/v0.11/register"),
            Some("keymgt.x.com")
        );
        assert_eq!(url_host("https://x.com:9443/token"), Some("x.com"));
        assert_eq!(url_host("ftp://x"), None);
    }
}
