//! Fuzzes iospki::fuzzing::ledger; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::ledger(data));
