// Opens the stores of an Identity Server 7 or API Manager 4 set as the server opens them from deployment.toml,
// then uses them as the server does: TLS with hostname verification, and an RS256 token signed by the primary key.
//
//   java PlatformStores stores SECTIONS.json DIR
//   java PlatformStores handshake SECTIONS.json SERVER_DIR CLIENT_DIR HOST...
//   java PlatformStores jwt SECTIONS.json DIR [TRUSTSTORE_ALIAS...]
//
// SECTIONS.json is deployment-security.toml as Python's tomllib parses it (tests/deployment_toml.py json); the
// stores' file_name is relative to DIR, as deployment.toml's is to repository/resources/security/.
// - stores: each [keystore.primary|internal|tls] store opened with KeyStore.getInstance(type) and its password,
//   getKey(alias, key_password) a PrivateKey whose chain ends at the CA (DIR/ca.crt); the [truststore] holds
//   only trusted certificates: the CA, each section's certificate under that section's alias, and public roots
//   (counted as "roots N").
// - handshake: a server on 127.0.0.1 presenting [keystore.tls]'s alias from SERVER_DIR's store (as Tomcat's
//   keyAlias), a client trusting only CLIENT_DIR's truststore, with HTTPS hostname verification and SNI for each
//   HOST, over TLS 1.2 and 1.3. Prints "HANDSHAKE OK PROTOCOL HOST" or "HANDSHAKE FAILED HOST: WHY" per host.
// - jwt: an ID token as the server signs it (RS256 with the [keystore.primary] key, kid and x5t#S256 of its
//   certificate), verified with java.security.Signature against the truststore's certificate under the primary
//   alias and each TRUSTSTORE_ALIAS given; a token checked against the TLS certificate fails, as it must.
// Prints one line per check; exits 1 with a FAIL line on the first failure (handshake: after trying every host).
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.*;
import java.security.cert.*;
import java.time.Instant;
import java.util.*;
import javax.net.ssl.*;

public class PlatformStores {
    public static void main(String[] args) {
        try {
            Map<String, Object> sections = sections(new File(args[1]));
            switch (args[0]) {
                case "stores" -> stores(sections, new File(args[2]));
                case "handshake" -> handshakes(sections, new File(args[2]), new File(args[3]),
                    Arrays.copyOfRange(args, 4, args.length));
                case "jwt" -> jwt(sections, new File(args[2]), Arrays.copyOfRange(args, 3, args.length));
                default -> throw new Failure("usage: java PlatformStores stores|handshake|jwt SECTIONS.json DIR ...");
            }
        } catch (Exception e) {
            System.out.println("FAIL " + (e instanceof Failure ? e.getMessage() : e.toString()));
            System.exit(1);
        }
    }

    /** One store section of deployment.toml. */
    record Section(String name, String fileName, String type, String password, String alias, String keyPassword) {
        KeyStore open(File dir) throws Exception {
            File file = new File(dir, fileName);
            KeyStore store = KeyStore.getInstance(type);
            try (InputStream in = new FileInputStream(file)) {
                store.load(in, password.toCharArray());
            } catch (IOException | GeneralSecurityException e) {
                throw new Failure("[" + name + "] KeyStore.getInstance(\"" + type + "\") cannot load " + file + ": " + e);
            }
            System.out.println("ok [" + name + "] " + fileName + " loaded as " + type + ": " + store.size() + " entries");
            return store;
        }

        PrivateKey key(KeyStore store) throws Exception {
            Key key = store.getKey(alias, keyPassword.toCharArray());
            if (!(key instanceof PrivateKey)) {
                throw new Failure("[" + name + "] no private key under alias " + alias + " in " + fileName);
            }
            return (PrivateKey) key;
        }
    }

    static Map<String, Object> sections(File json) throws Exception {
        Object parsed = Json.parse(new String(Files.readAllBytes(json.toPath()), StandardCharsets.UTF_8));
        if (!(parsed instanceof Map)) {
            throw new Failure(json + " is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) parsed;
        return map;
    }

    static Section section(Map<String, Object> sections, String name) throws Failure {
        Object table = sections;
        for (String part : name.split("\\.")) {
            table = table instanceof Map ? ((Map<?, ?>) table).get(part) : null;
        }
        if (!(table instanceof Map)) {
            throw new Failure("deployment-security.toml has no [" + name + "]");
        }
        Map<?, ?> values = (Map<?, ?>) table;
        return new Section(name, text(values, "file_name", name), text(values, "type", name),
            text(values, "password", name), (String) values.get("alias"), (String) values.get("key_password"));
    }

    static String text(Map<?, ?> values, String key, String name) throws Failure {
        if (!(values.get(key) instanceof String)) {
            throw new Failure("[" + name + "] has no " + key);
        }
        return (String) values.get(key);
    }

    static final String[] KEYSTORES = {"keystore.primary", "keystore.internal", "keystore.tls"};

    static void stores(Map<String, Object> sections, File dir) throws Exception {
        X509Certificate ca = certificate(new File(dir, "ca.crt"));
        Section trustSection = section(sections, "truststore");
        KeyStore trust = trustSection.open(dir);
        Set<String> named = new HashSet<>();
        for (String name : KEYSTORES) {
            Section section = section(sections, name);
            KeyStore store = section.open(dir);
            PrivateKey key = section.key(store);
            java.security.cert.Certificate[] chain = store.getCertificateChain(section.alias());
            X509Certificate leaf = (X509Certificate) chain[0];
            require(matches(key, leaf), "[" + name + "] key under " + section.alias() + " is the one its certificate holds");
            X509Certificate top = (X509Certificate) chain[chain.length - 1];
            require(top.equals(ca), "[" + name + "] chain of " + chain.length + " ends at the CA of ca.crt");
            leaf.verify(ca.getPublicKey());
            require(leaf.equals(trust.getCertificate(section.alias())),
                "[" + name + "] certificate is in the truststore under " + section.alias());
            named.add(section.alias());
        }
        int roots = 0;
        boolean hasCa = false;
        for (String alias : Collections.list(trust.aliases())) {
            require(trust.isCertificateEntry(alias), "truststore entry " + alias + " is a trusted certificate", false);
            X509Certificate cert = (X509Certificate) trust.getCertificate(alias);
            if (cert.equals(ca)) {
                hasCa = true;
            } else if (!named.contains(alias) && cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                roots++;
            }
        }
        require(hasCa, "truststore holds the CA of ca.crt");
        System.out.println("roots " + roots);
    }

    /** Whether `key` signs what `certificate`'s public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate certificate) throws Exception {
        byte[] message = "iospki".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(message);
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(certificate);
        verifier.update(message);
        return verifier.verify(signer.sign());
    }

    static X509Certificate certificate(File pem) throws Exception {
        try (InputStream in = new FileInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static void handshakes(Map<String, Object> sections, File serverDir, File clientDir, String[] hosts) throws Exception {
        Section tls = section(sections, "keystore.tls");
        KeyStore keys = tls.open(serverDir);
        tls.key(keys);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(Support.keyManagerFor(keys, tls.keyPassword().toCharArray(), tls.alias()), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(section(sections, "truststore").open(clientDir));
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        boolean failed = false;
        for (String host : hosts) {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                try {
                    System.out.println("HANDSHAKE OK " + Support.handshake(server, client, host, protocol) + " " + host);
                } catch (SSLException e) {
                    System.out.println("HANDSHAKE FAILED " + host + ": " + e.getMessage());
                    failed = true;
                }
            }
        }
        if (failed) {
            throw new Failure("a handshake failed");
        }
    }

    static void jwt(Map<String, Object> sections, File dir, String[] extraAliases) throws Exception {
        Section primary = section(sections, "keystore.primary");
        KeyStore store = primary.open(dir);
        PrivateKey key = primary.key(store);
        X509Certificate signer = (X509Certificate) store.getCertificate(primary.alias());
        String thumbprint = base64url(MessageDigest.getInstance("SHA-256").digest(signer.getEncoded()));
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + thumbprint + "\",\"x5t#S256\":\"" + thumbprint + "\"}";
        String claims = "{\"iss\":\"https://is.example/oauth2/token\",\"sub\":\"admin\",\"aud\":\"client\",\"iat\":" + now
            + ",\"exp\":" + (now + 3600) + "}";
        String input = base64url(header.getBytes(StandardCharsets.UTF_8)) + "." + base64url(claims.getBytes(StandardCharsets.UTF_8));
        Signature sign = Signature.getInstance("SHA256withRSA");
        sign.initSign(key);
        sign.update(input.getBytes(StandardCharsets.US_ASCII));
        String token = input + "." + base64url(sign.sign());
        System.out.println("ok signed an RS256 token with [keystore.primary] " + primary.alias());

        Section trustSection = section(sections, "truststore");
        KeyStore trust = trustSection.open(dir);
        List<String> aliases = new ArrayList<>(List.of(primary.alias()));
        aliases.addAll(List.of(extraAliases));
        for (String alias : aliases) {
            require(verifies(token, trust.getCertificate(alias)), "RS256 token verifies with the truststore's " + alias);
        }
        String tlsAlias = section(sections, "keystore.tls").alias();
        require(!verifies(token, trust.getCertificate(tlsAlias)), "the token does not verify with the TLS certificate " + tlsAlias);
    }

    static boolean verifies(String token, java.security.cert.Certificate certificate) throws Exception {
        if (certificate == null) {
            throw new Failure("no such certificate in the truststore");
        }
        String[] parts = token.split("\\.");
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static void require(boolean condition, String what) throws Failure {
        require(condition, what, true);
    }

    static void require(boolean condition, String what, boolean say) throws Failure {
        if (!condition) {
            throw new Failure("check failed: " + what);
        }
        if (say) {
            System.out.println("ok " + what);
        }
    }
}
