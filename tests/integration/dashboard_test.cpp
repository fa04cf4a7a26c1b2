// The dashboard on a real server: served at / by default, a 404 (as upstream) when
// COLONIES_DASHBOARD=false or --dashboard=false, and the API unaffected either way.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

// The raw response to `GET target` on a fresh connection that the request closes.
std::string fetch(int port, const std::string& target) {
    int fd = connect_loopback(port, 20s);
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string got;
    char buf[8192];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, size_t(n));
    ::close(fd);
    return got;
}

int status_of(const std::string& response) {
    return response.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(response.c_str() + 9) : 0;
}

TEST(Dashboard, ServedAtTheRootByDefault) {
    ServerProcess server;
    auto page = fetch(server.port(), "/");
    ASSERT_EQ(status_of(page), 200) << page.substr(0, 300);
    EXPECT_NE(page.find("Content-Security-Policy: default-src 'none'"), std::string::npos);
    EXPECT_NE(page.find("Cache-Control: no-cache"), std::string::npos);
    EXPECT_NE(page.find("<div id=\"app\">"), std::string::npos);
    EXPECT_EQ(status_of(fetch(server.port(), "/assets/nothing-here.js")), 404);
    EXPECT_EQ(status_of(fetch(server.port(), "/health")), 200);
    auto c = server.make_client();
    EXPECT_TRUE(c.version().ok());
}

TEST(Dashboard, TurnedOffByTheVariable) {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_DASHBOARD", "false"}};
    ServerProcess server(cfg);
    auto page = fetch(server.port(), "/");
    EXPECT_EQ(status_of(page), 404);
    EXPECT_NE(page.find("404 page not found"), std::string::npos);
    EXPECT_EQ(status_of(fetch(server.port(), "/health")), 200);
}

TEST(Dashboard, TurnedOffByTheFlag) {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_DASHBOARD", "true"}};
    cfg.extra_args = {"--dashboard=false"};
    ServerProcess server(cfg);
    EXPECT_EQ(status_of(fetch(server.port(), "/")), 404);
    EXPECT_EQ(status_of(fetch(server.port(), "/dashboard/")), 404);
}

TEST(Dashboard, ABadValueStopsTheServer) {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_DASHBOARD", "maybe"}};
    cfg.startup_timeout = 5s;
    EXPECT_THROW(ServerProcess server(cfg), std::runtime_error);
}

}  // namespace
}  // namespace colonies::it
