// Signs the JWT of the JWT bearer grant as WSO2 IoT Server does for its own API calls, and checks it as the key
// manager does: against the certificate in conf/identity/identity-providers/iot_default.xml.
//
//   java JwtBearer sign KEYSTORE.jks ALIAS ISSUER AUDIENCE OUT.jwt [LIFETIME_SECONDS]
//                                         (store password in the environment variable STORE_PASSWORD; the key
//                                         password is the same; LIFETIME_SECONDS is 3600 by default, a negative
//                                         value makes a token that has already expired)
//   java JwtBearer validate IDP_XML TOKEN.jwt [AUDIENCE]
//
// - sign: the server signs with the key under carbon.xml's KeyAlias in wso2carbon.jks, opened with
//   KeyStore.getInstance("JKS"): an RS256 JWT (header alg, typ and x5t, the SHA-1 thumbprint of the certificate),
//   claims iss, sub "admin", aud, iat, exp, jti, base64url without padding, SHA256withRSA.
// - validate: the key manager trusts the base64 DER X.509 certificate in the identity provider's <Certificate>
//   (whitespace and PEM armour tolerated): the certificate must be currently valid, the JWT's RS256 signature
//   must verify with its public key, exp must be in the future and, when AUDIENCE is given, aud must be or
//   contain it. A key change that leaves iot_default.xml alone fails here, as the server fails with
//   "APIMClientOAuthException: failed to retrieve oauth token using jwt".
// Prints one line per check; exits 1 with a FAIL line on the first failure.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.*;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.*;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.helpers.DefaultHandler;

public class JwtBearer {
    public static void main(String[] args) {
        try {
            if ((args.length == 6 || args.length == 7) && args[0].equals("sign")) {
                long lifetime = args.length == 7 ? Long.parseLong(args[6]) : 3600;
                sign(new File(args[1]), args[2], args[3], args[4], new File(args[5]), lifetime);
            } else if ((args.length == 3 || args.length == 4) && args[0].equals("validate")) {
                validate(new File(args[1]), new File(args[2]), args.length == 4 ? args[3] : null);
            } else {
                System.out.println("usage: java JwtBearer sign KEYSTORE.jks ALIAS ISSUER AUDIENCE OUT.jwt [LIFETIME_SECONDS]"
                    + "   (STORE_PASSWORD in the environment)");
                System.out.println("       java JwtBearer validate IDP_XML TOKEN.jwt [AUDIENCE]");
                System.exit(2);
            }
        } catch (Exception e) {
            System.out.println("FAIL " + (e instanceof Failure ? e.getMessage() : e.toString()));
            System.exit(1);
        }
    }

    /** A check that did not hold; main prints its message after "FAIL ". */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    static void sign(File storeFile, String alias, String issuer, String audience, File out, long lifetime)
            throws Exception {
        String password = System.getenv("STORE_PASSWORD");
        if (password == null) {
            throw new Failure("STORE_PASSWORD is not set");
        }
        KeyStore store = KeyStore.getInstance("JKS");
        try (InputStream in = new FileInputStream(storeFile)) {
            store.load(in, password.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new Failure("KeyStore.getInstance(\"JKS\") cannot load " + storeFile + " with STORE_PASSWORD: " + e);
        }
        Key key = store.getKey(alias, password.toCharArray());
        if (!(key instanceof PrivateKey)) {
            throw new Failure("no private key under alias " + alias + " in " + storeFile);
        }
        X509Certificate certificate = (X509Certificate) store.getCertificate(alias);

        long now = Instant.now().getEpochSecond();
        String thumbprint = base64url(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":" + quote(thumbprint) + "}";
        String claims = "{\"iss\":" + quote(issuer) + ",\"sub\":\"admin\",\"aud\":" + quote(audience)
            + ",\"iat\":" + now + ",\"exp\":" + (now + lifetime) + ",\"jti\":" + quote(UUID.randomUUID().toString()) + "}";
        String signingInput = base64url(header.getBytes(StandardCharsets.UTF_8)) + "."
            + base64url(claims.getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign((PrivateKey) key);
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String token = signingInput + "." + base64url(signer.sign());
        Files.write(out.toPath(), token.getBytes(StandardCharsets.US_ASCII));
        System.out.println("ok: signed RS256 JWT for iss " + issuer + ", aud " + audience + ", exp "
            + Instant.ofEpochSecond(now + lifetime) + " with the key under " + alias + " ("
            + certificate.getSubjectX500Principal() + "), written to " + out);
    }

    static void validate(File idpXml, File tokenFile, String audience) throws Exception {
        X509Certificate certificate = idpCertificate(idpXml);
        System.out.println("ok: <Certificate> of " + idpXml + ": subject " + certificate.getSubjectX500Principal()
            + ", valid until " + certificate.getNotAfter().toInstant());
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new Failure("the identity provider certificate is not currently valid: " + e.getMessage());
        }
        System.out.println("ok: certificate is currently valid");

        String[] parts = new String(Files.readAllBytes(tokenFile.toPath()), StandardCharsets.US_ASCII).trim().split("\\.", -1);
        if (parts.length != 3) {
            throw new Failure(tokenFile + " is not a signed JWT (" + parts.length + " parts, expected 3)");
        }
        Map<String, Object> header = jsonObject(parts[0], "header");
        if (!"RS256".equals(header.get("alg"))) {
            throw new Failure("JWT alg is " + header.get("alg") + ", expected RS256");
        }
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!verifier.verify(decode(parts[2], "signature"))) {
            throw new Failure("JWT signature does not verify with the public key of the <Certificate> ("
                + certificate.getSubjectX500Principal() + "): signed by another key, or changed after signing");
        }
        System.out.println("ok: RS256 signature verifies with the <Certificate>'s public key");
        Map<String, Object> claims = jsonObject(parts[1], "claims");

        Object exp = claims.get("exp");
        if (!(exp instanceof String) || !((String) exp).matches("\\d+")) {
            throw new Failure("JWT has no numeric exp claim");
        }
        Instant expiry = Instant.ofEpochSecond(Long.parseLong((String) exp));
        if (!expiry.isAfter(Instant.now())) {
            throw new Failure("JWT expired at " + expiry);
        }
        System.out.println("ok: exp " + expiry + " is in the future");

        Object aud = claims.get("aud");
        if (audience != null) {
            if (!(audience.equals(aud) || aud instanceof List && ((List<?>) aud).contains(audience))) {
                throw new Failure("JWT aud " + aud + " does not contain " + audience);
            }
            System.out.println("ok: aud contains " + audience);
        }
        System.out.println("ok: JWT from iss " + claims.get("iss") + " for sub " + claims.get("sub") + " is valid");
    }

    /** The X.509 certificate in the first <Certificate> element: base64 of DER, possibly in PEM armour. */
    static X509Certificate idpCertificate(File idpXml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new DefaultHandler());
        Document doc = builder.parse(idpXml);
        NodeList elements = doc.getElementsByTagNameNS("*", "Certificate");
        if (elements.getLength() == 0) {
            throw new Failure(idpXml + " has no <Certificate> element");
        }
        String text = elements.item(0).getTextContent()
            .replaceAll("-----(BEGIN|END) CERTIFICATE-----", "")
            .replaceAll("\\s", "");
        if (text.isEmpty()) {
            throw new Failure("<Certificate> in " + idpXml + " is empty");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new Failure("<Certificate> in " + idpXml + " is not base64: " + e.getMessage());
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    static Map<String, Object> jsonObject(String part, String what) throws Failure {
        Object value;
        try {
            value = Json.parse(new String(decode(part, what), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new Failure("JWT " + what + " is not JSON: " + e.getMessage());
        }
        if (!(value instanceof Map)) {
            throw new Failure("JWT " + what + " is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    static byte[] decode(String part, String what) throws Failure {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new Failure("JWT " + what + " is not base64url: " + e.getMessage());
        }
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A JSON string literal. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** A small JSON reader: objects become LinkedHashMaps, arrays Lists, strings Strings, numbers their text. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json reader = new Json(text);
            Object value = reader.value();
            reader.space();
            if (reader.i != text.length()) {
                throw reader.error("text after the value");
            }
            return value;
        }

        private Object value() {
            space();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                return object();
            }
            if (c == '[') {
                return array();
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "+-.".indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            String word = s.substring(start, i);
            if (word.equals("true") || word.equals("false")) {
                return Boolean.valueOf(word);
            }
            if (word.equals("null")) {
                return null;
            }
            if (word.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?")) {
                return word;
            }
            throw error("unexpected " + (word.isEmpty() ? "'" + c + "'" : word));
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            i++;
            space();
            if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return map;
            }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                map.put(key, value());
                space();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            i++;
            space();
            if (i < s.length() && s.charAt(i) == ']') {
                i++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char escaped = s.charAt(i++);
                switch (escaped) {
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'n': out.append('\n'); break;
                    case 'r': out.append('\r'); break;
                    case 't': out.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: out.append(escaped);
                }
            }
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + i);
        }
    }
}
