// Signs a SAML 2.0 Response as a WSO2 Carbon 4.4 IdP does and validates it as a Jaggery relying party (store,
// publisher, dashboard) does.
//
//   java SamlSso sign KEYSTORE.jks ALIAS OUT.xml       (store password in the environment variable STORE_PASSWORD;
//                                                      the key password is the same, as carbon.xml expects)
//   java SamlSso validate HOME SSO_JSON RESPONSE.xml    (HOME is carbon.home; SSO_JSON the app's settings file)
//
// - sign: the IdP signs with the key under carbon.xml's KeyAlias (wso2/carbon-identity-framework
//   SignKeyDataHolder): KeyStore.getInstance("JKS"), then an enveloped XML signature over the whole Response
//   (RSA-SHA256, SHA-256 digest, exclusive C14N, Reference "#ID", placed right after the Issuer, the signer's
//   certificate in KeyInfo/X509Data).
// - validate: as wso2/jaggery-extensions sso Util.validateSignature. The app's JSON names keyStoreName,
//   keyStorePassword, identityAlias and responseSigningEnabled, under authentication.methods.sso.attributes
//   (Enterprise Store publisher.json, store.json) or ssoConfiguration (IoT Server, App Manager); the app loads
//   carbon.home + keyStoreName with KeyStore.getInstance("JKS") and keyStorePassword, takes
//   getCertificate(identityAlias) and checks the signature with that certificate's public key. The certificate
//   in the Response's KeyInfo is never used to validate; it is only named when validation fails.
// Prints one line per check; exits 1 with a FAIL line on the first failure.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.*;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.*;
import javax.xml.XMLConstants;
import javax.xml.crypto.dsig.*;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.keyinfo.X509Data;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.*;

public class SamlSso {
    static final String SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol";
    static final String SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
    static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    static final String IDP_ENTITY_ID = "localhost";
    static final String SP_ISSUER = "store";
    static final String ACS = "https://localhost:9443/store/acs";

    public static void main(String[] args) {
        try {
            if (args.length == 4 && args[0].equals("sign")) {
                sign(new File(args[1]), args[2], new File(args[3]));
            } else if (args.length == 4 && args[0].equals("validate")) {
                validate(args[1], new File(args[2]), new File(args[3]));
            } else {
                System.out.println("usage: java SamlSso sign KEYSTORE.jks ALIAS OUT.xml   (STORE_PASSWORD in the environment)");
                System.out.println("       java SamlSso validate HOME SSO_JSON RESPONSE.xml");
                System.exit(2);
            }
        } catch (Exception e) {
            System.out.println("FAIL " + (e instanceof Failure ? e.getMessage() : e.toString()));
            System.exit(1);
        }
    }

    // ---------------------------------------------------------------- sign, as the IdP

    static void sign(File storeFile, String alias, File out) throws Exception {
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

        Document doc = Support.documentBuilder().newDocument();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String responseId = "_" + UUID.randomUUID().toString().replace("-", "");
        Element response = element(doc, SAMLP, "samlp:Response", null);
        doc.appendChild(response);
        response.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:samlp", SAMLP);
        response.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:saml", SAML);
        response.setAttributeNS(null, "ID", responseId);
        response.setAttributeNS(null, "Version", "2.0");
        response.setAttributeNS(null, "IssueInstant", now.toString());
        response.setAttributeNS(null, "Destination", ACS);
        response.setIdAttributeNS(null, "ID", true);
        Element issuer = (Element) response.appendChild(element(doc, SAML, "saml:Issuer", IDP_ENTITY_ID));
        issuer.setAttributeNS(null, "Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity");
        Element status = (Element) response.appendChild(element(doc, SAMLP, "samlp:Status", null));
        Element statusCode = (Element) status.appendChild(element(doc, SAMLP, "samlp:StatusCode", null));
        statusCode.setAttributeNS(null, "Value", "urn:oasis:names:tc:SAML:2.0:status:Success");
        response.appendChild(assertion(doc, now));

        XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
        Reference reference = factory.newReference("#" + responseId,
            factory.newDigestMethod(DigestMethod.SHA256, null),
            Arrays.asList(factory.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null),
                factory.newTransform(CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null)),
            null, null);
        SignedInfo signedInfo = factory.newSignedInfo(
            factory.newCanonicalizationMethod(CanonicalizationMethod.EXCLUSIVE, (C14NMethodParameterSpec) null),
            factory.newSignatureMethod(RSA_SHA256, null),
            Collections.singletonList(reference));
        KeyInfoFactory keyInfos = factory.getKeyInfoFactory();
        KeyInfo keyInfo = keyInfos.newKeyInfo(Collections.singletonList(
            keyInfos.newX509Data(Collections.singletonList(certificate))));
        DOMSignContext context = new DOMSignContext(key, response, issuer.getNextSibling());
        context.setDefaultNamespacePrefix("ds");
        factory.newXMLSignature(signedInfo, keyInfo).sign(context);

        Transformer writer = TransformerFactory.newInstance().newTransformer();
        writer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        try (OutputStream stream = new FileOutputStream(out)) {
            writer.transform(new DOMSource(doc), new StreamResult(stream));
        }
        System.out.println("ok: signed Response " + responseId + " with the key under " + alias + " ("
            + certificate.getSubjectX500Principal() + "), written to " + out);
    }

    /** The Assertion of a successful login of admin at the store, valid for five minutes. */
    static Element assertion(Document doc, Instant now) {
        String later = now.plus(5, ChronoUnit.MINUTES).toString();
        Element assertion = element(doc, SAML, "saml:Assertion", null);
        assertion.setAttributeNS(null, "ID", "_" + UUID.randomUUID().toString().replace("-", ""));
        assertion.setAttributeNS(null, "Version", "2.0");
        assertion.setAttributeNS(null, "IssueInstant", now.toString());
        assertion.appendChild(element(doc, SAML, "saml:Issuer", IDP_ENTITY_ID));

        Element subject = (Element) assertion.appendChild(element(doc, SAML, "saml:Subject", null));
        Element nameId = (Element) subject.appendChild(element(doc, SAML, "saml:NameID", "admin"));
        nameId.setAttributeNS(null, "Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
        Element confirmation = (Element) subject.appendChild(element(doc, SAML, "saml:SubjectConfirmation", null));
        confirmation.setAttributeNS(null, "Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer");
        Element data = (Element) confirmation.appendChild(element(doc, SAML, "saml:SubjectConfirmationData", null));
        data.setAttributeNS(null, "NotOnOrAfter", later);
        data.setAttributeNS(null, "Recipient", ACS);

        Element conditions = (Element) assertion.appendChild(element(doc, SAML, "saml:Conditions", null));
        conditions.setAttributeNS(null, "NotBefore", now.toString());
        conditions.setAttributeNS(null, "NotOnOrAfter", later);
        Element restriction = (Element) conditions.appendChild(element(doc, SAML, "saml:AudienceRestriction", null));
        restriction.appendChild(element(doc, SAML, "saml:Audience", SP_ISSUER));

        Element authn = (Element) assertion.appendChild(element(doc, SAML, "saml:AuthnStatement", null));
        authn.setAttributeNS(null, "AuthnInstant", now.toString());
        authn.setAttributeNS(null, "SessionIndex", UUID.randomUUID().toString());
        Element context = (Element) authn.appendChild(element(doc, SAML, "saml:AuthnContext", null));
        context.appendChild(element(doc, SAML, "saml:AuthnContextClassRef",
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"));
        return assertion;
    }

    static Element element(Document doc, String namespace, String name, String text) {
        Element element = doc.createElementNS(namespace, name);
        if (text != null) {
            element.setTextContent(text);
        }
        return element;
    }

    // ---------------------------------------------------------------- validate, as the relying party

    static void validate(String home, File jsonFile, File responseFile) throws Exception {
        Object json;
        try {
            json = Json.parse(new String(Files.readAllBytes(jsonFile.toPath()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new Failure(jsonFile + " is not JSON: " + e.getMessage());
        }
        Map.Entry<String, Map<String, Object>> found = ssoSettings(json, "");
        if (found == null) {
            throw new Failure(jsonFile + " has no object with keyStoreName or identityAlias");
        }
        Map<String, Object> sso = found.getValue();
        String keyStoreName = text(sso, "keyStoreName");
        String keyStorePassword = text(sso, "keyStorePassword");
        String identityAlias = text(sso, "identityAlias");
        String signing = text(sso, "responseSigningEnabled");
        System.out.println("ok: SSO settings at " + found.getKey() + ": keyStoreName \"" + keyStoreName
            + "\", identityAlias \"" + identityAlias + "\", responseSigningEnabled " + signing);
        if (!signing.equalsIgnoreCase("true")) {
            throw new Failure("responseSigningEnabled is not true: the app would accept the Response without "
                + "checking its signature");
        }
        if (keyStoreName.isEmpty() || identityAlias.isEmpty()) {
            String empty = keyStoreName.isEmpty() && identityAlias.isEmpty() ? "keyStoreName and identityAlias are"
                : keyStoreName.isEmpty() ? "keyStoreName is" : "identityAlias is";
            throw new Failure(empty + " empty while responseSigningEnabled is true: the app cannot check the Response "
                + "signature");
        }

        File storeFile = new File(home + keyStoreName);
        KeyStore store = Support.loadJks(storeFile, keyStorePassword);
        X509Certificate certificate = (X509Certificate) store.getCertificate(identityAlias);
        if (certificate == null) {
            throw new Failure("no certificate under alias " + identityAlias + " in " + storeFile
                + " (the app fails with a NullPointerException in X509CredentialImpl)");
        }
        System.out.println("ok: certificate under identityAlias " + identityAlias + " ("
            + (store.isKeyEntry(identityAlias) ? "key entry" : "trusted certificate entry") + "): "
            + certificate.getSubjectX500Principal());

        Document doc = Support.documentBuilder().parse(responseFile);
        Element response = doc.getDocumentElement();
        if (!SAMLP.equals(response.getNamespaceURI()) || !"Response".equals(response.getLocalName())) {
            throw new Failure(responseFile + " is not a samlp:Response");
        }
        int assertions = doc.getElementsByTagNameNS(SAML, "Assertion").getLength();
        if (assertions > 1) {
            throw new Failure("the Response holds " + assertions + " assertions (the app rejects more than one)");
        }
        String responseId = response.getAttributeNS(null, "ID");
        response.setIdAttributeNS(null, "ID", true);
        Element signatureElement = signatureOf(response);

        XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
        DOMValidateContext context = new DOMValidateContext(certificate.getPublicKey(), signatureElement);
        context.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
        XMLSignature signature = factory.unmarshalXMLSignature(context);
        checkProfile(signature, responseId);

        boolean valid = signature.validate(context);
        List<String> problems = new ArrayList<>();
        for (Object item : signature.getSignedInfo().getReferences()) {
            Reference reference = (Reference) item;
            if (reference.validate(context)) {
                System.out.println("ok: reference " + reference.getURI() + " digest matches");
            } else {
                problems.add("reference " + reference.getURI()
                    + " digest does not match: the Response was changed after it was signed");
            }
        }
        if (signature.getSignatureValue().validate(context)) {
            System.out.println("ok: signature value verifies with the public key of the certificate under "
                + identityAlias);
        } else {
            problems.add("signature value does not verify with the public key of the certificate under "
                + identityAlias + " (" + certificate.getSubjectX500Principal() + "); the Response's KeyInfo names "
                + keyInfoSubject(signature) + " (not used to validate)");
        }
        if (!valid) {
            throw new Failure("Response signature is invalid: " + String.join("; ", problems));
        }
        System.out.println("ok: Response " + responseId + " signature is valid (core validation, secure validation on)");
    }

    /** The one ds:Signature child of the Response; SAML places it right after the Issuer. */
    static Element signatureOf(Element response) throws Failure {
        List<Element> signatures = new ArrayList<>();
        for (Node child = response.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element && XMLSignature.XMLNS.equals(child.getNamespaceURI())
                    && "Signature".equals(child.getLocalName())) {
                signatures.add((Element) child);
            }
        }
        if (signatures.size() != 1) {
            throw new Failure("the Response has " + signatures.size() + " ds:Signature children, expected 1");
        }
        return signatures.get(0);
    }

    /** What the app's SAMLSignatureProfileValidator and validateReferenceURI demand before checking the signature. */
    static void checkProfile(XMLSignature signature, String responseId) throws Failure {
        List<?> references = signature.getSignedInfo().getReferences();
        if (references.size() != 1) {
            throw new Failure("the signature has " + references.size() + " references, the SAML profile wants 1");
        }
        Reference reference = (Reference) references.get(0);
        String uri = reference.getURI();
        if (!uri.isEmpty() && !uri.equals("#" + responseId)) {
            throw new Failure("reference " + uri + " is not the Response (ID " + responseId + ")");
        }
        for (Object item : reference.getTransforms()) {
            String algorithm = ((Transform) item).getAlgorithm();
            if (!algorithm.equals(Transform.ENVELOPED) && !algorithm.equals(CanonicalizationMethod.EXCLUSIVE)
                    && !algorithm.equals(CanonicalizationMethod.EXCLUSIVE_WITH_COMMENTS)) {
                throw new Failure("transform " + algorithm + " is not allowed by the SAML signature profile");
            }
        }
        if (!signature.getObjects().isEmpty()) {
            throw new Failure("the signature carries ds:Object children");
        }
        System.out.println("ok: signature follows the SAML profile: one reference " + uri + " to the Response");
    }

    static String keyInfoSubject(XMLSignature signature) {
        if (signature.getKeyInfo() != null) {
            for (Object info : signature.getKeyInfo().getContent()) {
                if (info instanceof X509Data) {
                    for (Object item : ((X509Data) info).getContent()) {
                        if (item instanceof X509Certificate) {
                            return ((X509Certificate) item).getSubjectX500Principal().toString();
                        }
                    }
                }
            }
        }
        return "no certificate";
    }

    /** The first object, depth first, holding keyStoreName or identityAlias, with its path in the document. */
    @SuppressWarnings("unchecked")
    static Map.Entry<String, Map<String, Object>> ssoSettings(Object node, String path) {
        if (node instanceof Map) {
            Map<String, Object> map = (Map<String, Object>) node;
            if (map.containsKey("keyStoreName") || map.containsKey("identityAlias")) {
                return new AbstractMap.SimpleEntry<>(path.isEmpty() ? "(top level)" : path, map);
            }
            for (Map.Entry<String, Object> entry : map.entrySet()) {
                Map.Entry<String, Map<String, Object>> found =
                    ssoSettings(entry.getValue(), path.isEmpty() ? entry.getKey() : path + "." + entry.getKey());
                if (found != null) {
                    return found;
                }
            }
        } else if (node instanceof List) {
            List<Object> list = (List<Object>) node;
            for (int i = 0; i < list.size(); i++) {
                Map.Entry<String, Map<String, Object>> found = ssoSettings(list.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A setting as text: absent or null is "", true is "true". */
    static String text(Map<String, Object> settings, String name) {
        Object value = settings.get(name);
        return value == null ? "" : value.toString();
    }
}
