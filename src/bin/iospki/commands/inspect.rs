//! `iospki inspect`.

use std::process::ExitCode;

use iospki::error::Result;
use iospki::ops::inspect::{
    CertificateInfo, Content, EntryReport, FileReport, Format, InspectRequest, Integrity, KeyInfo, Report,
};

use crate::cli::InspectArgs;
use crate::print::{push, stderr};

pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let said = |error: &iospki::error::Error| super::file_error(error, "iospki inspect");
    let report = iospki::ops::inspect::run(&InspectRequest {
        password: super::password_to_open(args.password_file.as_deref())?,
        files: args.files,
        said: &said,
    });
    for error in &report.errors {
        stderr!("{error}");
    }
    if args.json {
        crate::print::json(&report)?;
    } else {
        crate::print::text(&render_text(&report))?;
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// The report as text for people.
fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for (index, file) in report.files.iter().enumerate() {
        if index > 0 {
            push!(&mut out, "");
        }
        render_file(&mut out, file);
    }
    out
}

fn render_file(out: &mut String, file: &FileReport) {
    push!(out, "{}", file.path);
    match &file.content {
        Content::Keystore {
            format,
            protection,
            integrity,
            password,
            warnings,
            entries,
            ..
        } => {
            push!(out, "Keystore type: {}", format.name());
            push!(out, "Protection: {protection}");
            let integrity = match (integrity, *password) {
                (Integrity::Verified, "published default") => "verified with a published default password",
                (Integrity::Verified, "empty") => "verified with the empty password",
                (Integrity::Verified, _) => "verified",
                (Integrity::NotChecked, _) if *format == Format::Pkcs12 => "NOT checked (the file has no MAC)",
                (Integrity::NotChecked, _) => "NOT checked (no password given; give --password-file)",
            };
            push!(out, "Integrity: {integrity}");
            for warning in warnings {
                push!(out, "Warning: {warning}");
            }
            push!(
                out,
                "Your keystore contains {} entr{}",
                entries.len(),
                plural(entries.len())
            );
            for entry in entries {
                render_entry(out, entry);
            }
        }
        Content::Pem {
            certificates,
            private_keys,
        } => {
            for key in private_keys {
                render_key(out, key);
            }
            for (index, cert) in certificates.iter().enumerate() {
                push!(out, "Certificate[{}]:", index + 1);
                render_certificate(out, cert);
            }
        }
        Content::DerCertificate { certificate } => render_certificate(out, certificate),
        Content::DerPrivateKey { private_key } => render_key(out, private_key),
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "y" } else { "ies" }
}

fn render_entry(out: &mut String, entry: &EntryReport) {
    push!(out, "");
    push!(out, "Alias name: {}", entry.alias);
    if let Some(created) = &entry.created {
        push!(out, "Creation date: {created}");
    }
    push!(out, "Entry type: {}", entry.entry_type);
    if entry.entry_type == "PrivateKeyEntry" {
        push!(out, "Certificate chain length: {}", entry.certificates.len());
    }
    for (index, cert) in entry.certificates.iter().enumerate() {
        push!(out, "Certificate[{}]:", index + 1);
        render_certificate(out, cert);
    }
}

fn render_key(out: &mut String, key: &KeyInfo) {
    let state = if key.encrypted { "encrypted" } else { "not encrypted" };
    push!(out, "Private key: {} ({}, {state})", key.algorithm, key.encoding);
}

fn render_certificate(out: &mut String, cert: &CertificateInfo) {
    let mut line = |label: &str, value: &str| {
        push!(out, "  {label:<16}{value}");
    };
    line("Owner:", &cert.subject);
    if let Some(topic) = &cert.apns_topic {
        line("Push topic:", topic);
    }
    line("Issuer:", &cert.issuer);
    line("Serial number:", &format!("{} (0x{})", cert.serial, cert.serial_hex));
    let left = match cert.days_left {
        d if d < 0 => format!("EXPIRED {} days ago", -d),
        d => format!("{d} days left"),
    };
    line(
        "Valid:",
        &format!("{} until {} ({left})", cert.not_before, cert.not_after),
    );
    line("SHA-256:", &cert.sha256);
    line("Public key:", &cert.public_key);
    line(
        "Signature:",
        &format!("{} (v{})", cert.signature_algorithm, cert.version),
    );
    if let Some(bc) = &cert.basic_constraints {
        let critical = if bc.critical { ", critical" } else { "" };
        let path_len = bc.path_len.map(|n| format!(", pathlen {n}")).unwrap_or_default();
        line(
            "Basic constr.:",
            &format!("CA:{}{path_len}{critical}", if bc.ca { "TRUE" } else { "FALSE" }),
        );
    }
    for (label, values) in [
        ("Key usage:", &cert.key_usage),
        ("Ext. key usage:", &cert.extended_key_usage),
        ("Alt. names:", &cert.subject_alt_names),
    ] {
        if !values.is_empty() {
            line(label, &values.join(", "));
        }
    }
}
