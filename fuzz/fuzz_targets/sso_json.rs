//! Fuzzes iospki::fuzzing::sso_json; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::sso_json(data));
