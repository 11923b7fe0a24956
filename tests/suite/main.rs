//! The integration tests, one binary: each module runs the built `iospki` against the real consumers of what it
//! writes (openssl, keytool, Java, kubectl, helm, ansible-playbook) or against hostile input. `util` holds what they share.

mod ansible;
mod ansible_hostile;
mod apns;
mod bad_input;
mod bundle;
mod bundle_tampered;
mod check;
mod config;
mod crash;
mod depth;
mod fuzz_corpus;
mod identity_provider;
mod init_cli;
mod init_java;
mod init_openssl;
mod inspect;
mod json_schemas;
mod k8s;
mod key_input;
mod keystores;
mod merge;
mod password_sources;
mod products;
mod races_and_mounts;
mod rotate;
mod scheduled_jobs;
mod secrets;
mod sso;
mod util;
mod verify;
mod work_factors;
