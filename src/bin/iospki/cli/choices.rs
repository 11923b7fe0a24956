//! clap's choices and the help texts that list products, built from the library's declarations: a new product,
//! hash or PKCS#12 profile shows up in `--help`, the completions and the man pages without an edit here.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use iospki::ops::CertRole;
use iospki::ops::Digest;
use iospki::ops::Protection;
use std::sync::LazyLock;

use iospki::ops::{CommonName, Layout, Product, ProductId, StoreFormat, VaultCipher};

/// A value parser over one of the library's lists: the keys of `all` are the choices, each with its help.
fn one_of<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    key: fn(T) -> &'static str,
    help: fn(T) -> String,
) -> impl TypedValueParser<Value = T> {
    let values = all.iter().map(move |&v| PossibleValue::new(key(v)).help(help(v)));
    PossibleValuesParser::new(values).map(move |chosen: String| {
        let found = all.iter().copied().find(|&v| key(v) == chosen);
        found.expect("clap takes only the keys it was given")
    })
}

/// The products `--product` names, one per key of the library's registry (a deployment.toml product's first
/// release stands for all; `--version` picks one).
static FAMILIES: LazyLock<Vec<ProductId>> = LazyLock::new(|| ProductId::families().collect());

/// `--product`: the products of the library's registry.
pub fn product() -> impl TypedValueParser<Value = ProductId> {
    one_of(FAMILIES.as_slice(), ProductId::key, |id| {
        let releases = ProductId::all()
            .iter()
            .find(|r| r.key() == id.key() && r.version().is_some());
        let versions = ProductId::versions(id.key());
        let summary = id.product().summary;
        match (id.version(), releases) {
            (Some(_), _) => format!("{} {versions} (--version): {summary}", id.family_name()),
            (None, Some(release)) => format!(
                "{}: {summary}; with --version {versions} (deployment.toml): {}",
                id.name(),
                release.product().summary
            ),
            (None, None) => format!("{}: {summary}", id.name()),
        }
    })
}

/// `--store-type`: the keystore formats a deployment.toml product reads.
pub fn store_type() -> impl TypedValueParser<Value = StoreFormat> {
    one_of(&StoreFormat::ALL, StoreFormat::key, |format| format.name().to_owned())
}

/// `--keystores`: the store layouts of a deployment.toml product.
pub fn layout() -> impl TypedValueParser<Value = Layout> {
    one_of(&Layout::ALL, Layout::key, |layout| layout.summary().to_owned())
}

/// `--vault-cipher`: Secure Vault's ciphers.
pub fn vault_cipher() -> impl TypedValueParser<Value = VaultCipher> {
    one_of(&VaultCipher::ALL, VaultCipher::key, |cipher| {
        cipher.summary().to_owned()
    })
}

/// `--digest`: the hashes a signature takes.
pub fn digest() -> impl TypedValueParser<Value = Digest> {
    one_of(&Digest::ALL, Digest::key, |digest| digest.name().to_owned())
}

/// `--p12-profile`: the PKCS#12 protection profiles.
pub fn protection() -> impl TypedValueParser<Value = Protection> {
    one_of(&Protection::ALL, Protection::key, |protection| {
        protection.summary().to_owned()
    })
}

/// The default product's key.
pub fn default_product() -> &'static str {
    ProductId::default().key()
}

/// "a, b and c".
fn and(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The keys of the products `pick` accepts.
fn keys_where(pick: impl Fn(&Product) -> bool) -> Vec<&'static str> {
    let ids = FAMILIES.iter().filter(|id| pick(id.product()));
    ids.map(|id| id.key()).collect()
}

/// The products grouped by what `describe` says of them, in the order of the first of each group.
fn grouped(describe: impl Fn(&Product) -> String) -> Vec<(Vec<&'static str>, String)> {
    let mut groups: Vec<(Vec<&'static str>, String)> = Vec::new();
    for id in FAMILIES.iter() {
        let said = describe(id.product());
        match groups.iter_mut().find(|(_, text)| *text == said) {
            Some((keys, _)) => keys.push(id.key()),
            None => groups.push((vec![id.key()], said)),
        }
    }
    groups
}

/// `init --product`'s short help.
pub fn product_help() -> String {
    format!(
        "The product whose cluster the set is for [default: {}, or the description's product]",
        default_product()
    )
}

/// `init --key`'s short help and long help.
pub fn ca_key_help() -> (String, String) {
    let given = and(&keys_where(|p| p.ca_key_given));
    let generated = and(&keys_where(|p| !p.ca_key_given));
    let short = format!(
        "The CA key (RSA, 2048 bits or more). For {given}: nginx's private key, which becomes the SCEP CA key \
         (required). For {generated}: optional; without it iospki generates the CA key (ca_private.pem, 0600)"
    );
    let long = format!(
        "{short}.\n\nPKCS#1 or PKCS#8, PEM or DER, unencrypted, encrypted PKCS#8 (PBES2 with AES or 3DES), or \
         OpenSSL's traditional encrypted PEM (openssl genrsa -des3, -aes256); text before the PEM block is fine. \
         EC, Ed25519 and DSA keys are refused (WSO2's SCEP signs device certificates with SHA256withRSA using this \
         key), as are RSA keys under 2048 bits (Apple's minimum)."
    );
    (short, long)
}

/// `init --domain`'s help: each product's public names under DOMAIN and its default domain.
pub fn domain_help() -> String {
    let names = grouped(|p| {
        let prefixes = p.host_groups.iter().filter_map(|g| g.default_prefix);
        let names: Vec<&str> = prefixes
            .map(|prefix| if prefix.is_empty() { "DOMAIN" } else { prefix })
            .collect();
        names.join(", ")
    });
    let names: Vec<String> = names
        .iter()
        .map(|(keys, said)| format!("{}: {said}", and(keys)))
        .collect();
    let defaults: Vec<String> = FAMILIES
        .iter()
        .map(|id| format!("{} {}", id.key(), id.product().default_domain))
        .collect();
    format!(
        "The cluster's domain, under which the public names are made ({}) [default: {}]",
        names.join("; "),
        defaults.join(", ")
    )
}

/// `init --ssl-cn`'s help: the SSL certificate's default common name per product.
pub fn ssl_cn_help() -> String {
    let groups = grouped(|p| {
        let prefix = match p.certificate(CertRole::Ssl).map(|c| c.common_name) {
            Some(CommonName::FirstHost) => p.host_groups.first().and_then(|g| g.default_prefix),
            _ => None,
        };
        format!("{}DOMAIN", prefix.unwrap_or_default())
    });
    let said: Vec<String> = groups
        .iter()
        .enumerate()
        .map(|(n, (keys, said))| {
            if n == 0 {
                said.clone()
            } else {
                format!("{}: {said}", and(keys))
            }
        })
        .collect();
    format!(
        "CN of the SSL certificate (also added to its subjectAltName) [default: {}]",
        said.join("; ")
    )
}

/// `bundle --name-prefix`'s help: the products' short names.
pub fn name_prefix_help() -> String {
    let short: Vec<&str> = FAMILIES.iter().map(|id| id.product().short_name).collect();
    format!(
        "With --format k8s: objects are named PREFIX-ROLE (iots-manager, iots-worker, iots-key-manager, iots-nginx) \
         [default: the product's short name: {}]",
        short.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_product_as_the_declarations_say() {
        let (domain, ssl_cn, (ca_key, _), prefix) = (domain_help(), ssl_cn_help(), ca_key_help(), name_prefix_help());
        for id in ProductId::all() {
            let product = id.product();
            assert!(
                domain.contains(&format!("{} {}", id.key(), product.default_domain)),
                "{domain}"
            );
            assert!(ca_key.contains(id.key()), "{ca_key}");
            assert!(prefix.contains(product.short_name), "{prefix}");
        }
        assert!(domain.contains("(iot: DOMAIN, gateway., mgt., keymgt.;"), "{domain}");
        assert!(
            ssl_cn.contains("[default: DOMAIN; ") && ssl_cn.contains("appm: publisher.DOMAIN"),
            "{ssl_cn}"
        );
        assert!(ca_key.contains("For iot: nginx's private key"), "{ca_key}");
        assert_eq!(and(&["a", "b", "c"]), "a, b and c");
    }
}
