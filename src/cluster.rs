//! The cluster: its domain and the host names of each role.

use crate::error::{Error, Result};

/// The documented cluster's domain.
pub const DEFAULT_DOMAIN: &str = "iots310.wso2.com";

/// A WSO2 IoT Server cluster behind nginx: workers at DOMAIN, gateway.DOMAIN, the manager at mgt.DOMAIN,
/// the key manager at keymgt.DOMAIN, unless the cluster description names other hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    domain: String,
    ssl_common_name: String,
    hosts: Hosts,
}

/// The host names of each role; the first of each is the one the WSO2 configuration points at.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Hosts {
    /// Workers (DOMAIN).
    pub workers: Vec<String>,
    /// API gateways (gateway.DOMAIN).
    pub gateway: Vec<String>,
    /// Managers (mgt.DOMAIN).
    pub manager: Vec<String>,
    /// Key managers (keymgt.DOMAIN).
    pub key_managers: Vec<String>,
}

impl Cluster {
    /// The documented cluster for `domain`; the SSL certificate's CN is `ssl_common_name`, or the domain.
    pub fn new(domain: &str, ssl_common_name: Option<&str>) -> Result<Self> {
        Self::with_hosts(domain, ssl_common_name, Hosts::default())
    }

    /// A cluster for `domain` whose roles have the given hosts; a role without hosts gets the documented one.
    pub fn with_hosts(domain: &str, ssl_common_name: Option<&str>, hosts: Hosts) -> Result<Self> {
        let domain = host_name("--domain", domain)?;
        let ssl_common_name = match ssl_common_name {
            Some(cn) => host_name("--ssl-cn", cn)?,
            None => domain.clone(),
        };
        let role = |option: &'static str, given: Vec<String>, default: String| -> Result<Vec<String>> {
            if given.is_empty() {
                return Ok(vec![default]);
            }
            given.iter().map(|host| host_name(option, host)).collect()
        };
        let hosts = Hosts {
            workers: role("hosts.workers", hosts.workers, domain.clone())?,
            gateway: role("hosts.gateway", hosts.gateway, format!("gateway.{domain}"))?,
            manager: role("hosts.manager", hosts.manager, format!("mgt.{domain}"))?,
            key_managers: role("hosts.key_managers", hosts.key_managers, format!("keymgt.{domain}"))?,
        };
        Ok(Cluster {
            domain,
            ssl_common_name,
            hosts,
        })
    }

    /// The domain: the CA's CN is `*.DOMAIN` and the RA's `DOMAIN`.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The CN of the SSL certificate.
    pub fn ssl_common_name(&self) -> &str {
        &self.ssl_common_name
    }

    /// The hosts of each role.
    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// The worker the manager's VerificationEndpoint names.
    pub fn worker(&self) -> &str {
        &self.hosts.workers[0]
    }

    /// The manager node.
    pub fn manager(&self) -> &str {
        &self.hosts.manager[0]
    }

    /// The API gateway the token endpoint names.
    pub fn gateway(&self) -> &str {
        &self.hosts.gateway[0]
    }

    /// The key manager the client-registration endpoint names.
    pub fn key_manager(&self) -> &str {
        &self.hosts.key_managers[0]
    }

    /// The hosts of every role, without repeats: workers, gateways, managers, key managers.
    pub fn role_hosts(&self) -> Vec<String> {
        let Hosts {
            workers,
            gateway,
            manager,
            key_managers,
        } = &self.hosts;
        let mut hosts: Vec<String> = Vec::new();
        for host in workers.iter().chain(gateway).chain(manager).chain(key_managers) {
            if !hosts.contains(host) {
                hosts.push(host.clone());
            }
        }
        hosts
    }

    /// Every name the SSL certificate carries in subjectAltName: the role hosts, then the CN if it is another.
    pub fn ssl_hosts(&self) -> Vec<String> {
        let mut hosts = self.role_hosts();
        if !hosts.contains(&self.ssl_common_name) {
            hosts.push(self.ssl_common_name.clone());
        }
        hosts
    }
}

/// A DNS host name (RFC 1123), lower-cased.
fn host_name(option: &'static str, name: &str) -> Result<String> {
    valid_host(name).ok_or_else(|| Error::InvalidOption {
        option,
        reason: format!("'{name}' is not a DNS host name like iots310.wso2.com"),
    })
}

/// `name` lower-cased without a final dot, if it is a DNS host name of two labels or more (RFC 1123).
pub fn valid_host(name: &str) -> Option<String> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    (name.len() <= 253 && name.split('.').count() >= 2 && name.split('.').all(label_ok)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_cluster_hosts() {
        let cluster = Cluster::new(DEFAULT_DOMAIN, None).unwrap();
        assert_eq!(
            cluster.ssl_hosts(),
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
        let cluster = Cluster::new("Example.ORG.", Some("lb.example.org")).unwrap();
        assert_eq!(cluster.domain(), "example.org");
        assert_eq!(cluster.ssl_hosts().last().unwrap(), "lb.example.org");
        assert_eq!(cluster.ssl_hosts().len(), 5);
    }

    #[test]
    fn several_workers_and_key_managers_are_all_named() {
        let hosts = Hosts {
            workers: vec!["w1.example.org".into(), "w2.example.org".into()],
            key_managers: vec!["km1.example.org".into(), "km2.example.org".into()],
            ..Hosts::default()
        };
        let cluster = Cluster::with_hosts("example.org", None, hosts).unwrap();
        assert_eq!(
            cluster.ssl_hosts(),
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
        assert_eq!(cluster.key_manager(), "km1.example.org");
    }

    #[test]
    fn wildcards_and_garbage_are_refused() {
        for bad in ["*.example.org", "localhost", "a..b", "-a.b", "a b.c"] {
            assert!(Cluster::new(bad, None).is_err(), "{bad}");
        }
    }
}
