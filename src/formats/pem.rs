//! PEM text for certificates, with the 64-column lines and LF endings OpenSSL writes.

use rustls_pki_types::CertificateDer;

/// `-----BEGIN CERTIFICATE-----` text for one certificate.
pub fn certificate(der: &CertificateDer<'_>) -> String {
    encode("CERTIFICATE", der)
}

/// PEM text with the given label.
pub fn encode(label: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(label, der.to_vec()), config)
}
