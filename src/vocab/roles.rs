//! The roles of a set: what a certificate is for, what a machine does, and the groups of host names.

use std::fmt;

/// The role a certificate plays in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum CertRole {
    /// The cluster CA: self-signed, issues the others (and, for IoT, the devices' certificates through SCEP).
    #[serde(rename = "CA")]
    Ca,
    /// The SCEP registration authority (IoT only).
    #[serde(rename = "RA")]
    Ra,
    /// The TLS server certificate and key of every node and of nginx: carbon.xml's KeyAlias.
    #[serde(rename = "SSL")]
    Ssl,
    /// The primary key of a deployment.toml product: it signs SAML assertions, JWTs and ID tokens.
    #[serde(rename = "primary")]
    Primary,
    /// The internal key of a deployment.toml product: it encrypts data in the database and Secure Vault's
    /// secrets, so it never changes once data is encrypted with it.
    #[serde(rename = "internal")]
    Internal,
}

impl CertRole {
    /// "CA", "RA", "SSL", "primary" or "internal", as messages and the ledger name it.
    pub fn name(self) -> &'static str {
        match self {
            CertRole::Ca => "CA",
            CertRole::Ra => "RA",
            CertRole::Ssl => "SSL",
            CertRole::Primary => "primary",
            CertRole::Internal => "internal",
        }
    }

    /// Whether every renewal keeps this role's key, a new key being refused: the internal key, because what
    /// the servers encrypted with it would be unreadable under another.
    pub fn key_never_replaced(self) -> bool {
        matches!(self, CertRole::Internal)
    }
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per certificate role of a set, in the order the product declares its certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByRole<T>(Vec<(CertRole, T)>);

impl<T> Default for ByRole<T> {
    fn default() -> Self {
        ByRole(Vec::new())
    }
}

impl<T> ByRole<T> {
    /// The value of `role`, if the set has that role.
    pub fn get(&self, role: CertRole) -> Option<&T> {
        self.0.iter().find(|(r, _)| *r == role).map(|(_, value)| value)
    }

    /// The value of `role`, to change it.
    pub fn get_mut(&mut self, role: CertRole) -> Option<&mut T> {
        self.0.iter_mut().find(|(r, _)| *r == role).map(|(_, value)| value)
    }

    /// Sets the value of `role`, replacing an earlier one.
    pub fn insert(&mut self, role: CertRole, value: T) {
        match self.0.iter_mut().find(|(r, _)| *r == role) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((role, value)),
        }
    }

    /// Takes the value of `role` out.
    pub fn remove(&mut self, role: CertRole) -> Option<T> {
        let at = self.0.iter().position(|(r, _)| *r == role)?;
        Some(self.0.remove(at).1)
    }

    /// Every role and its value.
    pub fn iter(&self) -> impl Iterator<Item = (CertRole, &T)> {
        self.0.iter().map(|(role, value)| (*role, value))
    }

    /// The same roles with each value mapped.
    pub fn map<U>(self, mut f: impl FnMut(CertRole, T) -> U) -> ByRole<U> {
        ByRole(self.0.into_iter().map(|(role, value)| (role, f(role, value))).collect())
    }
}

impl<T> IntoIterator for ByRole<T> {
    type Item = (CertRole, T);
    type IntoIter = std::vec::IntoIter<(CertRole, T)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<T> FromIterator<(CertRole, T)> for ByRole<T> {
    fn from_iter<I: IntoIterator<Item = (CertRole, T)>>(iter: I) -> Self {
        let mut by_role = ByRole::default();
        for (role, value) in iter {
            by_role.insert(role, value);
        }
        by_role
    }
}

/// What a machine of the cluster does, and so which files it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeRole {
    /// IoT Server or Identity Server manager.
    Manager,
    /// IoT Server or Identity Server worker.
    Worker,
    /// IoT Server key manager (keymgt.DOMAIN).
    KeyManager,
    /// IoT Server broker profile (MQTT and AMQP over TLS).
    Broker,
    /// IoT Server analytics profile.
    Analytics,
    /// Enterprise Store or App Manager publisher.
    Publisher,
    /// Enterprise Store or App Manager store.
    Store,
    /// App Manager identity provider.
    Idp,
    /// App Manager gateway.
    Gateway,
    /// nginx in front of the cluster: the SSL certificate chain and key.
    Nginx,
}

impl NodeRole {
    /// Every role.
    pub const ALL: [NodeRole; 10] = [
        NodeRole::Manager,
        NodeRole::Worker,
        NodeRole::KeyManager,
        NodeRole::Broker,
        NodeRole::Analytics,
        NodeRole::Publisher,
        NodeRole::Store,
        NodeRole::Idp,
        NodeRole::Gateway,
        NodeRole::Nginx,
    ];

    /// The role INSTALL.txt names `name`.
    pub fn from_name(name: &str) -> Option<NodeRole> {
        Self::ALL.into_iter().find(|role| role.name() == name)
    }

    /// The role as INSTALL.txt and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            NodeRole::Manager => "manager",
            NodeRole::Worker => "worker",
            NodeRole::KeyManager => "key manager",
            NodeRole::Broker => "broker",
            NodeRole::Analytics => "analytics",
            NodeRole::Publisher => "publisher",
            NodeRole::Store => "store",
            NodeRole::Idp => "identity provider",
            NodeRole::Gateway => "gateway",
            NodeRole::Nginx => "load balancer (nginx)",
        }
    }

    /// The role in Kubernetes object names: `manager`, `worker`, `key-manager`, `nginx`.
    pub fn slug(self) -> &'static str {
        match self {
            NodeRole::Manager => "manager",
            NodeRole::Worker => "worker",
            NodeRole::KeyManager => "key-manager",
            NodeRole::Broker => "broker",
            NodeRole::Analytics => "analytics",
            NodeRole::Publisher => "publisher",
            NodeRole::Store => "store",
            NodeRole::Idp => "idp",
            NodeRole::Gateway => "gateway",
            NodeRole::Nginx => "nginx",
        }
    }

    /// The role whose nodes `[nodes]` names `key`.
    pub fn from_key(key: &str) -> Option<NodeRole> {
        Self::ALL.into_iter().find(|role| role.key() == key)
    }

    /// The key of the role's nodes in the description's `[nodes]`.
    pub fn key(self) -> &'static str {
        match self {
            NodeRole::Worker => "workers",
            NodeRole::KeyManager => "key_managers",
            other => other.slug(),
        }
    }
}

/// A group of host names a cluster's certificate carries, as the description's `[hosts]` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostGroupId {
    /// IoT workers (DOMAIN); Identity Server workers (DOMAIN).
    Workers,
    /// IoT API gateways (gateway.DOMAIN), served by the workers; App Manager's gateway.
    Gateway,
    /// IoT managers (mgt.DOMAIN); Identity Server's manager.
    Manager,
    /// IoT key managers (keymgt.DOMAIN).
    KeyManagers,
    /// IoT broker profile nodes (none unless given).
    Broker,
    /// IoT analytics profile nodes (none unless given).
    Analytics,
    /// Enterprise Store and App Manager publishers.
    Publisher,
    /// Enterprise Store and App Manager stores.
    Store,
    /// App Manager's identity provider.
    Idp,
    /// Further names the certificate carries, for clients that use them (none unless given).
    Extra,
}

impl HostGroupId {
    /// Every group.
    pub const ALL: [HostGroupId; 10] = [
        HostGroupId::Workers,
        HostGroupId::Gateway,
        HostGroupId::Manager,
        HostGroupId::KeyManagers,
        HostGroupId::Broker,
        HostGroupId::Analytics,
        HostGroupId::Publisher,
        HostGroupId::Store,
        HostGroupId::Idp,
        HostGroupId::Extra,
    ];

    /// The group `[hosts]` names `key`.
    pub fn from_key(key: &str) -> Option<HostGroupId> {
        Self::ALL.into_iter().find(|group| group.key() == key)
    }

    /// The key in `[hosts]` and in the ledger, e.g. `key_managers`.
    pub fn key(self) -> &'static str {
        match self {
            HostGroupId::Workers => "workers",
            HostGroupId::Gateway => "gateway",
            HostGroupId::Manager => "manager",
            HostGroupId::KeyManagers => "key_managers",
            HostGroupId::Broker => "broker",
            HostGroupId::Analytics => "analytics",
            HostGroupId::Publisher => "publisher",
            HostGroupId::Store => "store",
            HostGroupId::Idp => "idp",
            HostGroupId::Extra => "extra",
        }
    }
}
