//! nginx's configuration for a product's cluster: for every public name nginx serves, a `listen 443 ssl` server
//! block with the set's chain and key, proxying to the nodes of the roles that serve that name, and a redirect
//! from port 80. (`ssl on;`, which the guides use, was removed in nginx 1.25.1.)

use std::fmt::Write;

use crate::cluster::Cluster;
use crate::product::{CertRole, Holds, HostGroup, NodeRole};

/// Where nginx's files live; the placements of nginx's files are under it.
pub const NGINX_DIR: &str = "/etc/nginx";

/// What reloads nginx once its files changed, checking them first.
pub const NGINX_RELOAD: &str = "nginx -t && systemctl reload nginx";

/// The text of the nginx configuration file for `cluster`.
pub fn conf(cluster: &Cluster) -> String {
    let product = cluster.product();
    let path_of = |pick: fn(&Holds) -> bool| {
        product
            .files_of(NodeRole::Nginx)
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
    let upstream = format!("{}_{}", cluster.product().id.key(), group.id.key());
    let names: Vec<&str> = cluster.hosts().get(group.id).iter().map(|h| h.as_str()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::ProductId;
    use crate::settings::Choices;

    #[test]
    fn es_serves_both_names_from_their_own_nodes() {
        let choices = Choices {
            product: Some(ProductId::Es),
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
    }
}
