//! Files in and out: bounded reading of what a user gives, atomic publishing of what iospki writes, and the
//! passwords read from terminals, files and the environment. It may import `vocab` and `error`.

pub mod input;
pub mod output;
pub mod secret;
