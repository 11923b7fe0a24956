//! The servers' own files, written and read: WSO2's XML and settings, the apps' SSO JSON, nginx's server blocks.
//! It may import `model`, `formats`, `io`, `vocab`, `error`; never `ops`.
//!
//! Written here: certificate-config.xml, iot-api-config.xml and iot_default.xml, complete (the server binds them
//! with JAXB and every element is required), in the shape the products ship; the settings each node role pastes
//! into its product's files (`snippets`); nginx's server blocks ([`nginx`]). Read back: [`read`].

pub mod deployment;
pub mod nginx;
pub mod properties;
pub mod read;
mod snippets;
pub mod vault;

use std::fmt::Write;

use base64ct::Encoding;
use rustls_pki_types::CertificateDer;
use zeroize::Zeroizing;

use crate::formats::vault::Secrets;
use crate::io::secret::{Password, SymmetricKey};
use crate::model::cluster::Cluster;
use crate::model::product::iot::{CA_ALIAS, RA_ALIAS};
use crate::model::product::{ConfigFile, StorePurpose};
use crate::model::settings::Settings;
use crate::vocab::roles::HostGroupId;

/// The issuer of the JWTs the IoT Server signs for its own API calls (`iss` in conf/etc/jwt.properties): the key
/// manager finds the identity provider whose `IdentityProviderName` it is.
pub const JWT_ISSUER: &str = "wso2.org/products/iot";

/// The audience of those JWTs (`aud`): it must be that identity provider's `Alias`.
pub const JWT_AUDIENCE: &str = "devicemgt";

/// What a set's configuration files are made from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The settings the set is made with.
    pub settings: &'a Settings,
    /// The stores' password.
    pub password: &'a Password,
    /// deployment.toml's `[encryption] key`, for a release that encrypts with one.
    pub encryption_key: Option<&'a SymmetricKey>,
    /// The SSL certificate.
    pub ssl: &'a CertificateDer<'a>,
    /// The passwords encrypted with Secure Vault, in a set made with it.
    pub secrets: Option<&'a Secrets>,
}

/// The bytes of the configuration file `kind` made from `sources`.
pub fn config_file(kind: ConfigFile, sources: &Sources<'_>) -> Zeroizing<Vec<u8>> {
    let Sources { settings, password, .. } = *sources;
    let text = match kind {
        ConfigFile::CertificateConfig => {
            let store = settings
                .cluster
                .product()
                .store(StorePurpose::Scep)
                .map_or("wso2certs.jks", |spec| spec.name);
            CertificateConfig {
                store,
                store_password: password,
            }
            .to_xml()
        }
        ConfigFile::IotApiConfig => Zeroizing::new(iot_api_config_xml(&settings.cluster)),
        ConfigFile::IdentityProvider => Zeroizing::new(identity_provider_xml(sources.ssl)),
        ConfigFile::Settings(role) => snippets::settings_text(settings, role, password),
        ConfigFile::Nginx => Zeroizing::new(nginx::conf(&settings.cluster)),
        ConfigFile::DeploymentSecurity => {
            deployment::security_toml(settings, password, sources.encryption_key, sources.secrets)
        }
        ConfigFile::Vault(file) => vault::file(file, settings, sources.secrets.unwrap_or(&Secrets::default())),
    };
    Zeroizing::new(text.as_bytes().to_vec())
}

/// What certificate-config.xml tells the server about wso2certs.jks.
#[derive(Debug)]
pub struct CertificateConfig<'a> {
    /// The SCEP store's file name under repository/resources/security.
    pub store: &'a str,
    /// The store password, also the CA and RA key passwords.
    pub store_password: &'a Password,
}

impl CertificateConfig<'_> {
    /// The XML text. It holds passwords, so it is a secret.
    pub fn to_xml(&self) -> Zeroizing<String> {
        let password = escape(self.store_password.secret_str());
        let store = escape(self.store);
        let mut xml = Zeroizing::new(String::with_capacity(1024));
        // write! to a String cannot fail.
        let _ = write!(
            &mut *xml,
            r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<CertificateConfigurations>
    <CertificateKeystore>
        <CertificateKeystoreLocation>${{carbon.home}}/repository/resources/security/{store}</CertificateKeystoreLocation>
        <CertificateKeystoreType>JKS</CertificateKeystoreType>
        <CertificateKeystorePassword>{password}</CertificateKeystorePassword>
        <CACertAlias>{CA_ALIAS}</CACertAlias>
        <CAPrivateKeyPassword>{password}</CAPrivateKeyPassword>
        <RACertAlias>{RA_ALIAS}</RACertAlias>
        <RAPrivateKeyPassword>{password}</RAPrivateKeyPassword>
    </CertificateKeystore>
    <ManagementRepository>
        <DataSourceConfiguration>
            <JndiLookupDefinition>
                <Name>jdbc/DM_DS</Name>
            </JndiLookupDefinition>
        </DataSourceConfiguration>
    </ManagementRepository>
    <DefaultPageSize>10</DefaultPageSize>
</CertificateConfigurations>
"#
        );
        xml
    }
}

/// iot-api-config.xml for the manager node, with the cluster's endpoints as the clustering guide sets them.
/// Hostname, Username and Password keep the shipped values: the guide does not change them.
pub fn iot_api_config_xml(cluster: &Cluster) -> String {
    let worker = escape(cluster.first(HostGroupId::Workers).as_str());
    let key_manager = escape(cluster.first(HostGroupId::KeyManagers).as_str());
    let gateway = escape(cluster.first(HostGroupId::Gateway).as_str());
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ServerConfiguration>
    <Hostname>https://${{iot.core.host}}:${{iot.core.https.port}}/</Hostname>
    <VerificationEndpoint>https://{worker}/api/certificate-mgt/v1.0/admin/certificates/verify/</VerificationEndpoint>
    <Username>admin</Username>
    <Password>admin</Password>
    <DynamicClientRegistrationEndpoint>https://{key_manager}/client-registration/v0.11/register</DynamicClientRegistrationEndpoint>
    <OauthTokenEndpoint>https://{gateway}/token</OauthTokenEndpoint>
    <APIS>
        <ContextPath>/services</ContextPath>
    </APIS>
</ServerConfiguration>
"#
    )
}

/// conf/identity/identity-providers/iot_default.xml as product-iots 3.1.0 ships it, with `certificate` (the
/// wso2carbon certificate that signs the server's JWTs) in `Certificate` as one line of base64 DER, which is how
/// the key manager decodes it (Axiom's Base64 skips whitespace but not PEM armour). The file names no host.
pub fn identity_provider_xml(certificate: &CertificateDer<'_>) -> String {
    let base64 = base64ct::Base64::encode_string(certificate);
    format!(
        r#"<!--
  ~ Copyright (c) 2016, WSO2 Inc. (http://www.wso2.org) All Rights Reserved.
  ~
  ~ WSO2 Inc. licenses this file to you under the Apache License,
  ~ Version 2.0 (the "License"); you may not use this file except
  ~ in compliance with the License.
  ~ You may obtain a copy of the License at
  ~
  ~ http://www.apache.org/licenses/LICENSE-2.0
  ~
  ~ Unless required by applicable law or agreed to in writing,
  ~ software distributed under the License is distributed on an
  ~ "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
  ~ KIND, either express or implied. See the License for the
  ~ specific language governing permissions and limitations
  ~ under the License.
  -->

<IdentityProvider>
    <IdentityProviderName>{JWT_ISSUER}</IdentityProviderName>
    <DisplayName>{JWT_ISSUER}</DisplayName>
    <IdentityProviderDescription></IdentityProviderDescription>
    <Alias>{JWT_AUDIENCE}</Alias>
    <IsPrimary>true</IsPrimary>
    <IsFederationHub></IsFederationHub>
    <HomeRealmId></HomeRealmId>
    <ProvisioningRole></ProvisioningRole>
    <FederatedAuthenticatorConfigs></FederatedAuthenticatorConfigs>
    <DefaultAuthenticatorConfig>
    </DefaultAuthenticatorConfig>
    <ProvisioningConnectorConfigs>
        <!--<ProvisioningConnectorConfig>
            <ProvisioningProperties>
            </ProvisioningProperties>
        </ProvisioningConnectorConfig>-->
    </ProvisioningConnectorConfigs>
    <!--<DefaultProvisioningConnectorConfig></DefaultProvisioningConnectorConfig>-->
    <ClaimConfig></ClaimConfig>
    <Certificate>{base64}</Certificate>
    <PermissionAndRoleConfig></PermissionAndRoleConfig>
    <JustInTimeProvisioningConfig></JustInTimeProvisioningConfig>
</IdentityProvider>
"#
    )
}

/// Escapes XML's five special characters, and writes every non-ASCII character as a character reference so
/// the text means the same under the ISO-8859-1 declaration WSO2 ships.
/// `text` as a TOML basic string, quotes included: backslash, quote and control characters escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_ascii() => out.push(c),
            c => {
                let _ = write!(out, "&#x{:X};", u32::from(c));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_escaped_for_any_encoding() {
        assert_eq!(
            escape("a<b&'c\"\u{e9}\u{1F600}"),
            "a&lt;b&amp;&apos;c&quot;&#xE9;&#x1F600;"
        );
    }

    #[test]
    fn certificate_config_names_the_aliases_and_passwords() {
        let password = Password::new("s3cret");
        let xml = CertificateConfig {
            store: "wso2certs.jks",
            store_password: &password,
        }
        .to_xml();
        for element in [
            "<CertificateKeystorePassword>s3cret<",
            "<CACertAlias>cacert<",
            "<CAPrivateKeyPassword>s3cret<",
            "<RACertAlias>racert<",
            "<RAPrivateKeyPassword>s3cret<",
            "<CertificateKeystoreType>JKS<",
            "/repository/resources/security/wso2certs.jks<",
            "<DefaultPageSize>10<",
        ] {
            assert!(xml.contains(element), "{element} missing");
        }
    }

    #[test]
    fn iot_api_config_uses_the_cluster_hosts() {
        let domain = crate::vocab::names::HostName::parse("example.org").unwrap();
        let cluster = Cluster::new(
            &crate::model::product::iot::IOT,
            domain,
            None,
            Default::default(),
            Default::default(),
        )
        .unwrap();
        let xml = iot_api_config_xml(&cluster);
        assert!(xml.contains(
            "<DynamicClientRegistrationEndpoint>https://keymgt.example.org/client-registration/v0.11/register<"
        ));
        assert!(xml.contains("<OauthTokenEndpoint>https://gateway.example.org/token<"));
        assert!(xml.contains(
            "<VerificationEndpoint>https://example.org/api/certificate-mgt/v1.0/admin/certificates/verify/<"
        ));
    }
}
