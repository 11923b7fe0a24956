//! Fuzzes iospki::fuzzing::wso2_xml; see that function for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iospki::fuzzing::wso2_xml(data));
