// Connects to a TLS server as a WSO2 node calls its cluster's public names (R4): trusting only the node's
// client-truststore.jks, with SNI and HTTPS hostname verification for the name, whatever address it reaches.
//
//   java TlsClient TRUSTSTORE.jks HOST PORT   (store password in the environment variable STORE_PASSWORD;
//                                              connects to 127.0.0.1:PORT, presenting and verifying HOST)
//
// Prints the negotiated protocol and the server's certificate subject; exits 1 with a FAIL line when the
// handshake or the hostname check fails.
import java.io.*;
import java.net.*;
import java.security.*;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.*;

public class TlsClient {
    public static void main(String[] args) {
        try {
            KeyStore trust = Support.loadJks(new File(args[0]), System.getenv("STORE_PASSWORD"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            String host = args[1];
            Socket plain = new Socket("127.0.0.1", Integer.parseInt(args[2]));
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            SSLSession session = socket.getSession();
            X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
            System.out.println("ok: " + session.getProtocol() + " to " + host + ", verified for the name, served "
                + leaf.getSubjectX500Principal().getName());
            socket.close();
        } catch (Exception e) {
            System.out.println("FAIL: " + e);
            System.exit(1);
        }
    }
}
