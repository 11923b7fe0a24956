//! The integration tests, one binary: each module runs the built `iospki` against the real consumers of what it
//! writes (openssl, keytool, Java, kubectl, helm) or against hostile input. `util` holds what they share.

mod apns;
mod bad_input;
mod bundle;
mod check;
mod config;
mod crash;
mod fuzz_corpus;
mod identity_provider;
mod init_cli;
mod init_java;
mod init_openssl;
mod inspect;
mod k8s;
mod key_input;
mod keystores;
mod merge;
mod products;
mod rotate;
mod secrets;
mod sso;
mod util;
mod verify;
mod work_factors;
