//! The cluster: its domain and the host names of each role.

use crate::error::{Error, Result};

/// The documented cluster's domain.
pub const DEFAULT_DOMAIN: &str = "iots310.wso2.com";

/// A WSO2 IoT Server cluster behind nginx: workers at DOMAIN, gateway.DOMAIN, the manager at mgt.DOMAIN,
/// the key manager at keymgt.DOMAIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    domain: String,
    ssl_common_name: String,
}

impl Cluster {
    /// A cluster for `domain`; the SSL certificate's CN is `ssl_common_name`, or the domain.
    pub fn new(domain: &str, ssl_common_name: Option<&str>) -> Result<Self> {
        let domain = host_name("--domain", domain)?;
        let ssl_common_name = match ssl_common_name {
            Some(cn) => host_name("--ssl-cn", cn)?,
            None => domain.clone(),
        };
        Ok(Cluster {
            domain,
            ssl_common_name,
        })
    }

    /// The domain, which is also the workers' host name.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The CN of the SSL certificate.
    pub fn ssl_common_name(&self) -> &str {
        &self.ssl_common_name
    }

    /// The manager node: mgt.DOMAIN.
    pub fn manager(&self) -> String {
        format!("mgt.{}", self.domain)
    }

    /// The API gateway: gateway.DOMAIN.
    pub fn gateway(&self) -> String {
        format!("gateway.{}", self.domain)
    }

    /// The key manager: keymgt.DOMAIN.
    pub fn key_manager(&self) -> String {
        format!("keymgt.{}", self.domain)
    }

    /// Every name the SSL certificate must carry in subjectAltName, without repeats.
    pub fn ssl_hosts(&self) -> Vec<String> {
        let mut hosts = vec![self.domain.clone(), self.gateway(), self.manager(), self.key_manager()];
        if !hosts.contains(&self.ssl_common_name) {
            hosts.push(self.ssl_common_name.clone());
        }
        hosts
    }
}

/// A DNS host name (RFC 1123), lower-cased.
fn host_name(option: &'static str, name: &str) -> Result<String> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.len() > 253 || name.split('.').count() < 2 || !name.split('.').all(label_ok) {
        return Err(Error::InvalidOption {
            option,
            reason: format!("'{name}' is not a DNS host name like iots310.wso2.com"),
        });
    }
    Ok(name)
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
    fn wildcards_and_garbage_are_refused() {
        for bad in ["*.example.org", "localhost", "a..b", "-a.b", "a b.c"] {
            assert!(Cluster::new(bad, None).is_err(), "{bad}");
        }
    }
}
