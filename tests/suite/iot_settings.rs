//! The IoT Server's SETTINGS.txt, per core role, read out of the bundles with tar and applied to carbon.xml and
//! catalina-server.xml as product-iots 3.1.0 ships them: `verify --home` passes on the manager's home this makes and fails
//! on the shipped carbon.xml, and Java opens the stores with the password and alias carbon.xml now names and accepts the
//! certificate for the HostName it names.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{self, iospki, run_in, scratch, tool};

const PASSWORD: &str = "settings-pw-1";
const ALIAS: &str = "ioscluster";

/// The core roles' nodes of the documented cluster and the name each must give itself.
const NODES: [(&str, &str); 3] = [
    ("manager", "mgt.iots310.wso2.com"),
    ("worker", "iots310.wso2.com"),
    ("key manager", "keymgt.iots310.wso2.com"),
];

/// An IoT set with a password and alias of its own, bundled, once per test run.
fn made() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("iot-settings");
        fs::write(dir.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
        util::demo_init(&dir, &["--password-file", "pw.txt", "--ssl-alias", ALIAS]).success();
        iospki(&dir, ["bundle", "output", "--out", "bundles"]).success();
        dir
    })
}

/// The node's archive unpacked with tar into a fresh directory.
fn unpacked(node: &str, name: &str) -> PathBuf {
    let home = scratch(name);
    let archive = made().join(format!("bundles/{node}.tar.gz"));
    tool(&home, "tar", ["-xzpf", archive.to_str().unwrap()]);
    home
}

/// `<Name>value</Name>` replaced by `line` inside the first `<scope>...</scope>` of `text` (the whole text
/// without a scope), as an operator edits the shipped file.
fn set_element(text: &str, scope: Option<&str>, line: &str) -> String {
    let name = &line[1..line.find('>').unwrap()];
    let (start, end) = match scope {
        Some(scope) => {
            let start = text.find(&format!("<{scope}>")).unwrap();
            (start, start + text[start..].find(&format!("</{scope}>")).unwrap())
        }
        None => (0, text.len()),
    };
    let open = start
        + text[start..end]
            .find(&format!("<{name}>"))
            .unwrap_or_else(|| panic!("no <{name}>"));
    let close = open + text[open..].find(&format!("</{name}>")).unwrap() + name.len() + 3;
    format!("{}{line}{}", &text[..open], &text[close..])
}

/// `name="value"` set on the connector of port 9443: replaced where the shipped file has it, else added.
fn set_attribute(text: &str, line: &str) -> String {
    let name = &line[..line.find('=').unwrap()];
    let port = text.find("port=\"9443\"").unwrap();
    let start = text[..port].rfind("<Connector").unwrap();
    let end = port + text[port..].find("/>").unwrap();
    let connector = &text[start..end];
    let edited = match connector.find(&format!(" {name}=\"")) {
        Some(at) => {
            let value_end = at + name.len() + 3 + connector[at + name.len() + 3..].find('"').unwrap() + 1;
            format!("{} {line}{}", &connector[..at], &connector[value_end..])
        }
        None => format!("{connector} {line}"),
    };
    format!("{}{edited}{}", &text[..start], &text[end..])
}

/// carbon.xml with what product-iots 3.1.0 ships in the elements SETTINGS.txt names: HostName and MgtHostName
/// localhost, the stores wso2carbon.jks (alias wso2carbon) and client-truststore.jks, every password wso2carbon.
/// Written here rather than copied from the product (its files are read, never committed).
fn shipped_carbon_xml() -> String {
    util::carbon_xml(
        "wso2carbon",
        "<HostName>localhost</HostName>\n<MgtHostName>localhost</MgtHostName>",
    )
}

/// catalina-server.xml's connectors as product-iots 3.1.0 ships them: 9763 (HTTP) and 9443 (TLS, the
/// published keystorePass, no proxyPort).
const SHIPPED_CATALINA_SERVER_XML: &str = r#"<Server port="8005" shutdown="SHUTDOWN">
    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9763" redirectPort="9443"/>
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9443" SSLEnabled="true"
                   scheme="https" secure="true" clientAuth="want" sslProtocol="TLS"
                   keystoreFile="${carbon.home}/repository/resources/security/wso2carbon.jks"
                   keystorePass="wso2carbon"/>
    </Service>
</Server>
"#;

/// A server home of `node`: its archive, and its SETTINGS.txt applied to carbon.xml and catalina-server.xml as
/// shipped, at the paths SETTINGS.txt names.
fn home(node: &str, name: &str) -> PathBuf {
    let home = unpacked(node, name);
    let settings = fs::read_to_string(home.join("SETTINGS.txt")).unwrap();
    for (file, place, lines) in util::settings_sections(&settings) {
        let path = home.join(&file);
        let shipped = if file.ends_with("catalina-server.xml") {
            SHIPPED_CATALINA_SERVER_XML.to_owned()
        } else {
            shipped_carbon_xml()
        };
        let mut text = fs::read_to_string(&path).unwrap_or(shipped);
        for line in &lines {
            text = if file.ends_with("catalina-server.xml") {
                set_attribute(&text, line)
            } else {
                let scope = place.rsplit_once('<').map(|(_, last)| last.trim_end_matches('>'));
                set_element(&text, scope.filter(|_| place.starts_with("in ")), line)
            };
        }
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }
    home
}

/// The text of the first element `name` of `xml` after `after`.
fn element(xml: &str, after: &str, name: &str) -> String {
    let within = &xml[xml.find(after).unwrap()..];
    let open = within.find(&format!("<{name}>")).unwrap() + name.len() + 2;
    within[open..open + within[open..].find('<').unwrap()].to_owned()
}

#[test]
fn each_core_role_gets_a_settings_txt_with_its_own_name_and_the_sets_alias_and_password() {
    for (role, host) in NODES {
        let home = unpacked(host, &format!("iot-settings-tar-{}", role.replace(' ', "-")));
        let path = home.join("SETTINGS.txt");
        let text = fs::read_to_string(&path).unwrap();
        let mode = std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "{role}: it holds the store password");
        assert!(
            text.contains(&format!("the {role} nodes of the IoT Server cluster")),
            "{text}"
        );
        let expected = [
            (
                "repository/conf/carbon.xml",
                "under <Server>",
                vec![
                    format!("<HostName>{host}</HostName>"),
                    format!("<MgtHostName>{host}</MgtHostName>"),
                ],
            ),
            (
                "repository/conf/tomcat/catalina-server.xml",
                "on the <Connector> with port=\"9443\"",
                vec!["proxyPort=\"443\"".to_owned(), format!("keystorePass=\"{PASSWORD}\"")],
            ),
            (
                "repository/conf/carbon.xml",
                "in <Security><KeyStore>",
                vec![
                    format!("<Password>{PASSWORD}</Password>"),
                    format!("<KeyAlias>{ALIAS}</KeyAlias>"),
                    format!("<KeyPassword>{PASSWORD}</KeyPassword>"),
                ],
            ),
            (
                "repository/conf/carbon.xml",
                "in <Security><TrustStore>",
                vec![format!("<Password>{PASSWORD}</Password>")],
            ),
        ];
        let found = util::settings_sections(&text);
        let expected: Vec<(String, String, Vec<String>)> = expected
            .into_iter()
            .map(|(f, p, l)| (f.to_owned(), p.to_owned(), l))
            .collect();
        assert_eq!(found, expected, "{role}");
        let sums = fs::read_to_string(home.join("SHA256SUMS")).unwrap();
        assert!(sums.contains("  SETTINGS.txt\n"), "{sums}");
    }
    assert!(!made().join("bundles/nginx/SETTINGS.txt").exists());
}

#[test]
fn a_manager_home_made_with_settings_txt_passes_verify_home_and_the_shipped_carbon_xml_does_not() {
    // verify --home reads an IoT home as a manager's: it requires iot-api-config.xml, which only managers get.
    for (role, host) in &NODES[..1] {
        let slug = role.replace(' ', "-");
        let home = home(host, &format!("iot-settings-home-{slug}"));
        let verified = iospki(&home, ["verify", "--home", ".", "--product", "iot"]).success();
        assert!(verified.contains(": 0 problem(s)"), "{role}: {verified}");

        // As shipped, carbon.xml has the published password, which does not open the set's stores.
        let problems = |name: &str, carbon: &str| {
            let node = unpacked(host, &format!("iot-settings-{name}-{slug}"));
            let conf = node.join("repository/conf");
            fs::create_dir_all(&conf).unwrap();
            fs::write(conf.join("carbon.xml"), carbon).unwrap();
            let run = iospki(&node, ["verify", "--home", ".", "--product", "iot"]);
            assert_eq!(run.code(), Some(1), "{role}: {}", run.stdout());
            run.stdout()
        };
        let shipped = problems("shipped", &shipped_carbon_xml());
        assert!(
            shipped.contains("wso2carbon.jks: the configured store password is wrong"),
            "{shipped}"
        );
        // With the passwords set but the shipped HostName, the name is one the certificate does not cover.
        let applied = fs::read_to_string(home.join("repository/conf/carbon.xml")).unwrap();
        let localhost = applied.replace(&format!("<HostName>{host}<"), "<HostName>localhost<");
        let found = problems("localhost", &localhost);
        assert!(
            found.contains("carbon.xml HostName: localhost names localhost, which the certificate"),
            "{found}"
        );
        assert_eq!(found.matches("problem:").count(), 1, "{found}");
    }
}

#[test]
fn java_opens_the_stores_with_what_carbon_xml_names_and_accepts_its_host_name() {
    // The nodes with the SCEP store, which ServerStores opens as certificate-config.xml says.
    for (role, host) in &NODES[..2] {
        let home = home(host, &format!("iot-settings-java-{}", role.replace(' ', "-")));
        let carbon = fs::read_to_string(home.join("repository/conf/carbon.xml")).unwrap();
        let password = element(&carbon, "<KeyStore>", "Password");
        let alias = element(&carbon, "<KeyStore>", "KeyAlias");
        let named = element(&carbon, "<Server", "HostName");
        let stores = scratch(&format!("iot-settings-java-stores-{role}"));
        for file in [
            "repository/resources/security/wso2carbon.jks",
            "repository/resources/security/client-truststore.jks",
            "repository/resources/security/wso2certs.jks",
            "repository/conf/certificate-config.xml",
        ] {
            fs::copy(home.join(file), stores.join(Path::new(file).file_name().unwrap())).unwrap();
        }
        let classes = crate::util::java_classes().to_str().unwrap().to_owned();
        let java = |host: &str| {
            let args = ["-cp", &classes, "ServerStores", stores.to_str().unwrap(), host, &alias];
            run_in(&stores, "java", args, &[("STORE_PASSWORD", &password)])
        };
        let shown = java(&named).success();
        assert!(
            shown.contains(&format!("HANDSHAKE OK TLSv1.3 {named}")),
            "{role}: {shown}"
        );
        assert_eq!(named, *host);
        // The same stores refuse a name the certificate does not carry.
        let other = java("localhost");
        assert_eq!(other.code(), Some(1), "{role}: {}", other.stdout());
    }
}
