// The client's report of a request that got no reply, against real loopback peers that fail in
// each way: nothing listening, an unresolvable name, a peer that closes or resets after reading
// the request, one that never answers, one that answers half, and one that does not speak TLS.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "client/client.hpp"

namespace colonies::client {
namespace {

using namespace std::chrono_literals;

// A loopback TCP socket bound to a free port; listening only when asked.
class Socket {
  public:
    explicit Socket(bool listen) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        if (listen) ::listen(fd_, 4);
    }
    ~Socket() { ::close(fd_); }
    int fd() const { return fd_; }
    int port() const { return port_; }

  private:
    int fd_ = -1;
    int port_ = 0;
};

// Reads one whole request (head and Content-Length body): unread data at close would make the
// kernel reset the connection instead of closing it.
void read_request(int fd) {
    std::string got;
    char buf[4096];
    size_t head_end = std::string::npos;
    size_t want = 0;
    while (head_end == std::string::npos || got.size() < want) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return;
        got.append(buf, static_cast<size_t>(n));
        if (head_end == std::string::npos &&
            (head_end = got.find("\r\n\r\n")) != std::string::npos) {
            size_t length = 0;
            if (size_t at = got.find("Content-Length: "); at != std::string::npos && at < head_end)
                length = std::stoul(got.substr(at + 16));
            want = head_end + 4 + length;
        }
    }
}

void reset(int fd) {
    linger l{1, 0};  // close with RST
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

// Serves one connection with `peer` on a thread; the test's client call runs meanwhile.
class Peer {
  public:
    explicit Peer(std::function<void(int)> peer) : listener_(true) {
        thread_ = std::thread([this, peer = std::move(peer)] {
            int fd = ::accept(listener_.fd(), nullptr, nullptr);
            if (fd >= 0) peer(fd);
        });
    }
    ~Peer() { thread_.join(); }
    Options options() const {
        Options o;
        o.host = "127.0.0.1";
        o.port = listener_.port();
        o.connect_timeout = 2s;
        return o;
    }

  private:
    Socket listener_;
    std::thread thread_;
};

Error call_error(const Options& o, std::chrono::seconds timeout = 5s) {
    Client c(o);
    auto r = c.call("versionmsg", {}, "", timeout);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error{} : r.error();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(Transport, NothingListeningIsUnreachableConnectionRefused) {
    Options o;
    o.host = "127.0.0.1";
    {
        Socket bound(false);  // bound but not listening: the port refuses
        o.port = bound.port();
        Error e = call_error(o);
        EXPECT_EQ(e.kind, ErrorKind::Unreachable) << e.message;
        EXPECT_TRUE(contains(e.message, "connection refused")) << e.message;
        EXPECT_TRUE(contains(e.message, "cannot reach server at 127.0.0.1:")) << e.message;
    }
}

TEST(Transport, UnresolvableNameIsUnreachable) {
    Options o;
    o.host = "no-such-host.invalid";
    Error e = call_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Unreachable) << e.message;
    EXPECT_TRUE(contains(e.message, "cannot resolve no-such-host.invalid")) << e.message;
}

TEST(Transport, CloseAfterReadingTheRequestIsClosedBeforeTheReply) {
    Peer peer([](int fd) {
        read_request(fd);
        ::close(fd);
    });
    Error e = call_error(peer.options());
    EXPECT_EQ(e.kind, ErrorKind::Transport) << e.message;
    EXPECT_TRUE(contains(e.message, "connection closed before the reply")) << e.message;
    EXPECT_FALSE(contains(e.message, "cannot reach")) << e.message;
}

TEST(Transport, ResetAfterReadingTheRequestIsResetAfterSending) {
    Peer peer([](int fd) {
        read_request(fd);
        reset(fd);
    });
    Error e = call_error(peer.options());
    EXPECT_EQ(e.kind, ErrorKind::Transport) << e.message;
    EXPECT_TRUE(contains(e.message, "reset after sending")) << e.message;
}

TEST(Transport, HalfAReplyIsClosedInTheMiddle) {
    Peer peer([](int fd) {
        read_request(fd);
        const std::string half = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc";
        (void)!::write(fd, half.data(), half.size());
        ::close(fd);
    });
    Error e = call_error(peer.options());
    EXPECT_EQ(e.kind, ErrorKind::Transport) << e.message;
    EXPECT_TRUE(contains(e.message, "closed in the middle of the reply")) << e.message;
}

TEST(Transport, NoAnswerIsTimeoutReadingTheReply) {
    Peer peer([](int fd) {
        read_request(fd);
        std::this_thread::sleep_for(2500ms);  // longer than the client waits
        ::close(fd);
    });
    const auto start = std::chrono::steady_clock::now();
    Error e = call_error(peer.options(), 1s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2400ms);
    EXPECT_EQ(e.kind, ErrorKind::Timeout) << e.message;
    EXPECT_TRUE(contains(e.message, "timed out reading the reply after 1 s")) << e.message;
}

TEST(Transport, APeerThatDoesNotSpeakTlsFailsTheHandshake) {
    Peer peer([](int fd) {
        char buf[512];
        (void)!::read(fd, buf, sizeof buf);  // the ClientHello
        const std::string plain = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        (void)!::write(fd, plain.data(), plain.size());
        ::close(fd);
    });
    Options o = peer.options();
    o.tls = true;
    Error e = call_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Transport) << e.message;
    EXPECT_TRUE(contains(e.message, "TLS handshake failed")) << e.message;
}

TEST(Transport, ServerRepliesKeepTheirStatusAndKind) {
    Peer peer([](int fd) {
        read_request(fd);
        // {"status":409,"message":"taken"}
        const std::string body =
            R"({"payloadtype":"error","payload":"eyJzdGF0dXMiOjQwOSwibWVzc2FnZSI6InRha2VuIn0=",)"
            R"("error":true})";
        const std::string reply =
            "HTTP/1.1 409 Conflict\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
            body;
        (void)!::write(fd, reply.data(), reply.size());
        ::close(fd);
    });
    Error e = call_error(peer.options());
    EXPECT_EQ(e.kind, ErrorKind::Conflict);
    EXPECT_EQ(e.status, 409);
    EXPECT_EQ(e.message, "taken");
    EXPECT_FALSE(is_connection_failure(e));
}

}  // namespace
}  // namespace colonies::client
