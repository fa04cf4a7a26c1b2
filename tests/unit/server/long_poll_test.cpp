// The long poll's contract (server/long_poll.hpp), with scripted attempts instead of the store:
// attempts run until one answers, the deadline passes or the client hangs up; a wake-up, the
// recheck interval or a process that became ready while an attempt looked makes it look again;
// after a hang-up nothing runs.
#include "server/long_poll.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <functional>

namespace colonies::server {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const scheduler::WaiterSpec kSpec{"dev", "cli", "e1", "", INT64_MAX, INT64_MAX};
const scheduler::ReadyProcess kReady{"dev", "cli", {}, "", 0, 0};

asio::awaitable<LongPoll::Found> found(LongPoll::Found f) {
    co_return f;
}

rpc::Reply claimed() {
    return rpc::Reply{200, "claimed"};
}

LongPoll::Wait wait_for(std::chrono::seconds timeout) {
    return LongPoll::Wait{kSpec, timeout};
}

// Runs one poll on a strand of a one-thread io_context; `during` runs on the same context
// (after the poll has started) to wake it, hang it up or let time pass.
struct Harness {
    asio::io_context ioc;
    scheduler::Waiters waiters;
    int attempts = 0;
    std::optional<std::optional<rpc::Reply>> result;
    Clock::duration took{};

    void run(LongPoll poll, std::function<LongPoll::Found(int)> script,
             const WatchHangup& watch = {}) {
        LongPoll::Attempt attempt = [this, script] { return found(script(++attempts)); };
        auto strand = asio::make_strand(ioc);
        const auto start = Clock::now();
        asio::co_spawn(strand, poll.run(attempt, watch), [&](std::exception_ptr e, auto r) {
            if (e) std::rethrow_exception(e);
            result = std::move(r);
            took = Clock::now() - start;
        });
        ioc.run();
    }
    // Runs `fn` on the context after `delay`.
    void after(Clock::duration delay, std::function<void()> fn) {
        auto t = std::make_shared<asio::steady_timer>(ioc, delay);
        t->async_wait([t, fn](boost::system::error_code) { fn(); });
    }
};

TEST(LongPoll, AReplyFromTheFirstAttemptEndsItWithoutParking) {
    Harness h;
    h.run(LongPoll(h.waiters, std::nullopt), [](int) { return claimed(); });
    ASSERT_TRUE(h.result && *h.result);
    EXPECT_EQ((*h.result)->body, "claimed");
    EXPECT_EQ(h.attempts, 1);
    EXPECT_EQ(h.waiters.size(), 0u);
}

TEST(LongPoll, NoTimeoutMeansNoParking) {
    Harness h;
    h.run(LongPoll(h.waiters, std::nullopt), [](int) { return wait_for(-1s); });
    ASSERT_TRUE(h.result);
    EXPECT_FALSE(*h.result);
    EXPECT_EQ(h.attempts, 1);
}

TEST(LongPoll, AWakeUpMakesItLookAgain) {
    Harness h;
    h.after(50ms, [&] { EXPECT_TRUE(h.waiters.notify(kReady)); });
    h.run(LongPoll(h.waiters, std::nullopt), [](int n) -> LongPoll::Found {
        return n == 1 ? LongPoll::Found(wait_for(30s)) : claimed();
    });
    ASSERT_TRUE(h.result && *h.result);
    EXPECT_EQ(h.attempts, 2);
    EXPECT_LT(h.took, 5s);
    EXPECT_EQ(h.waiters.size(), 0u);
}

TEST(LongPoll, AProcessReadyWhileLookingIsNotMissed) {
    Harness h;
    // The first attempt finds nothing, but a process becomes ready before the poll parks.
    h.run(LongPoll(h.waiters, std::nullopt), [&](int n) -> LongPoll::Found {
        if (n > 1) return claimed();
        h.waiters.notify(kReady);
        return wait_for(30s);
    });
    ASSERT_TRUE(h.result && *h.result);
    EXPECT_EQ(h.attempts, 2);
    EXPECT_LT(h.took, 5s);
}

TEST(LongPoll, TheDeadlineEndsItAfterOneLastLook) {
    Harness h;
    h.run(LongPoll(h.waiters, std::nullopt), [](int) { return wait_for(1s); });
    ASSERT_TRUE(h.result);
    EXPECT_FALSE(*h.result);
    EXPECT_EQ(h.attempts, 2);
    EXPECT_GE(h.took, 1s);
    EXPECT_LT(h.took, 5s);
    EXPECT_EQ(h.waiters.size(), 0u);
}

// A paused colony (features.md 7.6): the last look's own reply when the time is up, and its
// reply at once when there is no time to wait.
TEST(LongPoll, TheLastLooksDeadlineReplyEndsIt) {
    Harness h;
    h.run(LongPoll(h.waiters, std::nullopt), [](int n) {
        auto w = wait_for(1s);
        w.at_deadline = rpc::Reply{408, "paused " + std::to_string(n)};
        return LongPoll::Found(w);
    });
    ASSERT_TRUE(h.result && *h.result);
    EXPECT_EQ((*h.result)->http_status, 408);
    EXPECT_EQ((*h.result)->body, "paused 2");
    EXPECT_GE(h.took, 1s);

    Harness once;
    once.run(LongPoll(once.waiters, std::nullopt), [](int) {
        auto w = wait_for(-1s);
        w.at_deadline = rpc::Reply{503, "paused"};
        return LongPoll::Found(w);
    });
    ASSERT_TRUE(once.result && *once.result);
    EXPECT_EQ((*once.result)->http_status, 503);
    EXPECT_EQ(once.attempts, 1);

    // Resumed before the end: the last look found nothing, so the poll ends as usual.
    Harness resumed;
    resumed.run(LongPoll(resumed.waiters, std::nullopt), [](int n) {
        auto w = wait_for(1s);
        if (n == 1) w.at_deadline = rpc::Reply{408, "paused"};
        return LongPoll::Found(w);
    });
    ASSERT_TRUE(resumed.result);
    EXPECT_FALSE(*resumed.result);
}

TEST(LongPoll, TheRecheckIntervalMakesItLookWithoutAWakeUp) {
    Harness h;
    h.run(LongPoll(h.waiters, std::chrono::milliseconds(100)), [](int n) -> LongPoll::Found {
        return n < 4 ? LongPoll::Found(wait_for(30s)) : claimed();
    });
    ASSERT_TRUE(h.result && *h.result);
    EXPECT_EQ(h.attempts, 4);
    EXPECT_LT(h.took, 5s);
}

TEST(LongPoll, AHangUpEndsItAtOnceAndIsWatchedOnce) {
    Harness h;
    std::function<void()> hang_up;
    int watched = 0;
    WatchHangup watch = [&](std::function<void()> on_hangup) {
        ++watched;
        hang_up = std::move(on_hangup);
    };
    h.after(50ms, [&] {
        ASSERT_TRUE(hang_up);
        hang_up();
    });
    h.run(
        LongPoll(h.waiters, std::chrono::milliseconds(10)), [](int) { return wait_for(30s); },
        watch);
    ASSERT_TRUE(h.result);
    EXPECT_FALSE(*h.result);
    EXPECT_EQ(watched, 1);  // watched once, although it parked many times
    EXPECT_GT(h.attempts, 1);
    EXPECT_LT(h.took, 5s);
    EXPECT_EQ(h.waiters.size(), 0u);
}

TEST(LongPoll, AHangUpWhileAnAttemptRunsStopsTheNextOne) {
    Harness h;
    std::function<void()> hang_up;
    WatchHangup watch = [&](std::function<void()> on_hangup) { hang_up = std::move(on_hangup); };
    h.run(
        LongPoll(h.waiters, std::chrono::milliseconds(10)),
        [&](int n) -> LongPoll::Found {
            // The client leaves while the second look is on the store: that look's Wait is the
            // last, and the poll does not park or look again.
            if (n == 2) hang_up();
            if (n > 2) return claimed();
            return wait_for(30s);
        },
        watch);
    ASSERT_TRUE(h.result);
    EXPECT_FALSE(*h.result);
    EXPECT_EQ(h.attempts, 2);
}

}  // namespace
}  // namespace colonies::server
