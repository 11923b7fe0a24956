//! SETTINGS.txt: the values one node role sets in its product's own files (carbon.xml, catalina-server.xml, the
//! Jaggery apps' JSON, sso-idp-config.xml, app-manager.xml, deployment.toml), grouped by file and place, each in the file's own
//! syntax so that it can be pasted. Only those values: iospki never rewrites a product file.

use std::fmt::Write;

use zeroize::Zeroizing;

use super::escape;
use crate::io::secret::Password;
use crate::model::product::{Setting, Snippet, Syntax, Value};
use crate::model::settings::Settings;
use crate::vocab::roles::NodeRole;

/// The settings file of `role` in a set made with `settings`, its stores protected by `password`.
pub fn settings_text(settings: &Settings, role: NodeRole, password: &Password) -> Zeroizing<String> {
    let cluster = &settings.cluster;
    let product = cluster.product();
    let mut text = Zeroizing::new(String::new());
    // write! to a String cannot fail.
    let snippets = || product.snippets.iter().filter(|s| s.roles.contains(role));
    let secret = snippets().any(|s| s.settings.iter().any(|s| matches!(s.value, Value::StorePassword)));
    let _ = writeln!(
        text,
        "# The values the {} nodes of the {} cluster {} set, by iospki.\n\
         # Set exactly these in each file and leave the rest as the product ships it.{}",
        role.name(),
        product.name,
        cluster.domain(),
        if secret {
            " This file holds the\n# keystore password: keep it 0600 and delete it once applied."
        } else {
            "\n# The stores' sections are in deployment-security.toml, beside this file."
        }
    );
    let mut previous: Option<&Snippet> = None;
    for snippet in snippets() {
        if !previous.is_some_and(|p| p.file == snippet.file && p.place == snippet.place) {
            let _ = write!(text, "\n== {}, {}\n", snippet.file, snippet.place);
        }
        for setting in snippet.settings {
            let value = Zeroizing::new(value(setting.value, settings, role, password));
            text.push_str(&line(snippet.syntax, setting, &value));
        }
        previous = Some(snippet);
    }
    text
}

/// The text of `value` for a node of `role`.
fn value(value: Value, settings: &Settings, role: NodeRole, password: &Password) -> String {
    let cluster = &settings.cluster;
    match value {
        Value::Text(text) => text.to_owned(),
        Value::Host(group) => cluster.first(group).to_string(),
        Value::OwnHost => cluster.own_host(role).unwrap_or(cluster.domain()).to_string(),
        Value::Url(group, path) => format!("https://{}{path}", cluster.first(group)),
        Value::StorePassword => password.secret_str().to_owned(),
        Value::SslAlias => settings.ssl_alias.to_string(),
        Value::Integer(number) => number.to_string(),
    }
}

/// One setting in `syntax`, with its line end.
fn line(syntax: Syntax, setting: &Setting, value: &str) -> String {
    let name = setting.name;
    match syntax {
        Syntax::Elements => format!("<{name}>{}</{name}>\n", escape(value)),
        Syntax::Attributes => format!("{name}=\"{}\"\n", escape(value)),
        // A JSON string of a str cannot fail to serialize.
        Syntax::Json => format!("\"{name}\": {},\n", serde_json::to_string(value).unwrap_or_default()),
        Syntax::Properties => format!("{name}={}\n", properties_escape(value)),
        Syntax::Toml if matches!(setting.value, Value::Integer(_)) => format!("{name} = {value}\n"),
        Syntax::Toml => format!("{name} = {}\n", super::toml_string(value)),
    }
}

/// A Java properties value: backslash, and what is not printable ASCII as `\uXXXX`.
fn properties_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for unit in value.encode_utf16() {
        match unit {
            0x5C => out.push_str("\\\\"),
            0x20..=0x7E => out.push(char::from(unit as u8)),
            unit => {
                let _ = write!(out, "\\u{unit:04X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::product::{ProductId, appm, es, iot};
    use crate::model::settings::Choices;

    fn text(product: ProductId, role: NodeRole, password: &str) -> String {
        let choices = Choices {
            product: Some(product),
            ..Choices::default()
        };
        settings_text(&choices.settings().unwrap(), role, &Password::new(password)).to_string()
    }

    #[test]
    fn es_publisher_gets_its_name_its_sso_and_the_password_escaped() {
        let text = text(es::ES.id(), NodeRole::Publisher, "p\"w<");
        for expected in [
            "== repository/conf/carbon.xml, under <Server>\n<HostName>publisher.es-wso2.com</HostName>\n",
            "\"identityProviderURL\": \"https://publisher.es-wso2.com/samlsso\",\n",
            "\"acs\": \"https://publisher.es-wso2.com/publisher/acs\",\n\"keyStoreName\"",
            "\"keyStorePassword\": \"p\\\"w<\",\n",
            "<DefaultAssertionConsumerServiceURL>https://store.es-wso2.com/store/acs<",
            "proxyPort=\"443\"\nkeystorePass=\"p&quot;w&lt;\"\n",
            "== repository/conf/carbon.xml, in <Security><KeyStore>\n<Password>p&quot;w&lt;</Password>\n\
             <KeyAlias>wso2carbon</KeyAlias>\n<KeyPassword>p&quot;w&lt;</KeyPassword>\n",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
        assert!(!text.contains("store.json"), "{text}");
    }

    #[test]
    fn appm_points_every_node_at_the_identity_provider() {
        let text = text(appm::APPM.id(), NodeRole::Gateway, "x");
        assert!(
            text.contains("<IdentityProviderUrl>https://idp.appm-wso2.com/samlsso<"),
            "{text}"
        );
        assert!(text.contains("<HostName>gateway.appm-wso2.com<"), "{text}");
        assert!(text.contains("<ResponseSigningKeyAlias>wso2carbon<"), "{text}");
    }

    #[test]
    fn each_iot_core_role_names_itself_and_opens_its_stores() {
        for (role, host) in [
            (NodeRole::Manager, "mgt.iots310.wso2.com"),
            (NodeRole::Worker, "iots310.wso2.com"),
            (NodeRole::KeyManager, "keymgt.iots310.wso2.com"),
        ] {
            let text = text(iot::IOT.id(), role, "s3cret");
            for expected in [
                format!(
                    "== repository/conf/carbon.xml, under <Server>\n<HostName>{host}</HostName>\n\
                     <MgtHostName>{host}</MgtHostName>\n"
                ),
                "proxyPort=\"443\"\nkeystorePass=\"s3cret\"\n".to_owned(),
                "<Password>s3cret</Password>\n<KeyAlias>wso2carbon</KeyAlias>\n<KeyPassword>s3cret</KeyPassword>\n"
                    .to_owned(),
                "== repository/conf/carbon.xml, in <Security><TrustStore>\n<Password>s3cret</Password>\n".to_owned(),
            ] {
                assert!(text.contains(&expected), "{role:?}: {expected} missing from\n{text}");
            }
        }
    }

    #[test]
    fn properties_values_are_escaped() {
        assert_eq!(properties_escape("a\\b\u{e9}"), "a\\\\b\\u00E9");
    }
}
