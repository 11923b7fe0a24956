//! The Examples that end each command's `--help` and man page: real command lines, each under a line saying
//! what it does. A unit test in cli.rs parses every line that starts with `iospki ` (a trailing `\` continues
//! it; a `>`, `|` or `&&` ends what iospki gets), so an example cannot name a flag that does not exist.

pub const IOSPKI: &str = "\
Examples:
  A new nginx key, the set of the documented IoT cluster, its bundles:
    iospki genkey --out iots310_wso2_com.key
    iospki init --key iots310_wso2_com.key --out output
    iospki bundle output --out bundles

  Check the set, and when its certificates expire:
    iospki verify output
    iospki check output

  Man pages and completions: see docs/man-and-completions.md.
    iospki man /usr/local/share/man/man1
    iospki completions bash > /usr/share/bash-completion/completions/iospki";

pub const INIT: &str = "\
Examples:
  The documented IoT cluster, from nginx's key, into output/:
    iospki init --key iots310_wso2_com.key

  Your own cluster, described in iospki.toml, with your own store password:
    iospki init --key iots310_wso2_com.key --config iospki.toml \\
        --password-file store.pass

  Keep the entries of a node's own stores (its ~100 trusted CAs among them):
    iospki init --key iots310_wso2_com.key --out output \\
        --merge-from /opt/iots/repository/resources/security \\
        --merge-password-file node-store.pass

  An Identity Server cluster under your domain; iospki makes the CA key:
    iospki init --product is --domain is.example.com --out is-output";

pub const INSPECT: &str = "\
Examples:
  What the server's keystore holds, and who can read it:
    iospki inspect output/wso2carbon.jks

  Several certificates at once, and a .p12 with its password, as JSON:
    iospki inspect output/ca.crt output/ia.crt
    iospki inspect output/KEYSTORE.p12 --password-file store.pass --json";

pub const VERIFY: &str = "\
Examples:
  The set init wrote, with its store password:
    iospki verify output --password-file store.pass

  A server as installed, and the bundles before they are installed:
    iospki verify --home /opt/iots --password-file store.pass
    iospki verify --bundle bundles/*.tar.gz

  An Identity Server home; the import of a push certificate:
    iospki verify --home /opt/wso2is --product is
    iospki verify --apns mdm --password-file push.pass";

pub const CHECK: &str = "\
Examples:
  What expires within 30 days in a set, and within 60 days on a node:
    iospki check output
    iospki check /opt/iots/repository/resources/security --within 60d

  For monitoring: a node_exporter textfile, or JSON:
    iospki check output --prometheus /var/lib/node_exporter/iospki.prom
    iospki check output --json";

pub const ROTATE: &str = "\
Examples:
  What is due within 30 days, without changing anything; then renew it:
    iospki rotate output --dry-run
    iospki rotate output

  Renew the SSL certificate with a new key now, whatever its expiry:
    iospki rotate output --ssl --rekey

  Renew the CA and everything under it (then bundle it, and install it in the
  three rounds above):
    iospki rotate output --ca";

pub const BUNDLE: &str = "\
Examples:
  One bundle per node of the cluster in iospki.toml, into bundles/:
    iospki bundle output --config iospki.toml

  Kubernetes Secrets and ConfigMaps (kubectl and Helm), in namespace iot:
    iospki bundle output --format k8s --namespace iot

  An Ansible project that installs every node in turn:
    iospki bundle output --format ansible --out ansible";

pub const GENKEY: &str = "\
Examples:
  A new nginx key for init (RSA-4096):
    iospki genkey --out iots310_wso2_com.key

  A 2048-bit key, replacing an earlier one:
    iospki genkey --out test.key --bits 2048 --force";

pub const APNS: &str = "\
Examples:
  The yearly renewal of the MDM push certificate:
    iospki apns csr --out push
    iospki apns sign --csr push/push.csr --vendor-cert mdm.cer \\
        --vendor-key vendor.key --chain AppleWWDRCAG3.cer \\
        --chain AppleIncRootCertificate.cer --out request.b64
    iospki apns check-request request.b64
    iospki apns import --cert MDM_Vendor_Certificate.pem \\
        --key push/push.key --previous mdm/mdm-push.pem --out mdm --force";

pub const APNS_CSR: &str = "\
Examples:
  A new push key and its CSR, in push/:
    iospki apns csr --out push

  A CSR for an existing key, with a common name:
    iospki apns csr --out push --key old-push.key --cn mdm.example.com";

pub const APNS_VENDOR_CSR: &str = "\
Examples:
  The vendor key and the CSR for Apple's developer portal, in vendor/:
    iospki apns vendor-csr --out vendor";

pub const APNS_SIGN: &str = "\
Examples:
  Sign with the vendor key as a PEM file:
    iospki apns sign --csr push/push.csr --vendor-cert mdm.cer \\
        --vendor-key vendor/vendor.key --chain AppleWWDRCAG3.cer \\
        --chain AppleIncRootCertificate.cer --out request.b64

  Sign with the vendor key exported from a keychain:
    iospki apns sign --csr push/push.csr --vendor-cert mdm.cer \\
        --vendor-p12 vendor.p12 --vendor-p12-password-file vendor.pass \\
        --chain AppleWWDRCAG3.cer --chain AppleIncRootCertificate.cer \\
        --out request.b64";

pub const APNS_CHECK_REQUEST: &str = "\
Examples:
  Check a request, and that it carries the push CSR:
    iospki apns check-request request.b64
    iospki apns check-request request.b64 --csr push/push.csr --json";

pub const APNS_IMPORT: &str = "\
Examples:
  The first push certificate:
    iospki apns import --cert MDM_Vendor_Certificate.pem \\
        --key push/push.key --out mdm

  A renewal, which must keep the topic of the one it replaces:
    iospki apns import --cert MDM_Vendor_Certificate.pem \\
        --key push/push.key --previous mdm/mdm-push.pem \\
        --password-file push.pass --out mdm --force";

pub const COMPLETIONS: &str = "\
Examples:
  bash, for you alone (bash-completion loads it when it is needed):
    iospki completions bash > ~/.local/share/bash-completion/completions/iospki

  zsh, into a directory of $fpath; fish:
    iospki completions zsh > ~/.zfunc/_iospki
    iospki completions fish > ~/.config/fish/completions/iospki.fish";

pub const MAN: &str = "\
Examples:
  Install the pages for everyone, then update man's index:
    iospki man /usr/local/share/man/man1 && mandb

  Read one without installing:
    iospki man man1 && man -l man1/iospki-init.1";
