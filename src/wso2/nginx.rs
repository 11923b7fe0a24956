//! nginx's configuration for a product's cluster: for every public name nginx serves, a `listen 443 ssl` server
//! block with the set's chain and key, proxying to the nodes of the roles that serve that name, and a redirect
//! from port 80. (`ssl on;`, which the guides use, was removed in nginx 1.25.1.)

use std::fmt::Write;

use crate::model::cluster::Cluster;
use crate::model::product::{Holds, HostGroup};
use crate::vocab::roles::{CertRole, NodeRole};

/// Where nginx's files live; the placements of nginx's files are under it.
pub const NGINX_DIR: &str = "/etc/nginx";

/// What reloads nginx once its files changed, checking them first.
pub const NGINX_RELOAD: &str = "nginx -t && systemctl reload nginx";

/// The text of the nginx configuration file for `cluster`.
pub fn conf(cluster: &Cluster) -> String {
    let product = cluster.product();
    let path_of = |pick: fn(&Holds) -> bool| {
        product
            .files_of(NodeRole::Nginx, false)
            .find(|(spec, _)| pick(&spec.holds))
            .map_or_else(String::new, |(_, placement)| format!("{NGINX_DIR}/{}", placement.path))
    };
    let chain = path_of(|holds| matches!(holds, Holds::Chain(_)));
    let key = path_of(|holds| matches!(holds, Holds::PrivateKey(CertRole::Ssl)));
    let mut text = format!(
        "# nginx in front of the {} cluster {}, by iospki.\n\
         # Where a node's name does not resolve on this machine, write its address in its upstream.\n",
        product.name,
        cluster.domain()
    );
    for group in product.host_groups.iter().filter(|g| !g.served_by.is_empty()) {
        server_blocks(&mut text, cluster, group, &chain, &key);
    }
    text
}

/// The upstream of `group`'s nodes, and its server blocks on 80 and 443.
fn server_blocks(text: &mut String, cluster: &Cluster, group: &HostGroup, chain: &str, key: &str) {
    let upstream = format!("{}_{}", cluster.product().key, group.id.key());
    // Each name once: nginx warns of a conflicting server name for a repeat even within one block.
    let mut seen = std::collections::HashSet::new();
    let names: Vec<&str> = cluster
        .hosts()
        .get(group.id)
        .iter()
        .filter(|h| seen.insert(*h))
        .map(|h| h.as_str())
        .collect();
    let names = names.join(" ");
    // write! to a String cannot fail.
    let _ = writeln!(text, "\nupstream {upstream} {{");
    for node in cluster.nodes().iter().filter(|n| group.served_by.contains(&n.role)) {
        let _ = writeln!(text, "    server {}:9443;", node.name);
    }
    let _ = write!(
        text,
        "}}

server {{
    listen 80;
    server_name {names};
    return 301 https://$host$request_uri;
}}

server {{
    listen 443 ssl;
    server_name {names};
    ssl_certificate {chain};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{
        proxy_set_header X-Forwarded-Host $host;
        proxy_set_header X-Forwarded-Server $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header Host $http_host;
        proxy_read_timeout 5m;
        proxy_send_timeout 5m;
        proxy_pass https://{upstream};
    }}
}}
"
    );
}

/// The names of every server block of `conf` that listens on port 443, block by block, as nginx reads its
/// directives: words up to `;`, blocks in braces, `#` to the end of the line a comment. Quotes are not
/// unpacked: iospki's names never need them.
pub fn tls_server_names(conf: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    // The open blocks' names, innermost last, and the server block being read: whether it listens on 443, its names.
    let mut open: Vec<String> = Vec::new();
    let mut server: Option<(bool, Vec<String>)> = None;
    let mut words: Vec<&str> = Vec::new();
    for token in tokens(conf) {
        match token {
            "{" => {
                let name = words.first().map_or_else(String::new, |w| (*w).to_owned());
                if name == "server" {
                    server = Some((false, Vec::new()));
                }
                open.push(name);
                words.clear();
            }
            ";" => {
                if let (Some((tls, names)), true) = (&mut server, open.last().is_some_and(|b| b == "server")) {
                    match words.split_first() {
                        Some((&"listen", args)) => *tls |= args.first().is_some_and(|a| listens_on_443(a)),
                        Some((&"server_name", args)) => names.extend(args.iter().map(|a| (*a).to_owned())),
                        _ => {}
                    }
                }
                words.clear();
            }
            "}" => {
                if open.pop().as_deref() == Some("server")
                    && let Some((tls, names)) = server.take()
                    && tls
                {
                    blocks.push(names);
                }
                words.clear();
            }
            word => words.push(word),
        }
    }
    blocks
}

/// Whether a `listen` address (`443`, `[::]:443`, `10.0.0.1:443`) is port 443.
fn listens_on_443(address: &str) -> bool {
    address == "443" || address.ends_with(":443")
}

/// The words and `{`, `;`, `}` of an nginx configuration, comments left out.
fn tokens(conf: &str) -> impl Iterator<Item = &str> {
    conf.lines()
        .map(|line| line.split_once('#').map_or(line, |(before, _)| before))
        .flat_map(|line| line.split_inclusive(['{', ';', '}']))
        .flat_map(|piece| {
            let (word, mark) = match piece.char_indices().last() {
                Some((at, '{' | ';' | '}')) => (&piece[..at], Some(&piece[at..])),
                _ => (piece, None),
            };
            word.split_whitespace().chain(mark)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::Choices;

    #[test]
    fn es_serves_both_names_from_their_own_nodes() {
        let choices = Choices {
            product: Some(crate::model::product::es::ES.id()),
            ..Choices::default()
        };
        let conf = conf(&choices.settings().unwrap().cluster);
        assert!(
            conf.contains("upstream es_publisher {\n    server publisher-1:9443;\n    server publisher-2:9443;\n}")
        );
        assert!(conf.contains("upstream es_store {\n    server store-1:9443;\n    server store-2:9443;\n}"));
        assert!(conf.contains("listen 443 ssl;\n    server_name store.es-wso2.com;\n"));
        assert!(conf.contains("ssl_certificate /etc/nginx/ssl/es-chain.pem;\n"));
        assert!(conf.contains("ssl_certificate_key /etc/nginx/ssl/es.key;\n"));
        assert!(!conf.contains("ssl on"));
        assert_eq!(
            tls_server_names(&conf),
            [["publisher.es-wso2.com"], ["store.es-wso2.com"]]
        );
    }

    #[test]
    fn tls_server_names_are_read_block_by_block() {
        let conf = "http { # server { listen 443; server_name commented; }
            upstream u { server a:9443; }
            server { listen 80; server_name plain.example.org; }
            server {
                listen [::]:443 ssl; server_name a.example.org b.example.org;
                location / { server_name inner; }
            }
            server{listen 10.0.0.1:443 ssl;server_name c.example.org;}
        }";
        assert_eq!(
            tls_server_names(conf),
            [vec!["a.example.org", "b.example.org"], vec!["c.example.org"]]
        );
    }
}
