// Decrypts a node's Secure Vault secrets as a WSO2 (Carbon 4) server does at start, and opens stores with them.
//
//   java SecureVault decrypt HOME CONF
//   java SecureVault open HOME CONF STORE=ALIAS...
//
// HOME is the server's home (carbon.home, also its working directory: wso2server.sh starts it there); CONF is
// its configuration directory relative to HOME (repository/conf, or conf for the Micro Integrator).
// - decrypt: reads HOME/CONF/security/secret-conf.properties (java.util.Properties) as org.wso2.securevault's
//   SecretManager does: the legacy repository list secretRepositories must name "file", whose provider is
//   FileBaseSecretRepositoryProvider; keystore.identity.{location,type,alias}, the store and key passwords
//   through DefaultSecretCallbackHandler (carbon-kernel), the cipher texts at secretRepositories.file.location
//   (default cipher-text.properties), always relative to HOME, and secretRepositories.file.{algorithm,
//   encryptionMode}. The keystore's location is absolute or relative to HOME.
//   The password is the first line of HOME/password-tmp, as the callback handler reads it (the key password is
//   the same one); the file is then overwritten and deleted, as the server does: a second run finds none.
//   Each cipher text is decrypted as FileBaseSecretRepository does: Base64 as Axiom 1.2's decoder reads it
//   (characters outside the alphabet skipped, a trailing partial quantum dropped), then
//   - asymmetric: Cipher.getInstance(algorithm, default "RSA"), DECRYPT_MODE with the alias's private key;
//   - encryptionMode=symmetric: the alias's SecretKey (getKey with the store password); for AES/GCM/NoPadding
//     (the default) the value is Base64 of {"cipherText": Base64(ct||tag), "iv": Base64(iv)}, with
//     GCMParameterSpec(128, iv); another algorithm decrypts the Base64 value directly.
//   The plaintext is read as UTF-8 (WSO2's start scripts set -Dfile.encoding=UTF8).
// - open: decrypt, then each STORE (relative to HOME) is loaded with the plaintext of ALIAS as its password
//   (a .jks as JKS, a .p12/.pfx as PKCS12, any other name PKCS12 then JKS), and each key entry in it is
//   recovered with that password too (WSO2 keys share their store's password).
// Prints, one line each, sorted by alias then in argument order:
//   ALIAS<TAB>OK<TAB>sha256-hex-of-plaintext | ALIAS<TAB>PLAIN | ALIAS<TAB>FAIL<TAB>why
//   STORE<TAB>OPENS | STORE<TAB>FAIL<TAB>why
// PLAIN is a value still in [brackets] (cipher tool input, not yet encrypted): a server reading it gets no
// secret. A value the server would decrypt to nothing (a wrong cipher text: its decryptor swallows the
// failure, logs "Error decrypting secret" and resolves the alias to itself) is a FAIL with the real cause.
// Exits 0 only when every alias is OK and every store OPENS; 1 when some line is PLAIN or FAIL; 2 with one
// line "ERROR<TAB>why" when the server itself would not get as far as decrypting (no password-tmp, a
// secret-conf.properties it would not use, a keystore or key it cannot load).
import java.io.*;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.*;
import java.util.*;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

public class SecureVault {
    private static final String FILE_PROVIDER = "org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider";
    private static final String CALLBACK_HANDLER = "org.wso2.carbon.securevault.DefaultSecretCallbackHandler";
    private static final String GCM = "AES/GCM/NoPadding";

    /** What stops the server before any secret is decrypted. */
    static final class SetupError extends Exception {
        private static final long serialVersionUID = 1L;

        SetupError(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        if (args.length < 3 || !(args[0].equals("decrypt") || args[0].equals("open"))
                || args[0].equals("decrypt") && args.length != 3) {
            System.out.println("ERROR\tusage: java SecureVault decrypt HOME CONF | open HOME CONF STORE=ALIAS...");
            System.exit(2);
        }
        File home = new File(args[1]);
        try {
            Map<String, String> plaintexts = new TreeMap<>();
            boolean ok = decrypt(home, args[2], plaintexts);
            for (int i = 3; i < args.length; i++) {
                ok &= open(home, args[i], plaintexts);
            }
            System.exit(ok ? 0 : 1);
        } catch (SetupError e) {
            System.out.println("ERROR\t" + e.getMessage());
            System.exit(2);
        }
    }

    /** Prints a line per alias; fills `plaintexts` with those that decrypted; whether all did. */
    static boolean decrypt(File home, String conf, Map<String, String> plaintexts) throws SetupError {
        File secretConf = new File(home, conf + "/security/secret-conf.properties");
        Properties config = load(secretConf, "secret-conf.properties");
        if ("false".equalsIgnoreCase(property(config, "secVault.enabled"))) {
            throw new SetupError(secretConf + ": secVault.enabled=false turns the Secret Manager off");
        }
        String repositories = property(config, "secretRepositories");
        if (repositories == null || !Arrays.asList(repositories.split(",")).contains("file")) {
            throw new SetupError(secretConf + ": secretRepositories does not name \"file\" (it is "
                + (repositories == null ? "absent" : "\"" + repositories + "\"") + "): the server reads no cipher text");
        }
        String provider = property(config, "secretRepositories.file.provider");
        if (!FILE_PROVIDER.equals(provider)) {
            throw new SetupError(secretConf + ": secretRepositories.file.provider is " + provider + ", not " + FILE_PROVIDER);
        }
        for (String prefix : new String[] {"keystore.identity.store", "keystore.identity.key"}) {
            String handler = property(config, prefix + ".secretProvider");
            if (!CALLBACK_HANDLER.equals(handler)) {
                throw new SetupError(secretConf + ": " + prefix + ".secretProvider is " + handler + ", not "
                    + CALLBACK_HANDLER + ": the server would not take the password from password-tmp");
            }
            if (property(config, prefix + ".password") == null) {
                throw new SetupError(secretConf + ": " + prefix + ".password is not set: the server resolves no password");
            }
        }
        String location = required(config, "keystore.identity.location", secretConf);
        String type = required(config, "keystore.identity.type", secretConf);
        String alias = required(config, "keystore.identity.alias", secretConf);
        if (!type.equals("JKS") && !type.equals("PKCS12")) {
            throw new SetupError(secretConf + ": keystore.identity.type " + type
                + " is not JKS or PKCS12 (the server's type names are upper case)");
        }
        String cipherTexts = property(config, "secretRepositories.file.location");
        if (cipherTexts == null) {
            cipherTexts = "cipher-text.properties";
        }
        boolean symmetric = "symmetric".equals(property(config, "secretRepositories.file.encryptionMode"));
        String algorithm = property(config, "secretRepositories.file.algorithm");
        if (algorithm == null) {
            algorithm = symmetric ? GCM : "RSA";
        }

        char[] password = consumePassword(home);
        File keystoreFile = new File(location);
        if (!keystoreFile.isAbsolute()) {
            keystoreFile = new File(home, location);
        }
        KeyStore keystore = loadStore(keystoreFile, type, password);
        Key key = key(keystore, alias, password, symmetric, keystoreFile);

        // FileBaseSecretRepository joins carbon.home and the location as strings: even a leading / stays in HOME.
        File cipherFile = new File(home.getPath() + File.separator + cipherTexts);
        Properties secrets = cipherFile.exists() ? load(cipherFile, "the cipher texts") : new Properties();
        if (secrets.isEmpty()) {
            throw new SetupError(cipherFile + " is missing or empty: the server resolves every alias to itself");
        }
        boolean ok = true;
        for (String name : new TreeSet<>(secrets.stringPropertyNames())) {
            String value = secrets.getProperty(name).trim();
            if (value.startsWith("[") && value.endsWith("]")) {
                System.out.println(name + "\tPLAIN");
                ok = false;
                continue;
            }
            try {
                String plaintext = decryptOne(value, algorithm, key);
                if (plaintext.isEmpty()) {
                    throw new Failure("decrypts to nothing: the server would resolve the alias to itself");
                }
                plaintexts.put(name, plaintext);
                System.out.println(name + "\tOK\t" + sha256(plaintext));
            } catch (Failure e) {
                System.out.println(name + "\tFAIL\t" + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    static String decryptOne(String value, String algorithm, Key key) throws Failure {
        if (value.isEmpty()) {
            throw new Failure("empty value: the server skips it and resolves the alias to itself");
        }
        byte[] cipherText;
        GCMParameterSpec gcm = null;
        if (algorithm.equals(GCM)) {
            String json = new String(base64(value), StandardCharsets.UTF_8);
            Object parsed;
            try {
                parsed = Json.parse(json);
            } catch (RuntimeException e) {
                throw new Failure("not Base64 of a JSON object: " + e.getMessage());
            }
            if (!(parsed instanceof Map)) {
                throw new Failure("not Base64 of a JSON object");
            }
            Map<?, ?> object = (Map<?, ?>) parsed;
            cipherText = base64(member(object, "cipherText"));
            gcm = new GCMParameterSpec(128, base64(member(object, "iv")));
        } else {
            cipherText = base64(value);
        }
        try {
            Cipher cipher = Cipher.getInstance(algorithm);
            if (gcm != null) {
                cipher.init(Cipher.DECRYPT_MODE, key, gcm);
            } else {
                cipher.init(Cipher.DECRYPT_MODE, key);
            }
            return new String(cipher.doFinal(cipherText), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Failure(algorithm + " does not decrypt it: " + e);
        }
    }

    static String member(Map<?, ?> object, String name) throws Failure {
        Object value = object.get(name);
        if (!(value instanceof String)) {
            throw new Failure("the JSON has no string \"" + name + "\"");
        }
        return (String) value;
    }

    /**
     * Base64 as Axiom 1.2's Base64Utils.decode(String) reads it: characters outside the alphabet and '=' are
     * skipped, complete quanta of four decoded, '=' in a quantum's third or fourth place ending it early.
     */
    static byte[] base64(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] quantum = new int[4];
        int n = 0;
        for (char c : text.toCharArray()) {
            int v = c == '=' ? -1 : alphabet.indexOf(c);
            if (c != '=' && v < 0) {
                continue;
            }
            quantum[n++] = v;
            if (n == 4) {
                n = 0;
                int bytes = quantum[2] < 0 ? 1 : quantum[3] < 0 ? 2 : 3;
                int bits = (Math.max(quantum[0], 0) << 18) | (Math.max(quantum[1], 0) << 12)
                    | (Math.max(quantum[2], 0) << 6) | Math.max(quantum[3], 0);
                out.write(bits >> 16);
                if (bytes > 1) {
                    out.write(bits >> 8);
                }
                if (bytes > 2) {
                    out.write(bits);
                }
            }
        }
        return out.toByteArray();
    }

    /** The first line of HOME/password-tmp, read as the callback handler reads it; the file is then destroyed. */
    static char[] consumePassword(File home) throws SetupError {
        File file = new File(home, "password-tmp");
        if (new File(home, "password").exists()) {
            throw new SetupError(new File(home, "password") + " exists: the server reads it before password-tmp");
        }
        if (!file.isFile()) {
            throw new SetupError("no " + file + ": a server started as a daemon has no password for its keystore");
        }
        String line;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new FileInputStream(file),
                Charset.defaultCharset()))) {
            line = reader.readLine();
        } catch (IOException e) {
            throw new SetupError("cannot read " + file + ": " + e);
        }
        try (Writer writer = new OutputStreamWriter(new FileOutputStream(file), StandardCharsets.UTF_8)) {
            writer.write("!@#$%^&*()SDFGHJZXCVBNM!@#$%^&*");
        } catch (IOException e) {
            throw new SetupError("cannot overwrite " + file + " (the server fails to start): " + e);
        }
        if (!file.delete()) {
            throw new SetupError("cannot delete " + file + " (the server fails to start)");
        }
        if (line == null || line.isEmpty()) {
            throw new SetupError(file + " has an empty first line: the server has no keystore password");
        }
        return line.toCharArray();
    }

    static Key key(KeyStore keystore, String alias, char[] password, boolean symmetric, File file) throws SetupError {
        Key key;
        try {
            key = keystore.getKey(alias, password);
        } catch (GeneralSecurityException e) {
            throw new SetupError("the key " + alias + " of " + file + " does not open with password-tmp's password: " + e);
        }
        if (symmetric && !(key instanceof SecretKey)) {
            throw new SetupError(file + " has no secret key under " + alias
                + ": the server would fall back to its built-in default AES key");
        }
        if (!symmetric && !(key instanceof PrivateKey)) {
            throw new SetupError(file + " has no private key under " + alias + " (the server fails with \"Invalid key\")");
        }
        return key;
    }

    /** `arg` is STORE=ALIAS: the store opened with the plaintext of ALIAS; prints its line; whether it opened. */
    static boolean open(File home, String arg, Map<String, String> plaintexts) throws SetupError {
        int eq = arg.lastIndexOf('=');
        if (eq <= 0 || eq == arg.length() - 1) {
            throw new SetupError("not STORE=ALIAS: " + arg);
        }
        String store = arg.substring(0, eq);
        String alias = arg.substring(eq + 1);
        String password = plaintexts.get(alias);
        if (password == null) {
            System.out.println(store + "\tFAIL\tits password alias " + alias + " did not decrypt");
            return false;
        }
        File file = new File(home, store);
        String name = file.getName().toLowerCase(Locale.ROOT);
        String[] types = name.endsWith(".jks") ? new String[] {"JKS"}
            : name.endsWith(".p12") || name.endsWith(".pfx") ? new String[] {"PKCS12"}
            : new String[] {"PKCS12", "JKS"};
        List<String> why = new ArrayList<>();
        for (String type : types) {
            KeyStore keystore;
            try {
                keystore = loadStore(file, type, password.toCharArray());
            } catch (SetupError e) {
                why.add(e.getMessage());
                continue;
            }
            String entry = null;
            try {
                for (String each : Collections.list(keystore.aliases())) {
                    entry = each;
                    if (keystore.isKeyEntry(each)) {
                        keystore.getKey(each, password.toCharArray());
                    }
                }
                System.err.println(store + ": " + type + ", " + keystore.size() + " entries");
            } catch (GeneralSecurityException e) {
                System.out.println(store + "\tFAIL\tthe key " + entry + " does not open with the password of " + alias
                    + ": " + e);
                return false;
            }
            System.out.println(store + "\tOPENS");
            return true;
        }
        System.out.println(store + "\tFAIL\t" + String.join("; ", why));
        return false;
    }

    static KeyStore loadStore(File file, String type, char[] password) throws SetupError {
        try (InputStream in = new FileInputStream(file)) {
            KeyStore keystore = KeyStore.getInstance(type);
            keystore.load(in, password);
            return keystore;
        } catch (IOException | GeneralSecurityException e) {
            throw new SetupError("KeyStore.getInstance(\"" + type + "\") cannot load " + file + ": " + e);
        }
    }

    static Properties load(File file, String what) throws SetupError {
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new SetupError("cannot read " + what + " " + file + ": " + e);
        }
        return properties;
    }

    /** A property as the server reads it: trimmed, an empty value being none. */
    static String property(Properties properties, String name) {
        String value = properties.getProperty(name);
        return value == null || value.trim().isEmpty() ? null : value.trim();
    }

    static String required(Properties properties, String name, File file) throws SetupError {
        String value = property(properties, name);
        if (value == null) {
            throw new SetupError(file + ": " + name + " is not set");
        }
        return value;
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
