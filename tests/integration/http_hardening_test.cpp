// The HTTP front door under hostile or broken clients (issue 13): malformed requests get a 4xx
// status line, idle and half-sent requests are closed after the header timeout, and a server
// out of file descriptors backs off instead of spinning and serves again once idle connections
// have timed out.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

// A connected loopback socket whose reads give up after `read_timeout`.
int connect_raw(int port, std::chrono::seconds read_timeout = 20s) {
    return connect_loopback(port, read_timeout);
}

void send_all(int fd, const std::string& bytes) {
    for (size_t off = 0; off < bytes.size();) {
        auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;  // the server may close early (e.g. after a 431): read what it said
        off += static_cast<size_t>(n);
    }
}

// What came back until the server closed the connection, and whether it did close (false: the
// read timed out with the connection still open).
struct Received {
    std::string bytes;
    bool closed = false;
};

Received read_until_close(int fd) {
    Received r;
    char buf[4096];
    for (;;) {
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            r.bytes.append(buf, static_cast<size_t>(n));
            continue;
        }
        r.closed = n == 0 || errno == ECONNRESET;
        return r;
    }
}

int status_of(const std::string& response) {
    if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
    return std::atoi(response.c_str() + 9);
}

// One request on a fresh connection; the status line's code (0: no status line).
int exchange_status(int port, const std::string& request) {
    int fd = connect_raw(port);
    send_all(fd, request);
    auto r = read_until_close(fd);
    ::close(fd);
    return status_of(r.bytes);
}

// Reads one response (headers and a Content-Length body) without waiting for the close.
std::string read_response(int fd) {
    std::string got;
    char buf[4096];
    for (;;) {
        auto head_end = got.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            auto cl = got.find("Content-Length: ");
            size_t length = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
            if (got.size() >= head_end + 4 + length) return got;
        }
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return got;
        got.append(buf, static_cast<size_t>(n));
    }
}

std::string get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra_headers + "\r\n";
}

std::string post_api(const std::string& headers, const std::string& body) {
    return "POST /api HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
}

class HttpHardening : public ::testing::Test {
  protected:
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_env = {{"COLONIES_HTTP_HEADER_TIMEOUT", "2"}};
        return cfg;
    }
    ServerProcess server{config()};
};

TEST_F(HttpHardening, MalformedRequestsAre400) {
    const int port = server.port();
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"garbage bytes", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15)},
        {"not a request line", "HELLO\r\n\r\n"},
        {"bad version", "GET /health HTTP/9.Z\r\nHost: x\r\n\r\n"},
        {"negative Content-Length", post_api("Content-Length: -5\r\n", "")},
        {"non-numeric Content-Length", post_api("Content-Length: abc\r\n", "")},
        {"two different Content-Lengths",
         post_api("Content-Length: 2\r\nContent-Length: 3\r\n", "{}")},
        {"bad chunk size", post_api("Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n")},
        {"bad header line", "GET /health HTTP/1.1\r\nHost x\r\n\r\n"},
    };
    for (const auto& [what, request] : cases)
        EXPECT_EQ(exchange_status(port, request), 400) << what;
    // The server still serves.
    EXPECT_EQ(exchange_status(port, get("/health", "Connection: close\r\n")), 200);
}

TEST_F(HttpHardening, DuplicateEqualContentLengthIsAnsweredWith4xx) {
    // Either refused as malformed or read as one length; in both cases the client gets a status
    // line (the body is no valid envelope).
    const int status =
        exchange_status(server.port(), post_api("Content-Length: 2\r\nContent-Length: 2\r\n"
                                                "Connection: close\r\n",
                                                "{}"));
    EXPECT_GE(status, 400);
    EXPECT_LT(status, 500);
}

TEST_F(HttpHardening, OversizedHeadersAre431) {
    const int port = server.port();
    const std::string big_value(100 * 1024, 'a');
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
    EXPECT_EQ(exchange_status(port, get("/health", "X-Big: " + big_value + "\r\n")), 431);
    EXPECT_EQ(exchange_status(port, get("/health", many)), 431);
    EXPECT_EQ(exchange_status(port, get("/health?" + std::string(1 << 20, 'q'))), 431);
}

TEST_F(HttpHardening, LargeButReasonableHeadersAreServed) {
    // A 9 KB header line was refused before (Beast's 8 KiB default); 60 KB in all is fine.
    const int port = server.port();
    EXPECT_EQ(exchange_status(port, get("/health", "X-Nine: " + std::string(9000, 'n') +
                                                       "\r\nConnection: close\r\n")),
              200);
    std::string lots;
    for (int i = 0; i < 60; ++i)
        lots += "X-L" + std::to_string(i) + ": " + std::string(990, 'l') + "\r\n";
    EXPECT_EQ(exchange_status(port, get("/health", lots + "Connection: close\r\n")), 200);
}

TEST_F(HttpHardening, SilentAndHalfSentConnectionsAreClosedAfterTheHeaderTimeout) {
    // The header timeout is 2 s here; without it the server kept such connections 120 s. Reads
    // give up after 15 s: a read that times out means the server kept the connection.
    for (const std::string& sent : {std::string(), std::string("POST /api HT"),
                                    std::string("GET /health HTTP/1.1\r\nHost: x\r\n")}) {
        int fd = connect_raw(server.port(), 15s);
        send_all(fd, sent);
        auto r = read_until_close(fd);
        ::close(fd);
        EXPECT_TRUE(r.closed) << "sent '" << sent << "'";
        EXPECT_TRUE(r.bytes.empty()) << r.bytes;
    }
}

TEST_F(HttpHardening, KeptAliveConnectionsMayIdleLongerThanTheHeaderTimeout) {
    // Between requests a kept-alive connection waits for the idle timeout (120 s), as upstream:
    // the header timeout starts with the next request's first byte.
    int fd = connect_raw(server.port());
    send_all(fd, get("/health"));
    EXPECT_EQ(status_of(read_response(fd)), 200);
    std::this_thread::sleep_for(3s);
    send_all(fd, get("/health", "Connection: close\r\n"));
    EXPECT_EQ(status_of(read_response(fd)), 200);
    ::close(fd);
}

// utime + stime of `pid`, in seconds.
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string f;
    long long utime = 0, stime = 0;
    for (int i = 3; fields >> f; ++i) {
        if (i == 14) utime = std::stoll(f);
        if (i == 15) {
            stime = std::stoll(f);
            break;
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

TEST_F(HttpHardening, OutOfDescriptorsTheServerBacksOffAndRecovers) {
    const rlimit few{64, 64};
    ASSERT_EQ(::prlimit(server.pid(), RLIMIT_NOFILE, &few, nullptr), 0) << std::strerror(errno);
    // More idle connections than the server has descriptors: the rest wait in the backlog.
    std::vector<int> idle;
    for (int i = 0; i < 100; ++i) idle.push_back(connect_raw(server.port()));
    std::this_thread::sleep_for(500ms);
    // A spinning accept loop burns a core or two; backing off costs next to nothing.
    const double before = cpu_seconds(server.pid());
    std::this_thread::sleep_for(2s);
    const double used = cpu_seconds(server.pid()) - before;
    EXPECT_LT(used, 1.0) << "server CPU seconds in 2 s while out of descriptors";
    // Once the idle ones time out (2 s header timeout, in rounds), /health answers again.
    EXPECT_EQ(exchange_status(server.port(), get("/health", "Connection: close\r\n")), 200);
    for (int fd : idle) ::close(fd);
    EXPECT_NE(server.log_text().find("cannot accept connections"), std::string::npos)
        << server.log_text();
}

}  // namespace
}  // namespace colonies::it

namespace colonies::it {
namespace {

// Bodies held at once are capped server-wide (issue 13.3): here 2 MB in flight, 1 MB per body.
class HttpBodyBudget : public ::testing::Test {
  protected:
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_args = {"--max-request-bytes", "1000000"};
        cfg.extra_env = {{"COLONIES_MAX_BODY_BYTES_IN_FLIGHT", "2000000"}};
        return cfg;
    }
    ServerProcess server{config()};
};

std::string api_header(size_t length) {
    return "POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) +
           "\r\nConnection: close\r\n\r\n";
}

TEST_F(HttpBodyBudget, BodiesPastTheServerWideCapAre503UntilOthersFinish) {
    const size_t length = 900000;
    // Two slow uploads hold 1.8 MB of the 2 MB budget.
    int a = connect_raw(server.port());
    int b = connect_raw(server.port());
    send_all(a, api_header(length) + std::string(1000, 'x'));
    send_all(b, api_header(length) + std::string(1000, 'x'));
    // A third does not fit while they last (looked for a few times: the first two must have
    // been read by the server before the third counts as over the cap).
    std::string refused;
    for (int attempt = 0; attempt < 20 && refused.empty(); ++attempt) {
        int c = connect_raw(server.port());
        send_all(c, api_header(length) + std::string(length, 'x'));
        auto r = read_until_close(c);
        ::close(c);
        if (status_of(r.bytes) == 503) refused = r.bytes;
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(refused.empty()) << "no 503 while 1.8 MB of bodies were in flight";
    EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
    // The first upload completes and is answered as usual (its body is no envelope).
    send_all(a, std::string(length - 1000, 'x'));
    auto ra = read_until_close(a);
    ::close(a);
    EXPECT_EQ(status_of(ra.bytes), 400) << ra.bytes.substr(0, 200);
    // With the second gone too, a full body fits again.
    ::close(b);
    int status = 0;
    for (int attempt = 0; attempt < 20; ++attempt) {
        status = exchange_status(server.port(), api_header(length) + std::string(length, 'x'));
        if (status != 503) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(status, 400);
}

}  // namespace
}  // namespace colonies::it
