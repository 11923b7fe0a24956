//! The cluster: its product, its domain, the host names of each group and the machines that make it up.

use std::collections::{HashMap, HashSet};

use crate::vocab::names::{HostName, NodeName};

use crate::model::product::{CommonName, Product};
use crate::vocab::roles::{CertRole, HostGroupId, NodeRole};

/// The machines of each role, for products whose machines are not their public names, as the description's
/// `[nodes]` and the ledger name them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nodes(Vec<(NodeRole, Vec<NodeName>)>);

impl Nodes {
    /// Sets the machines of `role`.
    pub fn set(&mut self, role: NodeRole, names: Vec<NodeName>) {
        self.0.retain(|(r, _)| *r != role);
        self.0.push((role, names));
    }

    /// The machines of `role`; empty when none were given.
    pub fn get(&self, role: NodeRole) -> &[NodeName] {
        self.0
            .iter()
            .find(|(r, _)| *r == role)
            .map_or(&[], |(_, names)| names.as_slice())
    }

    /// Whether no role has machines.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl serde::Serialize for Nodes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let map: std::collections::BTreeMap<&str, &Vec<NodeName>> =
            self.0.iter().map(|(role, names)| (role.key(), names)).collect();
        map.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Nodes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, Vec<NodeName>>::deserialize(deserializer)?;
        let mut nodes = Nodes::default();
        for (key, names) in map {
            let role = NodeRole::from_key(&key)
                .ok_or_else(|| serde::de::Error::custom(format!("nodes: no role is called '{key}'")))?;
            nodes.set(role, names);
        }
        Ok(nodes)
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
    /// Its name: a host name, a name from `[nodes]`, or `nginx`.
    pub name: NodeName,
    /// What it does.
    pub role: NodeRole,
}

/// The most host names a cluster may have, over all its groups. The SSL certificate names every one in its
/// subjectAltName: public CAs stop at 100 (Let's Encrypt) to a few hundred names, and every TLS handshake sends
/// the certificate, some 30 bytes a name.
pub const MAX_HOSTS: usize = 1000;

/// The most machines `[nodes]` may name, over all roles: each gets its own bundle.
pub const MAX_NODES: usize = 1000;

/// A cluster of one product behind nginx.
#[derive(Debug, Clone)]
pub struct Cluster {
    product: &'static Product,
    domain: HostName,
    ssl_common_name: HostName,
    hosts: Hosts,
    nodes: Nodes,
}

/// Two clusters are the same when they are of the same product (declarations are statics) with the same names.
impl PartialEq for Cluster {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.product, other.product)
            && self.domain == other.domain
            && self.ssl_common_name == other.ssl_common_name
            && self.hosts == other.hosts
            && self.nodes == other.nodes
    }
}

impl Eq for Cluster {}

/// Why a cluster's names do not make a cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// A default host name that is too long for DNS once its prefix is added to the domain.
    #[error("hosts: '{0}' is too long for a DNS name; give the hosts of this group in the cluster description")]
    DefaultHost(String),
    /// Hosts for a group the product does not have.
    #[error("hosts.{group}: {product} has no such host group; its groups are {known}")]
    UnknownGroup {
        /// The group.
        group: &'static str,
        /// The product's name.
        product: &'static str,
        /// The groups it has.
        known: String,
    },
    /// Machines for a role the product does not name machines for.
    #[error("nodes.{role}: {product} {reason}")]
    UnknownRole {
        /// The role's key.
        role: &'static str,
        /// The product's name.
        product: &'static str,
        /// What it has instead.
        reason: String,
    },
    /// Two machines of one name.
    #[error("nodes: '{0}' names two machines; every node needs a name of its own")]
    Duplicate(NodeName),
    /// A machine whose bundle would take the name of another's.
    #[error(
        "nodes: '{0}' and '{1}' are names of two machines, and the bundle '{1}' is the archive of '{0}'; rename one"
    )]
    BundleClash(NodeName, NodeName),
    /// A name nginx would serve from two groups: two server blocks of one server_name, of which nginx uses one.
    #[error(
        "hosts.{second}: '{host}' is also in hosts.{first}; nginx would serve it from one group only (two server \
         blocks with one server_name), give each group names of its own"
    )]
    ServedTwice {
        /// The group that names it first.
        first: &'static str,
        /// The other group.
        second: &'static str,
        /// The name.
        host: HostName,
    },
    /// An empty role.
    #[error("nodes.{0}: give at least one node, or leave the key out")]
    Empty(&'static str),
    /// More names than iospki takes.
    #[error("{key}: {count} {what} in all; iospki takes at most {max}")]
    TooMany {
        /// The key whose list goes over the limit (`hosts.workers`).
        key: String,
        /// What is counted: "host names" or "node names".
        what: &'static str,
        /// How many names all lists hold.
        count: usize,
        /// The limit.
        max: usize,
    },
}

impl Cluster {
    /// The documented cluster of `product` for `domain`: every host group and node role without given names
    /// gets its default.
    pub fn new(
        product: &'static Product,
        domain: HostName,
        ssl_common_name: Option<HostName>,
        given: Hosts,
        given_nodes: Nodes,
    ) -> Result<Self, ClusterError> {
        // Counted as the ledger records them: the defaults of groups and roles left out, then the given lists.
        let default_hosts = product
            .host_groups
            .iter()
            .filter(|g| given.get(g.id).is_empty() && g.default_prefix.is_some());
        let host_lists = given.0.iter().map(|(group, names)| (group.key(), names.len()));
        at_most(MAX_HOSTS, default_hosts.count(), "hosts", "host names", host_lists)?;
        let default_nodes = product
            .node_groups
            .iter()
            .filter(|g| given_nodes.get(g.role).is_empty());
        let node_lists = given_nodes.0.iter().map(|(role, names)| (role.key(), names.len()));
        let default_count = default_nodes.map(|g| g.default_nodes.len()).sum();
        at_most(MAX_NODES, default_count, "nodes", "node names", node_lists)?;
        check_groups(product, &given)?;
        let mut hosts = Hosts::default();
        for group in product.host_groups {
            let names = match (given.get(group.id), group.default_prefix) {
                ([], Some(prefix)) => {
                    let default = format!("{prefix}{domain}");
                    vec![HostName::parse(&default).map_err(|_| ClusterError::DefaultHost(default))?]
                }
                (names, _) => names.to_vec(),
            };
            hosts.set(group.id, names);
        }
        let nodes = node_names(product, given_nodes)?;
        let first_host = product.host_groups.first().and_then(|g| hosts.get(g.id).first());
        let default_common_name = match (product.certificate(CertRole::Ssl).map(|c| c.common_name), first_host) {
            (Some(CommonName::FirstHost), Some(host)) => host.clone(),
            _ => domain.clone(),
        };
        let cluster = Cluster {
            product,
            ssl_common_name: ssl_common_name.unwrap_or(default_common_name),
            domain,
            hosts,
            nodes,
        };
        cluster.check_unique_nodes()?;
        cluster.check_served_once()?;
        Ok(cluster)
    }

    /// Every machine has a name of its own, and its bundles take names no other machine's take.
    fn check_unique_nodes(&self) -> Result<(), ClusterError> {
        let nodes = self.nodes();
        let mut seen = HashSet::with_capacity(nodes.len());
        if let Some(node) = nodes.iter().find(|node| !seen.insert(&node.name)) {
            return Err(ClusterError::Duplicate(node.name.clone()));
        }
        let mut taken = HashMap::with_capacity(2 * nodes.len());
        for node in &nodes {
            for name in node.name.bundle_names() {
                if let Some(other) = taken.insert(name, &node.name) {
                    let (short, long) = shorter_first(other, &node.name);
                    return Err(ClusterError::BundleClash(short.clone(), long.clone()));
                }
            }
        }
        Ok(())
    }

    /// No name is in two of the groups nginx serves: nginx would route it to one group's nodes only.
    fn check_served_once(&self) -> Result<(), ClusterError> {
        let mut served = HashMap::new();
        for group in self.product.host_groups.iter().filter(|g| !g.served_by.is_empty()) {
            for host in self.hosts.get(group.id) {
                match served.insert(host, group.id) {
                    Some(first) if first != group.id => {
                        return Err(ClusterError::ServedTwice {
                            first: first.key(),
                            second: group.id.key(),
                            host: host.clone(),
                        });
                    }
                    _ => {}
                }
            }
        }
        Ok(())
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

    /// The machines of every role named apart from the hosts (products whose machines are not their names).
    pub fn node_names(&self) -> &Nodes {
        &self.nodes
    }

    /// The first host of `group`, the one configuration points at.
    pub fn first(&self, group: HostGroupId) -> &HostName {
        // Every group of the product has at least one host since `new`.
        self.hosts.get(group).first().unwrap_or(&self.domain)
    }

    /// The hosts of every group without repeats, in the product's group order.
    pub fn role_hosts(&self) -> Vec<&HostName> {
        let mut seen = HashSet::new();
        self.product
            .host_groups
            .iter()
            .flat_map(|group| self.hosts.get(group.id))
            .filter(|host| seen.insert(*host))
            .collect()
    }

    /// Every name the SSL certificate carries in subjectAltName: the role hosts, then the CN if it is another.
    pub fn ssl_hosts(&self) -> Vec<&HostName> {
        let mut hosts = self.role_hosts();
        if !hosts.contains(&&self.ssl_common_name) {
            hosts.push(&self.ssl_common_name);
        }
        hosts
    }

    /// The machines of the cluster, in the order of their roles, then nginx: each host of a group that names
    /// machines once (IoT), or the machines of each role.
    pub fn nodes(&self) -> Vec<Node> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut groups: Vec<_> = self
            .product
            .host_groups
            .iter()
            .filter_map(|g| g.nodes.map(|role| (role, self.hosts.get(g.id))))
            .collect();
        groups.sort_by_key(|(role, _)| *role);
        let mut seen = HashSet::new();
        for (role, hosts) in groups {
            for host in hosts.iter().filter(|host| seen.insert(*host)) {
                nodes.push(Node {
                    name: NodeName::from(host),
                    role,
                });
            }
        }
        for (role, names) in &self.nodes.0 {
            nodes.extend(names.iter().map(|name| Node {
                name: name.clone(),
                role: *role,
            }));
        }
        nodes.push(Node {
            name: NodeName::nginx(),
            role: NodeRole::Nginx,
        });
        nodes
    }

    /// The node's own public name: the first host of the first group whose machines are `role`'s (IoT), or that
    /// nginx sends to `role`.
    pub fn own_host(&self, role: NodeRole) -> Option<&HostName> {
        let group = self
            .product
            .host_groups
            .iter()
            .find(|g| g.nodes == Some(role) || g.served_by.contains(&role))?;
        self.hosts.get(group.id).first()
    }
}

/// Of two node names, the shorter (the one whose archive the other is) first.
fn shorter_first<'a>(a: &'a NodeName, b: &'a NodeName) -> (&'a NodeName, &'a NodeName) {
    if a.as_str().len() <= b.as_str().len() {
        (a, b)
    } else {
        (b, a)
    }
}

/// `defaults` names and the lists of `table` (`(key, length)`) are at most `max` names together; the error names
/// the list that goes over.
fn at_most(
    max: usize,
    defaults: usize,
    table: &str,
    what: &'static str,
    lists: impl Iterator<Item = (&'static str, usize)>,
) -> Result<(), ClusterError> {
    let mut count = defaults;
    let mut over = None;
    for (key, len) in lists {
        count += len;
        if count > max && over.is_none() {
            over = Some(key);
        }
    }
    match over {
        Some(key) => Err(ClusterError::TooMany {
            key: format!("{table}.{key}"),
            what,
            count,
            max,
        }),
        None => Ok(()),
    }
}

/// `given` names only groups `product` has.
fn check_groups(product: &Product, given: &Hosts) -> Result<(), ClusterError> {
    for (group, _) in &given.0 {
        if product.host_groups.iter().all(|g| g.id != *group) {
            let known: Vec<&str> = product.host_groups.iter().map(|g| g.id.key()).collect();
            return Err(ClusterError::UnknownGroup {
                group: group.key(),
                product: product.name,
                known: known.join(", "),
            });
        }
    }
    Ok(())
}

/// The machines of each of `product`'s node roles: the given ones, else the defaults.
fn node_names(product: &Product, given: Nodes) -> Result<Nodes, ClusterError> {
    for (role, names) in &given.0 {
        if names.is_empty() {
            return Err(ClusterError::Empty(role.key()));
        }
        if product.node_groups.iter().all(|g| g.role != *role) {
            let reason = if product.node_groups.is_empty() {
                "names its machines by their host names; give them in [hosts]".to_owned()
            } else {
                let known: Vec<&str> = product.node_groups.iter().map(|g| g.role.key()).collect();
                format!("has no such node role; its roles are {}", known.join(", "))
            };
            return Err(ClusterError::UnknownRole {
                role: role.key(),
                product: product.name,
                reason,
            });
        }
    }
    let mut nodes = Nodes::default();
    for group in product.node_groups {
        let names = match given.get(group.role) {
            [] => group.default_nodes.iter().map(|n| NodeName::declared(n)).collect(),
            names => names.to_vec(),
        };
        nodes.set(group.role, names);
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::product::iot::IOT;

    fn host(name: &str) -> HostName {
        HostName::parse(name).unwrap()
    }

    fn names(hosts: Vec<&HostName>) -> Vec<&str> {
        hosts.into_iter().map(HostName::as_str).collect()
    }

    #[test]
    fn documented_cluster_hosts() {
        let cluster = Cluster::new(&IOT, host(IOT.default_domain), None, Hosts::default(), Nodes::default()).unwrap();
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
            Nodes::default(),
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
        let cluster = Cluster::new(&IOT, host("example.org"), None, hosts, Nodes::default()).unwrap();
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
        let nodes: Vec<_> = cluster
            .nodes()
            .into_iter()
            .map(|n| (n.name.to_string(), n.role))
            .collect();
        assert_eq!(nodes[0], ("mgt.example.org".to_owned(), NodeRole::Manager));
        assert_eq!(nodes.last().unwrap().1, NodeRole::Nginx);
        assert_eq!(nodes.len(), 6);
    }

    #[test]
    fn more_names_than_iospki_takes_are_refused_naming_the_list_that_goes_over() {
        let names = |prefix: &'static str, count: usize| (0..count).map(move |i| format!("{prefix}{i}"));
        let mut hosts = Hosts::default();
        hosts.set(
            HostGroupId::Workers,
            names("w", 600).map(|n| host(&format!("{n}.example.org"))).collect(),
        );
        hosts.set(
            HostGroupId::KeyManagers,
            names("k", 401).map(|n| host(&format!("{n}.example.org"))).collect(),
        );
        let err = Cluster::new(&IOT, host("example.org"), None, hosts, Nodes::default()).unwrap_err();
        // The default gateway and manager hosts count too, as the ledger records them.
        assert_eq!(
            err.to_string(),
            "hosts.key_managers: 1003 host names in all; iospki takes at most 1000"
        );
        let mut nodes = Nodes::default();
        nodes.set(
            NodeRole::Publisher,
            names("p", MAX_NODES - 1)
                .map(|n| NodeName::parse(&n).unwrap())
                .collect(),
        );
        let err = Cluster::new(
            &crate::model::product::es::ES,
            host("example.org"),
            None,
            Hosts::default(),
            nodes,
        )
        .unwrap_err();
        // With the two default store nodes.
        assert_eq!(
            err.to_string(),
            "nodes.publisher: 1001 node names in all; iospki takes at most 1000"
        );
    }

    #[test]
    fn a_thousand_workers_are_one_node_each_once() {
        let mut hosts = Hosts::default();
        let workers: Vec<HostName> = (0..MAX_HOSTS - 3)
            .map(|i| host(&format!("w{}.example.org", i % 500)))
            .collect();
        hosts.set(HostGroupId::Workers, workers);
        let cluster = Cluster::new(&IOT, host("example.org"), None, hosts, Nodes::default()).unwrap();
        let workers = cluster.nodes().iter().filter(|n| n.role == NodeRole::Worker).count();
        assert_eq!(workers, 500);
        assert_eq!(cluster.role_hosts().len(), 500 + 3);
    }

    fn es_nodes(names: &[&str]) -> Result<Cluster, ClusterError> {
        let mut nodes = Nodes::default();
        nodes.set(
            NodeRole::Publisher,
            names.iter().map(|n| NodeName::parse(n).unwrap()).collect(),
        );
        Cluster::new(
            &crate::model::product::es::ES,
            host("example.org"),
            None,
            Hosts::default(),
            nodes,
        )
    }

    #[test]
    fn a_node_named_as_another_nodes_archive_is_refused() {
        let err = es_nodes(&["a.tar.gz", "a"]).unwrap_err();
        assert_eq!(
            err,
            ClusterError::BundleClash(NodeName::parse("a").unwrap(), NodeName::parse("a.tar.gz").unwrap())
        );
        assert!(
            err.to_string().contains("the bundle 'a.tar.gz' is the archive of 'a'"),
            "{err}"
        );
        // nginx is a node too.
        let err = es_nodes(&["nginx.tar.gz"]).unwrap_err();
        assert!(err.to_string().contains("'nginx' and 'nginx.tar.gz'"), "{err}");
        assert!(es_nodes(&["a", "a.tar", "a.gz", "b.tar.gz"]).is_ok());
    }

    fn es_hosts(publisher: &[&str], store: &[&str]) -> Result<Cluster, ClusterError> {
        let mut hosts = Hosts::default();
        hosts.set(HostGroupId::Publisher, publisher.iter().map(|h| host(h)).collect());
        hosts.set(HostGroupId::Store, store.iter().map(|h| host(h)).collect());
        Cluster::new(
            &crate::model::product::es::ES,
            host("example.org"),
            None,
            hosts,
            Nodes::default(),
        )
    }

    #[test]
    fn a_name_in_two_groups_nginx_serves_is_refused() {
        let err = es_hosts(&["pub.example.org", "shop.example.org"], &["SHOP.example.org."]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "hosts.store: 'shop.example.org' is also in hosts.publisher; nginx would serve it from one \
             group only (two server blocks with one server_name), give each group names of its own"
        );
        assert!(es_hosts(&["pub.example.org"], &["shop.example.org"]).is_ok());
        // A group that names its own host twice still gets one server block.
        assert!(es_hosts(&["pub.example.org", "pub.example.org"], &["shop.example.org"]).is_ok());
    }

    #[test]
    fn groups_nginx_does_not_serve_may_share_names() {
        let mut hosts = Hosts::default();
        hosts.set(HostGroupId::Workers, vec![host("one.example.org")]);
        hosts.set(HostGroupId::KeyManagers, vec![host("one.example.org")]);
        assert!(Cluster::new(&IOT, host("example.org"), None, hosts, Nodes::default()).is_ok());
    }
}
