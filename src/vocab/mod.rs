//! The bottom layer: the words every other layer uses (host and node names, certificate and node roles) and
//! small text helpers (hex, printable, nesting). It imports nothing of iospki's but [`crate::error`].

pub mod hex;
pub mod names;
pub mod nesting;
pub mod printable;
pub mod roles;
