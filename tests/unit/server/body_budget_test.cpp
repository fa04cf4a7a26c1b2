#include "server/body_budget.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace colonies::server {
namespace {

TEST(BodyBudget, TakesUpToTheCapAndRefusesBeyond) {
    BodyBudget b(100);
    EXPECT_TRUE(b.take(60));
    EXPECT_FALSE(b.take(41));
    EXPECT_EQ(b.used(), 60u);  // a refused take leaves nothing behind
    EXPECT_TRUE(b.take(40));
    EXPECT_FALSE(b.take(1));
    b.give_back(100);
    EXPECT_EQ(b.used(), 0u);
    EXPECT_FALSE(b.take(101));
}

TEST(BodyBudget, ReservationGivesBackWhatItHeldOnly) {
    BodyBudget b(100);
    {
        BodyReservation r(b);
        EXPECT_TRUE(r.add(30));
        EXPECT_TRUE(r.add(30));
        EXPECT_FALSE(r.add(50));
        EXPECT_EQ(r.held(), 60u);
        EXPECT_EQ(b.used(), 60u);
    }
    EXPECT_EQ(b.used(), 0u);
}

TEST(BodyBudget, ConcurrentTakesNeverPassTheCap) {
    BodyBudget b(1000);
    std::vector<std::thread> threads;
    std::atomic<int> taken{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i)
                if (b.take(7)) taken.fetch_add(1);
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(taken.load(), 1000 / 7);
    EXPECT_EQ(b.used(), static_cast<size_t>(1000 / 7 * 7));
}

}  // namespace
}  // namespace colonies::server
