//! `iospki-bundle.json`: what a bundle is, in data. Every node's bundle carries one (the archive and its tree,
//! the Ansible project's `files/NODE/`), and so does every Kubernetes object of a role, as an annotation: the
//! product, the role, the node and the set it was made from. `verify --bundle` reads it, never INSTALL.txt,
//! which stays text for people. docs/json/iospki.bundle-manifest.v1.schema.json is its schema.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::product::{Product, ProductId};
use crate::model::set::Set;
use crate::vocab::names::NodeName;
use crate::vocab::roles::NodeRole;

/// The manifest's file name in a bundle, and its annotation key on a Kubernetes object.
pub const FILE: &str = "iospki-bundle.json";
/// The JSON schema identifier of the manifest.
pub const SCHEMA: &str = "iospki.bundle-manifest/1";

/// What a bundle is for.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The product of the set.
    pub product: &'static Product,
    /// The role of the node, which decides its files.
    pub role: NodeRole,
    /// The node; none for a Kubernetes object, which serves every node of its role.
    pub node: Option<NodeName>,
    /// The set's fingerprint, [`set_fingerprint`].
    pub set_sha256: String,
}

/// The manifest as JSON has it: keys, not prose.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Json {
    schema: String,
    product: String,
    /// A deployment.toml product's release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    /// A deployment.toml product's store layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keystores: Option<String>,
    /// A deployment.toml product's store type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    store_type: Option<String>,
    role: String,
    node: Option<String>,
    set_sha256: String,
}

impl Manifest {
    /// Its bytes: indented JSON and a final newline, the same for the same set.
    pub fn to_json(&self) -> String {
        let json = Json {
            schema: SCHEMA.into(),
            product: self.product.key.into(),
            version: self.product.id().version().map(str::to_owned),
            keystores: self.product.id().layout().map(|l| l.key().to_owned()),
            store_type: self.product.id().format().map(|f| f.key().to_owned()),
            role: self.role.slug().into(),
            node: self.node.as_ref().map(|n| n.as_str().to_owned()),
            set_sha256: self.set_sha256.clone(),
        };
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    }

    /// Reads a manifest; an [`Error::Unreadable`] naming [`FILE`] says what is wrong with it.
    pub fn parse(bytes: &[u8]) -> Result<Manifest> {
        let bad = |reason: String| Error::unreadable(FILE, reason);
        let json: Json = serde_json::from_slice(bytes).map_err(|e| bad(format!("not a bundle manifest: {e}")))?;
        if json.schema != SCHEMA {
            return Err(bad(format!("schema '{}' is not {SCHEMA}", json.schema.escape_debug())));
        }
        let product = ProductId::recorded(
            &json.product,
            json.version.as_deref(),
            json.keystores.as_deref(),
            json.store_type.as_deref(),
        )
        .map_err(|e| bad(e.to_string()))?
        .product();
        let role = NodeRole::ALL
            .into_iter()
            .find(|r| r.slug() == json.role)
            .filter(|r| has_role(product, *r))
            .ok_or_else(|| {
                let role = json.role.escape_debug();
                bad(format!("role '{role}' is not a role of {}'s nodes", product.name))
            })?;
        let node = json
            .node
            .map(|n| NodeName::parse(&n))
            .transpose()
            .map_err(|e| bad(format!("node: {e}")))?;
        let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex(&json.set_sha256) {
            return Err(bad("set_sha256 is not 64 lowercase hex digits".into()));
        }
        Ok(Manifest {
            product,
            role,
            node,
            set_sha256: json.set_sha256,
        })
    }
}

/// Whether `product`'s clusters have nodes of `role`: nginx, and the roles of its host and node groups.
fn has_role(product: &Product, role: NodeRole) -> bool {
    role == NodeRole::Nginx
        || product.host_groups.iter().any(|g| g.nodes == Some(role))
        || product.node_groups.iter().any(|g| g.role == role)
}

/// The set's fingerprint: the SHA-256, in lowercase hex, of `sha256sum`'s lines (`HEX  NAME`) for every file of
/// the set in the order of their names, as `cd output && LC_ALL=C sha256sum FILES | sha256sum` prints it for the
/// files of the set. Any change to any file changes it, which neither the CA certificate (kept by SSL rotations)
/// nor the ledger (kept when the old CA is deleted from the truststore by hand) would tell.
pub fn set_fingerprint(set: &Set) -> String {
    let mut files: Vec<_> = set.files().iter().collect();
    files.sort_by_key(|f| f.spec.name);
    let mut listing = Sha256::new();
    for file in files {
        let digest = crate::vocab::hex::lower(&Sha256::digest(&file.contents));
        listing.update(format!("{digest}  {}\n", file.spec.name));
    }
    crate::vocab::hex::lower(&listing.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::product::iot::IOT;

    fn manifest() -> Manifest {
        Manifest {
            product: &IOT,
            role: NodeRole::KeyManager,
            node: Some(NodeName::parse("km1.example.org").unwrap()),
            set_sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let json = manifest().to_json();
        assert!(json.contains("\"role\": \"key-manager\""), "{json}");
        assert_eq!(Manifest::parse(json.as_bytes()).unwrap().to_json(), json);
    }

    #[test]
    fn a_deployment_toml_products_manifest_names_its_release_and_layout() {
        let product = &crate::model::product::is7::IS_7_1_SINGLE;
        let json = Manifest {
            product,
            role: NodeRole::Worker,
            ..manifest()
        }
        .to_json();
        assert!(
            json.contains("\"version\": \"7.1\"") && json.contains("\"keystores\": \"single\""),
            "{json}"
        );
        assert!(std::ptr::eq(Manifest::parse(json.as_bytes()).unwrap().product, product));
        let err = Manifest::parse(json.replace("\"single\"", "\"triple\"").as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .contains("keystores: 'triple' is neither separate nor single"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_products_roles_and_fingerprints_are_refused() {
        let json = manifest().to_json();
        for (from, to, why) in [
            ("\"node\"", "\"extra\": 1, \"node\"", "unknown field"),
            ("\"iot\"", "\"iots\"", "product: 'iots'"),
            (
                "\"iot\"",
                "\"iot\", \"version\": \"3.1\"",
                "version: IoT Server has no versions",
            ),
            ("\"iot\"", "\"apim\"", "version: API Manager needs a version"),
            ("key-manager", "key manager", "role 'key manager'"),
            ("key-manager", "publisher", "not a role of IoT Server"),
            ("bundle-manifest/1", "bundle/1", "schema"),
            ("abab", "ABAB", "set_sha256"),
            ("km1.example.org", "KM1", "node:"),
        ] {
            let err = Manifest::parse(json.replace(from, to).as_bytes())
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("iospki-bundle.json: ") && err.contains(why),
                "{to}: {err}"
            );
        }
    }
}
