#!/bin/sh
# Makes the reference keystores in this directory with the real tools, for iospki's tests.
# Run from this directory: sh make.sh (needs keytool from JDK 17, openssl 3, and the system's Java cacerts;
# JDK 25's keytool is used too when /usr/lib/jvm/temurin-25-jdk-amd64 exists).
# Outputs are committed. Each store has a listing (NAME.txt) made by keytool with the same JDK, holding the
# aliases, entry types, chain lengths and SHA-256 fingerprints the tests compare against.
# Store password: changeit everywhere; keytool-jks-keypass.jks has the key password "keypass".
set -eu
PW=changeit
DNAME="CN=fixture server, O=iospki"
rm -f ./*.jks ./*.p12 ./*.txt ./*.crt ./*.pem ./*.store

listing() { # store, keytool, storetype -> store.txt
    "$2" -list -v -storetype "$3" -keystore "$1" -storepass "$PW" 2>/dev/null \
        | grep -E '^(Alias name|Entry type|Certificate chain length|\s*SHA256):' > "$1.txt"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=fixture CA" -days 3650 -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -subj "/CN=fixture leaf" -out leaf.csr 2>/dev/null
openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -set_serial 7 -days 3650 -out leaf.crt 2>/dev/null

# keytool (JDK 17), JKS: a key entry and a trusted certificate.
keytool -genkeypair -storetype JKS -keystore keytool-jks.jks -storepass $PW -keypass $PW \
    -alias server -keyalg RSA -keysize 2048 -validity 3650 -dname "$DNAME" 2>/dev/null
keytool -importcert -noprompt -storetype JKS -keystore keytool-jks.jks -storepass $PW -alias trusted-ca -file ca.crt 2>/dev/null
listing keytool-jks.jks keytool JKS

# keytool (JDK 17), JKS with a key password other than the store password.
keytool -genkeypair -storetype JKS -keystore keytool-jks-keypass.jks -storepass $PW -keypass keypass \
    -alias server -keyalg RSA -keysize 2048 -validity 3650 -dname "$DNAME" 2>/dev/null
listing keytool-jks-keypass.jks keytool JKS

# keytool (JDK 17) default: PKCS#12 (AES-256, HMAC-SHA256) in a file named .jks.
keytool -genkeypair -keystore keytool17-default.jks -storepass $PW -alias server -keyalg RSA -keysize 2048 \
    -validity 3650 -dname "$DNAME" 2>/dev/null
keytool -importcert -noprompt -keystore keytool17-default.jks -storepass $PW -alias trusted-ca -file ca.crt 2>/dev/null
listing keytool17-default.jks keytool PKCS12

# keytool (JDK 25), JKS and its default PKCS#12.
K25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/keytool
if [ -x "$K25" ]; then
    $K25 -genkeypair -storetype JKS -keystore keytool25-jks.jks -storepass $PW -keypass $PW -alias server \
        -keyalg RSA -keysize 2048 -validity 3650 -dname "$DNAME" 2>/dev/null
    listing keytool25-jks.jks "$K25" JKS
    $K25 -genkeypair -keystore keytool25-default.p12 -storepass $PW -alias server -keyalg RSA -keysize 2048 \
        -validity 3650 -dname "$DNAME" 2>/dev/null
    $K25 -importcert -noprompt -keystore keytool25-default.p12 -storepass $PW -alias trusted-ca -file ca.crt 2>/dev/null
    listing keytool25-default.p12 "$K25" PKCS12
fi

# OpenSSL 3: key with chain leaf + CA, default (AES-256, HMAC-SHA256) and -legacy (RC2-40, 3DES, HMAC-SHA1).
openssl pkcs12 -export -inkey leaf.key -in leaf.crt -certfile ca.crt -name leaf -passout pass:$PW -out openssl3-default.p12
listing openssl3-default.p12 keytool PKCS12
openssl pkcs12 -export -legacy -inkey leaf.key -in leaf.crt -certfile ca.crt -name leaf -passout pass:$PW -out openssl3-legacy.p12
listing openssl3-legacy.p12 keytool PKCS12

# A truststore of 100+ CAs as a WSO2 node has, from the system's Java cacerts, written as JKS by keytool.
keytool -importkeystore -noprompt -srckeystore /etc/ssl/certs/java/cacerts -srcstorepass changeit \
    -destkeystore truststore-cacerts.jks -deststoretype JKS -deststorepass $PW 2>/dev/null
listing truststore-cacerts.jks keytool JKS

# A certificate that expired on 2021-01-01 (openssl ca can set past dates), as PEM and in a JKS truststore.
mkdir -p old-ca && touch old-ca/index.txt && echo 01 > old-ca/serial
printf '[ca]\ndefault_ca=old\n[old]\ndatabase=old-ca/index.txt\nserial=old-ca/serial\nnew_certs_dir=old-ca\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n' > old-ca/ca.cnf
openssl req -newkey rsa:2048 -nodes -keyout /dev/null -subj "/CN=fixture expired" -out old-ca/leaf.csr 2>/dev/null
openssl ca -batch -config old-ca/ca.cnf -cert ca.crt -keyfile ca.key -in old-ca/leaf.csr \
    -startdate 20200101000000Z -enddate 20210101000000Z -out expired.crt 2>/dev/null
keytool -importcert -noprompt -storetype JKS -keystore expired.jks -storepass $PW -alias expired -file expired.crt 2>/dev/null
listing expired.jks keytool JKS
rm -rf old-ca

rm -f ca.key leaf.key leaf.csr ca.crt leaf.crt

# Stores iospki names and refuses: keytool's JCEKS, and BouncyCastle's BKS (version 2) and UBER (version 1), written by
# keytool with BouncyCastle's provider (Debian's libbcprov-java).
BC="-providerpath /usr/share/java/bcprov.jar -providerclass org.bouncycastle.jce.provider.BouncyCastleProvider"
for type in JCEKS BKS UBER; do
    provider=""
    [ "$type" = JCEKS ] || provider=$BC
    name=$(echo "foreign-$type" | tr 'A-Z' 'a-z')
    # shellcheck disable=SC2086 # $provider is several words
    keytool -genkeypair -storetype "$type" $provider -keystore "$name.store" -storepass $PW -keypass $PW \
        -alias server -keyalg RSA -keysize 2048 -validity 3650 -dname "$DNAME" 2>/dev/null
done
