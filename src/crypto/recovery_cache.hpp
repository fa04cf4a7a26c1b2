// Remembers who signed recently seen messages, so that a request repeated byte for byte costs a
// lookup instead of a signature recovery.
//
// Executors repeat themselves: a long-polling executor sends the same signed
// assignprocessmsg (same payload, and with deterministic RFC 6979 signing the same signature)
// every time it asks for work. Recovery is a pure function of the message and the signature,
// so answering from the cache is exact. The key is the whole message and the whole signature,
// never a hash of them, so no other message can be mistaken for a cached one. Only successful
// recoveries are kept; failures are recomputed and reported each time.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"

namespace colonies::crypto {

class RecoveryCache {
  public:
    // Keeps at most about `capacity` pairs whose message is at most `max_message_bytes` long.
    explicit RecoveryCache(size_t capacity = 4096, size_t max_message_bytes = 2048);

    // crypto::recover_id, answered from the cache when this exact pair was recovered before.
    Result<std::string> recover_id(std::string_view message, std::string_view signature_hex);

    size_t hits() const;

  private:
    // Two generations: lookups try the young one, then the old one (and move a hit back to the
    // young one); when the young one is full it becomes the old one. Pairs that stop recurring
    // drop out after two generations, without bookkeeping per lookup.
    using Generation = std::unordered_map<std::string, std::string>;

    const size_t generation_size_;
    const size_t max_message_bytes_;
    mutable std::mutex mu_;
    Generation young_, old_;
    size_t hits_ = 0;
};

}  // namespace colonies::crypto
