//! Fuzzes iospki::fuzzing::apns_request; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::apns_request(data));
