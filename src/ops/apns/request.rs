//! The push certificate request as identity.apple.com takes it: base64 of an XML plist whose dictionary holds
//! exactly three strings, the base64 DER CSR, the PEM chain and the base64 signature.

use base64ct::{Base64, Encoding};

/// The base64 of the DER CSR.
pub(super) const CSR_KEY: &str = "PushCertRequestCSR";
/// The PEM of the vendor certificate, the intermediate that issued it and the root, in that order.
pub(super) const CHAIN_KEY: &str = "PushCertCertificateChain";
/// The base64 of the vendor's RSASSA-PKCS1-v1_5 signature over the DER CSR.
pub(super) const SIGNATURE_KEY: &str = "PushCertSignature";
/// The request's keys, in the order iospki writes them.
pub(super) const KEYS: [&str; 3] = [CSR_KEY, CHAIN_KEY, SIGNATURE_KEY];

/// The DOCTYPE Apple's tools and Python's plistlib write: an external identifier only, never fetched.
const DOCTYPE: &str =
    r#"<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">"#;

/// Requests are a few kilobytes; a document of more nodes than this is something else.
const MAX_NODES: u32 = 1000;

/// The deepest plist iospki reads: a request nests 3 elements (plist, dict, key); the nodes limit above already
/// caps depth at 1000, and roxmltree parses without recursion, so this limit only says plainly what is wrong.
pub const MAX_DEPTH: usize = 16;

/// The most attributes on one element of a request: Apple's plist has one (`version`); the nodes limit does not
/// count attributes, which roxmltree compares pairwise.
pub const MAX_ATTRIBUTES: usize = 16;

/// The upload file for a CSR, a chain (vendor certificate first) and a signature: base64 of the XML plist,
/// on one line as mdmctl writes it.
pub(super) fn encode(csr: &[u8], chain: &[Vec<u8>], signature: &[u8]) -> String {
    let chain: String = chain
        .iter()
        .map(|der| crate::formats::pem::encode("CERTIFICATE", der))
        .collect();
    let values = [Base64::encode_string(csr), chain, Base64::encode_string(signature)];
    // Base64 and PEM armour hold no character XML would need escaped.
    let entries: String = KEYS
        .iter()
        .zip(values)
        .map(|(key, value)| format!("\t<key>{key}</key>\n\t<string>{value}</string>\n"))
        .collect();
    let plist = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{DOCTYPE}\n\
         <plist version=\"1.0\">\n<dict>\n{entries}</dict>\n</plist>\n"
    );
    Base64::encode_string(plist.as_bytes())
}

/// Why an upload file is not a request at all.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Not ASCII, so not base64.
    #[error("not base64: not ASCII text")]
    NotAscii,
    /// ASCII, but not base64.
    #[error("not base64: {0}")]
    NotBase64(String),
    /// Base64 of something other than text.
    #[error("the decoded request is not UTF-8 text")]
    NotUtf8,
    /// A DOCTYPE with an internal subset, where entities are declared.
    #[error(
        "the decoded request has a DOCTYPE with an internal subset (entity declarations); a push certificate \
         request has none"
    )]
    InternalSubset,
    /// A DOCTYPE without its end.
    #[error("the decoded request has an unterminated DOCTYPE")]
    UnterminatedDoctype,
    /// Not XML.
    #[error("the decoded request is not well-formed XML: {0}")]
    NotXml(String),
    /// Deeper than [`MAX_DEPTH`], or wider than [`MAX_ATTRIBUTES`].
    #[error(transparent)]
    TooDeep(#[from] crate::vocab::nesting::TooDeep),
    /// XML, but not a plist of a dictionary.
    #[error("the decoded request is XML but not a property list with a dictionary")]
    NotPlist,
    /// An element where the dictionary needs a key.
    #[error("the dictionary has a <{0}> where a <key> belongs")]
    NotAKey(String),
    /// A key at the end of the dictionary.
    #[error("the dictionary's key {0} has no value")]
    NoValue(String),
}

/// One entry of a request's dictionary.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub key: String,
    /// The value's element: `string` in a sound request.
    pub kind: String,
    /// The value's text.
    pub text: String,
}

/// The entries of the dictionary in an upload file: base64 (line breaks allowed) of an XML plist. A DOCTYPE with
/// an internal subset (entity declarations) is refused: no request has one.
pub(super) fn decode(upload: &[u8]) -> Result<Vec<Entry>, RequestError> {
    let compact: Vec<u8> = upload.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let compact = std::str::from_utf8(&compact).map_err(|_| RequestError::NotAscii)?;
    let xml = Base64::decode_vec(compact).map_err(|e| RequestError::NotBase64(e.to_string()))?;
    let xml = String::from_utf8(xml).map_err(|_| RequestError::NotUtf8)?;
    refuse_internal_subset(&xml)?;
    crate::vocab::nesting::xml_attributes(&xml, MAX_ATTRIBUTES, "push certificate requests")?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..Default::default()
    };
    let doc =
        roxmltree::Document::parse_with_options(&xml, options).map_err(|e| RequestError::NotXml(e.to_string()))?;
    crate::vocab::nesting::xml(&doc, MAX_DEPTH, "push certificate requests")?;
    let root = doc.root_element();
    let dict = (root.has_tag_name("plist"))
        .then(|| root.children().find(|n| n.is_element()))
        .flatten()
        .filter(|n| n.has_tag_name("dict"))
        .ok_or(RequestError::NotPlist)?;
    entries(dict)
}

/// The key and value pairs of a plist `<dict>`.
fn entries(dict: roxmltree::Node<'_, '_>) -> Result<Vec<Entry>, RequestError> {
    let mut elements = dict.children().filter(|n| n.is_element());
    let mut entries = Vec::new();
    while let Some(key) = elements.next() {
        if !key.has_tag_name("key") {
            return Err(RequestError::NotAKey(key.tag_name().name().to_owned()));
        }
        let value = elements
            .next()
            .ok_or_else(|| RequestError::NoValue(key.text().unwrap_or_default().to_owned()))?;
        entries.push(Entry {
            key: key.text().unwrap_or_default().to_owned(),
            kind: value.tag_name().name().to_owned(),
            text: value.text().unwrap_or_default().to_owned(),
        });
    }
    Ok(entries)
}

/// Refuses a DOCTYPE with an internal subset (`[...]`), and any entity declaration: that is where entities are
/// declared, and a request has no use for them. Every `<!DOCTYPE` in the text is judged, not only the first: one
/// inside a comment would otherwise stand in for the real one. The external identifier of Apple's DOCTYPE is
/// fine; it is never fetched.
fn refuse_internal_subset(xml: &str) -> Result<(), RequestError> {
    if xml.contains("<!ENTITY") {
        return Err(RequestError::InternalSubset);
    }
    xml.match_indices("<!DOCTYPE")
        .try_for_each(|(start, _)| doctype_without_subset(&xml[start..]))
}

/// Whether the DOCTYPE `doctype` opens with ends without an internal subset.
fn doctype_without_subset(doctype: &str) -> Result<(), RequestError> {
    let mut quote = None;
    for c in doctype.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => return Err(RequestError::InternalSubset),
            (None, '>') => return Ok(()),
            (None, _) => {}
        }
    }
    Err(RequestError::UnterminatedDoctype)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::apns::tests::fixture;

    #[test]
    fn an_internal_subset_behind_a_doctype_in_a_comment_is_refused() {
        let bomb = "<!-- <!DOCTYPE x> --><!DOCTYPE plist [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>\
                    <plist><dict><key>k</key><string>&b;</string></dict></plist>";
        let upload = Base64::encode_string(bomb.as_bytes());
        assert!(matches!(decode(upload.as_bytes()), Err(RequestError::InternalSubset)));
        let declared = "<plist><!-- --><dict/></plist><!ENTITY a \"x\">";
        assert!(matches!(
            refuse_internal_subset(declared),
            Err(RequestError::InternalSubset)
        ));
        let apple = "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">";
        assert!(refuse_internal_subset(apple).is_ok());
    }

    #[test]
    fn encoded_request_decodes_to_its_three_strings_in_order() {
        let upload = encode(b"csr", &[b"vendor".to_vec(), b"root".to_vec()], b"signature");
        assert!(!upload.contains('\n'));
        let entries = decode(upload.as_bytes()).unwrap();
        let keys: Vec<_> = entries.iter().map(|e| (e.key.as_str(), e.kind.as_str())).collect();
        assert_eq!(
            keys,
            [(CSR_KEY, "string"), (CHAIN_KEY, "string"), (SIGNATURE_KEY, "string")]
        );
        assert_eq!(entries[0].text, Base64::encode_string(b"csr"));
        assert_eq!(
            entries[1].text,
            crate::formats::pem::encode("CERTIFICATE", b"vendor")
                + &crate::formats::pem::encode("CERTIFICATE", b"root")
        );
        assert_eq!(entries[2].text, Base64::encode_string(b"signature"));
    }

    #[test]
    fn plistlib_request_with_line_breaks_and_apples_doctype_decodes() {
        let entries = decode(&std::fs::read(fixture("request-python.b64")).unwrap()).unwrap();
        let keys: Vec<_> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, [CHAIN_KEY, CSR_KEY, SIGNATURE_KEY], "plistlib sorts the keys");
    }

    #[test]
    fn internal_subset_is_refused_before_parsing() {
        let err = decode(&std::fs::read(fixture("request-internal-subset.b64")).unwrap()).unwrap_err();
        assert_eq!(err, RequestError::InternalSubset);
        assert!(err.to_string().contains("internal subset"), "{err}");
        let quoted = r#"<!DOCTYPE plist PUBLIC "-//A[pple//" "http://x/>"><plist/>"#;
        assert_eq!(refuse_internal_subset(quoted), Ok(()));
    }

    #[test]
    fn a_plist_at_the_depth_limit_decodes_and_one_past_it_is_refused() {
        let plist = |arrays: usize| {
            let value = "<array>".repeat(arrays) + &"</array>".repeat(arrays);
            Base64::encode_string(format!("<plist><dict><key>k</key>{value}</dict></plist>").as_bytes())
        };
        // plist and dict are levels 1 and 2.
        assert_eq!(decode(plist(MAX_DEPTH - 2).as_bytes()).unwrap().len(), 1);
        let err = decode(plist(MAX_DEPTH - 1).as_bytes()).unwrap_err();
        assert!(matches!(err, RequestError::TooDeep(_)), "{err}");
    }

    #[test]
    fn not_base64_or_not_a_plist_is_unreadable() {
        assert!(decode(b"%%%").unwrap_err().to_string().starts_with("not base64"));
        let html = Base64::encode_string(b"<html><body/></html>");
        assert_eq!(decode(html.as_bytes()).unwrap_err(), RequestError::NotPlist);
    }
}
