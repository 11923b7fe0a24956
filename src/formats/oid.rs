//! The object identifiers iospki reads and writes, by name: RustCrypto's `const-oid` database where it has them.

use const_oid::ObjectIdentifier as Oid;
use const_oid::db::{rfc2985, rfc3280, rfc4519, rfc5280, rfc5753, rfc5911, rfc5912, rfc8410};

/// rsaEncryption (PKCS #1).
pub const RSA_ENCRYPTION: Oid = rfc5912::RSA_ENCRYPTION;
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: Oid = rfc5753::ID_EC_PUBLIC_KEY;
/// id-dsa.
pub const DSA: Oid = rfc5912::ID_DSA;
/// id-Ed25519.
pub const ED25519: Oid = rfc8410::ID_ED_25519;
/// id-Ed448.
pub const ED448: Oid = rfc8410::ID_ED_448;
/// The NIST P-256 curve (secp256r1).
pub const P256: Oid = rfc5912::SECP_256_R_1;
/// The NIST P-384 curve.
pub const P384: Oid = rfc5912::SECP_384_R_1;
/// The NIST P-521 curve.
pub const P521: Oid = rfc5912::SECP_521_R_1;

/// sha1WithRSAEncryption.
pub const SHA1_WITH_RSA: Oid = rfc5912::SHA_1_WITH_RSA_ENCRYPTION;
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid = rfc5912::SHA_384_WITH_RSA_ENCRYPTION;
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid = rfc5912::SHA_512_WITH_RSA_ENCRYPTION;
/// md5WithRSAEncryption.
pub const MD5_WITH_RSA: Oid = rfc5912::MD_5_WITH_RSA_ENCRYPTION;
/// id-RSASSA-PSS.
pub const RSASSA_PSS: Oid = rfc5912::ID_RSASSA_PSS;
/// ecdsa-with-SHA256.
pub const ECDSA_WITH_SHA256: Oid = rfc5912::ECDSA_WITH_SHA_256;
/// ecdsa-with-SHA384.
pub const ECDSA_WITH_SHA384: Oid = rfc5912::ECDSA_WITH_SHA_384;

/// id-sha1, also the digest of PKCS#12's HMAC-SHA1 MAC.
pub const SHA1: Oid = rfc5912::ID_SHA_1;
/// id-sha224.
pub const SHA224: Oid = rfc5912::ID_SHA_224;
/// id-sha256.
pub const SHA256: Oid = rfc5912::ID_SHA_256;
/// id-sha384.
pub const SHA384: Oid = rfc5912::ID_SHA_384;
/// id-sha512.
pub const SHA512: Oid = rfc5912::ID_SHA_512;
/// id-sha512-224 (FIPS 180-4).
pub const SHA512_224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.5");
/// id-sha512-256 (FIPS 180-4).
pub const SHA512_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.6");

/// PKCS #7 data.
pub const DATA: Oid = rfc5911::ID_DATA;
/// PKCS #7 encryptedData.
pub const ENCRYPTED_DATA: Oid = rfc5911::ID_ENCRYPTED_DATA;
/// PKCS #12 certBag.
pub const CERT_BAG: Oid = pkcs12::PKCS_12_CERT_BAG_OID;
/// PKCS #9 x509Certificate, the type of a certBag's value.
pub const X509_CERTIFICATE: Oid = pkcs12::PKCS_12_X509_CERT_OID;
/// PKCS #9 friendlyName: the alias of a bag.
pub const FRIENDLY_NAME: Oid = rfc2985::PKCS_9_AT_FRIENDLY_NAME;
/// PKCS #9 localKeyId: ties a key bag to its certificate bag.
pub const LOCAL_KEY_ID: Oid = rfc2985::PKCS_9_AT_LOCAL_KEY_ID;
/// Oracle's trusted-key-usage bag attribute, which marks a certificate bag as a trusted entry for Java.
pub const ORACLE_TRUSTED_KEY_USAGE: Oid = Oid::new_unwrap("2.16.840.1.113894.746875.1.1");
/// anyExtendedKeyUsage, the usage Java trusts its trusted entries for.
pub const ANY_EXTENDED_KEY_USAGE: Oid = rfc5280::ANY_EXTENDED_KEY_USAGE;
/// PKCS #12 keyBag: a PKCS#8 key in the clear.
pub const KEY_BAG: Oid = pkcs12::PKCS_12_KEY_BAG_OID;
/// PKCS #12 pkcs8ShroudedKeyBag.
pub const SHROUDED_KEY_BAG: Oid = pkcs12::PKCS_12_PKCS8_KEY_BAG_OID;
/// PKCS#12 secretBag, where Java keeps a secret key.
pub const SECRET_BAG: Oid = pkcs12::PKCS_12_SECRET_BAG_OID;
/// AES (NIST's aes arc), the algorithm of a secret key in Java's PKCS#12.
pub const AES: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1");
/// PKCS #12 pbeWithSHAAnd3-KeyTripleDES-CBC.
pub const PBE_SHA1_3DES: Oid = pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC;
/// PKCS #12 pbeWithSHAAnd40BitRC2-CBC.
pub const PBE_SHA1_RC2_40: Oid = pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC;
/// PKCS #12 pbeWithSHAAnd128BitRC4.
pub const PBE_SHA1_RC4_128: Oid = pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC4;
/// PKCS #5 PBES2.
pub const PBES2: Oid = pkcs5::pbes2::PBES2_OID;
/// AES-128-CBC.
pub const AES_128_CBC: Oid = pkcs5::pbes2::AES_128_CBC_OID;
/// AES-192-CBC.
pub const AES_192_CBC: Oid = pkcs5::pbes2::AES_192_CBC_OID;
/// AES-256-CBC.
pub const AES_256_CBC: Oid = pkcs5::pbes2::AES_256_CBC_OID;
/// DES-EDE3-CBC.
pub const DES_EDE3_CBC: Oid = pkcs5::pbes2::DES_EDE3_CBC_OID;

/// PKCS #9 emailAddress, the attribute OpenSSL 3 drops from the script's `/EMAILADDRESS=`.
pub const EMAIL_ADDRESS: Oid = rfc3280::EMAIL_ADDRESS;
/// UID (userid): the topic of an APNs push certificate.
pub const UID: Oid = rfc4519::UID;
