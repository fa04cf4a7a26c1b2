#include "server/server.hpp"

#include <sys/socket.h>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <iostream>
#include <thread>
#include <vector>

#include "server/dispatcher.hpp"
#include "server/metrics.hpp"
#include "server/pubsub.hpp"

namespace colonies::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kHeaderTimeout = std::chrono::seconds(10);  // upstream's read-header timeout
constexpr auto kIdleTimeout = std::chrono::seconds(120);   // upstream's keep-alive idle

using Response = http::response<http::string_body>;

void add_cors(Response& res) {
    res.set(http::field::access_control_allow_origin, "*");
}

Response plain(http::status status, unsigned version, std::string body) {
    Response res{status, version};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    add_cors(res);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response rpc_response(const rpc::Reply& reply, unsigned version) {
    auto res = plain(static_cast<http::status>(reply.http_status), version, reply.body);
    return res;
}

Response preflight(unsigned version) {
    Response res{http::status::no_content, version};
    add_cors(res);
    res.set(http::field::access_control_allow_methods,
            "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    res.set(http::field::access_control_allow_headers, "Origin, Content-Length, Content-Type");
    res.set(http::field::access_control_max_age, "43200");
    return res;
}

template <class Stream>
beast::tcp_stream& tcp_layer(Stream& s) {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>)
        return s;
    else
        return beast::get_lowest_layer(s);
}

// A long poll leaves the socket unread while it waits, so the server would not notice its client
// hanging up until the poll's timeout. Waiting for readability catches it: end of stream or an
// error means the client is gone; data (a pipelined request) is no hang-up and ends the watch.
// The socket outlives the watch: the server cancels it before touching the socket again.
void watch_for_hangup(tcp::socket& socket, std::function<void()> on_hangup) {
    auto on_readable = [&socket,
                        on_hangup = std::move(on_hangup)](boost::system::error_code ec) mutable {
        if (ec == asio::error::operation_aborted) return;  // the reply is on its way
        if (!ec) {
            char byte;
            auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n > 0) return;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                watch_for_hangup(socket, std::move(on_hangup));  // a spurious wakeup
                return;
            }
        }
        on_hangup();
    };
    socket.async_wait(tcp::socket::wait_read, std::move(on_readable));
}

// Counts a connection for as long as it is served (colonies_open_connections).
class ConnectionGauge {
  public:
    explicit ConnectionGauge(std::atomic<size_t>& n) : n_(n) { ++n_; }
    ~ConnectionGauge() { --n_; }
    ConnectionGauge(const ConnectionGauge&) = delete;
    ConnectionGauge& operator=(const ConnectionGauge&) = delete;

  private:
    std::atomic<size_t>& n_;
};

}  // namespace

struct Server::Impl {
    // Declaration order matters for shutdown: the store drains its queue (posting completions to
    // the stopped io_context) before the io_context goes away.
    ServerOptions opts;
    scheduler::Waiters waiters;
    Subscriptions subscriptions;
    std::atomic<size_t> open_connections{0};
    asio::io_context ioc;
    std::optional<asio::ssl::context> ssl;
    std::unique_ptr<store::Store> store;
    StoreCall store_call;
    Fanout fanout;
    Dispatcher dispatcher;

    Impl(ServerOptions o, std::unique_ptr<store::Store> s)
        : opts(std::move(o)),
          store(std::move(s)),
          store_call(*store),
          fanout(waiters, subscriptions, store_call, opts.cluster.get()),
          dispatcher(store_call, waiters, subscriptions, fanout, opts.service) {
        opts.service.cluster_view = [this] {
            if (opts.cluster) return to_json(opts.cluster->view());
            return to_json(ClusterView{{opts.self}, opts.self});
        };
        if (opts.tls) {
            ssl.emplace(asio::ssl::context::tls_server);
            ssl->use_certificate_chain_file(opts.tls_cert);
            ssl->use_private_key_file(opts.tls_key, asio::ssl::context::pem);
        }
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream stream) {
        ConnectionGauge counted(open_connections);
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(opts.max_body_bytes);
            tcp_layer(stream).expires_after(kIdleTimeout);
            boost::system::error_code ec;
            co_await http::async_read_header(stream, buffer, parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
            // Beast reports a Content-Length above body_limit when the header completes, so
            // body_limit can come from async_read_header (or, for chunked bodies, async_read).
            if (ec && ec != http::error::body_limit) co_return;
            if (!ec) {
                tcp_layer(stream).expires_after(kHeaderTimeout + std::chrono::seconds(60));
                co_await http::async_read(stream, buffer, parser,
                                          asio::redirect_error(asio::use_awaitable, ec));
            }
            Response res;
            bool keep_alive = true;
            if (ec == http::error::body_limit) {
                auto reply =
                    rpc::error_reply({413, "Request body exceeds the server limit of " +
                                               std::to_string(opts.max_body_bytes) + " bytes"});
                res = rpc_response(reply, 11);
                keep_alive = false;
            } else if (ec) {
                co_return;
            } else if (beast::websocket::is_upgrade(parser.get()) &&
                       parser.get().target().starts_with("/pubsub")) {
                auto session =
                    std::make_shared<PubSubSession<Stream>>(std::move(stream), dispatcher);
                co_await session->run(parser.release());
                co_return;
            } else {
                auto& req = parser.get();
                keep_alive = req.keep_alive();
                tcp_layer(stream).expires_never();  // long polls last as long as they ask
                auto& socket = tcp_layer(stream).socket();
                bool watching = false;
                WatchHangup watch = [&socket, &watching](std::function<void()> on_hangup) {
                    watching = true;
                    watch_for_hangup(socket, std::move(on_hangup));
                };
                res = co_await respond(req, watch);
                boost::system::error_code ignored;
                if (watching) socket.cancel(ignored);  // end the watch before the socket is reused
            }
            res.keep_alive(keep_alive);
            tcp_layer(stream).expires_after(std::chrono::seconds(60));
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (!ec && res.result() == http::status::payload_too_large) {
                // Lingering close: stop sending, then read and discard what the client still
                // sends (bounded), so that closing with unread data does not reset the
                // connection before the client has read the 413.
                if constexpr (std::is_same_v<Stream, beast::tcp_stream>)
                    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
                tcp_layer(stream).expires_after(std::chrono::seconds(2));
                // On the heap: an array here would sit in every connection's coroutine frame
                // (16 KiB each, a parked idle executor included), not just in this rare path.
                std::vector<char> sink(16384);
                for (size_t drained = 0; drained < (64u << 20);) {
                    auto n = co_await stream.async_read_some(
                        asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) break;
                    drained += n;
                }
                co_return;
            }
            if (ec || !keep_alive) break;
        }
        if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
            boost::system::error_code ec;
            co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
        } else {
            boost::system::error_code ec;
            stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        }
    }

    asio::awaitable<Response> respond(const http::request<http::string_body>& req,
                                      const WatchHangup& watch_hangup) {
        auto target = req.target();
        auto path = target.substr(0, target.find('?'));
        if (req.method() == http::verb::options && req.count(http::field::origin))
            co_return preflight(req.version());
        if (path == "/api" && req.method() == http::verb::post) {
            auto reply = co_await dispatcher.handle(req.body(), watch_hangup);
            co_return rpc_response(reply, req.version());
        }
        if (path == "/health" && req.method() == http::verb::get)
            co_return plain(http::status::ok, req.version(), "");
        if (path == "/metrics" && req.method() == http::verb::get) {
            Gauges g{subscriptions.size(), waiters.size(), open_connections.load(),
                     dispatcher.signature_cache_hits()};
            auto res = plain(http::status::ok, req.version(), render_metrics(g));
            res.set(http::field::content_type, kMetricsContentType);
            co_return res;
        }
        co_return plain(http::status::not_found, req.version(), "404 page not found");
    }

    asio::awaitable<void> listen(tcp::acceptor acceptor) {
        for (;;) {
            boost::system::error_code ec;
            auto socket = co_await acceptor.async_accept(
                asio::make_strand(ioc), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            auto ex = socket.get_executor();
            if (ssl) {
                asio::co_spawn(ex, serve_tls(std::move(socket)), asio::detached);
            } else {
                asio::co_spawn(ex, serve(beast::tcp_stream(std::move(socket))), asio::detached);
            }
        }
    }

    asio::awaitable<void> serve_tls(tcp::socket socket) {
        beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl);
        beast::get_lowest_layer(stream).expires_after(kHeaderTimeout);
        boost::system::error_code ec;
        co_await stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        co_await serve(std::move(stream));
    }

    asio::awaitable<void> sweeper() {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (;;) {
            timer.expires_after(std::chrono::milliseconds(opts.sweep_interval_ms));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            // features.md 9.2: background work is the leader's.
            if (!opts.cluster || opts.cluster->is_leader()) co_await dispatcher.sweep();
        }
    }
};

Server::Server(ServerOptions opts, std::unique_ptr<store::Store> store)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(store))) {}

Server::~Server() = default;

void Server::run() {
    auto& im = *impl_;
    tcp::endpoint ep(asio::ip::make_address(im.opts.bind_address),
                     static_cast<unsigned short>(im.opts.port));
    tcp::acceptor acceptor(im.ioc);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);

    asio::signal_set signals(im.ioc, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) { im.ioc.stop(); });
    asio::co_spawn(asio::make_strand(im.ioc), im.listen(std::move(acceptor)), asio::detached);
    asio::co_spawn(asio::make_strand(im.ioc), im.sweeper(), asio::detached);
    if (im.opts.cluster) {
        auto remote_strand = asio::make_strand(im.ioc);
        im.opts.cluster->start([&im, remote_strand](RemoteChange change) {
            asio::co_spawn(remote_strand, im.fanout.receive(std::move(change)), asio::detached);
        });
    }

    int n = im.opts.threads > 0
                ? im.opts.threads
                : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (int i = 1; i < n; ++i) pool.emplace_back([&] { im.ioc.run(); });
    im.ioc.run();
    for (auto& t : pool) t.join();
    if (im.opts.cluster) im.opts.cluster->stop();
}

void Server::stop() {
    impl_->ioc.stop();
}

}  // namespace colonies::server
