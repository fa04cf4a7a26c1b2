// Durations far beyond any real deadline (issue 13.4): a huge maxwaittime or maxexectime is held
// as "not for a very long time", never wrapped into a deadline in the past, and a huge assign or
// subscription timeout waits instead of ending at once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "client/subscribe.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kHuge = INT64_MAX;
constexpr int64_t k1e10 = 10000000000LL;
constexpr int64_t k2pow62 = int64_t{1} << 62;

class DurationBounds : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }
    Process submit(int64_t maxwaittime, int64_t maxexectime) {
        auto spec = Fixture::simple_spec("dev", "cli", "echo");
        spec.maxwaittime = maxwaittime;
        spec.maxexectime = maxexectime;
        auto p = c_->submit(spec, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    ProcessState state_of(const std::string& id) {
        auto p = c_->get_process(id, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok());
        return p.ok() ? p->state : ProcessState::Failed;
    }
    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
};

TEST_F(DurationBounds, HugeMaxWaitTimeKeepsTheProcessWaiting) {
    auto a = submit(k1e10, -1);
    auto b = submit(kHuge, -1);
    // Wrapped deadlines lay in the past: the sweep (every second) failed them at once.
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(state_of(a.processid), ProcessState::Waiting);
    EXPECT_EQ(state_of(b.processid), ProcessState::Waiting);
}

TEST_F(DurationBounds, HugeMaxExecTimeKeepsTheProcessRunning) {
    auto p = submit(-1, kHuge);
    auto got = c_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(got->processid, p.processid);
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(state_of(p.processid), ProcessState::Running);
}

// A signed assign with a timeout the SDK's int cannot carry, sent raw; the HTTP status of the
// reply (0: none within 30 s).
int raw_assign(int port, int64_t timeout) {
    boost::json::object msg{{"msgtype", "assignprocessmsg"},
                            {"colonyname", "dev"},
                            {"timeout", timeout},
                            {"availablecpu", ""},
                            {"availablemem", ""}};
    auto payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, DevIdentity::executor_prvkey);
    if (!sig) return -1;
    const std::string body = rpc::encode_request("assignprocessmsg", payload, *sig);
    const std::string request =
        "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    int fd = -1;
    try {
        fd = connect_loopback(port, 30s);
    } catch (const std::exception&) {
        return -1;
    }
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[64] = {};
    auto n = ::recv(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (n < 12) return 0;
    return std::atoi(buf + 9);
}

TEST_F(DurationBounds, HugeAssignTimeoutWaitsForWork) {
    std::optional<int> status;
    std::thread poll([&] { status = raw_assign(server_.port(), k2pow62); });
    // The poll parks (it answered 404 at once when the deadline wrapped).
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_assign_waiters", 1, 10s));
    submit(-1, -1);
    poll.join();
    EXPECT_EQ(status, 200);
}

TEST_F(DurationBounds, HugeSubscriptionTimeoutStaysSubscribed) {
    auto p = submit(-1, -1);
    client::ProcessSubscription sub{"dev", p.processid, "", ProcessState::Running, k2pow62};
    std::optional<Result<int>> events;
    std::thread subscriber([&] {
        events = client::subscribe(server_.client_options(), sub, DevIdentity::executor_prvkey,
                                   [](const Process&) { return false; });  // one event is enough
    });
    // It stays registered (the wrapped timer closed the socket at once, with no frame).
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", 1, 10s));
    ASSERT_TRUE(c_->assign("dev", 5, DevIdentity::executor_prvkey).ok());
    subscriber.join();
    ASSERT_TRUE(events && events->ok()) << (events ? events->error().message : "");
    EXPECT_EQ(events->value(), 1);
}

}  // namespace
}  // namespace colonies::it
