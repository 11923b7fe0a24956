//! `iospki inspect`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::inspect::{Report, SCHEMA, inspect_file, render_text};

use crate::cli::InspectArgs;

pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let password = super::given_password(args.password_file.as_deref())?;
    let now = iospki::issue::now();
    let mut files = Vec::new();
    let mut failed = false;
    for path in &args.files {
        match inspect_file(path, password.as_ref(), now) {
            Ok(file) => files.push(file),
            Err(err) => {
                eprintln!("iospki: {err}");
                failed = true;
            }
        }
    }
    let report = Report { schema: SCHEMA, files };
    if args.json {
        let json = serde_json::to_string_pretty(&report).expect("the report serializes");
        println!("{json}");
    } else {
        print!("{}", render_text(&report));
    }
    Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
