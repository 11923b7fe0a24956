//! Identity Server, Enterprise Store and App Manager sets, checked by their real consumers: keytool and openssl
//! on every store and certificate; nginx (Debian's package) serving every public name with the set's files (and
//! those of Identity Server 7.1 and API Manager 4.4), to
//! openssl and to a Java client that trusts only a node's truststore, both verifying the host name; a SAML
//! Response signed on the identity provider's node and validated on every relying node as Jaggery does, and
//! refused on a node that holds another key, which `verify --bundle` names; `verify --home` on homes made from
//! the bundles and their SETTINGS.txt; and the Identity Server guide's own commands, which OpenSSL 3 and
//! `verify` refuse.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::util::{self, iospki, java, keytool_list, run_in, scratch, tool};

const PASSWORD: &str = "wso2carbon";

/// A product as the tests know it: its key, its public names, its identity provider's node and that node's
/// role, and its relying parties (node, settings file).
struct Product {
    key: &'static str,
    /// What tells its set from another of the same key (scratch directories), and init's further flags.
    release: (&'static str, &'static [&'static str]),
    names: &'static [&'static str],
    /// A server node's truststore, under its home.
    truststore: &'static str,
    idp_node: &'static str,
    idp_role: &'static str,
    relying: &'static [(&'static str, &'static str)],
}

const PUBLISHER_JSON: &str = "repository/deployment/server/jaggeryapps/publisher/config/publisher.json";
const STORE_JSON: &str = "repository/deployment/server/jaggeryapps/store/config/store.json";

const IS: Product = Product {
    key: "is",
    release: ("", &[]),
    names: &["is.wso2.com", "mgt.is.wso2.com"],
    truststore: "repository/resources/security/client-truststore.jks",
    idp_node: "is-1",
    idp_role: "manager",
    relying: &[],
};

const ES: Product = Product {
    key: "es",
    release: ("", &[]),
    names: &["publisher.es-wso2.com", "store.es-wso2.com"],
    truststore: "repository/resources/security/client-truststore.jks",
    idp_node: "publisher-1",
    idp_role: "publisher",
    relying: &[
        ("publisher-1", PUBLISHER_JSON),
        ("publisher-2", PUBLISHER_JSON),
        ("store-1", STORE_JSON),
        ("store-2", STORE_JSON),
    ],
};

const APPM: Product = Product {
    key: "appm",
    release: ("", &[]),
    names: &[
        "publisher.appm-wso2.com",
        "store.appm-wso2.com",
        "idp.appm-wso2.com",
        "gateway.appm-wso2.com",
    ],
    truststore: "repository/resources/security/client-truststore.jks",
    idp_node: "idp-1",
    idp_role: "idp",
    relying: &[("publisher-1", PUBLISHER_JSON), ("store-1", STORE_JSON)],
};

/// Identity Server 7.1 (PKCS12 stores) and API Manager 4.4 (JKS), the deployment.toml products, behind nginx.
const IS_7: Product = Product {
    key: "is",
    release: ("-7.1", &["--version", "7.1"]),
    names: &["is.wso2.com"],
    truststore: "repository/resources/security/client-truststore.p12",
    idp_node: "is-1",
    idp_role: "worker",
    relying: &[],
};

const APIM_4: Product = Product {
    key: "apim",
    release: ("-4.4", &["--version", "4.4"]),
    names: &["am.wso2.com", "gw.am.wso2.com"],
    truststore: "repository/resources/security/client-truststore.jks",
    idp_node: "apim-1",
    idp_role: "worker",
    relying: &[],
};

const PRODUCTS: [&Product; 3] = [&IS, &ES, &APPM];

/// Every product whose nginx the tests run: the Carbon 4.4 ones, then the deployment.toml ones.
const BEHIND_NGINX: [&Product; 5] = [&IS, &ES, &APPM, &IS_7, &APIM_4];

/// `iospki init --product P` (2048-bit keys, no --key: iospki makes the CA key) and `iospki bundle`, once per
/// product and test run, in `dir/output` and `dir/bundles`; `other` makes a second set of its own.
fn set(product: &Product, other: bool) -> &'static Path {
    static SETS: [OnceLock<PathBuf>; 10] = [const { OnceLock::new() }; 10];
    let position = BEHIND_NGINX.iter().position(|p| std::ptr::eq(*p, product)).unwrap();
    SETS[position * 2 + usize::from(other)].get_or_init(|| {
        let dir = scratch(&format!(
            "products-{}{}{}",
            product.key,
            product.release.0,
            if other { "-other" } else { "" }
        ));
        let mut args = vec![
            "init",
            "--product",
            product.key,
            "--key-bits",
            "2048",
            "--out",
            "output",
        ];
        args.extend_from_slice(product.release.1);
        iospki(&dir, args).success();
        iospki(&dir, ["bundle", "output", "--out", "bundles"]).success();
        dir
    })
}

#[test]
fn every_product_gets_one_real_jks_key_a_keyless_truststore_and_a_v3_certificate_naming_its_names() {
    for product in PRODUCTS {
        let out = set(product, false).join("output");
        let keys = keytool_list(&out, "wso2carbon.jks", PASSWORD);
        for expected in [
            "Keystore type: JKS",
            "Your keystore contains 1 entry",
            "Alias name: wso2carbon",
            "Entry type: PrivateKeyEntry",
            "Certificate chain length: 2",
        ] {
            assert!(keys.contains(expected), "{}: {expected} missing:\n{keys}", product.key);
        }
        let trust = keytool_list(&out, "client-truststore.jks", PASSWORD);
        assert!(!trust.contains("PrivateKeyEntry"), "{}: {trust}", product.key);
        assert!(trust.contains("Alias name: cacert"), "{}", product.key);
        assert!(
            trust.contains("Alias name: usertrust-rsa-certification-authority"),
            "{}",
            product.key
        );
        let verified = tool(
            &out,
            "openssl",
            ["verify", "-x509_strict", "-CAfile", "ca.crt", "ssl.crt"],
        );
        assert_eq!(verified.trim(), "ssl.crt: OK");
        let text = tool(&out, "openssl", ["x509", "-in", "ssl.crt", "-noout", "-text"]);
        for expected in ["Version: 3 (0x2)", "sha256WithRSAEncryption", "Public-Key: (2048 bit)"] {
            assert!(text.contains(expected), "{}: {expected} missing", product.key);
        }
        for name in product.names {
            assert!(
                text.contains(&format!("DNS:{name}")),
                "{}: {name} not in the SAN",
                product.key
            );
        }
        for key in ["ca_private.pem", "ssl.key", "wso2carbon.jks", "client-truststore.jks"] {
            let mode = fs::metadata(out.join(key)).unwrap().permissions();
            assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600, "{key}");
        }
        let checked = tool(&out, "openssl", ["pkey", "-in", "ca_private.pem", "-check", "-noout"]);
        assert!(checked.contains("Key is valid"), "{checked}");
        let from_key = tool(&out, "openssl", ["pkey", "-in", "ssl.key", "-pubout"]);
        let from_cert = tool(&out, "openssl", ["x509", "-in", "ssl.crt", "-noout", "-pubkey"]);
        assert_eq!(from_key, from_cert, "{}: ssl.key is not ssl.crt's key", product.key);
    }
}

#[test]
fn each_products_commented_example_is_its_documented_cluster() {
    for product in PRODUCTS {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{}.toml", product.key));
        let described = iospki::model::config::load(&example).unwrap().settings().unwrap();
        let id = iospki::model::product::ProductId::from_key(product.key);
        let defaults = iospki::model::settings::Choices {
            product: id,
            ..Default::default()
        };
        assert_eq!(described, defaults.settings().unwrap(), "{}", product.key);
    }
}

#[test]
fn the_description_names_the_nodes_and_further_names_of_a_product() {
    let dir = scratch("products-described");
    let description = "product = \"appm\"\ndomain = \"apps.example.org\"\nkey_bits = 2048\n\
                       [hosts]\nextra = [\"sso.example.org\"]\n[nodes]\nidp = [\"idp-a\", \"idp-b\"]\n";
    fs::write(dir.join("iospki.toml"), description).unwrap();
    iospki(&dir, ["init", "--config", "iospki.toml"]).success();
    let text = tool(
        &dir,
        "openssl",
        ["x509", "-in", "output/ssl.crt", "-noout", "-ext", "subjectAltName"],
    );
    for name in ["publisher.apps.example.org", "idp.apps.example.org", "sso.example.org"] {
        assert!(text.contains(&format!("DNS:{name}")), "{name}: {text}");
    }
    iospki(&dir, ["bundle", "output", "--out", "bundles"]).success();
    for node in ["idp-a", "idp-b", "gateway-1", "publisher-1", "store-1", "nginx"] {
        assert!(dir.join(format!("bundles/{node}.tar.gz")).is_file(), "{node}");
    }
    let conf = fs::read_to_string(dir.join("bundles/nginx/conf.d/appm.conf")).unwrap();
    assert!(
        conf.contains("upstream appm_idp {\n    server idp-a:9443;\n    server idp-b:9443;\n}"),
        "{conf}"
    );
    let wrong = "product = \"appm\"\n[nodes]\nworkers = [\"w1\"]\n";
    fs::write(dir.join("wrong.toml"), wrong).unwrap();
    let refused = iospki(&dir, ["init", "--config", "wrong.toml"]).fails_with(2);
    assert!(
        refused.contains("wrong.toml:3: nodes.workers: App Manager has no such node role; its roles are idp, gateway"),
        "{refused}"
    );
    // --product decides which groups and roles the description may name, as the description's own product would.
    fs::write(dir.join("plain.toml"), "[nodes]\npublisher = [\"p1\", \"p2\"]\n").unwrap();
    let args = [
        "init",
        "--product",
        "es",
        "--config",
        "plain.toml",
        "--key-bits",
        "2048",
        "--out",
        "es",
    ];
    iospki(&dir, args).success();
    iospki(&dir, ["bundle", "es", "--out", "es-bundles"]).success();
    assert!(dir.join("es-bundles/p2.tar.gz").is_file());
    let iot = iospki(&dir, ["init", "--product", "iot"]).fails_with(2);
    assert!(
        iot.contains("--key: the IoT Server set's CA is nginx's private key"),
        "{iot}"
    );
}

#[test]
fn bundles_are_reproducible_and_kubernetes_takes_every_products_manifests() {
    for product in PRODUCTS {
        let root = set(product, false);
        let again = format!("bundles-again-{}", product.key);
        iospki(root, ["bundle", "output", "--out", &again]).success();
        for entry in fs::read_dir(root.join("bundles")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "gz") {
                let twin = root.join(&again).join(path.file_name().unwrap());
                assert_eq!(fs::read(&path).unwrap(), fs::read(twin).unwrap(), "{}", path.display());
            }
        }
        let k8s = format!("k8s-{}", product.key);
        iospki(root, ["bundle", "output", "--format", "k8s", "--out", &k8s]).success();
        let k8s = root.join(k8s);
        tool(&k8s, "helm", ["lint", "helm"]);
        let rendered = tool(&k8s, "helm", ["template", "pki", "helm", "--namespace", "wso2"]);
        let manifests: Vec<String> = fs::read_dir(k8s.join("kubectl"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        fs::write(
            k8s.join("kubectl/kustomization.yaml"),
            format!("resources: [{}]\n", manifests.join(", ")),
        )
        .unwrap();
        let built = tool(&k8s, "kubectl", ["kustomize", "kubectl"]);
        for role in ["nginx", product.idp_role] {
            let name = format!("name: {}-{role}\n", product.key);
            assert!(built.contains(&name), "{}: kustomize lacks {name}", product.key);
            assert!(rendered.contains(&name), "{}: helm lacks {name}", product.key);
        }
        assert!(
            built.contains("tls.crt: ") && built.contains("wso2carbon.jks: "),
            "{}",
            product.key
        );
    }
}

/// An nginx run on the product's bundle for nginx, its configuration as iospki wrote it with the paths moved
/// under the scratch directory and the listening ports made free ones; killed when dropped.
struct Nginx {
    child: Child,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_nginx(product: &Product) -> Nginx {
    let dir = scratch(&format!("products-nginx-{}{}", product.key, product.release.0));
    let bundle = set(product, false).join("bundles/nginx.tar.gz");
    tool(&dir, "tar", ["-xzpf", bundle.to_str().unwrap()]);
    let (port, redirect) = (free_port(), free_port());
    let prefix = format!("{}/", dir.display());
    let conf_path = dir.join(format!("conf.d/{}.conf", product.key));
    let conf = fs::read_to_string(&conf_path).unwrap();
    assert!(conf.contains("listen 443 ssl;") && !conf.contains("ssl on"), "{conf}");
    let conf = conf
        .replace("/etc/nginx/", &prefix)
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace("listen 80;", &format!("listen 127.0.0.1:{redirect};"));
    fs::write(&conf_path, util::unresolved_upstreams(&conf)).unwrap();
    let temp = dir.join("temp");
    fs::create_dir_all(&temp).unwrap();
    let main = format!(
        "daemon off;\npid {prefix}nginx.pid;\nerror_log {prefix}error.log;\nevents {{}}\nhttp {{\n    access_log off;\n    \
         client_body_temp_path {t}/body;\n    proxy_temp_path {t}/proxy;\n    fastcgi_temp_path {t}/fastcgi;\n    \
         uwsgi_temp_path {t}/uwsgi;\n    scgi_temp_path {t}/scgi;\n    include {prefix}conf.d/*.conf;\n}}\n",
        t = temp.display()
    );
    fs::write(dir.join("nginx.conf"), main).unwrap();
    let conf_arg = dir.join("nginx.conf");
    let args = ["-p", prefix.as_str(), "-e", "stderr", "-c", conf_arg.to_str().unwrap()];
    let tested = run_in(&dir, util::nginx_binary(), ["-t"].iter().chain(&args), &[]);
    assert!(
        tested.stderr().contains("test is successful"),
        "nginx -t: {}",
        tested.stderr()
    );
    let child = Command::new(util::nginx_binary())
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

/// openssl's verdict on the chain nginx serves for `name`, verifying the host name against the set's CA.
fn openssl_handshake(out: &Path, port: u16, name: &str) -> crate::util::Run {
    let connect = format!("127.0.0.1:{port}");
    let args = [
        "s_client",
        "-connect",
        &connect,
        "-servername",
        name,
        "-verify_hostname",
        name,
        "-CAfile",
        "ca.crt",
        "-verify_return_error",
        "-brief",
    ];
    run_in(out, "openssl", args, &[])
}

#[test]
fn nginx_serves_every_public_name_to_clients_that_verify_the_name() {
    for product in BEHIND_NGINX {
        let nginx = start_nginx(product);
        let root = set(product, false);
        let out = root.join("output");
        // A server node's own truststore, as the bundle delivers it: nodes call each other through nginx (R4).
        let truststore = root.join("bundles").join(product.idp_node).join(product.truststore);
        for name in product.names {
            let shown = openssl_handshake(&out, nginx.port, name);
            assert_eq!(shown.code(), Some(0), "{name}: {}", shown.stderr());
            assert!(
                shown.stderr().contains("Verification: OK"),
                "{name}: {}",
                shown.stderr()
            );
            let port = nginx.port.to_string();
            let java = java(
                &out,
                "TlsClient",
                &[truststore.to_str().unwrap(), name, &port],
                PASSWORD,
            );
            assert!(
                java.success().contains(&format!("ok: TLSv1.3 to {name}, verified")),
                "{name}"
            );
        }
        let stranger = "other.example.org";
        let refused = openssl_handshake(&out, nginx.port, stranger);
        assert_ne!(refused.code(), Some(0), "{}: openssl accepted {stranger}", product.key);
        let port = nginx.port.to_string();
        let java = java(
            &out,
            "TlsClient",
            &[truststore.to_str().unwrap(), stranger, &port],
            PASSWORD,
        );
        java.fails_with(1);
        assert!(
            java.stdout().contains("No subject alternative DNS name matching"),
            "{}",
            product.key
        );
    }
}

/// A server home for `node` of `root`'s set: its bundle unpacked with tar, then its SETTINGS.txt applied to the
/// product files it names, as the shipped files hold them (Enterprise Store's SSO in
/// authentication.methods.sso.attributes, App Manager's in ssoConfiguration).
fn home(root: &Path, node: &str, name: &str) -> PathBuf {
    let home = scratch(name);
    let bundle = root.join(format!("bundles/{node}.tar.gz"));
    tool(&home, "tar", ["-xzpf", bundle.to_str().unwrap()]);
    let settings = fs::read_to_string(home.join("SETTINGS.txt")).unwrap();
    let mut carbon_extra = String::new();
    let mut providers = String::new();
    for (file, place, lines) in util::settings_sections(&settings) {
        let body = lines.join("\n");
        let text = match file.as_str() {
            // util::carbon_xml has the Security section with the same store password and alias.
            "repository/conf/carbon.xml" if place == "under <Server>" => {
                carbon_extra.push_str(&body);
                continue;
            }
            f if f.ends_with("sso-idp-config.xml") => {
                let issuer = place.rsplit(' ').next().unwrap();
                providers.push_str(&format!(
                    "<ServiceProvider><Issuer>{issuer}</Issuer>{body}</ServiceProvider>\n"
                ));
                continue;
            }
            f if f.ends_with(".json") && place.contains("ssoConfiguration") => {
                format!(
                    "{{\n  // App Manager\n  \"ssoConfiguration\": {{\n{body}\n\"responseSigningEnabled\": \"true\"\n  }}\n}}\n"
                )
            }
            f if f.ends_with(".json") => format!(
                "{{\n  \"authentication\": {{\"activeMethod\": \"sso\", \"methods\": {{\"sso\": {{\"attributes\": {{\n\
                 {body}\n\"responseSigningEnabled\": \"true\"\n}}}}}}}}\n}}\n"
            ),
            _ => continue,
        };
        let path = home.join(&file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let conf = home.join("repository/conf/identity");
    fs::create_dir_all(&conf).unwrap();
    fs::write(
        home.join("repository/conf/carbon.xml"),
        crate::util::carbon_xml(PASSWORD, &carbon_extra),
    )
    .unwrap();
    let idp = format!(
        "<SSOIdentityProviderConfig><ServiceProviders>\n{providers}</ServiceProviders></SSOIdentityProviderConfig>\n"
    );
    fs::write(conf.join("sso-idp-config.xml"), idp).unwrap();
    home
}

/// A SAML Response signed with the key of the identity provider's node, as Carbon's IdP signs it.
fn signed_response(root: &Path, product: &Product) -> PathBuf {
    let idp = home(root, product.idp_node, &format!("products-idp-{}", product.key));
    let store = idp.join("repository/resources/security/wso2carbon.jks");
    let response = idp.join("response.xml");
    let args = [
        "sign",
        store.to_str().unwrap(),
        "wso2carbon",
        response.to_str().unwrap(),
    ];
    java(&idp, "SamlSso", &args, PASSWORD).success();
    response
}

/// What the app of `settings` on `home` makes of `response`.
fn validated(home: &Path, settings: &str, response: &Path) -> crate::util::Run {
    let json = home.join(settings);
    let args = [
        "validate",
        home.to_str().unwrap(),
        json.to_str().unwrap(),
        response.to_str().unwrap(),
    ];
    java(home, "SamlSso", &args, "")
}

#[test]
fn every_relying_node_validates_the_identity_providers_signature_and_verify_home_agrees() {
    for product in [&ES, &APPM] {
        let root = set(product, false);
        let response = signed_response(root, product);
        for (node, settings) in product.relying {
            let home = home(root, node, &format!("products-home-{}-{node}", product.key));
            let shown = validated(&home, settings, &response).success();
            assert!(shown.contains("signature is valid"), "{node}: {shown}");
            let args = ["verify", "--home", ".", "--product", product.key];
            let verified = iospki(&home, args).success();
            assert!(verified.contains(": 0 problem(s)"), "{node}: {verified}");
        }
    }
}

#[test]
fn a_node_with_another_key_fails_the_signature_and_verify_bundle_names_it() {
    for product in [&ES, &APPM] {
        let (root, other) = (set(product, false), set(product, true));
        let response = signed_response(root, product);
        let (odd, settings) = *product.relying.last().unwrap();
        let home = home(other, odd, &format!("products-odd-{}", product.key));
        let refused = validated(&home, settings, &response);
        refused.fails_with(1);
        assert!(refused.stdout().contains("FAIL"), "{odd}: {}", refused.stdout());
        let mut args: Vec<String> = vec!["verify".into()];
        for (node, _) in product.relying {
            let from = if *node == odd { other } else { root };
            args.extend(["--bundle".into(), format!("{}/bundles/{node}.tar.gz", from.display())]);
        }
        let found = problems(iospki(root, &args));
        let odd_bundle = format!("{}/bundles/{odd}.tar.gz", other.display());
        let line = found
            .lines()
            .find(|line| line.contains("holds another key than"))
            .unwrap_or_else(|| panic!("no key finding: {found}"));
        assert!(line.starts_with(&format!("problem: {odd_bundle}: ")), "{line}");
        assert_eq!(found.matches("holds another key than").count(), 1, "{found}");
    }
}

#[test]
fn verify_home_names_a_host_the_certificate_does_not_cover_and_an_acs_the_idp_does_not_list() {
    let root = set(&ES, false);
    let home = home(root, "store-1", "products-es-wrong-names");
    let carbon = home.join("repository/conf/carbon.xml");
    let text = fs::read_to_string(&carbon).unwrap();
    fs::write(
        &carbon,
        text.replace("<HostName>store.es-wso2.com<", "<HostName>wso2.is.com<"),
    )
    .unwrap();
    let idp = home.join("repository/conf/identity/sso-idp-config.xml");
    let text = fs::read_to_string(&idp).unwrap();
    fs::write(
        &idp,
        text.replace(
            "https://store.es-wso2.com/store/acs",
            "https://localhost:9443/store/acs",
        ),
    )
    .unwrap();
    let found = problems(iospki(&home, ["verify", "--home", ".", "--product", "es"]));
    assert!(
        found.contains("carbon.xml HostName: wso2.is.com names wso2.is.com, which the certificate"),
        "{found}"
    );
    assert!(
        found.contains("acs https://store.es-wso2.com/store/acs is not an ACS of issuer store"),
        "{found}"
    );
}

/// What verify found, when it found problems (exit 1).
fn problems(run: crate::util::Run) -> String {
    run.fails_with(1);
    run.stdout()
}

/// The Identity Server guide's commands, run as written (with the pass phrases they prompt for given on the
/// command line): a 1024-bit key and a self-signed v1 certificate without subjectAltName.
fn guide_certificate(dir: &Path) {
    let steps: [&[&str]; 4] = [
        &[
            "genrsa",
            "-des3",
            "-passout",
            "pass:guide",
            "-out",
            "server.key",
            "1024",
        ],
        &[
            "req",
            "-new",
            "-key",
            "server.key",
            "-passin",
            "pass:guide",
            "-subj",
            "/CN=is.wso2.com",
            "-out",
            "server.csr",
        ],
        &[
            "rsa",
            "-in",
            "server.key",
            "-passin",
            "pass:guide",
            "-out",
            "server.key",
        ],
        &[
            "x509",
            "-req",
            "-days",
            "365",
            "-in",
            "server.csr",
            "-signkey",
            "server.key",
            "-out",
            "server.crt",
        ],
    ];
    for step in steps {
        tool(dir, "openssl", step);
    }
}

#[test]
fn the_identity_server_guides_commands_fail_under_openssl_3_and_verify_says_why() {
    let dir = scratch("products-is-guide");
    guide_certificate(&dir);
    let text = tool(&dir, "openssl", ["x509", "-in", "server.crt", "-noout", "-text"]);
    assert!(!text.contains("Subject Alternative Name"), "{text}");
    // OpenSSL 3 at its default security level will not serve a 1024-bit key.
    let served = run_in(
        &dir,
        "openssl",
        ["s_server", "-cert", "server.crt", "-key", "server.key", "-accept", "0"],
        &[],
    );
    assert!(served.stderr().contains("ee key too small"), "{}", served.stderr());
    // The guide's keytool -import succeeds once; run again (a second node, a renewal), it fails.
    let import = [
        "-import",
        "-trustcacerts",
        "-alias",
        "server",
        "-file",
        "server.crt",
        "-keystore",
    ];
    let import: Vec<&str> = import
        .iter()
        .copied()
        .chain(["client-truststore.jks", "-storepass", PASSWORD, "-noprompt"])
        .collect();
    run_in(&dir, "keytool", &import, &[]).success();
    let again = run_in(&dir, "keytool", &import, &[]);
    assert!(
        again.stdout().contains("alias <server> already exists"),
        "{}",
        again.stdout()
    );
    // A node serving the guide's key from wso2carbon.jks, with the guide's HostName.
    let home = dir.join("home");
    let security = home.join("repository/resources/security");
    fs::create_dir_all(&security).unwrap();
    let pkcs12 = [
        "pkcs12",
        "-export",
        "-in",
        "server.crt",
        "-inkey",
        "server.key",
        "-name",
        "wso2carbon",
        "-passout",
    ];
    let pkcs12: Vec<&str> = pkcs12
        .iter()
        .copied()
        .chain(["pass:wso2carbon", "-out", "server.p12"])
        .collect();
    tool(&dir, "openssl", &pkcs12);
    let convert = [
        "-importkeystore",
        "-srckeystore",
        "server.p12",
        "-srcstoretype",
        "PKCS12",
        "-srcstorepass",
        PASSWORD,
        "-destkeystore",
        "home/repository/resources/security/wso2carbon.jks",
        "-deststoretype",
        "JKS",
        "-deststorepass",
        PASSWORD,
        "-noprompt",
    ];
    run_in(&dir, "keytool", convert, &[]).success();
    fs::copy(
        dir.join("client-truststore.jks"),
        security.join("client-truststore.jks"),
    )
    .unwrap();
    let extra = "<HostName>wso2.is.com</HostName><MgtHostName>wso2.is.com</MgtHostName>";
    let conf = home.join("repository/conf");
    fs::create_dir_all(&conf).unwrap();
    fs::write(conf.join("carbon.xml"), crate::util::carbon_xml(PASSWORD, extra)).unwrap();
    let found = problems(iospki(&home, ["verify", "--home", ".", "--product", "is"]));
    for expected in [
        "is an X.509 v1 certificate without extensions",
        "key is RSA 1024",
        "wso2.is.com names wso2.is.com, which the certificate",
    ] {
        assert!(found.contains(expected), "{expected} missing:\n{found}");
    }
}

#[test]
fn every_product_rotates_its_ca_with_a_transition_truststore_and_check_reads_the_set() {
    for product in PRODUCTS {
        let dir = scratch(&format!("products-rotate-{}", product.key));
        let from = set(product, false).join("output");
        tool(&dir, "cp", ["-a", from.to_str().unwrap(), "output"]);
        let old = tool(&dir, "openssl", ["x509", "-in", "output/ca.crt", "-noout", "-serial"]);
        let old = old.trim().trim_start_matches("serial=").to_lowercase();
        iospki(&dir, ["rotate", "output", "--ca", "--rekey"]).success();
        let trust = keytool_list(&dir.join("output"), "client-truststore.jks", PASSWORD);
        assert!(trust.contains("Alias name: cacert\n"), "{}", product.key);
        assert!(
            trust.contains(&format!("Alias name: cacert-{old}\n")),
            "{}: old CA not kept\n{trust}",
            product.key
        );
        let verified = tool(
            &dir.join("output"),
            "openssl",
            ["verify", "-CAfile", "ca.crt", "ssl.crt"],
        );
        assert_eq!(verified.trim(), "ssl.crt: OK", "{}", product.key);
        let refused = iospki(&dir, ["rotate", "output", "--ra"]).fails_with(2);
        assert!(refused.contains("has no RA certificate"), "{}: {refused}", product.key);
        let checked = iospki(&dir, ["check", "output", "--within", "30d"]).success();
        assert!(
            checked.contains("ssl.crt") && !checked.contains("OUTLIVES"),
            "{}: {checked}",
            product.key
        );
    }
}
