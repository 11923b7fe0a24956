//! Fuzzes iospki::fuzzing::bundle_archive; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::bundle_archive(data));
