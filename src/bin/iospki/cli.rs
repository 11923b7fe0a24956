//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use iospki::defaults::{BUNDLE_DIR, OUT_DIR, SSL_ALIAS, WITHIN};
use iospki::key::Digest;
use iospki::keystore::pkcs12::Protection;
use iospki::product::ProductId;

/// The PKI of a clustered WSO2 / Entgra IoT Server for iOS, without openssl or keytool.
#[derive(Debug, Parser)]
#[command(name = "iospki", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the CA (from the nginx key), RA and SSL certificates, PKCS#12 files, JKS keystores and WSO2 XML.
    Init(InitArgs),
    /// Show what certificate, key, JKS and PKCS#12 files hold: aliases, subjects, validity, fingerprints, protection.
    Inspect(InspectArgs),
    /// Check an init output directory, a server home, a bundle or an apns import the way the server will open it.
    /// Exit 0 sound, 1 problems.
    Verify(VerifyArgs),
    /// List when every certificate under PATH expires. Exit 0 none within the window, 1 some, 2 unreadable input.
    Check(CheckArgs),
    /// Renew certificates of an init output directory (by default those expiring within --within), atomically,
    /// keeping the previous set in DIR/backup/. Exit 0 done or nothing due, 1 problems after, 2 error.
    Rotate(RotateArgs),
    /// Make one bundle per node (a tree laid out as its server home, INSTALL.txt, SHA256SUMS, a .tar.gz).
    Bundle(BundleArgs),
    /// Generate an RSA private key (PKCS#8 PEM, mode 0600), e.g. a new nginx key.
    Genkey(GenkeyArgs),
    /// The iOS MDM push certificate: keys and CSRs, the vendor-signed request for identity.apple.com, its check,
    /// and Apple's certificate into the .pfx WSO2 takes, with its topic.
    #[command(subcommand)]
    Apns(ApnsCommand),
}

#[derive(Debug, Subcommand)]
pub enum ApnsCommand {
    /// Make the customer's push key (DIR/push.key, PKCS#8, 0600) and its CSR (DIR/push.csr), which the vendor signs.
    Csr(CsrArgs),
    /// Make the vendor key (DIR/vendor.key) and the CSR (DIR/vendor.csr) that Apple's developer portal turns into
    /// the MDM vendor certificate.
    VendorCsr(CsrArgs),
    /// Sign a push CSR with the vendor key into the request to upload at identity.apple.com (a base64 XML plist),
    /// refusing what Apple would refuse. Downloads nothing.
    Sign(SignArgs),
    /// Check a push certificate request made by any tool. Exit 0 sound, 1 problems, 2 unreadable.
    CheckRequest(CheckRequestArgs),
    /// Pack Apple's push certificate with the push key into DIR/mdm-push.pfx for WSO2, and write its topic and
    /// what to enter in WSO2's iOS platform configuration.
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

    /// The signature's hash: sha256 as Apple asks today; sha1 only for vendor certificates that need it.
    #[arg(long, value_enum, default_value = "sha256")]
    pub digest: DigestArg,

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
    #[arg(long, value_name = "PROFILE", value_enum, default_value = "legacy")]
    pub p12_profile: P12Profile,

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
    #[arg(value_name = "DIR", default_value = OUT_DIR, conflicts_with = "home")]
    pub dir: PathBuf,

    /// A server home of --product instead: read repository/conf/carbon.xml, the product's files that name
    /// stores (certificate-config.xml, the apps' SSO settings) and host names, and the stores they name, with the
    /// passwords they hold.
    #[arg(long, visible_alias = "iots-home", value_name = "HOME", conflicts_with = "bundle")]
    pub home: Option<PathBuf>,

    /// The product of --home.
    #[arg(long, value_name = "PRODUCT", value_enum, default_value = "iot", requires = "home")]
    pub product: ProductArg,

    /// Nodes' bundles from iospki bundle instead: each one's SHA256SUMS, then its files as the node will use
    /// them; given several, that every server node holds the same key.
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
    #[arg(long, value_name = "TIME", default_value = WITHIN, value_parser = parse_duration)]
    pub within: time::Duration,

    /// Print JSON (schema iospki.verify/1) instead of one line per finding.
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

/// The hash of the request's signature, as `--digest` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DigestArg {
    /// SHA-256, as Apple asks today.
    Sha256,
    /// SHA-1, for vendor certificates that need it.
    Sha1,
}

impl From<DigestArg> for Digest {
    fn from(digest: DigestArg) -> Digest {
        match digest {
            DigestArg::Sha256 => Digest::Sha256,
            DigestArg::Sha1 => Digest::Sha1,
        }
    }
}

/// A key size iospki generates.
fn key_bits(text: &str) -> Result<u16, String> {
    let range = iospki::defaults::KEY_BITS_RANGE;
    match text.parse::<u16>() {
        Ok(bits) if range.contains(&bits) => Ok(bits),
        _ => Err(format!(
            "{text} is not a key size from {} to {}",
            range.start(),
            range.end()
        )),
    }
}

/// The products, as `--product` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProductArg {
    /// IoT Server with iOS support.
    Iot,
    /// Identity Server.
    Is,
    /// Enterprise Store.
    Es,
    /// App Manager.
    Appm,
}

impl From<ProductArg> for ProductId {
    fn from(product: ProductArg) -> ProductId {
        match product {
            ProductArg::Iot => ProductId::Iot,
            ProductArg::Is => ProductId::Is,
            ProductArg::Es => ProductId::Es,
            ProductArg::Appm => ProductId::Appm,
        }
    }
}

/// The protection of the .p12 files, as `--p12-profile` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum P12Profile {
    /// PBE-SHA1-3DES and HMAC-SHA1: every Java 8, OpenSSL 3 without -legacy.
    Legacy,
    /// AES-256/PBKDF2 and HMAC-SHA256: Java 8u301+, OpenSSL 1.1.1+.
    Modern,
}

impl From<P12Profile> for Protection {
    fn from(profile: P12Profile) -> Protection {
        match profile {
            P12Profile::Legacy => Protection::Legacy,
            P12Profile::Modern => Protection::Modern,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Certificate or keystore files, or directories to walk (.pem .crt .cer .der .p12 .pfx .jks .keystore .truststore).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The window: certificates expiring within it are reported (e.g. 30d, 12h, 2w; a bare number is days).
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
    #[arg(long, value_name = "FILE")]
    pub prometheus: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The output directory of iospki init.
    #[arg(value_name = "DIR", default_value = OUT_DIR)]
    pub dir: PathBuf,

    /// Renew the SSL certificate.
    #[arg(long)]
    pub ssl: bool,

    /// Renew the RA certificate.
    #[arg(long)]
    pub ra: bool,

    /// Renew the CA, and the RA and SSL certificates under it; client-truststore.jks keeps trusting the old CA.
    #[arg(long)]
    pub ca: bool,

    /// Give the renewed certificates new keys (else they keep theirs).
    #[arg(long)]
    pub rekey: bool,

    /// With none of --ssl, --ra, --ca: renew what expires within this time (e.g. 30d, 2w).
    #[arg(long, value_name = "TIME", default_value = WITHIN, value_parser = parse_duration)]
    pub within: time::Duration,

    /// Print the plan and stop.
    #[arg(long)]
    pub dry_run: bool,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the store password (else $IOSPKI_PASSWORD, else wso2carbon).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Print JSON instead of text.
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
    #[arg(long, value_name = "DIR", default_value = BUNDLE_DIR)]
    pub out: PathBuf,

    /// tar: per node, a tree laid out as its server home and a .tar.gz. k8s: per role, a Secret and a ConfigMap,
    /// as manifests in OUT/kubectl/ and as a Helm chart in OUT/helm/. ansible: an Ansible project that installs
    /// every node's files one node at a time (site.yml) and in the rounds of a CA rotation (rotate-ca.yml).
    #[arg(long, value_enum, default_value = "tar")]
    pub format: BundleFormat,

    /// With --format k8s: the manifests' namespace [default: none, kubectl's current one].
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,

    /// With --format k8s: objects are named PREFIX-ROLE (iots-manager, iots-worker, iots-key-manager, iots-nginx)
    /// [default: the product's short name: iots, is, es, appm].
    #[arg(long, value_name = "PREFIX")]
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
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Key size in bits.
    #[arg(long, value_name = "BITS", default_value_t = iospki::defaults::KEY_BITS, value_parser = key_bits)]
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
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Print JSON (schema iospki.inspect/1, see docs/json/) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The product whose cluster the set is for [default: iot, or the description's product].
    #[arg(long, value_name = "PRODUCT", value_enum)]
    pub product: Option<ProductArg>,

    /// The CA key (RSA, 2048 bits or more). For iot: nginx's private key, which becomes the SCEP CA key
    /// (required). For is, es and appm: optional; without it iospki generates the CA key (ca_private.pem, 0600).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// A cluster description (iospki.toml, see examples/iospki.toml); the flags below override it [default:
    /// ./iospki.toml if there is one, which init says on stderr; --config wins].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where to write the files [default: output].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The cluster's domain, under which the public names are made (iot: DOMAIN, gateway., mgt., keymgt.;
    /// is: DOMAIN, mgt.; es: publisher., store.; appm: publisher., store., idp., gateway.) [default: iot
    /// iots310.wso2.com, is is.wso2.com, es es-wso2.com, appm appm-wso2.com].
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// CN of the SSL certificate (also added to its subjectAltName) [default: DOMAIN; es and appm: the
    /// publisher's name].
    #[arg(long, value_name = "HOST")]
    pub ssl_cn: Option<String>,

    /// Alias of the SSL key in wso2carbon.jks and KEYSTORE.p12; carbon.xml's KeyAlias [default: wso2carbon].
    #[arg(long, value_name = "ALIAS")]
    pub ssl_alias: Option<String>,

    /// Replace iospki's files in DIR if it already holds them.
    #[arg(long)]
    pub force: bool,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the store password (else $IOSPKI_PASSWORD, else wso2carbon).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the password of an encrypted --key (else $IOSPKI_KEY_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,

    /// Protection of the .p12 files: legacy is read by every Java 8 and OpenSSL 3; modern needs Java 8u301+
    /// [default: legacy].
    #[arg(long, value_name = "PROFILE", value_enum)]
    pub p12_profile: Option<P12Profile>,

    /// A node's repository/resources/security: keep every entry of its wso2carbon.jks, client-truststore.jks and
    /// wso2certs.jks (JKS or PKCS#12) except those iospki replaces by alias. The files there are only read.
    #[arg(long, value_name = "DIR")]
    pub merge_from: Option<PathBuf>,

    /// Leave Mozilla's public root CAs out of client-truststore.jks (they are added unless --merge-from keeps the
    /// node's own).
    #[arg(long)]
    pub no_public_roots: bool,

    /// File holding, on one line (a FIFO or <(pass show NAME) too; - reads standard input, typed without echo on a
    /// terminal), the password of the stores in --merge-from [default: the store password].
    #[arg(long, value_name = "FILE", requires = "merge_from")]
    pub merge_password_file: Option<PathBuf>,

    /// Size of the RA and SSL keys iospki generates [default: 4096].
    #[arg(long, value_name = "BITS", value_parser = key_bits)]
    pub key_bits: Option<u16>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse_with_units() {
        use super::parse_duration;
        assert_eq!(parse_duration("30d").unwrap(), time::Duration::days(30));
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
