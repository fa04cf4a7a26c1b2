// The C++ SDK over Boost.Beast (protocol.md 1-2). Each Client owns a private io_context and one
// keep-alive connection (plain TCP or TLS). Calls block the calling thread.
//
// Connecting and TLS run asynchronously on the io_context, which is how the beast::tcp_stream
// deadlines are enforced. A plain connection then exchanges requests on the blocking socket
// itself: one send and (usually) one receive per request, with the reply deadline enforced by
// the kernel (SO_RCVTIMEO). Running the event loop per request cost a dozen system calls (epoll,
// timerfd) where two do, which matters to executors and load generators alike.
#include "client/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <optional>
#include <unordered_map>
#include <utility>

#include "client/replies.hpp"
#include "client/rpc_transport.hpp"
#include "client/transport_error.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "rpc/envelope.hpp"

namespace colonies::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

using namespace replies;

namespace {

using Response = http::response<http::string_body>;

Result<ServerInfo> server_info_from_json(const json::value& v) {
    if (!v.is_object()) return bad_reply("server info is not an object");
    JsonFields f(v.get_object());
    ServerInfo info;
    info.buildversion = f.str("buildversion");
    info.buildtime = f.str("buildtime");
    if (const json::array* backends = f.array("backends")) {
        for (const auto& b : *backends) {
            if (!b.is_object()) return bad_reply("server info backend is not an object");
            JsonFields bf(b.get_object());
            const std::string type = bf.str("type");
            if (!type.empty() && type != "http") continue;
            info.host = bf.str("host");
            info.port = bf.integer("port");
            info.tls = bf.boolean("tls");
            if (!bf.ok()) return bad_reply("server info backend: " + bf.error());
            break;
        }
    }
    if (!f.ok()) return bad_reply("server info: " + f.error());
    return info;
}

// A connected blocking socket as a Beast SyncReadStream/SyncWriteStream: each call is one
// recvmsg or sendmsg. A receive that outlasts SO_RCVTIMEO (or a send SO_SNDTIMEO) reports
// beast::error::timeout, like the deadline of a beast::tcp_stream.
class BlockingSocket {
  public:
    explicit BlockingSocket(int fd) : fd_(fd) {}

    template <class Buffers>
    std::size_t read_some(const Buffers& buffers, beast::error_code& ec) {
        return transfer(buffers, ec, [this](msghdr* m) { return ::recvmsg(fd_, m, 0); });
    }
    template <class Buffers>
    std::size_t write_some(const Buffers& buffers, beast::error_code& ec) {
        return transfer(buffers, ec, [this](msghdr* m) { return ::sendmsg(fd_, m, MSG_NOSIGNAL); });
    }
    template <class Buffers>
    std::size_t read_some(const Buffers& buffers) {
        beast::error_code ec;
        std::size_t n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }
    template <class Buffers>
    std::size_t write_some(const Buffers& buffers) {
        beast::error_code ec;
        std::size_t n = write_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }

    // Bounds each wait for the peer. Receives follow the request's timeout (a long poll waits
    // longer than other calls); a no-op when it is already in force. A send waits only for
    // room in the socket buffer, bounded once by `send_timeout`.
    void set_timeout(std::chrono::seconds timeout, std::chrono::seconds send_timeout) {
        if (timeout == applied_) return;
        if (applied_.count() < 0) apply(SO_SNDTIMEO, send_timeout);
        apply(SO_RCVTIMEO, timeout);
        applied_ = timeout;
    }

  private:
    void apply(int option, std::chrono::seconds t) {
        timeval tv{};
        tv.tv_sec = std::max<long>(1, static_cast<long>(t.count()));
        ::setsockopt(fd_, SOL_SOCKET, option, &tv, sizeof tv);
    }

    template <class Buffers, class Io>
    std::size_t transfer(const Buffers& buffers, beast::error_code& ec, Io io) {
        constexpr int kMaxIov = 64;  // more buffers go out in the next call
        iovec iov[kMaxIov];
        int n = 0;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers) && n < kMaxIov; ++it) {
            auto b = *it;
            if (b.size() == 0) continue;
            iov[n++] = iovec{const_cast<void*>(static_cast<const void*>(b.data())), b.size()};
        }
        ec = {};
        if (n == 0) return 0;
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = n;
        while (true) {
            const ssize_t r = io(&msg);
            if (r > 0) return static_cast<std::size_t>(r);
            if (r == 0) {
                ec = asio::error::eof;
                return 0;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                ec = beast::error::timeout;
            } else {
                ec = beast::error_code(errno, boost::system::system_category());
            }
            return 0;
        }
    }

    int fd_;
    std::chrono::seconds applied_{-1};
};

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

struct Client::Impl {
    static constexpr std::chrono::seconds kSendTimeout{60};
    static constexpr std::size_t kReplyBuffer = 64 * 1024;

    Options opts;
    std::string host_header;
    // Declaration order matters: the streams must go before the context they were built on.
    asio::io_context ioc;
    std::unique_ptr<ssl::context> ssl_ctx;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
    std::optional<BlockingSocket> blocking;  // the plain connection, once connected
    std::unordered_map<std::string, std::string> signatures;  // (key, payload) -> signature
    beast::flat_buffer buffer;
    bool connected = false;
    std::unique_ptr<RpcTransport> door;  // gRPC or CoAP, when Options::backend says so

    explicit Impl(Options o) : opts(std::move(o)) {
        const bool v6 = opts.host.find(':') != std::string::npos;
        host_header = (v6 ? "[" + opts.host + "]" : opts.host) + ":" + std::to_string(opts.port);
        if (opts.tls) {
            ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
            ssl_ctx->set_default_verify_paths();
            ssl_ctx->set_verify_mode(opts.skip_tls_verify ? ssl::verify_none : ssl::verify_peer);
        }
        door = make_transport(opts);
    }

    ~Impl() { disconnect(); }

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    // Starts one asynchronous operation and runs the io_context until it (and the stream's
    // timer) completed. Returns the operation's error code.
    template <class Start>
    beast::error_code run(Start&& start) {
        beast::error_code result = asio::error::would_block;
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        ioc.restart();
        ioc.run();
        return result;
    }

    void disconnect() {
        if (plain || secure) {
            beast::error_code ec;
            auto& sock = lowest().socket();
            sock.shutdown(tcp::socket::shutdown_both, ec);
            sock.close(ec);
        }
        blocking.reset();
        secure.reset();
        plain.reset();
        buffer.clear();
        connected = false;
        // Drain handlers the close may have left behind so the next run() starts clean.
        ioc.restart();
        ioc.poll();
    }

    // Opens the connection (TCP connect, then the TLS handshake when configured). Returns the
    // failure, or nullopt on success.
    std::optional<Error> connect() {
        disconnect();
        tcp::resolver resolver(ioc);
        beast::error_code ec;
        auto endpoints = resolver.resolve(opts.host, std::to_string(opts.port), ec);
        if (ec) return transport::resolve_failed(opts, ec);

        if (opts.tls) {
            secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, *ssl_ctx);
            SSL* handle = secure->native_handle();
            if (!is_ip_literal(opts.host)) SSL_set_tlsext_host_name(handle, opts.host.c_str());
            if (!opts.skip_tls_verify) {
                X509_VERIFY_PARAM* param = SSL_get0_param(handle);
                X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                int set = is_ip_literal(opts.host)
                              ? X509_VERIFY_PARAM_set1_ip_asc(param, opts.host.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, opts.host.c_str(), 0);
                if (set != 1) return transport::tls_failed(opts, "cannot set the peer name");
            }
        } else {
            plain = std::make_unique<beast::tcp_stream>(ioc);
        }

        auto& low = lowest();
        low.expires_after(opts.connect_timeout);
        ec = run([&](auto handler) { low.async_connect(endpoints, handler); });
        if (ec) {
            disconnect();
            return transport::connect_failed(opts, ec);
        }
        low.socket().set_option(tcp::no_delay(true), ec);

        if (secure) {
            low.expires_after(opts.connect_timeout);
            ec = run(
                [&](auto handler) { secure->async_handshake(ssl::stream_base::client, handler); });
            if (ec) {
                disconnect();
                return transport::tls_failed(opts, ec);
            }
        }
        low.expires_never();
        if (plain) {
            plain->socket().native_non_blocking(false, ec);
            if (ec) {
                disconnect();
                return transport::failed(opts, "cannot make the socket blocking: " + ec.message());
            }
            blocking.emplace(plain->socket().native_handle());
            // Room for a typical reply, so that it arrives in one receive (Beast reads no more
            // than the buffer's free capacity, and at least 512 bytes, per call).
            buffer.reserve(kReplyBuffer);
        }
        connected = true;
        return std::nullopt;
    }

    // Send the request / read the reply, each bounded by `timeout`: on the blocking socket when
    // plain (the bound applies to each wait for the peer), else through the io_context with the
    // stream's timer.
    beast::error_code write_request(http::request<http::string_body>& req,
                                    std::chrono::seconds timeout) {
        if (blocking) {
            blocking->set_timeout(timeout, kSendTimeout);
            beast::error_code ec;
            http::write(*blocking, req, ec);
            return ec;
        }
        lowest().expires_after(timeout);
        return run([&](auto handler) { http::async_write(*secure, req, handler); });
    }
    beast::error_code read_reply(http::response_parser<http::string_body>& parser,
                                 std::chrono::seconds timeout) {
        if (blocking) {
            blocking->set_timeout(timeout, kSendTimeout);
            beast::error_code ec;
            http::read(*blocking, buffer, parser, ec);
            return ec;
        }
        lowest().expires_after(timeout);
        return run([&](auto handler) { http::async_read(*secure, buffer, parser, handler); });
    }

    // One HTTP exchange on the keep-alive connection. A reused connection the server has
    // closed in the meantime (idle timeout) is re-opened once, and the request re-sent, but
    // only when nothing at all came back on it.
    Result<Response> exchange(http::request<http::string_body>& req, std::chrono::seconds timeout) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool reused = connected;
            if (!connected) {
                if (auto failure = connect()) return *failure;
            }
            beast::error_code ec = write_request(req, timeout);
            if (ec) {
                disconnect();
                if (reused && ec != beast::error::timeout) continue;
                return transport::send_failed(opts, ec);
            }

            http::response_parser<http::string_body> parser;
            parser.body_limit(boost::none);
            ec = read_reply(parser, timeout);
            if (ec) {
                const bool nothing_received = !parser.got_some() && buffer.size() == 0;
                disconnect();
                if (reused && nothing_received && ec != beast::error::timeout) continue;
                return transport::read_failed(opts, ec, !nothing_received, timeout);
            }
            Response res = parser.release();
            if (!res.keep_alive()) {
                disconnect();
            } else if (secure) {
                lowest().expires_never();
            }
            return res;
        }
        return transport::read_failed(opts, asio::error::eof, false, timeout);
    }

    // Signing is deterministic (RFC 6979), so a payload signed before has the same signature:
    // an executor's long poll, repeated all day, is signed once. A few recent payloads are kept
    // (an executor alternates its poll with the calls about the work it got).
    Result<std::string> sign(const std::string& payload, const std::string& prvkey) {
        constexpr size_t kMaxPayload = 2048, kMaxEntries = 8;
        if (payload.size() > kMaxPayload) return crypto::sign(payload, prvkey);
        std::string key;
        key.reserve(prvkey.size() + 1 + payload.size());
        key.append(prvkey).push_back('\n');
        key.append(payload);
        if (auto it = signatures.find(key); it != signatures.end()) return it->second;
        auto sig = crypto::sign(payload, prvkey);
        if (!sig) return sig;
        if (signatures.size() >= kMaxEntries) signatures.clear();
        signatures.emplace(std::move(key), sig.value());
        return sig;
    }

    Result<Response> send(http::verb verb, const std::string& target, std::string body,
                          std::chrono::seconds timeout) {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, host_header);
        req.set(http::field::user_agent, "colonies-cpp");
        if (verb == http::verb::post) {
            req.set(http::field::content_type, "application/json");
            req.body() = std::move(body);
        }
        req.keep_alive(true);
        req.prepare_payload();
        return exchange(req, timeout);
    }
};

Client::Client(Options opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Result<json::value> Client::call(const std::string& msgtype, json::object msg,
                                 const std::string& prvkey, std::chrono::seconds read_timeout) {
    msg["msgtype"] = msgtype;
    const std::string payload = rpc::base64_encode(to_text(msg));
    std::string signature;
    if (!prvkey.empty()) {  // unsigned messages (versionmsg, getserverinfomsg) pass no key
        auto sig = impl_->sign(payload, prvkey);
        if (!sig) return sig.error();
        signature = std::move(sig).value();
    }
    std::string body = rpc::encode_request(msgtype, payload, signature);
    if (impl_->door) return impl_->door->call(body, read_timeout);
    auto res = impl_->send(http::verb::post, "/api", std::move(body), read_timeout);
    if (!res) return res.error();
    return rpc::decode_reply(static_cast<int>(res->result_int()), res->body());
}

Result<std::pair<int, std::string>> Client::post_raw(const std::string& body) {
    if (impl_->door) return impl_->door->post(body, std::chrono::seconds(60));
    auto res = impl_->send(http::verb::post, "/api", body, std::chrono::seconds(60));
    if (!res) return res.error();
    return std::pair<int, std::string>{static_cast<int>(res->result_int()), res->body()};
}

Result<std::pair<int, std::string>> Client::get_raw(const std::string& target) {
    auto res = impl_->send(http::verb::get, target, "", std::chrono::seconds(60));
    if (!res) return res.error();
    return std::pair<int, std::string>{static_cast<int>(res->result_int()), res->body()};
}

bool Client::health() {
    if (impl_->door) return impl_->door->health();
    auto res = impl_->send(http::verb::get, "/health", "", impl_->opts.connect_timeout);
    return res && res->result() == http::status::ok;
}

Result<std::string> Client::version() {
    auto r = call("versionmsg", json::object{{"buildversion", ""}, {"buildtime", ""}}, "");
    if (!r) return r.error();
    if (!r->is_object()) return bad_reply("version reply is not an object");
    JsonFields f(r->get_object());
    std::string v = f.str("buildversion");
    if (!f.ok()) return bad_reply("version reply: " + f.error());
    return v;
}

Result<ServerInfo> Client::server_info() {
    return decode_one(call("getserverinfomsg", {}, ""), &server_info_from_json);
}

// ---- colonies ----

Result<Colony> Client::add_colony(const Colony& c, const std::string& prvkey) {
    return decode_one(call("addcolonymsg", {{"colony", to_json(c)}}, prvkey), &colony_from_json);
}

Status Client::remove_colony(const std::string& name, const std::string& prvkey) {
    return to_status(call("removecolonymsg", {{"colonyname", name}}, prvkey));
}

Result<std::vector<Colony>> Client::get_colonies(const std::string& prvkey) {
    return decode_many(call("getcoloniesmsg", {}, prvkey), &colony_from_json);
}

Result<Colony> Client::get_colony(const std::string& name, const std::string& prvkey) {
    return decode_one(call("getcolonymsg", {{"colonyname", name}}, prvkey), &colony_from_json);
}

Result<Statistics> Client::get_colony_statistics(const std::string& name,
                                                 const std::string& prvkey) {
    return decode_one(call("getcolonystatsmsg", {{"colonyname", name}}, prvkey),
                      &statistics_from_json);
}

Result<Statistics> Client::get_statistics(const std::string& prvkey) {
    return decode_one(call("getstatisticsmsg", {}, prvkey), &statistics_from_json);
}

Result<boost::json::value> Client::get_cluster(const std::string& prvkey) {
    return call("getclustermsg", {}, prvkey);
}

// ---- users ----

Result<User> Client::add_user(const User& u, const std::string& prvkey) {
    return decode_one(call("addusermsg", {{"user", to_json(u)}}, prvkey), &user_from_json);
}

Result<std::vector<User>> Client::get_users(const std::string& colony, const std::string& prvkey) {
    return decode_many(call("getusersmsg", {{"colonyname", colony}}, prvkey), &user_from_json);
}

Result<User> Client::get_user(const std::string& colony, const std::string& name,
                              const std::string& prvkey) {
    return decode_one(call("getusermsg", {{"colonyname", colony}, {"name", name}}, prvkey),
                      &user_from_json);
}

Status Client::remove_user(const std::string& colony, const std::string& name,
                           const std::string& prvkey) {
    return to_status(call("removeusermsg", {{"colonyname", colony}, {"name", name}}, prvkey));
}

// ---- executors ----

Result<Executor> Client::add_executor(const Executor& e, const std::string& prvkey) {
    return decode_one(call("addexecutormsg", {{"executor", to_json(e)}}, prvkey),
                      &executor_from_json);
}

Result<std::vector<Executor>> Client::get_executors(const std::string& colony,
                                                    const std::string& prvkey) {
    return decode_many(call("getexecutorsmsg", {{"colonyname", colony}}, prvkey),
                       &executor_from_json);
}

Result<Executor> Client::get_executor(const std::string& colony, const std::string& name,
                                      const std::string& prvkey) {
    return decode_one(
        call("getexecutormsg", {{"colonyname", colony}, {"executorname", name}}, prvkey),
        &executor_from_json);
}

Status Client::approve_executor(const std::string& colony, const std::string& name,
                                const std::string& prvkey) {
    return to_status(
        call("approveexecutormsg", {{"colonyname", colony}, {"executorname", name}}, prvkey));
}

Status Client::reject_executor(const std::string& colony, const std::string& name,
                               const std::string& prvkey) {
    return to_status(
        call("rejectexecutormsg", {{"colonyname", colony}, {"executorname", name}}, prvkey));
}

Status Client::remove_executor(const std::string& colony, const std::string& name,
                               const std::string& prvkey) {
    return to_status(
        call("removeexecutormsg", {{"colonyname", colony}, {"executorname", name}}, prvkey));
}

Result<Function> Client::add_function(const Function& f, const std::string& prvkey) {
    return decode_one(call("addfunctionmsg", {{"fun", to_json(f)}}, prvkey), &function_from_json);
}

Result<Executor> Client::get_executor_by_id(const std::string& colony, const std::string& id,
                                            const std::string& prvkey) {
    return decode_one(
        call("getexecutorbyidmsg", {{"colonyname", colony}, {"executorid", id}}, prvkey),
        &executor_from_json);
}

Result<std::vector<Function>> Client::get_functions(const std::string& colony,
                                                    const std::string& executorname,
                                                    const std::string& prvkey) {
    return decode_many(
        call("getfunctionsmsg", {{"colonyname", colony}, {"executorname", executorname}}, prvkey),
        &function_from_json);
}

}  // namespace colonies::client
