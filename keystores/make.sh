#!/bin/sh
# Makes the reference keystores in this directory with the real tools, for iospki's tests.
# Run it from this directory: sh make.sh (needs keytool from a JDK, and openssl).
# Outputs are committed; re-running makes new keys, so the tests read the listings made with them.
set -eu
rm -f keytool-jks.jks keytool-jks.txt
# A JKS with a key entry (own key password) and a trusted certificate, as keytool writes it.
keytool -genkeypair -storetype JKS -keystore keytool-jks.jks -storepass changeit -keypass changeit \
    -alias server -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=fixture server, O=iospki" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj "/CN=fixture trusted CA" -days 3650 \
    -out trusted-ca.crt 2>/dev/null
keytool -importcert -noprompt -storetype JKS -keystore keytool-jks.jks -storepass changeit \
    -alias "trusted-ca" -file trusted-ca.crt 2>/dev/null
rm trusted-ca.crt
# keytool's own view, with the SHA-256 fingerprints the tests compare against.
keytool -list -v -storetype JKS -keystore keytool-jks.jks -storepass changeit 2>/dev/null \
    | grep -E '^(Alias name|Entry type|Certificate chain length|\s*SHA256):' > keytool-jks.txt
