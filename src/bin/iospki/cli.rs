//! Command-line definitions.

mod choices;
mod examples;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use iospki::ops::Digest;
use iospki::ops::Protection;
use iospki::ops::defaults::{BUNDLE_DIR, OUT_DIR, SSL_ALIAS, WITHIN};
use iospki::ops::{Layout, ProductId, StoreFormat, VaultCipher};

/// The PKI of a clustered WSO2 / Entgra IoT Server for iOS, without openssl or keytool.
#[derive(Debug, Parser)]
#[command(name = "iospki", version, about, after_long_help = examples::IOSPKI)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print only errors, what makes the exit code 1 (check's due certificates, verify's problems) and the data
    /// asked for (inspect, --json): no progress, no list of what was written, no summary, no warnings.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Print more where a command has more to say (check: each certificate's serial and SHA-256).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the CA (from the nginx key), RA and SSL certificates, PKCS#12 files, JKS keystores and WSO2 XML.
    ///
    /// The files are built in memory, written and synced to disk in a staging directory beside DIR and swapped in
    /// with one rename, so a crash leaves the old set or the new one, never a mix. Files in DIR that iospki does not
    /// write (your nginx key, say) are kept; a DIR that already holds iospki's files is replaced only with --force.
    /// Runs on the same directory take turns. Exit 0 done, 1 the new set has problems, 2 could not do it (one line
    /// on stderr: "iospki: FILE: PROBLEM").
    #[command(after_long_help = examples::INIT)]
    Init(InitArgs),
    /// Show what certificate, key, JKS and PKCS#12 files hold: aliases, subjects, validity, fingerprints, protection.
    ///
    /// Per entry: alias, entry type, creation date (JKS), and per certificate subject, issuer, serial (decimal and
    /// hex), validity and days left, SHA-256 fingerprint, public key, signature algorithm, key usage, extended key
    /// usage, subjectAltName and basic constraints. Per store: its protection and who can read it (e.g. "needs
    /// Java 8u301+ or OpenSSL 1.1.1+", or "any Java"). Private keys show algorithm and size only, never the key.
    /// A JKS store whose password is unknown is listed with "Integrity: NOT checked", as keytool -list does. Exit
    /// 0 when every file was read, 2 when one was not (named on stderr; the others are still shown).
    #[command(after_long_help = examples::INSPECT)]
    Inspect(InspectArgs),
    /// Check an init output directory, a server home, a bundle or an apns import the way the server will open it.
    /// Exit 0 sound, 1 problems.
    ///
    /// Prints one line per finding, "problem:" or "warning:", with what is wrong, where, and how to fix it. It
    /// checks that every store opens with its configured type and password and that Java 8 before 8u301 can read
    /// it; that wso2carbon.jks has the KeyAlias key with the chain SSL + CA, and wso2certs.jks the CA and RA keys
    /// certificate-config.xml names; that every key matches its certificate and the CA issued the RA and SSL
    /// certificates; that the SSL certificate meets Apple's rules (subjectAltName with the cluster's hosts, EKU
    /// serverAuth, at most 825 days, RSA 2048+, SHA-2); that client-truststore.jks trusts the CA and holds no
    /// private key; that the XML files are complete; that no certificate ends after the CA that issued it; and that
    /// nothing expires within --within. Published default passwords are warnings. Exit 0 sound (warnings allowed),
    /// 1 problems found, 2 could not run.
    #[command(after_long_help = examples::VERIFY)]
    Verify(VerifyArgs),
    /// List when every certificate under PATH expires. Exit 0 none within the window, 1 some, 2 unreadable input.
    ///
    /// An expiry inventory over certificate and keystore files (PEM, DER, PKCS#12, JKS). A certificate that ends
    /// after the certificate in the same file that issued it is marked OUTLIVES ITS ISSUER. Exit 0 when nothing
    /// expires within the window and nothing outlives its issuer, 1 when something does, 2 when a file could not be
    /// read: fit for cron and systemd timers.
    #[command(after_long_help = examples::CHECK)]
    Check(CheckArgs),
    /// Renew certificates of an init output directory (by default those expiring within --within), atomically,
    /// keeping the previous set in DIR/backup/. Exit 0 done or nothing due, 1 problems after, 2 error.
    ///
    /// The CA is kept unless --ca, and keys are kept unless --rekey. The PEM files, .p12 files, the three JKS
    /// stores (entries a merge brought in are kept), the XML and the ledger change together. The plan prints first,
    /// per alias: old and new serial, SHA-256 and notAfter. The previous set is kept in DIR/backup/TIME/, written in
    /// the same atomic exchange as the new set; afterwards verify runs on the new set. A renewal that would end
    /// after the CA that issues it is refused, with nothing written: renew the CA with it (--ca). The internal key
    /// of Identity Server 7 and API Manager 4 is never replaced, nor the [encryption] key: what the servers
    /// encrypted with them would be unreadable (--internal --rekey is refused; other renewals with --rekey renew
    /// its certificate and keep the key).
    ///
    /// A Java server reads its stores only at start. A CA rotation goes in three rolling rounds: copy only
    /// client-truststore.jks (it trusts the new CA and the old one, as cacert-SERIAL) to every node and restart them
    /// one at a time; then every other file, restarting again; then delete cacert-SERIAL from the truststore
    /// (keytool -delete) and copy it out once more.
    #[command(after_long_help = examples::ROTATE)]
    Rotate(RotateArgs),
    /// Make one bundle per node (a tree laid out as its server home, INSTALL.txt, SHA256SUMS, a .tar.gz).
    ///
    /// For every node of the cluster (IoT Server: each host; the other products: the machines of [nodes]) and for
    /// nginx, OUT/NODE/ holds exactly that node's files laid out as its server home, with INSTALL.txt (where each
    /// file goes, what to restart) and SHA256SUMS (sha256sum -c SHA256SUMS); OUT/NODE.tar.gz is the same, unpacked
    /// with tar -xzpf NODE.tar.gz -C PRODUCT_HOME (nginx: -C /etc/nginx). Managers get the three stores,
    /// certificate-config.xml, iot-api-config.xml and iot_default.xml; workers the three stores,
    /// certificate-config.xml and iot_default.xml; key managers wso2carbon.jks, client-truststore.jks and
    /// iot_default.xml; nginx the chain (SSL certificate, then the CA) and the key. The archives are reproducible:
    /// the same set gives byte-identical files. Check one with iospki verify --bundle before installing it.
    #[command(after_long_help = examples::BUNDLE)]
    Bundle(BundleArgs),
    /// Generate an RSA private key (PKCS#8 PEM, mode 0600), e.g. a new nginx key.
    ///
    /// The key is written atomically; an existing FILE is replaced only with --force, and never when it is not a
    /// regular file (a device, a pipe).
    #[command(after_long_help = examples::GENKEY)]
    Genkey(GenkeyArgs),
    /// The iOS MDM push certificate: keys and CSRs, the vendor-signed request for identity.apple.com, its check,
    /// and Apple's certificate into the .pfx WSO2 takes, with its topic.
    ///
    /// Every offline step of the yearly renewal: no password on the command line, keys written 0600, nothing
    /// downloaded, the request refused when Apple would refuse it, a .pfx that Java 8 reads, the topic read from
    /// the certificate, and a renewal that changes the topic refused. Uploading at identity.apple.com and getting
    /// the vendor certificate stay in a browser. The procedure: docs/apns.md.
    #[command(subcommand, after_long_help = examples::APNS)]
    Apns(ApnsCommand),
    /// Print the completion script for a shell on standard output.
    ///
    /// Where to put it so the shell finds it: docs/man-and-completions.md.
    #[command(after_long_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Write the man pages into DIR: iospki.1 and one per subcommand (iospki-init.1, iospki-apns-sign.1, ...).
    ///
    /// Each page is written atomically, mode 0644; DIR is created with mode 0755 if it is missing. Pages of an
    /// earlier run are replaced only with --force, and then nothing else in DIR is touched.
    #[command(after_long_help = examples::MAN)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Where to write the pages, e.g. /usr/local/share/man/man1.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Replace the pages of an earlier run in DIR.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApnsCommand {
    /// Make the customer's push key (DIR/push.key, PKCS#8, 0600) and its CSR (DIR/push.csr), which the vendor signs.
    #[command(after_long_help = examples::APNS_CSR)]
    Csr(CsrArgs),
    /// Make the vendor key (DIR/vendor.key) and the CSR (DIR/vendor.csr) that Apple's developer portal turns into
    /// the MDM vendor certificate.
    #[command(after_long_help = examples::APNS_VENDOR_CSR)]
    VendorCsr(CsrArgs),
    /// Sign a push CSR with the vendor key into the request to upload at identity.apple.com (a base64 XML plist),
    /// refusing what Apple would refuse. Downloads nothing.
    ///
    /// Refused as Apple would refuse them: a wrong or expired intermediate, an expired vendor certificate, a push
    /// key under 2048 bits, PEM in 76-column lines.
    #[command(after_long_help = examples::APNS_SIGN, override_usage = SIGN_USAGE)]
    Sign(SignArgs),
    /// Check a push certificate request made by any tool. Exit 0 sound, 1 problems, 2 unreadable.
    #[command(after_long_help = examples::APNS_CHECK_REQUEST)]
    CheckRequest(CheckRequestArgs),
    /// Pack Apple's push certificate with the push key into DIR/mdm-push.pfx for WSO2, and write its topic and
    /// what to enter in WSO2's iOS platform configuration.
    ///
    /// DIR gets mdm-push.pfx (0600: the push key with Apple's certificate, alias mdm-push), mdm-push.pem (Apple's
    /// certificate), mdm-push-topic.txt (the topic) and wso2-ios-platform.txt (each field of WSO2's iOS platform
    /// configuration and what to enter). With --previous, a topic that changed is refused: every device would have
    /// to enrol again.
    #[command(after_long_help = examples::APNS_IMPORT)]
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct CsrArgs {
    /// Where to write the key and the CSR; created with mode 0700.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Make the CSR for this RSA key (2048 bits or more) instead of a new one; the key is not copied into DIR.
    #[arg(long, value_name = "FILE", conflicts_with = "key_bits")]
    pub key: Option<PathBuf>,

    /// The CSR's common name (Apple writes its own subject into the certificate).
    #[arg(long, value_name = "NAME")]
    pub cn: Option<String>,

    /// Size of the new key [default: 2048].
    #[arg(long, value_name = "BITS", value_enum)]
    pub key_bits: Option<KeyBits>,

    /// Replace the key and CSR of an earlier run in DIR.
    #[arg(long)]
    pub force: bool,
}

/// RSA key sizes for push and vendor keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum KeyBits {
    /// What Apple's own tools make.
    #[default]
    #[value(name = "2048")]
    Rsa2048,
    #[value(name = "4096")]
    Rsa4096,
}

impl KeyBits {
    pub fn bits(self) -> usize {
        match self {
            KeyBits::Rsa2048 => 2048,
            KeyBits::Rsa4096 => 4096,
        }
    }
}

/// The usage of `apns sign` on lines that fit a terminal: clap does not wrap a usage line, and its own is 144
/// columns wide.
const SIGN_USAGE: &str = "iospki apns sign --csr <FILE> --vendor-cert <FILE>
       <--vendor-key <FILE>|--vendor-p12 <FILE>>
       --chain <FILE>... --out <REQUEST.b64> [OPTIONS]";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("vendor_key_source").required(true).args(["vendor_key", "vendor_p12"])))]
pub struct SignArgs {
    /// The customer's push CSR (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub csr: PathBuf,

    /// The MDM vendor certificate from Apple's developer portal (mdm.cer; DER or PEM).
    #[arg(long, value_name = "FILE")]
    pub vendor_cert: PathBuf,

    /// The vendor key (PEM or DER, PKCS#1 or PKCS#8; if encrypted, its password from $IOSPKI_KEY_PASSWORD or a
    /// prompt).
    #[arg(long, value_name = "FILE")]
    pub vendor_key: Option<PathBuf>,

    /// The vendor key in a PKCS#12 file instead, as a keychain exports it.
    #[arg(long, value_name = "FILE")]
    pub vendor_p12: Option<PathBuf>,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the --vendor-p12 password (else $IOSPKI_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE", requires = "vendor_p12")]
    pub vendor_p12_password_file: Option<PathBuf>,

    /// The intermediate that issued the vendor certificate (Apple WWDR G3), then the root (Apple Inc. Root); DER or
    /// PEM, as downloaded from apple.com/certificateauthority. Give it once per certificate, in that order.
    #[arg(long = "chain", value_name = "FILE", required = true)]
    pub chain: Vec<PathBuf>,

    /// The root the chain must end at, instead of Apple Root CA (known by its SHA-256, B0:B1:73:0E:...:F0:24);
    /// for a test PKI that stands in for Apple's.
    #[arg(long, value_name = "FILE")]
    pub apple_root: Option<PathBuf>,

    /// The signature's hash: sha256 as Apple asks today; sha1 only for vendor certificates that need it.
    #[arg(long, value_name = "DIGEST", value_parser = choices::digest(), default_value = Digest::default().key())]
    pub digest: Digest,

    /// Where to write the request.
    #[arg(long, value_name = "REQUEST.b64")]
    pub out: PathBuf,

    /// Replace the request file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CheckRequestArgs {
    /// The request (base64 of the XML plist), as uploaded to identity.apple.com.
    #[arg(value_name = "REQUEST.b64")]
    pub request: PathBuf,

    /// Also check that the request carries this CSR (PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub csr: Option<PathBuf>,

    /// The root the chain must end at, instead of Apple Root CA (known by its SHA-256, B0:B1:73:0E:...:F0:24);
    /// for a test PKI that stands in for Apple's.
    #[arg(long, value_name = "FILE")]
    pub apple_root: Option<PathBuf>,

    /// Print JSON (schema iospki.apns-check/1) instead of one line per finding.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Apple's push certificate (MDM_<Vendor>_Certificate.pem from identity.apple.com; PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,

    /// The push key whose CSR went into the request (push.key of iospki apns csr).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,

    /// The certificate this one renews (PEM or DER) or its .pfx (opened with the same password): the topic must
    /// stay the same.
    #[arg(long, value_name = "OLD.pem|OLD.pfx")]
    pub previous: Option<PathBuf>,

    /// Protection of the .pfx: legacy (3DES, HMAC-SHA1) is read by every Java 8; modern needs Java 8u301+.
    #[arg(long, value_name = "PROFILE", value_parser = choices::protection(), default_value = Protection::default().key())]
    pub p12_profile: Protection,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the .pfx password (else $IOSPKI_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Accept a topic other than the previous certificate's: every enrolled device will have to enrol again.
    #[arg(long, requires = "previous")]
    pub accept_new_topic: bool,

    /// Where to write mdm-push.pfx, mdm-push.pem, mdm-push-topic.txt and wso2-ios-platform.txt.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Replace the files of an earlier import in DIR.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The output directory of iospki init.
    ///
    /// In an output directory, the PEM and .p12 files must also agree with the stores.
    #[arg(value_name = "DIR", default_value = OUT_DIR, conflicts_with = "home")]
    pub dir: PathBuf,

    /// A server home of --product instead: read repository/conf/carbon.xml, the product's files that name
    /// stores (certificate-config.xml, the apps' SSO settings) and host names, and the stores they name, with the
    /// passwords they hold.
    ///
    /// carbon.xml's KeyStore and TrustStore (location, type, password, KeyAlias, KeyPassword),
    /// certificate-config.xml, iot-api-config.xml and iot_default.xml are read as the server reads them. Each
    /// Jaggery app that checks SAML responses must name a store that opens as JKS and holds the IdP's signing key.
    /// An element of carbon.xml close to one the server reads (<MgtHostNam>) is a warning naming its line. Every
    /// host name in carbon.xml and the SSO settings must be covered by the server's certificate.
    #[arg(long, visible_alias = "iots-home", value_name = "HOME", conflicts_with = "bundle")]
    pub home: Option<PathBuf>,

    /// The product of --home.
    #[arg(
        long,
        value_name = "PRODUCT",
        value_parser = choices::product(),
        default_value = choices::default_product(),
        requires = "home"
    )]
    pub product: ProductId,

    /// The release of --home's deployment.toml product (is: 7.0 to 7.3, apim: 4.3 to 4.6): its
    /// repository/conf/deployment.toml and the stores it names are read instead of carbon.xml.
    #[arg(long, value_name = "VERSION", requires = "home")]
    pub version: Option<String>,

    /// Nodes' bundles from iospki bundle instead: each one's SHA256SUMS, then its files as the node will use
    /// them; given several, that every server node holds the same key.
    ///
    /// Read as tar -xzpf would install it, in memory, nothing written to disk. The node's product and role are
    /// the ones its INSTALL.txt names. Every entry must be a regular file that bundle writes for that node, with
    /// the mode it writes (secrets 0600) and owner 0:0, and match its SHA256SUMS line. SHA256SUMS travels inside
    /// the archive and is not signed: compare sha256sum of the archive with the machine that made it.
    #[arg(long, value_name = "FILE.tar.gz", num_args = 1.., conflicts_with = "dir")]
    pub bundle: Vec<PathBuf>,

    /// The output directory of iospki apns import instead: the .pfx opens with the password and Java 8 reads it,
    /// its key is its certificate's, which has a push topic, is mdm-push.pem and has the topic of
    /// mdm-push-topic.txt.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["dir", "home", "bundle"])]
    pub apns: Option<PathBuf>,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), DIR's store password, or the .pfx password with --apns (else $IOSPKI_PASSWORD,
    /// else wso2carbon).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// carbon.xml's KeyAlias for DIR's wso2carbon.jks.
    #[arg(long, value_name = "ALIAS", default_value = SSL_ALIAS)]
    pub ssl_alias: String,

    /// Report certificates that expire within this time (e.g. 30d, 12h, 2w; a bare number is days).
    ///
    /// Units m, h, d and w, and combinations (1w 2d), up to 36500 days; months and years are refused, as their
    /// length varies.
    #[arg(long, value_name = "TIME", default_value = WITHIN, value_parser = parse_duration)]
    pub within: time::Duration,

    /// Print JSON (schema iospki.verify/1) instead of one line per finding.
    ///
    /// {schema, target, findings: [{severity, location, what, fix}]}.
    #[arg(long)]
    pub json: bool,
}

/// The longest window iospki takes: longer ones hold every certificate anyway.
const MAX_WINDOW_DAYS: u64 = 36_500;

/// A duration like `30d`, `12h`, `2w`, `90m`, `1w 2d` (humantime's units), or a bare number of days. Months and
/// years are refused: their length varies.
pub fn parse_duration(text: &str) -> Result<time::Duration, String> {
    let given = text.trim();
    let days = given.parse::<u64>().ok();
    let parsed = match days {
        Some(days) if days > MAX_WINDOW_DAYS => return Err(too_long(text)),
        Some(days) => std::time::Duration::from_secs(days * 86_400),
        None => {
            let calendar = given
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|unit| matches!(unit, "y" | "year" | "years" | "M" | "month" | "months"));
            if calendar {
                return Err(format!(
                    "'{text}': months and years vary in length; give days, e.g. 365d"
                ));
            }
            humantime::parse_duration(given).map_err(|e| match e {
                humantime::DurationError::NumberOverflow => too_long(text),
                _ => format!("'{text}' is not a duration like 30d, 12h or 2w (units m, h, d, w)"),
            })?
        }
    };
    if parsed.as_secs() > MAX_WINDOW_DAYS * 86_400 {
        return Err(too_long(text));
    }
    time::Duration::try_from(parsed).map_err(|_| too_long(text))
}

fn too_long(text: &str) -> String {
    format!("'{text}' is longer than {MAX_WINDOW_DAYS} days")
}

/// A key size iospki generates.
fn key_bits(text: &str) -> Result<u16, String> {
    let range = iospki::ops::defaults::KEY_BITS_RANGE;
    match text.parse::<u16>() {
        Ok(bits) if range.contains(&bits) => Ok(bits),
        _ => Err(format!(
            "{text} is not a key size from {} to {}",
            range.start(),
            range.end()
        )),
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Certificate or keystore files, or directories to walk (.pem .crt .cer .der .p12 .pfx .jks .keystore .truststore).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The window: certificates expiring within it are reported (e.g. 30d, 12h, 2w; a bare number is days).
    ///
    /// Units m, h, d and w, and combinations (1w 2d), up to 36500 days; months and years are refused, as their
    /// length varies.
    #[arg(long, value_name = "TIME", default_value = WITHIN, value_parser = parse_duration)]
    pub within: time::Duration,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the keystore password (else $IOSPKI_PASSWORD, else the published defaults).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Print JSON (schema iospki.check/1) instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Also walk the backups a rotation keeps in a set's backup/ (left out by default: they are not in use).
    #[arg(long)]
    pub backups: bool,

    /// Also write a node_exporter textfile here (atomically), e.g. /var/lib/node_exporter/iospki.prom.
    ///
    /// Metrics iospki_certificate_not_after_seconds, iospki_certificate_expiring and
    /// iospki_certificate_outlives_issuer with file, alias, subject and serial labels (and topic for push
    /// certificates), plus iospki_check_errors and iospki_check_timestamp_seconds.
    #[arg(long, value_name = "FILE")]
    pub prometheus: Option<PathBuf>,

    /// Leave out Mozilla's public root CAs that init puts in client-truststore.jks, known by their bytes (not
    /// their alias): their renewal comes with a new iospki, not with rotate.
    #[arg(long)]
    pub no_public_roots: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The output directory of iospki init.
    #[arg(value_name = "DIR", default_value = OUT_DIR)]
    pub dir: PathBuf,

    /// Renew the SSL certificate (Identity Server 7, API Manager 4: the TLS certificate).
    #[arg(long)]
    pub ssl: bool,

    /// Renew the primary key's certificate (Identity Server 7, API Manager 4).
    #[arg(long)]
    pub primary: bool,

    /// Renew the internal key's certificate, keeping the key (Identity Server 7, API Manager 4).
    ///
    /// The internal key is never replaced: what the servers encrypted with it would be unreadable under a new
    /// one, so --internal with --rekey is refused. WSO2 moves to a new key by re-encrypting the data
    /// (deployment.toml [encryption] old_key for the symmetric key; wso2/identity-tools'
    /// components/org.wso2.carbon.identity.keyrotation).
    #[arg(long)]
    pub internal: bool,

    /// Renew the RA certificate.
    #[arg(long)]
    pub ra: bool,

    /// Renew the CA, and every certificate under it; the truststore keeps trusting the old CA.
    ///
    /// IoT Server: the RA and SSL certificates; Identity Server 7 and API Manager 4: the TLS, primary and internal
    /// certificates (the internal key kept, even with --rekey). The old CA stays in the truststore
    /// (client-truststore.jks or .p12) as cacert-SERIAL, for the rolling restart; delete it once every node has
    /// the new files.
    #[arg(long)]
    pub ca: bool,

    /// Give the renewed certificates new keys (else they keep theirs); the internal key is always kept.
    #[arg(long)]
    pub rekey: bool,

    /// With none of --ssl, --ra, --ca, --primary, --internal: renew what expires within this time (e.g. 30d, 2w).
    #[arg(long, value_name = "TIME", default_value = WITHIN, value_parser = parse_duration)]
    pub within: time::Duration,

    /// Print the plan and stop.
    ///
    /// Per alias: old and new serial, SHA-256 and notAfter. Nothing is written.
    #[arg(long)]
    pub dry_run: bool,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the store password (else $IOSPKI_PASSWORD, else wso2carbon).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Print JSON instead of text.
    ///
    /// Its "changed" field says whether anything was renewed.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The output directory of iospki init.
    #[arg(value_name = "DIR", default_value = OUT_DIR)]
    pub dir: PathBuf,

    /// The cluster description whose hosts get bundles [default: ./iospki.toml if there is one (said on stderr),
    /// else the hosts DIR's ledger records].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where to write the bundles.
    ///
    /// Written atomically, as init writes its set; the key material in it is 0600, in 0700 directories.
    #[arg(long, value_name = "DIR", default_value = BUNDLE_DIR)]
    pub out: PathBuf,

    /// tar: per node, a tree laid out as its server home and a .tar.gz. k8s: per role, a Secret and a ConfigMap,
    /// as manifests in OUT/kubectl/ and as a Helm chart in OUT/helm/. ansible: an Ansible project that installs
    /// every node's files one node at a time (site.yml) and in the rounds of a CA rotation (rotate-ca.yml).
    ///
    /// k8s: apply with kubectl apply --server-side -f OUT/kubectl/ (client-side apply copies each Secret into an
    /// annotation limited to 256 KiB), or helm install iots-pki OUT/helm/. The XML files are in the Secret, as
    /// they hold passwords. For Identity Server 7 and API Manager 4: the stores' Secret and the ingress's TLS
    /// Secret in OUT/kubectl/ and OUT/values-iospki.yaml (0600, it holds the password) for WSO2's own chart,
    /// as OUT/INSTALL.txt says. ansible: ansible-playbook -i OUT/inventory.yml OUT/site.yml --become, with
    /// ansible-core 2.15 or later; set iospki_home, iospki_restart and iospki_health per host or group.
    #[arg(long, value_enum, default_value = "tar")]
    pub format: BundleFormat,

    /// With --format k8s: the manifests' namespace [default: none, kubectl's current one].
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,

    #[arg(long, value_name = "PREFIX", help = choices::name_prefix_help())]
    pub name_prefix: Option<String>,

    /// Print JSON (schema iospki.bundle/1: the nodes and every file written) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BundleFormat {
    Tar,
    K8s,
    Ansible,
}

#[derive(Debug, Args)]
pub struct GenkeyArgs {
    /// Where to write the key.
    ///
    /// Mode 0600, written atomically; an existing FILE only with --force.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Key size in bits.
    ///
    /// From 2048 to 8192; Apple's minimum is 2048.
    #[arg(long, value_name = "BITS", default_value_t = iospki::ops::defaults::KEY_BITS, value_parser = key_bits)]
    pub bits: u16,

    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files to inspect: PEM or DER certificates and keys, JKS and PKCS#12 keystores (the format is read from the bytes).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the keystore password (else $IOSPKI_PASSWORD, else the published defaults are tried).
    ///
    /// The published defaults are wso2carbon and changeit.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Print JSON (schema iospki.inspect/1, see docs/json/) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    // The help texts that list products are made from the declarations (cli/choices.rs).
    #[arg(long, value_name = "PRODUCT", value_parser = choices::product(), help = choices::product_help())]
    pub product: Option<ProductId>,

    /// The release of a deployment.toml product (is: 7.0 to 7.3; apim: 4.3 to 4.6; required for apim) [default
    /// for is: the guides' Identity Server 5.2, or the description's version].
    ///
    /// The release decides the stores' type (IS 7.1 and later: PKCS12, .p12; IS 7.0 and API Manager: JKS), whether
    /// deployment-security.toml carries an [encryption] key (IS 7), and what verify knows of the shipped defaults.
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,

    /// How a deployment.toml product's three keys are kept [default: separate, or the description's keystores].
    #[arg(long, value_name = "LAYOUT", value_parser = choices::layout())]
    pub keystores: Option<Layout>,

    /// The type of a deployment.toml product's stores, where not the release's default (IS 7.1 and later:
    /// pkcs12, the others: jks); the product reads either (deployment.toml's type) [default: the release's, or
    /// the description's store_type].
    #[arg(long, value_name = "TYPE", value_parser = choices::store_type())]
    pub store_type: Option<StoreFormat>,

    #[arg(long, value_name = "FILE", help = choices::ca_key_help().0, long_help = choices::ca_key_help().1)]
    pub key: Option<PathBuf>,

    /// A cluster description (iospki.toml, see examples/iospki.toml); the flags below override it [default:
    /// ./iospki.toml if there is one, which init says on stderr; --config wins].
    ///
    /// It says what flags cannot: the hosts of each role (all go into the SSL certificate's subjectAltName), the
    /// subject fields, each certificate's validity and first serial, and where the passwords are (a file or an
    /// environment variable, never the password itself). Unknown keys and bad values are errors naming the key and
    /// its line. Relative paths in it are taken from its own directory.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where to write the files [default: output].
    ///
    /// Created with mode 0700: it holds keys. It must have a name of its own (not ., .. or /).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    #[arg(long, value_name = "DOMAIN", help = choices::domain_help())]
    pub domain: Option<String>,

    #[arg(long, value_name = "HOST", help = choices::ssl_cn_help())]
    pub ssl_cn: Option<String>,

    /// Alias of the SSL key in wso2carbon.jks and KEYSTORE.p12; carbon.xml's KeyAlias [default: wso2carbon].
    ///
    /// carbon.xml's KeyStore/KeyAlias, in lower case as JKS keeps it: with another alias a fresh server finds no
    /// key.
    #[arg(long, value_name = "ALIAS")]
    pub ssl_alias: Option<String>,

    /// Replace iospki's files in DIR if it already holds them.
    ///
    /// Files in DIR that iospki does not write are kept either way.
    #[arg(long)]
    pub force: bool,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the store password (else $IOSPKI_PASSWORD, else wso2carbon).
    ///
    /// A final newline and a UTF-8 BOM are dropped; a second line is refused. Without this flag: the description's
    /// passwords.store_file or store_env, else $IOSPKI_PASSWORD, else wso2carbon, with a warning. Every store and
    /// key entry uses it (Tomcat and WSO2 expect key passwords equal to the store password).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the password of an encrypted --key (else $IOSPKI_KEY_PASSWORD, else a prompt).
    ///
    /// Without this flag: the description's passwords.key_file or key_env, else $IOSPKI_KEY_PASSWORD, else a
    /// prompt on the terminal.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,

    /// Protection of the .p12 files: legacy is read by every Java 8 and OpenSSL 3; modern needs Java 8u301+
    /// [default: legacy].
    ///
    /// IoT Server 3.x runs only on Java 8, which cannot read AES PKCS#12 before 8u301. The .jks files are real
    /// JKS whatever the profile.
    #[arg(long, value_name = "PROFILE", value_parser = choices::protection())]
    pub p12_profile: Option<Protection>,

    /// A node's repository/resources/security: keep every entry of its wso2carbon.jks, client-truststore.jks and
    /// wso2certs.jks (JKS or PKCS#12) except those iospki replaces by alias. The files there are only read.
    ///
    /// A node's client-truststore.jks holds the ~100 CAs the server needs for outbound TLS (Apple's push service
    /// among them): merging keeps them. The replaced aliases are wso2carbon (or --ssl-alias), cacert and racert;
    /// the results are written as JKS to --out, which must be another directory. Kept keys are re-protected with
    /// the new store password when they open with the node's.
    #[arg(long, value_name = "DIR")]
    pub merge_from: Option<PathBuf>,

    /// Leave Mozilla's public root CAs out of client-truststore.jks (they are added unless --merge-from keeps the
    /// node's own).
    #[arg(long)]
    pub no_public_roots: bool,

    /// Keep the stores' password out of the server's files: encrypt it with Secure Vault as WSO2's cipher tool
    /// does (RSA, PKCS#1 v1.5, under the key secret-conf.properties names) into cipher-text.properties, and name
    /// its aliases where the files held it. The server then needs the password once at start, in password-tmp.
    #[arg(long)]
    pub secure_vault: bool,

    /// The server home on every node, absolute, for --secure-vault: secret-conf.properties names the keystore
    /// under it (the server opens a relative location from its working directory, which its start script does
    /// not set) [default: relative to the home: start the server from its home].
    #[arg(long, value_name = "DIR")]
    pub server_home: Option<String>,

    /// How --secure-vault encrypts [default: asymmetric, or the description's [secure_vault] cipher].
    #[arg(long, value_name = "CIPHER", value_parser = choices::vault_cipher())]
    pub vault_cipher: Option<VaultCipher>,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the password of the stores in --merge-from [default: the store password].
    #[arg(long, value_name = "FILE", requires = "merge_from")]
    pub merge_password_file: Option<PathBuf>,

    /// Size of the RA and SSL keys iospki generates [default: 4096].
    ///
    /// From 2048 to 8192 bits. The keys are generated in parallel.
    #[arg(long, value_name = "BITS", value_parser = key_bits)]
    pub key_bits: Option<u16>,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser as _};

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// Every command line of every Examples section parses as iospki would parse it, and belongs to the command
    /// whose help shows it.
    #[test]
    fn every_example_parses() {
        let mut command = super::Cli::command().disable_help_subcommand(true);
        command.build();
        let mut count = 0;
        for (path, sub) in commands(&command) {
            let help = sub.get_after_long_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(help.starts_with("Examples:\n"), "{path}: no Examples section in --help");
            let lines = example_lines(&help);
            assert!(!lines.is_empty(), "{path}: no example command line");
            for words in lines {
                let own = path.split(' ').zip(&words).all(|(want, word)| want == word);
                assert!(own, "{path}: example of another command: {words:?}");
                if let Err(err) = super::Cli::try_parse_from(&words) {
                    panic!("{path}: example {words:?} does not parse:\n{err}");
                }
                count += 1;
            }
        }
        assert!(count >= 40, "only {count} examples");
    }

    /// `command` and every command under it, with its words ("iospki apns sign").
    fn commands(command: &clap::Command) -> Vec<(String, &clap::Command)> {
        let mut all = vec![(command.get_bin_name().unwrap_or("iospki").to_owned(), command)];
        for sub in command.get_subcommands() {
            all.extend(commands(sub));
        }
        all
    }

    /// The words of each example command line in `help`: lines starting with `iospki `, joined where one ends in
    /// a backslash, up to a shell redirection, pipe or `&&`.
    fn example_lines(help: &str) -> Vec<Vec<String>> {
        let mut examples = Vec::new();
        let mut lines = help.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if !line.starts_with("iospki ") {
                continue;
            }
            let mut text = line.to_owned();
            while let Some(head) = text.strip_suffix('\\') {
                text = format!("{head} {}", lines.next().unwrap_or_default());
            }
            let words = text.split_whitespace().take_while(|w| !matches!(*w, ">" | "|" | "&&"));
            examples.push(words.map(str::to_owned).collect());
        }
        examples
    }

    #[test]
    fn durations_parse_with_units() {
        use super::parse_duration;
        assert_eq!(parse_duration("30d").unwrap(), time::Duration::days(30));
        // The shortest validity is defined from the window in days.
        let window = i64::from(iospki::ops::defaults::WITHIN_DAYS);
        assert_eq!(
            parse_duration(iospki::ops::defaults::WITHIN).unwrap(),
            time::Duration::days(window)
        );
        assert_eq!(parse_duration("45").unwrap(), time::Duration::days(45));
        assert_eq!(parse_duration("12h").unwrap(), time::Duration::hours(12));
        assert_eq!(parse_duration("2w").unwrap(), time::Duration::weeks(2));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("99999999999999w").is_err());
        assert!(parse_duration("99999999999d").is_err());
        assert_eq!(parse_duration("1w 2d").unwrap(), time::Duration::days(9));
    }
}
