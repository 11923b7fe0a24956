// What the test programs share: opening a store as WSO2 does, a server key manager that presents one alias, one
// TLS handshake over loopback with hostname verification, and an XML parser that refuses DTDs.
import java.io.*;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.*;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.*;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.xml.sax.helpers.DefaultHandler;

final class Support {
    private Support() {
    }

    /** KeyStore.getInstance("JKS") as both the IdP and the app open the store; names the file's real format. */
    static KeyStore loadJks(File file, String password) throws Exception {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file.toPath());
        } catch (IOException e) {
            throw new Failure("cannot read " + file + ": " + e);
        }
        KeyStore store = KeyStore.getInstance("JKS");
        try {
            store.load(new ByteArrayInputStream(bytes), password.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new Failure("KeyStore.getInstance(\"JKS\") cannot load " + file + " with the password given: " + e);
        }
        String format = bytes.length >= 4 && (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xed
            ? "JKS" : bytes.length > 0 && bytes[0] == 0x30 ? "PKCS#12, read by Java's JKS/PKCS#12 compatibility" : "unknown";
        System.out.println("ok: loaded " + file + " with KeyStore.getInstance(\"JKS\"): " + store.size()
            + " entries, file format " + format);
        return store;
    }

    /** Presents the key under one alias, as Tomcat's keyAlias (carbon.xml KeyAlias) does. */
    static KeyManager[] keyManagerFor(KeyStore keyStore, char[] password, String alias) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(keyStore, password);
        X509ExtendedKeyManager base = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        return new KeyManager[] {new X509ExtendedKeyManager() {
            public String chooseServerAlias(String type, Principal[] issuers, Socket socket) { return alias; }
            public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) { return alias; }
            public String[] getServerAliases(String type, Principal[] issuers) { return new String[] {alias}; }
            public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) { return null; }
            public String[] getClientAliases(String type, Principal[] issuers) { return null; }
            public X509Certificate[] getCertificateChain(String name) { return base.getCertificateChain(name); }
            public PrivateKey getPrivateKey(String name) { return base.getPrivateKey(name); }
        }};
    }

    /**
     * One connection over loopback, the client naming `host` (SNI, hostname verification as HTTPS does) and
     * reading the server's greeting; the protocol used.
     */
    static String handshake(SSLContext serverContext, SSLContext clientContext, String host, String protocol)
            throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setEnabledProtocols(new String[] {protocol});
            Thread accept = new Thread(() -> {
                try (SSLSocket peer = (SSLSocket) server.accept()) {
                    peer.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                    peer.getOutputStream().flush();
                } catch (IOException e) {
                    // The client's refusal shows on its side.
                }
            });
            accept.start();
            Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(plain, host, server.getLocalPort(), true)) {
                SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                params.setServerNames(List.of(new SNIHostName(host)));
                params.setProtocols(new String[] {protocol});
                socket.setSSLParameters(params);
                socket.startHandshake();
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
                if (!"hello".equals(line)) {
                    throw new Failure("no data received over " + protocol + " from " + host);
                }
                return socket.getSession().getProtocol();
            } finally {
                accept.join();
            }
        }
    }

    /** A namespace-aware parser that refuses DTDs (no entity tricks) and XInclude; parse errors are thrown, not logged. */
    static DocumentBuilder documentBuilder() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new DefaultHandler());
        return builder;
    }
}
