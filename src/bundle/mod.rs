//! `iospki bundle`: the files of an init output directory, handed to each node of the cluster. [`archive`] lays
//! them out as each node's server home and packs one reproducible .tar.gz per node; [`k8s`] writes them as
//! Kubernetes Secrets and ConfigMaps per role, for `kubectl apply` and as a Helm chart.

pub mod archive;
pub mod k8s;
mod yaml;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::cluster::Cluster;
use crate::error::{Error, Result};

/// What a node does, and so which files it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// mgt.DOMAIN: every store, certificate-config.xml and iot-api-config.xml.
    Manager,
    /// DOMAIN and gateway.DOMAIN: every store and certificate-config.xml (they serve the certificate API).
    Worker,
    /// keymgt.DOMAIN: the key and trust stores.
    KeyManager,
    /// nginx in front: the SSL certificate chain and key.
    LoadBalancer,
}

impl Role {
    /// The role as INSTALL.txt names it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Worker => "worker",
            Role::KeyManager => "key manager",
            Role::LoadBalancer => "load balancer (nginx)",
        }
    }

    /// The role in Kubernetes object names: `manager`, `worker`, `key-manager`, `nginx`.
    pub fn slug(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Worker => "worker",
            Role::KeyManager => "key-manager",
            Role::LoadBalancer => "nginx",
        }
    }

    /// Each file of the node: path in the bundle, file in the set, description.
    fn files(self) -> &'static [(&'static str, &'static str, &'static str)] {
        const KEYSTORE: (&str, &str, &str) = (
            "repository/resources/security/wso2carbon.jks",
            "wso2carbon.jks",
            "carbon.xml KeyStore",
        );
        const TRUSTSTORE: (&str, &str, &str) = (
            "repository/resources/security/client-truststore.jks",
            "client-truststore.jks",
            "carbon.xml TrustStore",
        );
        const SCEP: (&str, &str, &str) = (
            "repository/resources/security/wso2certs.jks",
            "wso2certs.jks",
            "SCEP CA and RA keys",
        );
        const CERT_CONFIG: (&str, &str, &str) = (
            "repository/conf/certificate-config.xml",
            "certificate-config.xml",
            "SCEP keystore settings",
        );
        const API_CONFIG: (&str, &str, &str) = (
            "conf/iot-api-config.xml",
            "iot-api-config.xml",
            "manager's API endpoints",
        );
        match self {
            Role::Manager => &[KEYSTORE, TRUSTSTORE, SCEP, CERT_CONFIG, API_CONFIG],
            Role::Worker => &[KEYSTORE, TRUSTSTORE, SCEP, CERT_CONFIG],
            Role::KeyManager => &[KEYSTORE, TRUSTSTORE],
            Role::LoadBalancer => &[("ssl/iots.key", "ia.key", "ssl_certificate_key")],
        }
    }
}

/// The nodes of `cluster`: each host once, as manager before worker before key manager, then nginx.
pub fn nodes(cluster: &Cluster) -> Vec<(String, Role)> {
    let hosts = cluster.hosts();
    let mut nodes: Vec<(String, Role)> = Vec::new();
    for (list, role) in [
        (&hosts.manager, Role::Manager),
        (&hosts.workers, Role::Worker),
        (&hosts.key_managers, Role::KeyManager),
    ] {
        for host in list {
            if !nodes.iter().any(|(h, _)| h == host) {
                nodes.push((host.clone(), role));
            }
        }
    }
    nodes.push(("nginx".into(), Role::LoadBalancer));
    nodes
}

fn read(path: &Path) -> Result<(Vec<u8>, u32)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .permissions()
        .mode()
        & 0o777;
    Ok((bytes, mode))
}

/// nginx's ssl_certificate: the SSL certificate of the set in `dir`, then its CA.
fn ssl_chain(dir: &Path) -> Result<Vec<u8>> {
    let mut chain = read(&dir.join("ia.crt"))?.0;
    chain.extend(read(&dir.join("ca.crt"))?.0);
    Ok(chain)
}
