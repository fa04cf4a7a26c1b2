// Clients that go away without a goodbye leave nothing behind on the server (issue 6): WebSocket
// subscribers that drop their connection, and executors whose long-poll assign connection is cut.
// Observed from outside through GET /metrics (server/metrics.hpp): the gauges rise while the
// clients are there and return to their baseline after they are gone, well before any of the
// clients' own timeouts (60 s) could have cleaned up for them.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Bound of every wait: far above any scheduling delay, far below the clients' 60 s timeouts.
constexpr auto kBound = std::chrono::milliseconds(20s);
constexpr int kClientTimeoutS = 60;

std::string signed_request(const std::string& type, boost::json::object msg,
                           const std::string& prvkey) {
    msg["msgtype"] = type;
    auto payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, prvkey);
    if (!sig) throw std::runtime_error(sig.error().message);
    return rpc::encode_request(type, payload, *sig);
}

// How a client goes away: a FIN with no WebSocket close frame (or before reading the HTTP reply),
// or a connection reset.
enum class Drop { Fin, Reset };

void drop(tcp::socket& s, Drop how) {
    boost::system::error_code ec;
    if (how == Drop::Reset) s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
}

Drop nth_drop(int i) {
    return i % 2 == 0 ? Drop::Fin : Drop::Reset;
}

class Disconnects : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
        metrics_ = std::make_unique<client::Client>(server_.make_client());
        // Baseline: the two keep-alive clients of this fixture (the harness's start-up checks
        // have hung up by now, or will shortly).
        ASSERT_TRUE(wait_for_metric(*metrics_, "colonies_open_connections", 2, kBound))
            << read_metrics(*metrics_)["colonies_open_connections"];
        auto m = read_metrics(*metrics_);
        ASSERT_EQ(m["colonies_subscriptions"], 0);
        ASSERT_EQ(m["colonies_assign_waiters"], 0);
    }
    tcp::endpoint endpoint() const {
        return {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server_.port())};
    }
    Process submit() {
        auto p =
            c_->submit(Fixture::simple_spec("dev", "cli", "echo"), DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    int64_t metric(const std::string& name) { return read_metrics(*metrics_)[name]; }

    ServerProcess server_;
    std::unique_ptr<client::Client> c_, metrics_;
    asio::io_context ioc_;
};

TEST_F(Disconnects, MetricsAreServedInPrometheusTextFormat) {
    tcp::socket s(ioc_);
    s.connect(endpoint());
    http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    for (const char* name :
         {"colonies_subscriptions", "colonies_assign_waiters", "colonies_open_connections"}) {
        EXPECT_NE(res.body().find(std::string("# TYPE ") + name + " gauge\n"), std::string::npos)
            << res.body();
    }
    EXPECT_NE(res.body().find("\ncolonies_open_connections 3\n"), std::string::npos)
        << res.body();  // the fixture's two clients and this one

    // Read-only: anything but GET is not found, like any other unknown route.
    http::request<http::string_body> post{http::verb::post, "/metrics", 11};
    post.set(http::field::host, "127.0.0.1");
    post.body() = "x";
    post.prepare_payload();
    http::write(s, post);
    http::response<http::string_body> res2;
    http::read(s, buf, res2);
    EXPECT_EQ(res2.result_int(), 404);
}

TEST_F(Disconnects, DroppedSubscribersLeaveNoSubscription) {
    const auto p = submit();
    constexpr int kClients = 20;
    std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> clients;
    for (int i = 0; i < kClients; ++i) {
        auto ws = std::make_unique<websocket::stream<tcp::socket>>(ioc_);
        ws->next_layer().connect(endpoint());
        ws->handshake("127.0.0.1:" + std::to_string(server_.port()), "/pubsub");
        ws->text(true);
        // Two subscriptions per connection: one process, and processes of a type.
        auto one = signed_request("subscribeprocessmsg",
                                  {{"colonyname", "dev"},
                                   {"processid", p.processid},
                                   {"executortype", ""},
                                   {"state", static_cast<int>(ProcessState::Success)},
                                   {"timeout", kClientTimeoutS}},
                                  DevIdentity::executor_prvkey);
        auto all = signed_request("subscribeprocessesmsg",
                                  {{"colonyname", "dev"},
                                   {"executortype", "cli"},
                                   {"state", static_cast<int>(ProcessState::Running)},
                                   {"timeout", kClientTimeoutS}},
                                  DevIdentity::executor_prvkey);
        ws->write(asio::buffer(one));
        ws->write(asio::buffer(all));
        clients.push_back(std::move(ws));
    }
    ASSERT_TRUE(wait_for_metric(*metrics_, "colonies_subscriptions", 2 * kClients, kBound))
        << metric("colonies_subscriptions");
    EXPECT_EQ(metric("colonies_open_connections"), 2 + kClients);

    for (int i = 0; i < kClients; ++i) drop(clients[i]->next_layer(), nth_drop(i));
    EXPECT_TRUE(wait_for_metric(*metrics_, "colonies_subscriptions", 0, kBound))
        << metric("colonies_subscriptions");
    EXPECT_TRUE(wait_for_metric(*metrics_, "colonies_open_connections", 2, kBound))
        << metric("colonies_open_connections");

    // Events for the departed subscribers reach no one and disturb nothing.
    ASSERT_TRUE(c_->assign("dev", 5, DevIdentity::executor_prvkey).ok());
    ASSERT_TRUE(c_->close_successful(p.processid, {"done"}, DevIdentity::executor_prvkey));
    auto after = client::Client(server_.client_options())
                     .get_process(p.processid, DevIdentity::executor_prvkey);
    ASSERT_TRUE(after.ok()) << after.error().message;
    EXPECT_EQ(after->state, ProcessState::Success);
    EXPECT_EQ(metric("colonies_subscriptions"), 0);
}

TEST_F(Disconnects, DroppedLongPollLeavesNoWaiterAndClaimsNothing) {
    constexpr int kPolls = 6;
    const auto body = signed_request("assignprocessmsg",
                                     {{"colonyname", "dev"},
                                      {"timeout", kClientTimeoutS},
                                      {"availablecpu", ""},
                                      {"availablemem", ""}},
                                     DevIdentity::executor_prvkey);
    std::vector<std::unique_ptr<tcp::socket>> polls;
    for (int i = 0; i < kPolls; ++i) {
        auto s = std::make_unique<tcp::socket>(ioc_);
        s->connect(endpoint());
        http::request<http::string_body> req{http::verb::post, "/api", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(*s, req);
        polls.push_back(std::move(s));
    }
    ASSERT_TRUE(wait_for_metric(*metrics_, "colonies_assign_waiters", kPolls, kBound))
        << metric("colonies_assign_waiters");
    EXPECT_EQ(metric("colonies_open_connections"), 2 + kPolls);

    for (int i = 0; i < kPolls; ++i) drop(*polls[i], nth_drop(i));
    EXPECT_TRUE(wait_for_metric(*metrics_, "colonies_assign_waiters", 0, kBound))
        << metric("colonies_assign_waiters");
    EXPECT_TRUE(wait_for_metric(*metrics_, "colonies_open_connections", 2, kBound))
        << metric("colonies_open_connections");

    // No departed poll claims the next process: a live executor gets it.
    const auto p = submit();
    auto got = c_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->processid, p.processid);
}

TEST_F(Disconnects, ALongPollThatIsAnsweredStillWorks) {
    // The hang-up watch must not disturb a poll whose client stays: it gets the process
    // submitted while it waits, on a connection that keeps serving requests afterwards.
    std::optional<Result<Process>> got;
    client::Client poller(server_.client_options());
    std::thread t(
        [&] { got = poller.assign("dev", kClientTimeoutS, DevIdentity::executor_prvkey); });
    // EXPECT, not ASSERT: the thread must be joined whatever happens.
    EXPECT_TRUE(wait_for_metric(*metrics_, "colonies_assign_waiters", 1, kBound));
    const auto p = submit();
    t.join();
    ASSERT_TRUE(got && got->ok()) << (got ? got->error().message : "");
    EXPECT_EQ(got->value().processid, p.processid);
    auto again = poller.get_process(p.processid, DevIdentity::executor_prvkey);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->state, ProcessState::Running);
    EXPECT_EQ(metric("colonies_assign_waiters"), 0);
}

}  // namespace
}  // namespace colonies::it
