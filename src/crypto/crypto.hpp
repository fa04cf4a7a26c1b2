// Keys, ids and request signatures of protocol.md section 2: recoverable secp256k1 ECDSA over
// SHA3-256 of the payload text, ids = SHA3-256 of the lower-case hex public key text.
// Thread-safe: one immutable secp256k1 context shared by all threads.
#pragma once
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace colonies::crypto {

// 64 lower-case hex chars of SHA3-256 (FIPS 202) of the bytes of `data`.
std::string sha3_256_hex(std::string_view data);

// A fresh private key (CSPRNG, 1 <= d < n) as 64 lower-case hex characters.
std::string generate_private_key();

// Uncompressed public key (130 lower-case hex, "04..."). Errors (400):
// "Invalid private key length, should be 256 bits", "Invalid private key".
Result<std::string> public_key_hex(std::string_view private_key_hex);

// Id of a private key's public key (64 hex).
Result<std::string> id_from_private_key(std::string_view private_key_hex);

// Signature of `message` (130 lower-case hex = r || s || recid, low-S, RFC 6979).
Result<std::string> sign(std::string_view message, std::string_view private_key_hex);

// Recover the signer id from `message` and a hex signature, verifying it. Errors are 403 with
// the messages of protocol.md 2.3 ("Invalid signature length", "encoding/hex: invalid byte: ...",
// "Failed to recover public key: ...", "Failed verify signature: Signature s value is over half
// the order").
Result<std::string> recover_id(std::string_view message, std::string_view signature_hex);

}  // namespace colonies::crypto
