#include "scheduler/waiters.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace colonies::scheduler;

namespace {

WaiterSpec spec(const std::string& name, const std::string& type = "cli") {
    return WaiterSpec{"dev", type, name, "", INT64_MAX, INT64_MAX};
}

ReadyProcess ready(const std::string& type = "cli") {
    return ReadyProcess{"dev", type, {}, "", 0, 0};
}

}  // namespace

TEST(Waiters, WakesExactlyOneMatchingWaiterOldestFirst) {
    Waiters w;
    int a = 0, b = 0;
    auto seq = w.sequence();
    ASSERT_TRUE(w.add(
        spec("a"), [&] { ++a; }, seq));
    ASSERT_TRUE(w.add(
        spec("b"), [&] { ++b; }, seq));
    EXPECT_TRUE(w.notify(ready()));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 0);
    EXPECT_EQ(w.size(), 1u);
    EXPECT_TRUE(w.notify(ready()));
    EXPECT_EQ(b, 1);
    EXPECT_FALSE(w.notify(ready()));
}

TEST(Waiters, RefusesRegistrationAfterAnEventItMissed) {
    Waiters w;
    auto seq = w.sequence();
    w.notify(ready());  // nobody waiting, but the sequence moves
    EXPECT_FALSE(w.add(
        spec("a"), [] {}, seq));
    EXPECT_TRUE(w.add(
        spec("a"), [] {}, w.sequence()));
}

TEST(Waiters, SkipsWaitersThatCannotTakeTheProcess) {
    Waiters w;
    int other_type = 0, wrong_name = 0, small = 0, right = 0;
    auto seq = w.sequence();
    w.add(
        spec("x", "gpu"), [&] { ++other_type; }, seq);
    w.add(
        spec("y"), [&] { ++wrong_name; }, seq);
    auto s = spec("z");
    s.max_cpu_millis = 100;
    w.add(
        s, [&] { ++small; }, seq);
    w.add(
        spec("z"), [&] { ++right; }, seq);
    ReadyProcess p{"dev", "cli", {"z"}, "", 500, 0};
    EXPECT_TRUE(w.notify(p));
    EXPECT_EQ(other_type + wrong_name + small, 0);
    EXPECT_EQ(right, 1);
}

TEST(Waiters, LocationMatchesCaseInsensitivelyAndEmptyMeansAny) {
    WaiterSpec w{"dev", "cli", "e", "Lab-1", INT64_MAX, INT64_MAX};
    EXPECT_TRUE(can_take(w, ReadyProcess{"dev", "cli", {}, "lab-1", 0, 0}));
    EXPECT_TRUE(can_take(w, ReadyProcess{"dev", "cli", {}, "", 0, 0}));
    EXPECT_FALSE(can_take(w, ReadyProcess{"dev", "cli", {}, "lab-2", 0, 0}));
    EXPECT_FALSE(can_take(w, ReadyProcess{"other", "cli", {}, "", 0, 0}));
}

TEST(Waiters, RemoveAndNotifyColony) {
    Waiters w;
    int n = 0;
    auto seq = w.sequence();
    auto id = w.add(
        spec("a"), [&] { ++n; }, seq);
    w.add(
        spec("b"), [&] { ++n; }, seq);
    w.remove(*id);
    EXPECT_EQ(w.size(), 1u);
    w.notify_colony("dev");
    EXPECT_EQ(n, 1);
    EXPECT_EQ(w.size(), 0u);
}

// A removed colony releases every parked executor of it, whatever its type, and no other.
TEST(Waiters, NotifyColonyWakesEveryTypeOfThatColonyOnly) {
    Waiters w;
    std::vector<std::string> woken;
    auto seq = w.sequence();
    auto elsewhere = spec("o");
    elsewhere.colonyname = "other";
    w.add(
        spec("a"), [&] { woken.push_back("a"); }, seq);
    w.add(
        spec("g", "gpu"), [&] { woken.push_back("g"); }, seq);
    w.add(
        elsewhere, [&] { woken.push_back("o"); }, seq);
    w.notify_colony("dev");
    std::sort(woken.begin(), woken.end());
    EXPECT_EQ(woken, (std::vector<std::string>{"a", "g"}));
    EXPECT_EQ(w.size(), 1u);
    // A poll that looked before the removal and parks after it looks again instead.
    EXPECT_FALSE(w.add(
        spec("late"), [] {}, seq));
    EXPECT_EQ(w.size(), 1u);
}

TEST(Waiters, NamedProcessWakesTheOldestAbleWaiterAmongItsNames) {
    Waiters w;
    std::vector<std::string> woken;
    auto seq = w.sequence();
    auto small = spec("b");
    small.max_cpu_millis = 100;
    w.add(
        small, [&] { woken.push_back("b-small"); }, seq);
    w.add(
        spec("c"), [&] { woken.push_back("c"); }, seq);
    w.add(
        spec("b"), [&] { woken.push_back("b"); }, seq);
    w.add(
        spec("a"), [&] { woken.push_back("a"); }, seq);
    // b-small cannot take it; c is older than the able b; a is not named.
    EXPECT_TRUE(w.notify(ReadyProcess{"dev", "cli", {"b", "c"}, "", 500, 0}));
    EXPECT_TRUE(w.notify(ReadyProcess{"dev", "cli", {"b", "c"}, "", 500, 0}));
    EXPECT_FALSE(w.notify(ReadyProcess{"dev", "cli", {"b", "c"}, "", 500, 0}));
    EXPECT_EQ(woken, (std::vector<std::string>{"c", "b"}));
    EXPECT_EQ(w.size(), 2u);
    // Both views stay consistent after named and unnamed wakeups.
    EXPECT_TRUE(w.notify(ready()));
    EXPECT_EQ(woken.back(), "b-small");
    EXPECT_TRUE(w.notify(ReadyProcess{"dev", "cli", {"a"}, "", 0, 0}));
    EXPECT_EQ(w.size(), 0u);
    EXPECT_FALSE(w.notify(ready()));
}
