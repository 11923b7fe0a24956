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

/// Secure Vault's namespace, which the root element of a file must declare for `svns:secretAlias`.
pub const SVNS: &str = "http://org.wso2.securevault/configuration";

/// What Secure Vault's cipher tool leaves in place of a password it encrypted.
const VAULT_PLACEHOLDER: &str = "password";

/// The settings file of `role` in a set made with `settings`, its stores protected by `password`: with Secure
/// Vault, each password a SecretResolver reads is its alias, and only the others hold it.
pub fn settings_text(settings: &Settings, role: NodeRole, password: &Password) -> Zeroizing<String> {
    let cluster = &settings.cluster;
    let product = cluster.product();
    let vault = settings.secure_vault;
    let mut text = Zeroizing::new(String::new());
    // write! to a String cannot fail.
    let snippets = || product.snippets.iter().filter(|s| s.roles.contains(role));
    let passwords = || {
        snippets()
            .flat_map(|s| s.settings.iter())
            .filter_map(|s| match s.value {
                Value::StorePassword(alias) => Some(alias),
                _ => None,
            })
    };
    let plain = passwords().any(|alias| alias.is_none() || !vault);
    let _ = writeln!(
        text,
        "# The values the {} nodes of the {} cluster {} set, by iospki.\n\
         # Set exactly these in each file and leave the rest as the product ships it.{}{}",
        role.name(),
        product.name,
        cluster.domain(),
        match (plain, passwords().next().is_some()) {
            (true, _) => " This file holds the\n# keystore password: keep it 0600 and delete it once applied.",
            (false, true) => "",
            (false, false) => "\n# The stores' sections are in deployment-security.toml, beside this file.",
        },
        if vault && passwords().any(|alias| alias.is_some()) {
            "\n# Secure Vault: what an element's or attribute's svns:secretAlias names the server decrypts from\n\
             # cipher-text.properties at start (secret-conf.properties says where); it reads the keystore\n\
             # password once from password-tmp in its home, and deletes that file."
        } else {
            ""
        }
    );
    let mut previous: Option<&Snippet> = None;
    let mut declared: Vec<&str> = Vec::new();
    for snippet in snippets() {
        if !previous.is_some_and(|p| p.file == snippet.file && p.place == snippet.place) {
            let _ = write!(text, "\n== {}, {}\n", snippet.file, snippet.place);
            if vault && !declared.contains(&snippet.file) && names_aliases(product, snippet.file) {
                let _ = writeln!(text, "(on the root element: xmlns:svns=\"{SVNS}\")");
                declared.push(snippet.file);
            }
        }
        for setting in snippet.settings {
            let value = Zeroizing::new(value(setting.value, settings, role, password));
            text.push_str(&line(snippet.syntax, setting, &value, vault));
        }
        previous = Some(snippet);
    }
    if vault && !declared.is_empty() {
        let _ = write!(
            text,
            "\n== {}/security/cipher-tool.properties, beside the lines it ships (for the cipher tool on the node)\n{}",
            super::vault::conf_dir(product),
            super::vault::cipher_tool_lines(product)
        );
    }
    text
}

/// Whether a Secure Vault set names an alias in `file`, whose root must then declare Secure Vault's namespace.
fn names_aliases(product: &crate::model::product::Product, file: &str) -> bool {
    product.snippets.iter().filter(|s| s.file == file).any(|s| {
        s.settings
            .iter()
            .any(|setting| matches!(setting.value, Value::StorePassword(Some(_))))
    })
}

/// The text of `value` for a node of `role`.
fn value(value: Value, settings: &Settings, role: NodeRole, password: &Password) -> String {
    let cluster = &settings.cluster;
    match value {
        Value::Text(text) => text.to_owned(),
        Value::Host(group) => cluster.first(group).to_string(),
        Value::OwnHost => cluster.own_host(role).unwrap_or(cluster.domain()).to_string(),
        Value::Url(group, path) => format!("https://{}{path}", cluster.first(group)),
        Value::StorePassword(Some(_)) if settings.secure_vault => VAULT_PLACEHOLDER.to_owned(),
        Value::StorePassword(_) => password.secret_str().to_owned(),
        Value::SslAlias => settings.ssl_alias.to_string(),
        Value::Integer(number) => number.to_string(),
    }
}

/// One setting in `syntax`, with its line end; in a Secure Vault set (`vault`), a password's alias, or why the
/// password stays.
fn line(syntax: Syntax, setting: &Setting, value: &str, vault: bool) -> String {
    let name = setting.name;
    match (vault, setting.value) {
        (true, Value::StorePassword(Some(alias))) if syntax == Syntax::Elements => {
            return format!(
                "<{name} svns:secretAlias=\"{}\">{}</{name}>\n",
                alias.alias,
                escape(value)
            );
        }
        (true, Value::StorePassword(Some(alias))) if syntax == Syntax::Attributes => {
            let plain = line(syntax, setting, value, false);
            return format!("{plain}svns:secretAlias=\"{}\"\n", alias.alias);
        }
        (true, Value::StorePassword(None)) => {
            return format!(
                "{}# the server reads this file without Secure Vault: the password stays here\n",
                line(syntax, setting, value, false)
            );
        }
        _ => {}
    }
    match syntax {
        Syntax::Elements => format!("<{name}>{}</{name}>\n", escape(value)),
        Syntax::Attributes => format!("{name}=\"{}\"\n", escape(value)),
        // A JSON string of a str cannot fail to serialize.
        Syntax::Json => format!("\"{name}\": {},\n", serde_json::to_string(value).unwrap_or_default()),
        Syntax::Properties => super::properties::line(name, value),
        Syntax::Toml if matches!(setting.value, Value::Integer(_)) => format!("{name} = {value}\n"),
        Syntax::Toml => format!("{name} = {}\n", super::toml_string(value)),
    }
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
}
