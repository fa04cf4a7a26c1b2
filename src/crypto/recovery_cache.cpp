#include "crypto/recovery_cache.hpp"

#include <algorithm>
#include <utility>

#include "crypto/crypto.hpp"

namespace colonies::crypto {

namespace {

// The signature first: it has a fixed length, so the pair is unambiguous.
std::string key_of(std::string_view message, std::string_view signature_hex) {
    std::string key;
    key.reserve(signature_hex.size() + 1 + message.size());
    key.append(signature_hex).push_back('\n');
    key.append(message);
    return key;
}

}  // namespace

RecoveryCache::RecoveryCache(size_t capacity, size_t max_message_bytes)
    : generation_size_(std::max<size_t>(1, capacity / 2)), max_message_bytes_(max_message_bytes) {}

Result<std::string> RecoveryCache::recover_id(std::string_view message,
                                              std::string_view signature_hex) {
    if (message.size() > max_message_bytes_) return crypto::recover_id(message, signature_hex);
    std::string key = key_of(message, signature_hex);
    {
        std::lock_guard lock(mu_);
        if (auto it = young_.find(key); it != young_.end()) {
            ++hits_;
            return it->second;
        }
        if (auto it = old_.find(key); it != old_.end()) {
            ++hits_;
            std::string id = it->second;
            old_.erase(it);
            if (young_.size() >= generation_size_) old_ = std::exchange(young_, {});
            young_.emplace(std::move(key), id);
            return id;
        }
    }
    auto id = crypto::recover_id(message, signature_hex);  // outside the lock: ~40 us of EC work
    if (!id) return id;
    std::lock_guard lock(mu_);
    if (young_.size() >= generation_size_) old_ = std::exchange(young_, {});
    young_.emplace(std::move(key), id.value());
    return id;
}

size_t RecoveryCache::hits() const {
    std::lock_guard lock(mu_);
    return hits_;
}

}  // namespace colonies::crypto
