//! The cluster: its product, its domain, the host names of each group and the machines that make it up.

use std::fmt;

use crate::product::{HostGroupId, NodeRole, Product};

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
        let name = text.trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let labels: Vec<&str> = name.split('.').collect();
        // A top-level label of digits only would make 10.0.0.1 and 1.2.3.4.5 names (RFC 3696 2).
        let top_level_ok = labels
            .last()
            .is_some_and(|top| !top.bytes().all(|b| b.is_ascii_digit()));
        if name.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) && top_level_ok {
            Ok(HostName(name))
        } else {
            Err(HostNameError::Invalid(text.escape_debug().to_string()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
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

/// Host names by group, in the order they were given; the first of each group is the one configuration points at.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(from = "std::collections::BTreeMap<HostGroupId, Vec<HostName>>")]
#[serde(into = "std::collections::BTreeMap<HostGroupId, Vec<HostName>>")]
pub struct Hosts(Vec<(HostGroupId, Vec<HostName>)>);

impl Hosts {
    /// Sets the hosts of `group`.
    pub fn set(&mut self, group: HostGroupId, hosts: Vec<HostName>) {
        self.0.retain(|(g, _)| *g != group);
        self.0.push((group, hosts));
    }

    /// The hosts of `group`; empty when none were given.
    pub fn get(&self, group: HostGroupId) -> &[HostName] {
        self.0
            .iter()
            .find(|(g, _)| *g == group)
            .map_or(&[], |(_, hosts)| hosts.as_slice())
    }
}

impl From<std::collections::BTreeMap<HostGroupId, Vec<HostName>>> for Hosts {
    fn from(map: std::collections::BTreeMap<HostGroupId, Vec<HostName>>) -> Self {
        Hosts(map.into_iter().collect())
    }
}

impl From<Hosts> for std::collections::BTreeMap<HostGroupId, Vec<HostName>> {
    fn from(hosts: Hosts) -> Self {
        hosts.0.into_iter().collect()
    }
}

/// One machine of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Its name: a host name, or `nginx`.
    pub name: String,
    /// What it does.
    pub role: NodeRole,
}

/// A cluster of one product behind nginx.
#[derive(Debug, Clone)]
pub struct Cluster {
    product: &'static Product,
    domain: HostName,
    ssl_common_name: HostName,
    hosts: Hosts,
}

/// Two clusters are the same when they are of the same product (declarations are statics) with the same names.
impl PartialEq for Cluster {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.product, other.product)
            && self.domain == other.domain
            && self.ssl_common_name == other.ssl_common_name
            && self.hosts == other.hosts
    }
}

impl Eq for Cluster {}

/// A default host name that is too long for DNS once its prefix is added to the domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is too long for a DNS name; give the hosts of this group in the cluster description")]
pub struct DefaultHostError(String);

impl Cluster {
    /// The documented cluster of `product` for `domain`: every group without given hosts gets its default.
    pub fn new(
        product: &'static Product,
        domain: HostName,
        ssl_common_name: Option<HostName>,
        given: Hosts,
    ) -> Result<Self, DefaultHostError> {
        let mut hosts = Hosts::default();
        for group in product.host_groups {
            let names = match (given.get(group.id), group.default_prefix) {
                ([], Some(prefix)) => {
                    let default = format!("{prefix}{domain}");
                    vec![HostName::parse(&default).map_err(|_| DefaultHostError(default))?]
                }
                (names, _) => names.to_vec(),
            };
            hosts.set(group.id, names);
        }
        Ok(Cluster {
            product,
            ssl_common_name: ssl_common_name.unwrap_or_else(|| domain.clone()),
            domain,
            hosts,
        })
    }

    /// The product.
    pub fn product(&self) -> &'static Product {
        self.product
    }

    /// The domain: the CA's CN is `*.DOMAIN`, the RA's `DOMAIN`.
    pub fn domain(&self) -> &HostName {
        &self.domain
    }

    /// The CN of the SSL certificate.
    pub fn ssl_common_name(&self) -> &HostName {
        &self.ssl_common_name
    }

    /// The hosts of every group.
    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// The first host of `group`, the one configuration points at.
    pub fn first(&self, group: HostGroupId) -> &HostName {
        // Every group of the product has at least one host since `new`.
        self.hosts.get(group).first().unwrap_or(&self.domain)
    }

    /// The hosts of every group without repeats, in the product's group order.
    pub fn role_hosts(&self) -> Vec<&HostName> {
        let mut hosts: Vec<&HostName> = Vec::new();
        for group in self.product.host_groups {
            for host in self.hosts.get(group.id) {
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
        }
        hosts
    }

    /// Every name the SSL certificate carries in subjectAltName: the role hosts, then the CN if it is another.
    pub fn ssl_hosts(&self) -> Vec<&HostName> {
        let mut hosts = self.role_hosts();
        if !hosts.contains(&&self.ssl_common_name) {
            hosts.push(&self.ssl_common_name);
        }
        hosts
    }

    /// The machines of the cluster: each host of a group that names machines once, in the order of their roles,
    /// then nginx.
    pub fn nodes(&self) -> Vec<Node> {
        let mut groups: Vec<_> = self
            .product
            .host_groups
            .iter()
            .filter_map(|g| g.nodes.map(|role| (role, g.id)))
            .collect();
        groups.sort_by_key(|(role, _)| *role);
        let mut nodes: Vec<Node> = Vec::new();
        for (role, group) in groups {
            for host in self.hosts.get(group) {
                if !nodes.iter().any(|n| n.name == host.as_str()) {
                    nodes.push(Node {
                        name: host.to_string(),
                        role,
                    });
                }
            }
        }
        nodes.push(Node {
            name: "nginx".into(),
            role: NodeRole::Nginx,
        });
        nodes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::iot::IOT;

    fn host(name: &str) -> HostName {
        HostName::parse(name).unwrap()
    }

    fn names(hosts: Vec<&HostName>) -> Vec<&str> {
        hosts.into_iter().map(HostName::as_str).collect()
    }

    #[test]
    fn documented_cluster_hosts() {
        let cluster = Cluster::new(&IOT, host(IOT.default_domain), None, Hosts::default()).unwrap();
        assert_eq!(
            names(cluster.ssl_hosts()),
            [
                "iots310.wso2.com",
                "gateway.iots310.wso2.com",
                "mgt.iots310.wso2.com",
                "keymgt.iots310.wso2.com"
            ]
        );
    }

    #[test]
    fn extra_ssl_cn_is_added_once() {
        let cluster = Cluster::new(
            &IOT,
            host("Example.ORG."),
            Some(host("lb.example.org")),
            Hosts::default(),
        )
        .unwrap();
        assert_eq!(cluster.domain().as_str(), "example.org");
        assert_eq!(cluster.ssl_hosts().last().unwrap().as_str(), "lb.example.org");
        assert_eq!(cluster.ssl_hosts().len(), 5);
    }

    #[test]
    fn several_workers_and_key_managers_are_all_named() {
        let mut hosts = Hosts::default();
        hosts.set(
            HostGroupId::Workers,
            vec![host("w1.example.org"), host("w2.example.org")],
        );
        hosts.set(
            HostGroupId::KeyManagers,
            vec![host("km1.example.org"), host("km2.example.org")],
        );
        let cluster = Cluster::new(&IOT, host("example.org"), None, hosts).unwrap();
        assert_eq!(
            names(cluster.ssl_hosts()),
            [
                "w1.example.org",
                "w2.example.org",
                "gateway.example.org",
                "mgt.example.org",
                "km1.example.org",
                "km2.example.org",
                "example.org"
            ]
        );
        assert_eq!(cluster.first(HostGroupId::KeyManagers).as_str(), "km1.example.org");
        let nodes: Vec<_> = cluster.nodes().into_iter().map(|n| (n.name, n.role)).collect();
        assert_eq!(nodes[0], ("mgt.example.org".to_owned(), NodeRole::Manager));
        assert_eq!(nodes.last().unwrap().1, NodeRole::Nginx);
        assert_eq!(nodes.len(), 6);
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
}
