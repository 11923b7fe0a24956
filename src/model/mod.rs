//! What a cluster's PKI is, as data: the product declarations, the cluster and its settings, the description
//! file, the ledger and the set of files. It may import `formats`, `io`, `vocab`, `error`; never `wso2` or `ops`.

pub mod cluster;
pub mod config;
pub mod defaults;
pub mod ledger;
pub mod product;
pub mod set;
pub mod settings;
