// Signs the JWT of the JWT bearer grant as WSO2 IoT Server does for its own API calls, and checks it as the key
// manager does: against the certificate in conf/identity/identity-providers/iot_default.xml.
//
//   java JwtBearer sign KEYSTORE.jks ALIAS ISSUER AUDIENCE OUT.jwt [LIFETIME_SECONDS]
//                                         (store password in the environment variable STORE_PASSWORD; the key
//                                         password is the same; LIFETIME_SECONDS is 3600 by default, a negative
//                                         value makes a token that has already expired)
//   java JwtBearer validate IDP_XML TOKEN.jwt
//
// - sign: the server signs with the key under carbon.xml's KeyAlias in wso2carbon.jks, opened with
//   KeyStore.getInstance("JKS"): an RS256 JWT (header alg, typ and x5t, the SHA-1 thumbprint of the certificate),
//   claims iss, sub "admin", aud, iat, exp, jti, base64url without padding, SHA256withRSA.
// - validate: as the key manager's JWTBearerGrantHandler (identity-oauth2-grant-jwt 1.0.2): the JWT's iss must
//   be the identity provider's IdentityProviderName, its RS* signature must verify with the public key of the
//   certificate in <Certificate> (decoded as IdentityApplicationManagementUtil does: base64 of DER, characters
//   outside the base64 alphabet skipped), exp must be in the future, and aud must hold the provider's Alias.
//   The certificate's dates are not checked, as the handler does not check them. A key change that leaves
//   iot_default.xml alone fails here, as the server fails with "failed to retrieve oauth token using jwt".
// Prints one line per check; exits 1 with a FAIL line on the first failure.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.*;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.*;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

public class JwtBearer {
    public static void main(String[] args) {
        try {
            if ((args.length == 6 || args.length == 7) && args[0].equals("sign")) {
                long lifetime = args.length == 7 ? Long.parseLong(args[6]) : 3600;
                sign(new File(args[1]), args[2], args[3], args[4], new File(args[5]), lifetime);
            } else if (args.length == 3 && args[0].equals("validate")) {
                validate(new File(args[1]), new File(args[2]));
            } else {
                System.out.println("usage: java JwtBearer sign KEYSTORE.jks ALIAS ISSUER AUDIENCE OUT.jwt [LIFETIME_SECONDS]"
                    + "   (STORE_PASSWORD in the environment)");
                System.out.println("       java JwtBearer validate IDP_XML TOKEN.jwt");
                System.exit(2);
            }
        } catch (Exception e) {
            System.out.println("FAIL " + (e instanceof Failure ? e.getMessage() : e.toString()));
            System.exit(1);
        }
    }

    static void sign(File storeFile, String alias, String issuer, String audience, File out, long lifetime)
            throws Exception {
        String password = System.getenv("STORE_PASSWORD");
        if (password == null) {
            throw new Failure("STORE_PASSWORD is not set");
        }
        KeyStore store = Support.loadJks(storeFile, password);
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

    static void validate(File idpXml, File tokenFile) throws Exception {
        Document idp = Support.documentBuilder().parse(idpXml);
        String idpName = element(idp, "IdentityProviderName", idpXml);
        String tokenEndpointAlias = element(idp, "Alias", idpXml);
        X509Certificate certificate = idpCertificate(element(idp, "Certificate", idpXml), idpXml);
        System.out.println("ok: identity provider " + idpName + " (Alias " + tokenEndpointAlias + ") of " + idpXml
            + ": certificate " + certificate.getSubjectX500Principal());

        String[] parts = new String(Files.readAllBytes(tokenFile.toPath()), StandardCharsets.US_ASCII).trim().split("\\.", -1);
        if (parts.length != 3) {
            throw new Failure(tokenFile + " is not a signed JWT (" + parts.length + " parts, expected 3)");
        }
        Map<String, Object> claims = jsonObject(parts[1], "claims");
        // JWTBearerGrantHandler: the issuer selects the identity provider by its name.
        if (!idpName.equals(claims.get("iss"))) {
            throw new Failure("No Registered IDP found for the JWT with issuer name : " + claims.get("iss"));
        }
        Map<String, Object> header = jsonObject(parts[0], "header");
        Object alg = header.get("alg");
        if (!(alg instanceof String) || !((String) alg).startsWith("RS")) {
            throw new Failure("Could not create a signature verifier for algorithm type: " + alg);
        }
        Signature verifier = Signature.getInstance("SHA" + ((String) alg).substring(2) + "withRSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!verifies(verifier, decode(parts[2], "signature"))) {
            throw new Failure("Signature or Message Authentication invalid: the JWT does not verify with the public key of "
                + certificate.getSubjectX500Principal() + " (signed by another key, or changed after signing)");
        }
        System.out.println("ok: " + alg + " signature verifies with the identity provider's certificate");
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
        if (!(tokenEndpointAlias.equals(aud) || aud instanceof List && ((List<?>) aud).contains(tokenEndpointAlias))) {
            throw new Failure("None of the audience values matched the tokenEndpoint Alias " + tokenEndpointAlias);
        }
        System.out.println("ok: aud " + aud + " holds the token endpoint alias " + tokenEndpointAlias);
        System.out.println("ok: JWT from iss " + claims.get("iss") + " for sub " + claims.get("sub") + " is valid");
    }

    /** Whether the signature verifies; one of another key's length does not (Nimbus's verifier says false too). */
    static boolean verifies(Signature verifier, byte[] signature) {
        try {
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false;
        }
    }

    /** The text of the first element of `name`, as the identity provider file loader reads it. */
    static String element(Document doc, String name, File file) throws Failure {
        NodeList elements = doc.getElementsByTagNameNS("*", name);
        if (elements.getLength() == 0) {
            throw new Failure(file + " has no <" + name + "> element");
        }
        return elements.item(0).getTextContent().trim();
    }

    /**
     * The certificate as IdentityApplicationManagementUtil.decodeCertificate reads it: Axiom's Base64 skips every
     * character outside the alphabet (whitespace is harmless, PEM armour is decoded as data), then X.509.
     */
    static X509Certificate idpCertificate(String text, File file) throws Failure {
        String base64 = text.replaceAll("[^A-Za-z0-9+/=]", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | java.security.cert.CertificateException e) {
            throw new Failure("Error occurred while decoding public certificate of Identity Provider in " + file + ": " + e);
        }
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
}
