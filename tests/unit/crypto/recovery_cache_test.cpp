#include "crypto/recovery_cache.hpp"

#include <gtest/gtest.h>

#include "crypto/crypto.hpp"

namespace colonies::crypto {
namespace {

struct Signed {
    std::string message, signature, id;
};

Signed sign_as(const std::string& prvkey, const std::string& message) {
    Signed s{message, sign(message, prvkey).value(), id_from_private_key(prvkey).value()};
    return s;
}

TEST(RecoveryCache, ARepeatedRequestIsAnsweredFromTheCacheWithTheSameSigner) {
    RecoveryCache cache;
    const Signed a = sign_as(generate_private_key(), "assignprocessmsg payload");
    EXPECT_EQ(cache.recover_id(a.message, a.signature).value(), a.id);
    EXPECT_EQ(cache.hits(), 0u);
    EXPECT_EQ(cache.recover_id(a.message, a.signature).value(), a.id);
    EXPECT_EQ(cache.recover_id(a.message, a.signature).value(), a.id);
    EXPECT_EQ(cache.hits(), 2u);
}

TEST(RecoveryCache, ACachedSignatureDoesNotVouchForAnotherMessage) {
    RecoveryCache cache;
    const Signed a = sign_as(generate_private_key(), "the signed message");
    ASSERT_EQ(cache.recover_id(a.message, a.signature).value(), a.id);
    // The same signature over other bytes recovers some other key (or fails), exactly as
    // without the cache.
    for (std::string other : {"the signed messagE", "the signed message ", ""}) {
        auto uncached = recover_id(other, a.signature);
        auto cached = cache.recover_id(other, a.signature);
        ASSERT_EQ(cached.ok(), uncached.ok()) << other;
        if (cached.ok()) {
            EXPECT_EQ(cached.value(), uncached.value());
            EXPECT_NE(cached.value(), a.id);
        }
    }
    EXPECT_EQ(cache.hits(), 0u);
}

TEST(RecoveryCache, FailuresAreReportedEveryTimeAndNotCached) {
    RecoveryCache cache;
    const std::string bad(130, 'z');
    for (int i = 0; i < 3; ++i) {
        auto r = cache.recover_id("m", bad);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().message, recover_id("m", bad).error().message);
    }
    EXPECT_EQ(cache.hits(), 0u);
}

TEST(RecoveryCache, StaysBoundedAndCorrectPastItsCapacity) {
    RecoveryCache cache(4);
    std::vector<Signed> all;
    for (int i = 0; i < 12; ++i)
        all.push_back(sign_as(generate_private_key(), "message " + std::to_string(i)));
    for (int round = 0; round < 3; ++round)
        for (const auto& s : all) EXPECT_EQ(cache.recover_id(s.message, s.signature).value(), s.id);
    // Twelve pairs cycling through four places: no hits, and no wrong answers.
    EXPECT_EQ(cache.hits(), 0u);
    // The last ones are still there.
    EXPECT_EQ(cache.recover_id(all.back().message, all.back().signature).value(), all.back().id);
    EXPECT_EQ(cache.hits(), 1u);
}

TEST(RecoveryCache, LongMessagesBypassTheCache) {
    RecoveryCache cache(16, 64);
    const Signed big = sign_as(generate_private_key(), std::string(65, 'x'));
    EXPECT_EQ(cache.recover_id(big.message, big.signature).value(), big.id);
    EXPECT_EQ(cache.recover_id(big.message, big.signature).value(), big.id);
    EXPECT_EQ(cache.hits(), 0u);
}

}  // namespace
}  // namespace colonies::crypto
