//! Fuzzes iospki::fuzzing::key_loader; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::key_loader(data));
