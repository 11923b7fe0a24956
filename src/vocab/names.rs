//! The names of a cluster's hosts and machines, and of the server home on its nodes, checked once where they are
//! read.

use std::fmt;

/// A DNS host name (RFC 1123) of two labels or more, lower-cased, without a final dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostName(String);

/// Why a text is not a host name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostNameError {
    /// An IPv4 or IPv6 address.
    #[error("'{0}' is an IP address; give the DNS name clients use (they check DNS names in subjectAltName)")]
    Address(String),
    /// A name whose last label is a number, which resolvers and URL parsers read as an IPv4 address.
    #[error(
        "'{0}' ends in a number, so resolvers read it as an IP address (0x7f.0x1 and 127.1 are 127.0.0.1); give a \
         DNS name whose last label has a letter"
    )]
    Numeric(String),
    /// Anything else that is not a DNS name.
    #[error("'{0}' is not a DNS host name like iots310.wso2.com")]
    Invalid(String),
}

impl HostName {
    /// Checks and normalizes `text`.
    pub fn parse(text: &str) -> Result<HostName, HostNameError> {
        if text.parse::<std::net::IpAddr>().is_ok() {
            return Err(HostNameError::Address(text.to_owned()));
        }
        // One final dot is the root; `a.example.org..` has an empty label.
        let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
        if !dns_labels(&name) || !name.contains('.') {
            return Err(HostNameError::Invalid(text.escape_debug().to_string()));
        }
        if ends_in_a_number(&name) {
            return Err(HostNameError::Numeric(text.to_owned()));
        }
        Ok(HostName(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether resolvers read `name` (dot-separated labels) as an IPv4 address: its last label is a number, decimal,
/// octal or `0x` hexadecimal, as inet_aton(3) and the WHATWG URL parser take them (`127.1`, `0177.0.0.1`,
/// `0x7f.0x1`). RFC 3696 2 forbids an all-numeric top-level label for this reason.
fn ends_in_a_number(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    let hex = last
        .strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    hex || last.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `name` is dot-separated RFC 1123 labels, 253 bytes at most.
fn dns_labels(name: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    name.len() <= 253 && name.split('.').all(label_ok)
}

impl TryFrom<String> for HostName {
    type Error = HostNameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        HostName::parse(&text)
    }
}

impl From<HostName> for String {
    fn from(name: HostName) -> String {
        name.0
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a machine of the cluster: lower-case RFC 1123 labels (one is enough: `publisher-1`), so that it
/// can name its bundle, its directory and its Kubernetes objects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NodeName(String);

/// Why a text is not a node name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeNameError {
    /// Not lower-case RFC 1123 labels.
    #[error("'{0}' is not a node name: lower-case letters, digits, '-' and '.', like publisher-1")]
    Invalid(String),
    /// An IP address as resolvers read it: tools that reach the node by its name would reach that address.
    #[error(
        "'{0}' ends in a number, so resolvers read it as an IP address; give a node name whose last label has a \
         letter, like publisher-1"
    )]
    Numeric(String),
}

impl NodeName {
    /// Checks `text`.
    pub fn parse(text: &str) -> Result<NodeName, NodeNameError> {
        if !dns_labels(text) || text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(NodeNameError::Invalid(text.escape_debug().to_string()));
        }
        if ends_in_a_number(text) {
            return Err(NodeNameError::Numeric(text.to_owned()));
        }
        Ok(NodeName(text.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name a product declares (a default node name such as `publisher`), valid by construction: every
    /// declaration's names are parsed by the products' tests.
    pub fn declared(name: &str) -> NodeName {
        debug_assert!(Self::parse(name).is_ok(), "{name}");
        NodeName(name.to_owned())
    }

    /// nginx, the one machine every cluster has whatever its description says.
    pub fn nginx() -> NodeName {
        NodeName("nginx".into())
    }

    /// The name of the node's bundle archive beside its bundle directory `NAME/`.
    pub fn archive_name(&self) -> String {
        format!("{}.tar.gz", self.0)
    }

    /// Every name the node's bundles take in a directory: `NAME/` and `NAME.tar.gz` (the Ansible project's
    /// `files/NAME/` and the Kubernetes manifests, named by role, add no other).
    pub fn bundle_names(&self) -> [String; 2] {
        [self.0.clone(), self.archive_name()]
    }
}

impl TryFrom<String> for NodeName {
    type Error = NodeNameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        NodeName::parse(&text)
    }
}

impl From<NodeName> for String {
    fn from(name: NodeName) -> String {
        name.0
    }
}

impl From<&HostName> for NodeName {
    fn from(host: &HostName) -> NodeName {
        NodeName(host.0.clone())
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> HostName {
        HostName::parse(name).unwrap()
    }

    #[test]
    fn wildcards_addresses_and_garbage_are_refused() {
        for bad in [
            "*.example.org",
            "localhost",
            "a..b",
            "-a.b",
            "a b.c",
            "10.0.0.1",
            "1.2.3.4.5",
            "::1",
        ] {
            assert!(HostName::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(HostName::parse("10.0.0.1"), Err(HostNameError::Address(_))));
    }

    #[test]
    fn names_that_resolvers_read_as_addresses_are_refused() {
        for numeric in [
            "0x7f.0x1",
            "127.1",
            "0177.0.0.1",
            "1.2.3.4.5",
            "a.123",
            "example.0X1f",
            "a.0x",
            "127.1.",
        ] {
            assert!(
                matches!(HostName::parse(numeric), Err(HostNameError::Numeric(_))),
                "{numeric}"
            );
            assert!(NodeName::parse(numeric).is_err(), "{numeric}");
        }
        for numeric in ["127.1", "0x7f.0x1", "1", "0x1", "017", "10"] {
            assert!(
                matches!(NodeName::parse(numeric), Err(NodeNameError::Numeric(_))),
                "{numeric}"
            );
        }
        let err = HostName::parse("0x7f.0x1").unwrap_err().to_string();
        assert!(err.contains("resolvers read it as an IP address"), "{err}");
        // A number inside a name, or hex digits with a letter beyond f, is a name.
        for name in ["0x7f.com", "1e100.net", "a.0xg", "10.example.org"] {
            assert!(HostName::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn case_and_one_final_dot_do_not_make_another_name() {
        assert_eq!(host("A.Example.ORG."), host("a.example.org"));
        for bad in [
            "a.example.org..",
            "a.example.org/..",
            "\u{435}xample.org",
            "a.exam ple.org",
            ".",
        ] {
            assert!(HostName::parse(bad).is_err(), "{bad}");
        }
        // Punycode is the name's own ASCII form: accepted as given, never decoded.
        assert_eq!(host("xn--e1afmkfd.org").as_str(), "xn--e1afmkfd.org");
        for bad in ["a/b", "..", "a..b", "../a", "A", "a_b", ""] {
            assert!(matches!(NodeName::parse(bad), Err(NodeNameError::Invalid(_))), "{bad}");
        }
    }
}

/// The server home on a cluster's nodes: an absolute path of printable characters, without `.` or `..`
/// components and without a final `/`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServerHome(String);

impl ServerHome {
    /// The longest path accepted.
    pub const MAX_LEN: usize = 1024;

    /// Checks `text`.
    pub fn parse(text: &str) -> Result<ServerHome, String> {
        let shown = text.escape_debug();
        let trimmed = text.trim_end_matches('/');
        if !text.starts_with('/') || trimmed.is_empty() {
            return Err(format!("'{shown}' is not an absolute path below /"));
        }
        if text.len() > Self::MAX_LEN || text.chars().any(char::is_control) {
            return Err(format!(
                "'{shown}' is longer than {} bytes or holds a control character",
                Self::MAX_LEN
            ));
        }
        if trimmed.split('/').any(|part| part == "." || part == "..") {
            return Err(format!("'{shown}' has a . or .. component"));
        }
        Ok(ServerHome(trimmed.to_owned()))
    }

    /// `path` under the home.
    pub fn join(&self, path: &str) -> String {
        format!("{}/{path}", self.0)
    }
}

impl TryFrom<String> for ServerHome {
    type Error = String;

    fn try_from(text: String) -> Result<ServerHome, String> {
        ServerHome::parse(&text)
    }
}

impl From<ServerHome> for String {
    fn from(home: ServerHome) -> String {
        home.0
    }
}

impl fmt::Display for ServerHome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod server_home_tests {
    use super::ServerHome;

    #[test]
    fn a_server_home_is_absolute_and_plain() {
        let home = ServerHome::parse("/opt/wso2/is-7.1/").unwrap();
        assert_eq!(home.join("repository/x.p12"), "/opt/wso2/is-7.1/repository/x.p12");
        for bad in ["opt/wso2", "/", "/opt/../etc", "/opt/./x", "/opt/a\nb"] {
            assert!(ServerHome::parse(bad).is_err(), "{bad}");
        }
    }
}
