//! Merging into a node's existing stores: every entry it has is kept, except those iospki replaces by alias.
//!
//! Replacing a node's client-truststore.jks with a new one drops the trusted CAs it needs for outbound TLS
//! (Apple's push service among them), and replacing wso2carbon.jks drops keys other configuration may name.

use std::path::Path;

use crate::error::{Error, Result};
use crate::formats::keystore::{self, Entry, Integrity, Keystore, PrivateKey};
use crate::io::input::{self, Kind};
use crate::io::secret::Password;
use crate::model::product::{Holds, Product};

/// A node's existing stores, read (never written) from its security directory.
#[derive(Debug)]
pub struct Existing {
    stores: Vec<(&'static str, Keystore)>,
    password: Password,
}

/// What a merge did to one store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    /// The store's file name.
    pub store: &'static str,
    /// Aliases iospki added.
    pub added: Vec<String>,
    /// Aliases iospki replaced.
    pub replaced: Vec<String>,
    /// How many existing entries were kept as they were.
    pub kept: usize,
    /// Kept key entries whose key password is not the existing store password: they keep their own.
    pub own_key_password: Vec<String>,
    /// Key entries left out of a truststore, which holds certificates only (Java trusts no certificate of a key
    /// entry there); the node's own file keeps them.
    pub dropped_keys: Vec<String>,
}

impl Existing {
    /// Reads whichever of `product`'s Java keystores exist in `dir` (JKS or PKCS#12, told from the bytes),
    /// checking each with `password`. An error when `dir` holds none of them.
    pub fn load(dir: &Path, password: Password, product: &Product) -> Result<Existing> {
        let names: Vec<&'static str> = product
            .files
            .iter()
            .filter(|f| matches!(f.holds, Holds::Store(..)))
            .map(|f| f.name)
            .collect();
        let mut stores = Vec::new();
        for name in &names {
            let path = dir.join(name);
            if path.symlink_metadata().is_err() {
                continue;
            }
            let data = input::read(&path, Kind::Data)?;
            let opened = keystore::open(&data, Some(&password)).map_err(|source| Error::Store {
                path: path.clone(),
                source,
            })?;
            // Its entries would enter a new store whose digest vouches for them; without a MAC, any of them
            // may have been planted by whoever could write the file.
            if opened.integrity == Integrity::NotChecked {
                return Err(Error::Refused {
                    path,
                    reason: "has no MAC, so its entries may have been changed by anyone who could write it: iospki \
                             does not carry them into a new store; check them and write the store again with a MAC \
                             (keytool -importkeystore)"
                        .into(),
                });
            }
            stores.push((*name, opened.store));
        }
        if stores.is_empty() {
            return Err(Error::unreadable(
                dir,
                format!(
                    "holds none of {}; give the node's repository/resources/security",
                    names.join(", ")
                ),
            ));
        }
        Ok(Existing { stores, password })
    }

    /// Merges iospki's new `store` into the existing store called `name`, if there is one; a truststore
    /// (`certificates_only`) keeps no key entry.
    pub fn merge_into(
        &mut self,
        name: &'static str,
        store: Keystore,
        new_password: &Password,
        certificates_only: bool,
    ) -> (Keystore, Option<MergeReport>) {
        match self.stores.iter().position(|(n, _)| *n == name) {
            Some(index) => {
                let (_, existing) = self.stores.swap_remove(index);
                let passwords = (&self.password, new_password);
                let (merged, report) = merge(name, existing, store, passwords, certificates_only);
                (merged, Some(report))
            }
            None => (store, None),
        }
    }
}

/// `existing` with `new`'s entries added or put in place of the entries with their aliases. Kept keys are
/// re-protected with the new password when they open with the existing one (`passwords`: existing, new; key
/// password = store password, as Tomcat and WSO2 expect); others keep their own key password. With
/// `certificates_only` (a truststore) existing key entries are left out.
pub fn merge(
    name: &'static str,
    existing: Keystore,
    new: Keystore,
    passwords: (&Password, &Password),
    certificates_only: bool,
) -> (Keystore, MergeReport) {
    let (existing_password, new_password) = passwords;
    let mut report = MergeReport {
        store: name,
        added: Vec::new(),
        replaced: Vec::new(),
        kept: 0,
        own_key_password: Vec::new(),
        dropped_keys: Vec::new(),
    };
    let existing_aliases: Vec<String> = existing.entries().iter().map(|e| e.alias.clone()).collect();
    let mut merged = Keystore::new();
    for item in existing.into_entries() {
        if new.get(&item.alias).is_some() {
            continue;
        }
        if certificates_only && item.entry.is_key() {
            report.dropped_keys.push(item.alias);
            continue;
        }
        let entry = reprotect(item.entry, &item.alias, existing_password, new_password, &mut report);
        // Aliases from a store that was read are valid aliases.
        let _ = merged.insert(&item.alias, item.created, entry);
        report.kept += 1;
    }
    for item in new.into_entries() {
        let list = if existing_aliases.contains(&item.alias) {
            &mut report.replaced
        } else {
            &mut report.added
        };
        list.push(item.alias.clone());
        let _ = merged.insert(&item.alias, item.created, item.entry);
    }
    (merged, report)
}

fn reprotect(entry: Entry, alias: &str, old: &Password, new: &Password, report: &mut MergeReport) -> Entry {
    let Entry::PrivateKey { key, chain } = entry else {
        return entry;
    };
    if !matches!(key, PrivateKey::JksProtected(_)) || old == new {
        return Entry::PrivateKey { key, chain };
    }
    match key.secret_pkcs8(alias, old) {
        Ok(pkcs8) => Entry::key(&pkcs8, chain),
        Err(_) => {
            report.own_key_password.push(alias.to_owned());
            Entry::PrivateKey { key, chain }
        }
    }
}
