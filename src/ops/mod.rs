//! One module per command, each with one entry point taking a request and returning a report, and the pure
//! plans under it. It may import every layer below: `wso2`, `model`, `formats`, `io`, `vocab`, `error`.

pub mod apns;
pub mod build;
pub mod bundle;
pub mod check;
pub mod findings;
pub mod init;
pub mod inspect;
pub mod merge;
pub mod rotate;
pub mod verify;
