//! The public root CAs a fresh truststore gets, as WSO2's shipped client-truststore.jks has them: Mozilla's root
//! program from the `webpki-root-certs` crate (maintained by the rustls project and updated with each Mozilla
//! release), each under a readable alias made from its name.

use rustls_pki_types::CertificateDer;

use crate::formats::x509::Certificate;

/// The roots of Apple's push service (api.push.apple.com): USERTrust since 2025, before it AAA Certificate
/// Services. A manager that trusts neither cannot push to iOS devices.
pub const APNS_ROOTS: [&str; 2] = ["USERTrust RSA Certification Authority", "AAA Certificate Services"];

/// Every root of the program, with a stable alias: its common name (else organization) in lower case, words
/// joined by '-', and `-2`, `-3`, ... for a name another root already has.
pub fn public_roots() -> Vec<(String, CertificateDer<'static>)> {
    let mut roots: Vec<(String, CertificateDer<'static>)> = Vec::new();
    for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let Ok(cert) = Certificate::parse(der) else { continue };
        let base = alias_of(common_name(&cert).unwrap_or("root"));
        let alias = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|alias| !roots.iter().any(|(taken, _)| taken == alias))
            .unwrap_or(base);
        roots.push((alias, der.clone()));
    }
    roots
}

/// The subject's common name, else its organization, as x509-parser prints the name.
pub fn common_name(cert: &Certificate) -> Option<&str> {
    let attribute = |key: &str| cert.subject.text.split(", ").find_map(|part| part.strip_prefix(key));
    attribute("CN=").or_else(|| attribute("O="))
}

/// `text` as a keystore alias: ASCII letters and digits in lower case, other runs of characters as one '-'.
fn alias_of(text: &str) -> String {
    let mut alias = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            alias.push(c.to_ascii_lowercase());
        } else if !alias.ends_with('-') && !alias.is_empty() {
            alias.push('-');
        }
    }
    alias.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_readable_and_unique() {
        let roots = public_roots();
        assert!(roots.len() > 100, "{}", roots.len());
        let mut aliases: Vec<&str> = roots.iter().map(|(a, _)| a.as_str()).collect();
        assert!(
            aliases.contains(&"usertrust-rsa-certification-authority"),
            "{aliases:?}"
        );
        aliases.sort_unstable();
        aliases.dedup();
        assert_eq!(aliases.len(), roots.len());
        assert!(aliases.iter().all(|a| {
            a.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }));
    }

    #[test]
    fn apples_push_root_is_among_them() {
        let roots = public_roots();
        let names: Vec<String> = roots
            .iter()
            .filter_map(|(_, der)| Certificate::parse(der).ok())
            .filter_map(|cert| common_name(&cert).map(str::to_owned))
            .collect();
        assert!(names.iter().any(|n| n == APNS_ROOTS[0]), "{names:?}");
    }
}
