//! Fuzzes iospki::fuzzing::cluster_config; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::cluster_config(data));
