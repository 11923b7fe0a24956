#!/bin/sh
# Makes the keys tests/key_input.rs feeds to `iospki init`, with OpenSSL 3, in the current directory.
# The password of the encrypted keys is in $KEY_PASSWORD (and written to ./password for --key-password-file).
set -eu
printf '%s\n' "$KEY_PASSWORD" > password
openssl genrsa -out pkcs8.pem 2048 2>/dev/null
openssl rsa -in pkcs8.pem -traditional -out pkcs1.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in pkcs8.pem -outform DER -out pkcs8.der
openssl rsa -in pkcs8.pem -traditional -outform DER -out pkcs1.der 2>/dev/null
openssl rsa -in pkcs8.pem -text -out rsa-text.pem 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -in pkcs8.pem -passout file:password -out enc-pkcs8-aes.pem
openssl pkcs8 -topk8 -v2 des3 -v2prf hmacWithSHA1 -in pkcs8.pem -passout file:password -outform DER -out enc-pkcs8-3des.der
openssl rsa -in pkcs8.pem -traditional -des3 -passout file:password -out trad-des3.pem 2>/dev/null
openssl rsa -in pkcs8.pem -traditional -aes256 -passout file:password -out trad-aes256.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem
openssl ec -in ec.pem -out ec-sec1.pem 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.pem
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out dsa-params.pem
openssl genpkey -paramfile dsa-params.pem -out dsa.pem
openssl genrsa -out rsa1024.pem 1024 2>/dev/null
openssl req -x509 -new -key pkcs8.pem -subj /CN=test -days 1 -out cert.pem
openssl x509 -in cert.pem -outform DER -out cert.der
: > empty.pem
cat pkcs8.pem rsa1024.pem > two-keys.pem
