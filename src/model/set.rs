//! A set: the files a product's declaration lists, with their contents, and the settings they were made with.
//!
//! `init` and `rotate` build one in memory ([`crate::ops::build`]); `bundle` reads one back from an output directory
//! ([`Set::read`]) and hands each node its files ([`Set::node_files`]). What a file holds, where it goes and
//! its mode come from the product's [`FileSpec`]s, never from names written here.

use std::borrow::Cow;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::formats::key::RsaKey;
use crate::io::input::{self, Kind};
use crate::io::output::Plan;
use crate::model::cluster::Cluster;
use crate::model::ledger::Ledger;
use crate::model::product::{FileSpec, Holds, Placement, Product};
use crate::model::settings::Settings;
use crate::vocab::roles::{CertRole, NodeRole};

/// How a file holding `holds` is read.
fn input_kind(holds: &Holds) -> Kind {
    match holds {
        Holds::PrivateKey(_) => Kind::Key,
        Holds::Config(_) | Holds::Ledger => Kind::Text,
        Holds::Certificate(_) | Holds::Chain(_) | Holds::Pkcs12(_) | Holds::Store(..) => Kind::Data,
    }
}

/// One file of a set, in memory; its contents are wiped when dropped, as many hold secrets.
pub struct SetFile {
    /// What the file is.
    pub spec: &'static FileSpec,
    /// Its bytes.
    pub contents: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SetFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SetFile({}, [{} bytes elided])", self.spec.name, self.contents.len())
    }
}

/// A file as one node keeps it.
#[derive(Debug)]
pub struct NodeFile {
    /// Where, under the node's server home.
    pub placement: &'static Placement,
    /// The file of the set.
    pub spec: &'static FileSpec,
    /// Its bytes.
    pub contents: Zeroizing<Vec<u8>>,
}

/// The files of one set, and its settings.
#[derive(Debug)]
pub struct Set {
    settings: Settings,
    files: Vec<SetFile>,
}

impl Set {
    /// A set of `files` made with `settings`.
    pub fn new(settings: Settings, files: Vec<SetFile>) -> Set {
        Set { settings, files }
    }

    /// Reads the set `init` wrote to `dir`: its ledger's settings, then every file the product writes there.
    pub fn read(dir: &Path) -> Result<Set> {
        let ledger = Ledger::load(dir)?.ok_or_else(|| {
            Error::unreadable(
                dir.join(crate::model::product::LEDGER_FILE),
                "not found: rotate renews sets written by iospki init, which keeps this ledger beside them, \
                 and bundle hands such sets out",
            )
        })?;
        let settings = ledger.settings;
        let mut files = Vec::new();
        for spec in settings.cluster.product().output_files(settings.secure_vault) {
            let contents = input::read(&dir.join(spec.name), input_kind(&spec.holds))?;
            files.push(SetFile { spec, contents });
        }
        Ok(Set { settings, files })
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.settings.cluster
    }

    /// The product.
    pub fn product(&self) -> &'static Product {
        self.settings.cluster.product()
    }

    /// The files, in the product's order.
    pub fn files(&self) -> &[SetFile] {
        &self.files
    }

    /// The bytes of `spec`: as the set holds them, or, for a file only nodes get, made from the set's files.
    pub fn contents(&self, spec: &'static FileSpec) -> Result<Cow<'_, [u8]>> {
        if let Some(file) = self.files.iter().find(|f| f.spec.name == spec.name) {
            return Ok(Cow::Borrowed(&file.contents));
        }
        match spec.holds {
            Holds::Chain(roles) => {
                let mut chain = Vec::new();
                for role in roles {
                    chain.extend_from_slice(&self.holding(|h| matches!(h, Holds::Certificate(r) if *r == *role))?);
                }
                Ok(Cow::Owned(chain))
            }
            _ => Err(self.missing(spec.name)),
        }
    }

    /// The certificate of `role`, from the first file that holds it.
    pub fn certificate(&self, role: CertRole) -> Result<CertificateDer<'static>> {
        let spec = self.spec_holding(|h| matches!(h, Holds::Certificate(r) if *r == role))?;
        let pem = pem::parse(&self.contents(spec)?[..])
            .map_err(|e| Error::unreadable(spec.name, format!("not a PEM certificate: {e}")))?;
        Ok(CertificateDer::from(pem.into_contents()))
    }

    /// The private key of `role`, from the first file that holds it.
    pub fn key(&self, role: CertRole) -> Result<RsaKey> {
        let spec = self.spec_holding(|h| matches!(h, Holds::PrivateKey(r) if *r == role))?;
        crate::formats::key::load_bytes(spec.name.as_ref(), &self.contents(spec)?, || {
            Err(Error::key(spec.name, "key is encrypted; init writes it in the clear"))
        })
    }

    /// The set's ledger: its settings and every certificate issued for it.
    pub fn ledger(&self) -> Result<Ledger> {
        let spec = self.spec_holding(|h| matches!(h, Holds::Ledger))?;
        Ledger::parse(Path::new(spec.name), &self.contents(spec)?)
    }

    /// The files `role` gets, with their contents.
    pub fn node_files(&self, role: NodeRole) -> Result<Vec<NodeFile>> {
        self.product()
            .files_of(role, self.settings.secure_vault)
            .map(|(spec, placement)| {
                Ok(NodeFile {
                    placement,
                    spec,
                    contents: Zeroizing::new(self.contents(spec)?.into_owned()),
                })
            })
            .collect()
    }

    /// The output directory's files, as a plan to publish.
    pub fn plan(&self) -> Plan {
        let mut plan = Plan::default();
        for file in &self.files {
            plan.add(
                file.spec.name,
                file.contents.to_vec(),
                file.spec.mode(),
                file.spec.description,
            );
        }
        plan
    }

    fn spec_holding(&self, pick: impl Fn(&Holds) -> bool) -> Result<&'static FileSpec> {
        self.product()
            .file_holding(pick)
            .ok_or_else(|| self.missing("(a file the product does not declare)"))
    }

    fn holding(&self, pick: impl Fn(&Holds) -> bool) -> Result<Cow<'_, [u8]>> {
        self.contents(self.spec_holding(pick)?)
    }

    fn missing(&self, name: &str) -> Error {
        Error::unreadable(name, format!("the {} set holds no such file", self.product().name))
    }
}
