// Writes symmetric Secure Vault cipher texts the way WSO2's cipher tool does with -Dsymmetric, for test homes
// whose secret key keytool generated (keytool -genseckey): nothing else here can read that key out.
//
//   java VaultSeal STORE ALIAS PLAINTEXT...   (the PKCS12 store's password in STORE_PASSWORD)
//
// The key is the store's SecretKey under ALIAS, recovered with the store password (as the server recovers it).
// Each PLAINTEXT (UTF-8) is encrypted with AES/GCM/NoPadding, a fresh random 128-byte IV and a 128-bit tag;
// the line printed is Base64 of {"cipherText":"Base64(ct||tag)","iv":"Base64(iv)"}, with '=' written \u003d
// as Gson writes it, one line per PLAINTEXT.
import java.nio.charset.StandardCharsets;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

public class VaultSeal {
    public static void main(String[] args) throws Exception {
        char[] password = System.getenv("STORE_PASSWORD").toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[0])) {
            store.load(in, password);
        }
        Key key = store.getKey(args[1], password);
        if (!(key instanceof SecretKey)) {
            System.out.println("FAIL no secret key under " + args[1] + " in " + args[0]);
            System.exit(1);
        }
        SecureRandom random = new SecureRandom();
        Base64.Encoder base64 = Base64.getEncoder();
        for (int i = 2; i < args.length; i++) {
            byte[] iv = new byte[128];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(args[i].getBytes(StandardCharsets.UTF_8));
            String json = "{\"cipherText\":\"" + base64.encodeToString(sealed) + "\",\"iv\":\""
                + base64.encodeToString(iv) + "\"}";
            json = json.replace("=", "\\u003d");
            System.out.println(base64.encodeToString(json.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
