// Loads iospki's stores the way WSO2 IoT Server does, then makes a TLS handshake between them.
//
//   java ServerStores DIR HOST [ALIAS]   (store password in the environment variable STORE_PASSWORD;
//                                         ALIAS is carbon.xml's KeyAlias, wso2carbon by default)
//
// - wso2certs.jks is opened as certificate-config.xml says (type, password, aliases, key passwords), as
//   carbon-device-mgt's CertificateGenerator does; the CA key signs with SHA256withRSA as SCEP does, the RA
//   key decrypts what was encrypted to the RA certificate (PKIOperation).
// - wso2carbon.jks is opened as carbon.xml's KeyStore (JKS, KeyAlias, key password = store password),
//   client-truststore.jks as its TrustStore; a client trusting only the truststore connects to a server
//   presenting the KeyAlias key (as Tomcat's keyAlias selects it), with HTTPS hostname verification for HOST,
//   over TLS 1.2 and 1.3.
// Prints one line per check; exits 1 on the first failure.
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.*;
import java.security.cert.*;
import java.util.*;
import javax.crypto.Cipher;
import javax.net.ssl.*;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

public class ServerStores {
    public static void main(String[] args) throws Exception {
        File dir = new File(args[0]);
        String host = args[1];
        String alias = args.length > 2 ? args[2] : "wso2carbon";
        char[] storePassword = System.getenv("STORE_PASSWORD").toCharArray();
        try {
            checkScepStore(dir);
            KeyStore keyStore = load(new File(dir, "wso2carbon.jks"), "JKS", storePassword);
            KeyStore trustStore = load(new File(dir, "client-truststore.jks"), "JKS", storePassword);
            checkCarbonStores(keyStore, trustStore, storePassword, alias);
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                handshake(keyStore, trustStore, storePassword, alias, host, protocol);
            }
        } catch (Exception e) {
            System.out.println("FAIL " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    static KeyStore load(File file, String type, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = new FileInputStream(file)) {
            store.load(in, password);
        }
        System.out.println("loaded " + file.getName() + " as " + type + " with " + store.size() + " entries");
        return store;
    }

    static String element(Document doc, String name) {
        return doc.getElementsByTagName(name).item(0).getTextContent().trim();
    }

    static void checkScepStore(File dir) throws Exception {
        Document config = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new File(dir, "certificate-config.xml"));
        String location = element(config, "CertificateKeystoreLocation")
            .replace("${carbon.home}/repository/resources/security", dir.getPath());
        KeyStore store = load(new File(location), element(config, "CertificateKeystoreType"),
            element(config, "CertificateKeystorePassword").toCharArray());
        String caAlias = element(config, "CACertAlias");
        String raAlias = element(config, "RACertAlias");
        PrivateKey caKey = (PrivateKey) store.getKey(caAlias, element(config, "CAPrivateKeyPassword").toCharArray());
        PrivateKey raKey = (PrivateKey) store.getKey(raAlias, element(config, "RAPrivateKeyPassword").toCharArray());
        X509Certificate ca = (X509Certificate) store.getCertificate(caAlias);
        X509Certificate ra = (X509Certificate) store.getCertificate(raAlias);
        require(caKey != null && raKey != null, "CA and RA keys recovered with the passwords in certificate-config.xml");
        require(ca.getSubjectX500Principal().equals(ca.getIssuerX500Principal()), "CA is self-signed");
        ca.verify(ca.getPublicKey());
        ra.verify(ca.getPublicKey());
        require(ra.getIssuerX500Principal().equals(ca.getSubjectX500Principal()), "RA is issued by the CA");
        require(store.getCertificateChain(raAlias).length == 2, "racert chain is RA, CA");

        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(caKey);
        byte[] message = "device certificate".getBytes(StandardCharsets.UTF_8);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(ca);
        verifier.update(message);
        require(verifier.verify(signature), "CA key signs SHA256withRSA, verified by the CA certificate");

        Cipher encrypt = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        encrypt.init(Cipher.ENCRYPT_MODE, ra.getPublicKey());
        byte[] sealed = encrypt.doFinal(message);
        Cipher decrypt = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        decrypt.init(Cipher.DECRYPT_MODE, raKey);
        require(Arrays.equals(decrypt.doFinal(sealed), message), "RA key decrypts what was sealed to the RA certificate");
    }

    static void checkCarbonStores(KeyStore keyStore, KeyStore trustStore, char[] password, String alias) throws Exception {
        require(keyStore.isKeyEntry(alias), "wso2carbon.jks has a key entry under carbon.xml's KeyAlias " + alias);
        require(keyStore.getKey(alias, password) != null, "SSL key recovered with the store password");
        require(keyStore.getCertificateChain(alias).length == 2, alias + " chain is SSL, CA");
        for (String entry : Collections.list(trustStore.aliases())) {
            require(trustStore.isCertificateEntry(entry), "truststore entry " + entry + " is a trusted certificate, not a key");
        }
    }

    static void handshake(KeyStore keyStore, KeyStore trustStore, char[] password, String alias, String host,
            String protocol) throws Exception {
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(Support.keyManagerFor(keyStore, password, alias), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        String used = Support.handshake(serverContext, clientContext, host, protocol);
        require(used.equals(protocol), "data received over " + protocol);
        System.out.println("HANDSHAKE OK " + used + " " + host);
    }

    static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("check failed: " + what);
        }
        System.out.println("ok " + what);
    }
}
