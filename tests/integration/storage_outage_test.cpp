// A server on PostgreSQL whose database goes away (issue 13.6): signed requests answer 503
// "Storage failure: storage unavailable" with no host, port or libpq text in it; the detail is
// in the server's log. Once the database is gone for good the server keeps serving the rest
// (/health, unsigned messages).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "pg_cluster.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

namespace ts = colonies::testsupport;
using namespace std::chrono_literals;

void expect_no_detail(const Error& e, int pg_port) {
    EXPECT_EQ(e.message.find("127.0.0.1"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find(std::to_string(pg_port)), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("connection to server"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("PostgreSQL"), std::string::npos) << e.message;
}

// A signed getcoloniesmsg sent by hand, so that the reply's headers can be read.
std::string raw_get_colonies(int port) {
    const auto payload = rpc::base64_encode(R"({"msgtype":"getcoloniesmsg"})");
    const auto signature = crypto::sign(payload, DevIdentity::server_prvkey);
    const auto body = rpc::encode_request("getcoloniesmsg", payload, signature.value());
    const std::string request =
        "POST /api HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const int fd = connect_loopback(port, 20s);
    for (size_t sent = 0; sent < request.size();) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string reply;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, size_t(n));
    ::close(fd);
    return reply;
}

TEST(StorageOutage, UnreachableDatabaseAnswers503WithoutItsAddress) {
    auto pg = std::make_unique<ts::PgCluster>();
    const int pg_port = pg->port();
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_DB_TYPE", "postgresql"},
                     {"COLONIES_DB_HOST", pg->host()},
                     {"COLONIES_DB_PORT", std::to_string(pg_port)},
                     {"COLONIES_DB_USER", pg->user()},
                     {"COLONIES_DB_SCHEMA", pg->fresh_schema()},
                     {"COLONIES_DB_MAX_OPEN_CONNS", "2"}};
    cfg.extra_args = {"--threads", "2"};
    cfg.startup_timeout = 40s;
    ServerProcess server(cfg);
    auto c = server.make_client();
    Fixture::setup_dev(c);

    pg.reset();  // fast shutdown: the server's connections are cut and new ones refused

    auto colonies = c.get_colonies(DevIdentity::server_prvkey);
    ASSERT_FALSE(colonies.ok());
    EXPECT_EQ(colonies.error().status, 503);
    EXPECT_EQ(colonies.error().message, "Storage failure: storage unavailable");
    expect_no_detail(colonies.error(), pg_port);
    // A 503 says when to come back.
    const auto raw = raw_get_colonies(server.port());
    EXPECT_EQ(raw.rfind("HTTP/1.1 503", 0), 0u) << raw;
    EXPECT_NE(raw.find("Retry-After: 1\r\n"), std::string::npos) << raw;

    auto submitted =
        c.submit(Fixture::simple_spec("dev", "cli", "echo"), DevIdentity::executor_prvkey);
    ASSERT_FALSE(submitted.ok());
    EXPECT_EQ(submitted.error().status, 503);
    expect_no_detail(submitted.error(), pg_port);

    // The operator finds the reason in the log.
    const std::string log = server.log_text();
    EXPECT_NE(log.find("storage failure"), std::string::npos) << log;
    EXPECT_NE(log.find(std::to_string(pg_port)), std::string::npos) << log;

    EXPECT_TRUE(c.version().ok());
}

}  // namespace
}  // namespace colonies::it
