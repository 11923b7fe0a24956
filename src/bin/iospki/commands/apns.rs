//! `iospki apns`.

use std::path::Path;
use std::process::ExitCode;

use iospki::error::{Error, Result};
use iospki::ops::Password;
use iospki::ops::apns::{
    CsrRequest, Holder, ImportRequest, RequestToCheck, SignRequest, VendorKey, WrittenFile, run_check, run_csr,
    run_import, run_sign,
};

use crate::cli::{ApnsCommand, CheckRequestArgs, CsrArgs, ImportArgs, SignArgs};
use crate::print::{info, warning};

pub fn run(command: ApnsCommand) -> Result<ExitCode> {
    match command {
        ApnsCommand::Csr(args) => make_csr(Holder::Push, args),
        ApnsCommand::VendorCsr(args) => make_csr(Holder::Vendor, args),
        ApnsCommand::Sign(args) => sign(args),
        ApnsCommand::CheckRequest(args) => check(args),
        ApnsCommand::Import(args) => import_certificate(args),
    }
}

/// The password of an encrypted input key: from the environment or a prompt.
fn key_password(key: &Path) -> Result<Password> {
    super::input_key_password(key, "")
}

fn make_csr(holder: Holder, args: CsrArgs) -> Result<ExitCode> {
    // Before a key is generated, so that a blank name costs nothing.
    if let Some(cn) = &args.cn {
        iospki::ops::apns::common_name(cn).map_err(|e| Error::invalid("--cn", e))?;
    }
    let written = run_csr(&CsrRequest {
        holder,
        common_name: args.cn,
        key: args.key,
        key_bits: args.key_bits.unwrap_or_default().bits(),
        out: args.out,
        force: args.force,
        key_password: &key_password,
        progress: &crate::print::progress,
    })?;
    list(&written)?;
    Ok(ExitCode::SUCCESS)
}

fn sign(args: SignArgs) -> Result<ExitCode> {
    let vendor_key = match (args.vendor_p12, args.vendor_key) {
        (Some(p12), _) => {
            let flag = args.vendor_p12_password_file.as_deref();
            let (password, _) = super::password_for(&p12, flag, "--vendor-p12-password-file", false)?;
            VendorKey::P12(p12, password)
        }
        (None, Some(path)) => VendorKey::File(path),
        (None, None) => {
            return Err(Error::invalid(
                "--vendor-key",
                "give the vendor key with --vendor-key FILE or --vendor-p12 FILE",
            ));
        }
    };
    let signed = run_sign(&SignRequest {
        csr: args.csr,
        vendor_cert: args.vendor_cert,
        vendor_key,
        chain: args.chain,
        apple_root: args.apple_root,
        digest: args.digest,
        out: args.out,
        force: args.force,
        key_password: &key_password,
    })?;
    warn(&signed.warnings);
    info!(
        "wrote {}: the push certificate request ({} signature); the customer uploads it at \
         https://identity.apple.com/pushcert (Renew on the existing certificate's row, same Apple ID)",
        signed.out.display(),
        signed.digest.name()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckRequestArgs) -> Result<ExitCode> {
    let checked = run_check(&RequestToCheck {
        request: args.request,
        csr: args.csr,
        apple_root: args.apple_root,
    })?;
    let signature = checked.digest.map(|digest| {
        format!(
            "signature: {} over the CSR, verified with the vendor certificate's key",
            digest.name()
        )
    });
    super::print_report(&checked.report, args.json, signature.as_slice())
}

fn import_certificate(args: ImportArgs) -> Result<ExitCode> {
    let flag = args.password_file.as_deref();
    let pfx_password = |pfx: &Path| super::password_for(pfx, flag, "--password-file", true);
    let imported = run_import(&ImportRequest {
        cert: args.cert,
        key: args.key,
        out: args.out,
        previous: args.previous,
        protection: args.p12_profile,
        accept_new_topic: args.accept_new_topic,
        force: args.force,
        key_password: &key_password,
        pfx_password: &pfx_password,
    })?;
    warn(&imported.warnings);
    list(&imported.files)?;
    info!("topic:   {}", imported.topic);
    info!("expires: {}", imported.not_after);
    if let Some(previous) = imported.previous_topic.filter(|p| *p != imported.topic) {
        info!("the topic was {previous}: every enrolled device must enrol again");
    }
    info!(
        "enter in WSO2's iOS platform configuration what {} lists",
        imported.platform_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn list(files: &[WrittenFile]) -> Result<()> {
    for file in files {
        info!(
            "wrote {} ({:04o}): {}",
            file.path.display(),
            file.mode,
            file.description
        );
    }
    Ok(())
}

fn warn(warnings: &[String]) {
    for warning in warnings {
        warning!("{warning}");
    }
}
