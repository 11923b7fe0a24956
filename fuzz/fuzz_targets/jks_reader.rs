//! Fuzzes iospki::fuzzing::jks_reader; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::jks_reader(data));
