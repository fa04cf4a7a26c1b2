// protocol.md 2.4: every key, signature and negative vector, plus round trips.
#include "crypto/crypto.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <thread>
#include <vector>

namespace colonies::crypto {
namespace {

struct KeyVector {
    const char* name;
    const char* private_key;
    const char* public_key;
    const char* id;
};

const KeyVector kKeys[] = {
    {"K1", "fcc79953d8a751bf41db661592dc34d30004b1a651ffa0725b03ac227641499d",
     "0426aa26fe2d354aeb42265141eb7b42dc74b092c3809d2288ae1cb73feae7aafc906b4252aee3855676941423a2"
     "df8f83aada0c3e1dbb19c263c9bef53471964b",
     "039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103"},
    {"K2", "ba949fa134981372d6da62b6a56f336ab4d843b22c02a4257dcf7d0d73097514",
     "046c9880d25fcada91665206a95e5188211ffdadda4a25c1deb3f2375f08535845bb41ccd74cdad729940b29451a"
     "db58f30dc66e69dbed6b11d2c1c48b14624dd5",
     "4787a5071856a4acf702b2ffcea422e3237a679c681314113d86139461290cf4"},
    {"K3", "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05",
     "040e1930031d82f79fb53008c4ad81c8933f9fdb4d55bf9f385eca9f1275b2cfd6ed08ae04fd9e3b72daeea8d3e8"
     "36148d4d3dc27df58fb45878d126cddf4d2fcf",
     "3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac"},
    {"K4", "6d2fb6f546bacfd98c68769e61e0b44a697a30596c018a50e28200aa59b01c0a",
     "0408e903276ee7973666dceeefa5335e5c4b6b5989821906db98f8de8acf8f853824ca3234a8602200baa2d75f30"
     "cb2050cda18602824c3eb2da654a93a01a7ad4",
     "4fef2b5a82d134d058c1883c72d6d9caf77cd59ca82d73105017590dea3dcb87"},
    {"K5", "d6eb959e9aec2e6fdc44b5862b269e987b8a4d6f2baca542d8acaa97ee5e74f6",
     "0458d9f552e9794ad73bd4ab77dfe1c7509542ab3121991e20233955f8fc79c266fd55390ddf3b3309417c78c9eb"
     "e2b572dfdf0b2f8eb4b468a6e19176a5f2b1c7",
     "5d6568f883451ae2e407d1a0a7992e414f2a67b69d0e6e9176d353b98f06f696"},
    {"K6", "0000000000000000000000000000000000000000000000000000000000000001",
     "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e"
     "1108a8fd17b448a68554199c47d08ffb10d4b8",
     "2036f5bc759cfb3589fb4e2342bc9b3c843c5ef27dc8ded538de328a7567089b"},
};

struct SignatureVector {
    const char* name;
    const KeyVector& key;
    const char* message;
    const char* sha3;
    const char* signature;
};

const SignatureVector kSignatures[] = {
    {"V1", kKeys[0], "eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==",
     "60505a7286296481b371f5f0d831f1065594d9be11e8acabeab18052712949b9",
     "3cf5209e35d24048f67652cb354ded5bed0d56bdce9cab433646942a47760353283e65a2cb764e22d9efa37e67a9"
     "ba485ade029f1405e5eed13365a82250a87300"},
    {"V2", kKeys[1], "hello", "3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392",
     "6007da6e46cf25b373cf3fbc263e5f5ccab0509bc3f165f8339ef44c3918072320a0b842408f91e816057c4f9c90"
     "52a233c14ab15d40d2437e46708acc2eaec001"},
    {"V3", kKeys[2],
     "eyJjb2xvbnluYW1lIjoiZGV2IiwidGltZW91dCI6MTAsImF2YWlsYWJsZWNwdSI6IiIsImF2YWlsYWJsZW1lbSI6IiIs"
     "Im1zZ3R5cGUiOiJhc3NpZ25wcm9jZXNzbXNnIn0=",
     "d70b37d75bba204354666de34419a72f305c6c83390e8598618696466ac10f75",
     "2a721e71e0ce37be7bbbb2aeba5668bcecf4341c9a50913ae92816a796ad98d0644c6896c5ac1904a044c45356ea"
     "502a1296eb52bbe4f28d58924118851539c101"},
    {"V4", kKeys[3], "test", "36f028580bb02cc8272a9a020f4200e346e276ae664e45ee80745574e2f5ab80",
     "fd9735ad1476ad2e10fbe535a5249a9703b8294918c3360122aa09c070cd425a6a82de09753b469de2de7970fbfc"
     "06b56a16c6efc2d588bf1e26c856ff368aac01"},
    {"V5", kKeys[4], "hello", "3338be694f50c5f338814986cdf0686453a888b84f424d792af4b9202398f392",
     "e713a1bb015fecabb5a084b0fe6d6e7271fca6f79525a634183cfdb175fe69241f4da161779d8e6b761200e1cf93"
     "766010a19072fa778f9643363e2cfadd640900"},
    {"V6", kKeys[5], "", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
     "ab1a548e7964281d13c2e4c3d260fdf29acd9d6e8d21edc63522c972ab3d2aba0e94f1d6c7a3282498a7f15eaabd"
     "a6ed2c60adf28208d7f3ffcaef36a23d1eb200"},
};

const std::string kV5 = kSignatures[4].signature;
const std::string kK5Id = kKeys[4].id;

// V5 with its last byte replaced.
std::string v5_with_recid(const char* last_byte) {
    return kV5.substr(0, 128) + last_byte;
}

void expect_rejected(const std::string& signature, const std::string& message) {
    auto id = recover_id("hello", signature);
    ASSERT_FALSE(id.ok()) << "accepted " << signature;
    EXPECT_EQ(id.error().status, 403);
    EXPECT_EQ(id.error().message, message);
}

TEST(CryptoKeys, PublicKeysAndIdsMatchVectors) {
    for (const auto& k : kKeys) {
        SCOPED_TRACE(k.name);
        auto pub = public_key_hex(k.private_key);
        ASSERT_TRUE(pub.ok()) << pub.error().message;
        EXPECT_EQ(*pub, k.public_key);
        auto id = id_from_private_key(k.private_key);
        ASSERT_TRUE(id.ok()) << id.error().message;
        EXPECT_EQ(*id, k.id);
        // The id is the hash of the public key's hex text, not of its bytes.
        EXPECT_EQ(sha3_256_hex(k.public_key), k.id);
    }
}

TEST(CryptoKeys, UpperCasePrivateKeyAccepted) {
    std::string upper = kKeys[0].private_key;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto id = id_from_private_key(upper);
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, kKeys[0].id);
}

TEST(CryptoKeys, BadPrivateKeysRejected) {
    struct Case {
        std::string key;
        std::string message;
    };
    const std::string length = "Invalid private key length, should be 256 bits";
    const std::string invalid = "Invalid private key";
    const Case cases[] = {
        {"", length},
        {std::string(62, 'a'), length},
        {std::string(66, 'a'), length},
        {std::string(63, 'a'), "encoding/hex: odd length hex string"},
        {std::string(63, 'a') + "g", "encoding/hex: invalid byte: U+0067 'g'"},
        {std::string(64, '0'), invalid},
        // n itself and the largest 256-bit value are out of range; n - 1 is the last valid key.
        {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", invalid},
        {std::string(64, 'f'), invalid},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.key);
        auto pub = public_key_hex(c.key);
        ASSERT_FALSE(pub.ok());
        EXPECT_EQ(pub.error().status, 400);
        EXPECT_EQ(pub.error().message, c.message);
        auto id = id_from_private_key(c.key);
        ASSERT_FALSE(id.ok());
        EXPECT_EQ(id.error().message, c.message);
        auto sig = sign("hello", c.key);
        ASSERT_FALSE(sig.ok());
        EXPECT_EQ(sig.error().status, 400);
        EXPECT_EQ(sig.error().message, c.message);
    }
    EXPECT_TRUE(
        public_key_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140").ok());
}

TEST(CryptoKeys, GeneratedKeysRoundTrip) {
    std::string previous;
    for (int i = 0; i < 20; ++i) {
        std::string key = generate_private_key();
        ASSERT_EQ(key.size(), 64u);
        EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
        EXPECT_NE(key, previous);
        previous = key;
        auto id = id_from_private_key(key);
        ASSERT_TRUE(id.ok()) << id.error().message;
        auto sig = sign("round trip", key);
        ASSERT_TRUE(sig.ok());
        auto recovered = recover_id("round trip", *sig);
        ASSERT_TRUE(recovered.ok()) << recovered.error().message;
        EXPECT_EQ(*recovered, *id);
    }
}

TEST(CryptoSha3, KnownDigests) {
    for (const auto& v : kSignatures) {
        SCOPED_TRACE(v.name);
        EXPECT_EQ(sha3_256_hex(v.message), v.sha3);
    }
    // FIPS 202 SHA3-256("abc"), to rule out Keccak-256.
    EXPECT_EQ(sha3_256_hex("abc"),
              "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST(CryptoSign, SignaturesMatchVectorsExactly) {
    for (const auto& v : kSignatures) {
        SCOPED_TRACE(v.name);
        auto sig = sign(v.message, v.key.private_key);
        ASSERT_TRUE(sig.ok()) << sig.error().message;
        EXPECT_EQ(*sig, v.signature);
    }
}

TEST(CryptoRecover, VectorsRecoverSignerId) {
    for (const auto& v : kSignatures) {
        SCOPED_TRACE(v.name);
        auto id = recover_id(v.message, v.signature);
        ASSERT_TRUE(id.ok()) << id.error().message;
        EXPECT_EQ(*id, v.key.id);
    }
}

TEST(CryptoRecover, V7NonDeterministicSignatureVerifies) {
    auto id = recover_id("hello",
                         "997eca36736d465e0e8d64e6d657ff4c939c8f5cad4272797ea0fe372bfd8d0953d21b3d"
                         "06ded5dd80aee8cfa3a9be7ce615ce690eb64184fe15962943fe541300");
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, kK5Id);
}

TEST(CryptoRecover, HighSRejected) {
    // r of V5, s replaced by n - s, recovery id flipped to 01: same point, malleated form.
    expect_rejected(
        "e713a1bb015fecabb5a084b0fe6d6e7271fca6f79525a634183cfdb175fe6924e0b25e9e8862719489edff1e"
        "306c899eaa0d4c73b4d110a57c9c205fd558dd3801",
        "Failed verify signature: Signature s value is over half the order");
}

TEST(CryptoRecover, RecoveryByteTwoOverflowsPrime) {
    expect_rejected(v5_with_recid("02"),
                    "Failed to recover public key: invalid signature: signature R + N >= P");
}

TEST(CryptoRecover, RecoveryBytesFourToSevenAliasZeroToThree) {
    auto id = recover_id("hello", v5_with_recid("04"));
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, kK5Id);
    // 05 is the alias of 01: a valid recovery yielding another key, so another id.
    auto other = recover_id("hello", v5_with_recid("05"));
    auto direct = recover_id("hello", v5_with_recid("01"));
    ASSERT_TRUE(other.ok() && direct.ok());
    EXPECT_EQ(*other, *direct);
    EXPECT_NE(*other, kK5Id);
}

TEST(CryptoRecover, RecoveryByteEightAndAboveRejected) {
    expect_rejected(v5_with_recid("08"),
                    "Failed to recover public key: invalid signature: public key recovery code 35 "
                    "is not in the valid range [27, 34]");
    // Upstream adds 27 in a byte, so large values wrap around.
    expect_rejected(v5_with_recid("ff"),
                    "Failed to recover public key: invalid signature: public key recovery code 26 "
                    "is not in the valid range [27, 34]");
    expect_rejected(v5_with_recid("e5"),
                    "Failed to recover public key: invalid signature: public key recovery code 0 "
                    "is not in the valid range [27, 34]");
}

TEST(CryptoRecover, UpperCaseSignatureAccepted) {
    std::string upper = kV5;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto id = recover_id("hello", upper);
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, kK5Id);
}

TEST(CryptoRecover, WrongLengthRejected) {
    expect_rejected(kV5.substr(0, 8), "Invalid signature length");
    expect_rejected("", "Invalid signature length");
    expect_rejected(kV5 + "00", "Invalid signature length");
}

TEST(CryptoRecover, BadHexRejectedWithGoMessages) {
    expect_rejected("zz", "encoding/hex: invalid byte: U+007A 'z'");
    expect_rejected("abc", "encoding/hex: odd length hex string");
    // An invalid character is reported before an odd length, as Go does.
    expect_rejected("abz", "encoding/hex: invalid byte: U+007A 'z'");
    expect_rejected(kV5.substr(0, 129) + "g", "encoding/hex: invalid byte: U+0067 'g'");
    // Go's %#U prints the character only when it is printable.
    expect_rejected(std::string("a\x01", 2), "encoding/hex: invalid byte: U+0001");
    expect_rejected("a ", "encoding/hex: invalid byte: U+0020 ' '");
    expect_rejected("a\xe9", "encoding/hex: invalid byte: U+00E9 '\xc3\xa9'");
    expect_rejected("a\xa0", "encoding/hex: invalid byte: U+00A0");
}

TEST(CryptoRecover, OutOfRangeComponentsRejected) {
    const std::string n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    const std::string zero(64, '0');
    const std::string one = std::string(63, '0') + "1";
    const std::string prefix = "Failed to recover public key: invalid signature: ";
    expect_rejected(n + one + "00", prefix + "R >= group order");
    expect_rejected(zero + one + "00", prefix + "R is 0");
    expect_rejected(one + n + "00", prefix + "S >= group order");
    expect_rejected(one + zero + "00", prefix + "S is 0");
}

TEST(CryptoRecover, RecoveryFailuresExplained) {
    const std::string prefix = "Failed to recover public key: invalid signature: ";
    // x = 5 has no y on secp256k1.
    const std::string five = std::string(63, '0') + "5";
    const std::string one = std::string(63, '0') + "1";
    expect_rejected(five + one + "00", prefix + "not for a valid curve point");
    // R = G and s = e give Q = r^-1 (eG - eG): the point at infinity.
    const std::string gx = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    expect_rejected(gx + sha3_256_hex("hello") + "00",
                    prefix + "recovered pubkey is the point at infinity");
}

TEST(CryptoRecover, TamperedMessageGivesAnotherId) {
    auto id = recover_id("hellO", kV5);
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_NE(*id, kK5Id);
}

TEST(CryptoRecover, ConcurrentUseIsSafe) {
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &failures] {
            for (int i = 0; i < 50; ++i) {
                const auto& v = kSignatures[(t + i) % 6];
                auto id = recover_id(v.message, v.signature);
                auto sig = sign(v.message, v.key.private_key);
                if (!id.ok() || *id != v.key.id || !sig.ok() || *sig != v.signature) {
                    ++failures[t];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace colonies::crypto
