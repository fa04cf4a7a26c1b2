// Keys, ids and signatures (protocol.md section 2) on top of libsecp256k1 and OpenSSL.
//
// Error texts reproduce what upstream (Go: encoding/hex, btcec/decred RecoverCompact, colonies'
// Verify) reports, because clients display them verbatim. recover_id() runs once per request,
// so it works on stack buffers; its only allocations are the returned id and the digest state
// OpenSSL 3.0 recreates on every digest init (one per hash, two per call; ~70 us of EC work
// dwarfs them).
#include "crypto/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace colonies::crypto {
namespace {

using Bytes32 = std::array<unsigned char, 32>;

// secp256k1 constants as 32-byte big-endian numbers, compared with memcmp.
constexpr Bytes32 kOrder = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                            0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                            0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
constexpr Bytes32 kHalfOrder = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};
// p - n: an r at or above it cannot have come from an x coordinate >= n.
constexpr Bytes32 kPrimeMinusOrder = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x45, 0x51, 0x23, 0x19, 0x50, 0xb7, 0x5f, 0xc4, 0x40, 0x2d, 0xa1, 0x72, 0x2f, 0xc9, 0xba, 0xee};

constexpr size_t kSignatureBytes = 65;
constexpr size_t kPublicKeyBytes = 65;
constexpr size_t kPublicKeyHex = 2 * kPublicKeyBytes;

[[noreturn]] void fatal(const char* what) {
    throw std::runtime_error(std::string("crypto: ") + what);
}

// ---- hex ----------------------------------------------------------------------------------

constexpr char kHexDigits[] = "0123456789abcdef";

void hex_encode(const unsigned char* in, size_t n, char* out) {
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = kHexDigits[in[i] >> 4];
        out[2 * i + 1] = kHexDigits[in[i] & 0x0f];
    }
}

std::string hex_string(const unsigned char* in, size_t n) {
    std::string s(2 * n, '\0');
    hex_encode(in, n, s.data());
    return s;
}

// Value of a hex digit (either case), or -1.
int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Go's strconv.IsPrint restricted to runes 0..255 (a byte becomes a rune in hex errors):
// ASCII graphic characters and space, and Latin-1 except NBSP (Zs) and soft hyphen (Cf).
bool go_is_print(unsigned char b) {
    if (b >= 0x20 && b <= 0x7e) return true;
    return b >= 0xa1 && b != 0xad;
}

// Go's hex.InvalidByteError text: "encoding/hex: invalid byte: %#U".
std::string invalid_hex_byte(unsigned char b) {
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "encoding/hex: invalid byte: U+%04X", b);
    std::string msg(buf, static_cast<size_t>(n));
    if (go_is_print(b)) {
        msg += " '";
        if (b < 0x80) {
            msg += static_cast<char>(b);
        } else {  // the rune U+00XX printed as UTF-8
            msg += static_cast<char>(0xc0 | (b >> 6));
            msg += static_cast<char>(0x80 | (b & 0x3f));
        }
        msg += '\'';
    }
    return msg;
}

// Empty when `s` is valid hex; otherwise Go's hex.DecodeString message. Go reports the first
// invalid character before an odd length, so scan everything first.
std::string hex_error(std::string_view s) {
    for (unsigned char c : s) {
        if (hex_value(c) < 0) return invalid_hex_byte(c);
    }
    if (s.size() % 2 != 0) return "encoding/hex: odd length hex string";
    return {};
}

// Decode hex already accepted by hex_error() into out[s.size() / 2].
void hex_decode_valid(std::string_view s, unsigned char* out) {
    for (size_t i = 0; i + 1 < s.size(); i += 2) {
        out[i / 2] = static_cast<unsigned char>((hex_value(static_cast<unsigned char>(s[i])) << 4) |
                                                hex_value(static_cast<unsigned char>(s[i + 1])));
    }
}

// ---- SHA3-256 -----------------------------------------------------------------------------

// Fetched once: passing EVP_sha3_256() to every init would repeat the provider lookup.
const EVP_MD* sha3_md() {
    static const EVP_MD* md = [] {
        const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA3-256", nullptr);
        return fetched ? fetched : EVP_sha3_256();
    }();
    return md;
}

// One digest context per thread, reused so that hashing does not allocate a context per call.
class DigestContext {
  public:
    DigestContext() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_) fatal("EVP_MD_CTX_new failed");
    }
    ~DigestContext() { EVP_MD_CTX_free(ctx_); }
    DigestContext(const DigestContext&) = delete;
    DigestContext& operator=(const DigestContext&) = delete;
    EVP_MD_CTX* get() const { return ctx_; }

  private:
    EVP_MD_CTX* ctx_;
};

Bytes32 sha3_256(const void* data, size_t len) {
    thread_local DigestContext ctx;
    Bytes32 out{};
    unsigned int out_len = 0;
    if (EVP_DigestInit_ex2(ctx.get(), sha3_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data, len) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &out_len) != 1 || out_len != out.size()) {
        fatal("SHA3-256 failed");
    }
    return out;
}

// ---- secp256k1 ----------------------------------------------------------------------------

secp256k1_context* make_context() {
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx) fatal("secp256k1_context_create failed");
    // Blinding against side channels while signing; needs a fresh random seed.
    unsigned char seed[32];
    if (RAND_bytes(seed, sizeof seed) != 1 || !secp256k1_context_randomize(ctx, seed)) {
        fatal("secp256k1 context randomization failed");
    }
    return ctx;
}

// Created once (thread-safe static init) and never destroyed, so it outlives every user;
// libsecp256k1 only reads it afterwards, which makes concurrent use safe.
const secp256k1_context* context() {
    static const secp256k1_context* ctx = make_context();
    return ctx;
}

// The id of a public key: SHA3-256 of its lower-case hex text (protocol.md 2.1).
std::string id_of(const secp256k1_pubkey& pubkey) {
    unsigned char raw[kPublicKeyBytes];
    size_t raw_len = sizeof raw;
    secp256k1_ec_pubkey_serialize(context(), raw, &raw_len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
    char text[kPublicKeyHex];
    hex_encode(raw, raw_len, text);
    Bytes32 digest = sha3_256(text, sizeof text);
    return hex_string(digest.data(), digest.size());
}

Result<Bytes32> parse_private_key(std::string_view hex) {
    if (std::string err = hex_error(hex); !err.empty()) return bad_request(std::move(err));
    if (hex.size() != 64) return bad_request("Invalid private key length, should be 256 bits");
    Bytes32 key{};
    hex_decode_valid(hex, key.data());
    if (!secp256k1_ec_seckey_verify(context(), key.data())) {
        return bad_request("Invalid private key");
    }
    return key;
}

Result<secp256k1_pubkey> public_key_of(std::string_view private_key_hex) {
    auto key = parse_private_key(private_key_hex);
    if (!key) return key.error();
    secp256k1_pubkey pubkey;
    // Cannot fail for a key accepted by seckey_verify.
    if (!secp256k1_ec_pubkey_create(context(), &pubkey, key->data())) {
        return bad_request("Invalid private key");
    }
    return pubkey;
}

bool is_zero(const unsigned char* b) {
    for (int i = 0; i < 32; ++i) {
        if (b[i]) return false;
    }
    return true;
}

int compare32(const unsigned char* a, const Bytes32& b) {
    return std::memcmp(a, b.data(), 32);
}

Error recovery_failure(std::string reason) {
    return forbidden("Failed to recover public key: invalid signature: " + reason);
}

// The checks decred's RecoverCompact makes before its arithmetic, in its order and with its
// texts; libsecp256k1 would only say "failed". Returns the failure or nothing.
std::optional<Error> precheck_recovery(const unsigned char* sig) {
    // Upstream prepends byte + 27 (a byte, so it wraps) and accepts codes 27..34.
    const unsigned code = static_cast<unsigned char>(sig[64] + 27);
    if (code < 27 || code > 34) {
        return recovery_failure("public key recovery code " + std::to_string(code) +
                                " is not in the valid range [27, 34]");
    }
    const unsigned char* r = sig;
    const unsigned char* s = sig + 32;
    if (compare32(r, kOrder) >= 0) return recovery_failure("R >= group order");
    if (is_zero(r)) return recovery_failure("R is 0");
    if (compare32(s, kOrder) >= 0) return recovery_failure("S >= group order");
    if (is_zero(s)) return recovery_failure("S is 0");
    if ((sig[64] & 2) && compare32(r, kPrimeMinusOrder) >= 0) {
        return recovery_failure("signature R + N >= P");
    }
    return std::nullopt;
}

// After the prechecks, recovery fails only if R's x coordinate is not on the curve or the
// result is the point at infinity; tell them apart for the message (cold path).
Error explain_recovery_failure(const unsigned char* sig) {
    const int recid = sig[64] & 3;
    unsigned char compressed[33];
    compressed[0] = (recid & 1) ? 0x03 : 0x02;
    // x = r, or r + n for the overflow bit (no carry out: the precheck bounded r).
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {
        unsigned sum = sig[i] + ((recid & 2) ? kOrder[i] : 0u) + carry;
        compressed[1 + i] = static_cast<unsigned char>(sum);
        carry = sum >> 8;
    }
    secp256k1_pubkey point;
    if (!secp256k1_ec_pubkey_parse(context(), &point, compressed, sizeof compressed)) {
        return recovery_failure("not for a valid curve point");
    }
    return recovery_failure("recovered pubkey is the point at infinity");
}

}  // namespace

std::string sha3_256_hex(std::string_view data) {
    Bytes32 digest = sha3_256(data.data(), data.size());
    return hex_string(digest.data(), digest.size());
}

std::string generate_private_key() {
    Bytes32 key{};
    do {  // rejection sampling keeps d uniform in [1, n-1]
        if (RAND_bytes(key.data(), key.size()) != 1) fatal("RAND_bytes failed");
    } while (!secp256k1_ec_seckey_verify(context(), key.data()));
    return hex_string(key.data(), key.size());
}

Result<std::string> public_key_hex(std::string_view private_key_hex) {
    auto pubkey = public_key_of(private_key_hex);
    if (!pubkey) return pubkey.error();
    unsigned char raw[kPublicKeyBytes];
    size_t raw_len = sizeof raw;
    secp256k1_ec_pubkey_serialize(context(), raw, &raw_len, &*pubkey, SECP256K1_EC_UNCOMPRESSED);
    return hex_string(raw, raw_len);
}

Result<std::string> id_from_private_key(std::string_view private_key_hex) {
    auto pubkey = public_key_of(private_key_hex);
    if (!pubkey) return pubkey.error();
    return id_of(*pubkey);
}

Result<std::string> sign(std::string_view message, std::string_view private_key_hex) {
    auto key = parse_private_key(private_key_hex);
    if (!key) return key.error();
    Bytes32 digest = sha3_256(message.data(), message.size());
    secp256k1_ecdsa_recoverable_signature sig;
    // nullptr nonce function = RFC 6979; libsecp256k1 always emits low-S.
    if (!secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), key->data(), nullptr,
                                          nullptr)) {
        return internal_error("signing failed");
    }
    unsigned char out[kSignatureBytes];
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out, &recid, &sig);
    out[64] = static_cast<unsigned char>(recid);  // r || s || v, v last (not Bitcoin's layout)
    return hex_string(out, sizeof out);
}

Result<std::string> recover_id(std::string_view message, std::string_view signature_hex) {
    if (std::string err = hex_error(signature_hex); !err.empty()) return forbidden(std::move(err));
    if (signature_hex.size() != 2 * kSignatureBytes) return forbidden("Invalid signature length");
    unsigned char raw[kSignatureBytes];
    hex_decode_valid(signature_hex, raw);

    if (auto failure = precheck_recovery(raw)) return std::move(*failure);
    // Bytes 4..7 alias 0..3 upstream (they only flag a compressed key), hence the mask.
    secp256k1_ecdsa_recoverable_signature rsig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &rsig, raw, raw[64] & 3)) {
        return recovery_failure("R >= group order");  // unreachable after the precheck
    }
    const Bytes32 digest = sha3_256(message.data(), message.size());
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(context(), &pubkey, &rsig, digest.data())) {
        return explain_recovery_failure(raw);
    }

    // Upstream recovers first and rejects malleable signatures only while verifying, so a
    // high-S signature with a bad recovery byte reports the recovery error. libsecp256k1's
    // recovery accepts high S, so this check is ours.
    if (compare32(raw + 32, kHalfOrder) > 0) {
        return forbidden("Failed verify signature: Signature s value is over half the order");
    }
    // No separate verify: a key recovered from (r, s, e) satisfies the ECDSA equation by
    // construction (Q = r^-1 (sR - eG) gives e/s G + r/s Q = R), so verifying would only repeat
    // the 35 us of point arithmetic recovery already did. Range checks on r and s and the low-S
    // rule, which verification would add, are enforced above.
    return id_of(pubkey);
}

}  // namespace colonies::crypto
