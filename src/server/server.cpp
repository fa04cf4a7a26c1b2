#include "server/server.hpp"

#include <sys/socket.h>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <iostream>
#include <thread>
#include <vector>

#include "log/log.hpp"
#include "server/backends.hpp"
#include "server/backup_endpoint.hpp"
#include "server/body_budget.hpp"
#include "server/dashboard.hpp"
#include "server/dispatcher.hpp"
#include "server/metrics_endpoint.hpp"
#include "server/pubsub.hpp"
#include "services/background.hpp"

namespace colonies::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Upstream (Go's net/http) refuses headers past 1 MiB; Beast's default is 8 KiB, which refused
// a single 9 KB header. 64 KiB holds any real client's header and bounds what a connection may
// make the server buffer before it is authenticated.
constexpr uint32_t kHeaderLimit = 64 * 1024;
// How long the server keeps reading (and discarding) after a final error reply, so the client
// reads the reply instead of a connection reset; bounded in time and bytes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 64u << 20;
// Accept failures for want of descriptors or memory: wait this long before the next accept
// instead of spinning, and say so in the log at most once per kAcceptLogInterval.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
constexpr auto kAcceptLogInterval = std::chrono::seconds(10);

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
    // Every 503 is a passing condition (a full queue or budget, storage away): say when to retry.
    if (res.result() == http::status::service_unavailable) res.set(http::field::retry_after, "1");
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

// What reading one request ended with.
enum class ReadOutcome {
    Request,         // a whole request is in the parser
    Closed,          // end of stream, a timeout or a socket error: close without a reply
    TooLarge,        // the body passed --max-request-bytes: 413
    HeaderTooLarge,  // the header passed kHeaderLimit: 431
    Malformed,       // not HTTP/1.x as Beast parses it: 400
    Busy,            // the body does not fit in the server's body budget now: 503
};

struct ReadResult {
    ReadOutcome outcome;
    boost::system::error_code ec;
};

// The error a chunk header reports when its chunk does not fit in the body budget.
const boost::system::error_code kOverBudget =
    boost::system::errc::make_error_code(boost::system::errc::no_buffer_space);

ReadOutcome classify_read(const boost::system::error_code& ec) {
    if (!ec) return ReadOutcome::Request;
    if (ec == kOverBudget) return ReadOutcome::Busy;
    if (ec == http::error::body_limit) return ReadOutcome::TooLarge;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return ReadOutcome::HeaderTooLarge;
    // The stream ended (before or inside a message): nobody is there to read a reply.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message)
        return ReadOutcome::Closed;
    if (ec.category() == http::make_error_code(http::error::bad_method).category())
        return ReadOutcome::Malformed;
    return ReadOutcome::Closed;
}

// Whether an accept failed for want of a process-wide resource (descriptors, memory): the same
// failure comes back at once until a connection closes, so the accept loop must wait.
bool out_of_resources(const boost::system::error_code& ec) {
    return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
           ec == asio::error::no_memory ||
           (ec.category() == boost::system::system_category() && ec.value() == ENFILE);
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
    BodyBudget body_budget;
    asio::io_context ioc;
    std::optional<asio::ssl::context> ssl;
    std::unique_ptr<store::Store> store;
    StoreCall store_call;
    Fanout fanout;
    Dispatcher dispatcher;
    MetricsEndpoint metrics;

    // The cluster link's sink holds a strand of `ioc`, and the link lives in `opts`, the first
    // member and so the last destroyed: stop and drop it while `ioc` still exists (a strand
    // outliving its io_context is a use after free, found by AddressSanitizer).
    ~Impl() {
        if (opts.cluster) opts.cluster->stop();
        opts.cluster.reset();
        // Parked long polls and subscribers own timers and strands of `ioc`, which goes before
        // `waiters` and `subscriptions` (declared earlier): drop them first (a timer destroyed
        // after its io_context is a use after free, found by AddressSanitizer).
        waiters.clear();
        subscriptions.clear();
    }

    Impl(ServerOptions o, std::unique_ptr<store::Store> s)
        : opts(std::move(o)),
          body_budget(opts.max_inflight_body_bytes > 0 ? opts.max_inflight_body_bytes
                                                       : 2 * opts.max_body_bytes),
          store(std::move(s)),
          store_call(*store),
          fanout(waiters, subscriptions, store_call, opts.cluster.get(), opts.service.log),
          dispatcher(store_call, waiters, subscriptions, fanout, opts.service),
          metrics(
              store_call, *store, dispatcher.requests(),
              [this] { return !opts.cluster || opts.cluster->is_leader(); }, opts.statistics_ttl) {
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

    // Reads one request into `parser`. Go's timing: the header must come within header_timeout
    // of the accept (first request) or of its first byte (later requests, which may first idle up
    // to idle_timeout on a kept-alive connection), the body within body_timeout.
    template <class Stream>
    asio::awaitable<ReadResult> read_request(Stream& stream, beast::flat_buffer& buffer,
                                             http::request_parser<http::string_body>& parser,
                                             BodyReservation& body, bool first) {
        boost::system::error_code ec;
        if (!first && buffer.size() == 0) {
            tcp_layer(stream).expires_after(opts.idle_timeout);
            auto n = co_await stream.async_read_some(buffer.prepare(1024),
                                                     asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return ReadResult{ReadOutcome::Closed, ec};
            buffer.commit(n);
        }
        parser.body_limit(opts.max_body_bytes);
        parser.header_limit(kHeaderLimit);
        tcp_layer(stream).expires_after(opts.header_timeout);
        co_await http::async_read_header(stream, buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
        // Beast reports a Content-Length above body_limit when the header completes, so
        // body_limit can come from async_read_header (or, for chunked bodies, async_read).
        if (ec) co_return ReadResult{classify_read(ec), ec};
        // The body's bytes come out of the budget before they are read: all of a known length
        // now, a chunked body chunk by chunk (the parser keeps a reference to the callback,
        // which lives until this read is over).
        if (auto length = parser.content_length(); length && !body.add(*length))
            co_return ReadResult{ReadOutcome::Busy, kOverBudget};
        auto on_chunk = [&body](std::uint64_t size, boost::string_view,
                                boost::system::error_code& chunk_ec) {
            if (!body.add(size)) chunk_ec = kOverBudget;
        };
        parser.on_chunk_header(on_chunk);
        {
            tcp_layer(stream).expires_after(opts.body_timeout);
            co_await http::async_read(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
        }
        co_return ReadResult{classify_read(ec), ec};
    }

    // The reply to a request the server could not read, with a short text body.
    Response refusal(ReadOutcome outcome, const boost::system::error_code& why = {}) {
        switch (outcome) {
            case ReadOutcome::TooLarge:
                return rpc_response(body_too_large_reply(opts.max_body_bytes), 11);
            case ReadOutcome::Busy:
                return rpc_response(body_budget_full_reply(), 11);
            case ReadOutcome::HeaderTooLarge:
                return plain(http::status::request_header_fields_too_large, 11,
                             "431 Request Header Fields Too Large: the header exceeds " +
                                 std::to_string(kHeaderLimit) + " bytes");
            default:
                return plain(http::status::bad_request, 11, "400 Bad Request: " + why.message());
        }
    }

    // After a final error reply: stop sending, then read and discard what the client still
    // sends (bounded), so that closing with unread data does not reset the connection before
    // the client has read the reply.
    template <class Stream>
    asio::awaitable<void> linger(Stream& stream) {
        boost::system::error_code ec;
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>)
            stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp_layer(stream).expires_after(kLingerTime);
        // On the heap: an array here would sit in every connection's coroutine frame (16 KiB
        // each, a parked idle executor included), not just in this rare path.
        std::vector<char> sink(16384);
        for (size_t drained = 0; drained < kLingerBytes;) {
            auto n = co_await stream.async_read_some(asio::buffer(sink),
                                                     asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            drained += n;
        }
    }

    // Serves one request that was read whole; false when the connection is no longer ours (a
    // WebSocket took it over).
    template <class Stream>
    asio::awaitable<bool> answer(Stream& stream, http::request_parser<http::string_body>& parser,
                                 Response& res) {
        if (beast::websocket::is_upgrade(parser.get()) &&
            parser.get().target().starts_with("/pubsub")) {
            PubSubLimits limits{opts.pubsub_max_queued_frames, opts.pubsub_max_queued_bytes};
            auto session =
                std::make_shared<PubSubSession<Stream>>(std::move(stream), dispatcher, limits);
            co_await session->run(parser.release());
            co_return false;
        }
        auto& req = parser.get();
        if (req.target() == kBackupPath && req.method() == http::verb::post) {  // issue 19
            const BackupLog log = [this](const std::string& line) {
                if (opts.service.log) opts.service.log(line);
            };
            co_await serve_backup(stream, req.body(), req.version(), store_call, *store, log);
            co_return false;
        }
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
        res.keep_alive(req.keep_alive());
        co_return true;
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream stream) {
        ConnectionGauge counted(open_connections);
        beast::flat_buffer buffer;
        for (bool first = true;; first = false) {
            BodyReservation body(body_budget);
            http::request_parser<http::string_body> parser;
            const auto [outcome, read_error] =
                co_await read_request(stream, buffer, parser, body, first);
            if (outcome == ReadOutcome::Closed) co_return;
            Response res;
            if (outcome == ReadOutcome::Request) {
                if (!co_await answer(stream, parser, res)) co_return;
            } else {
                res = refusal(outcome, read_error);
                res.keep_alive(false);
            }
            boost::system::error_code ec;
            tcp_layer(stream).expires_after(std::chrono::seconds(60));
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            if (outcome != ReadOutcome::Request) {
                co_await linger(stream);
                co_return;
            }
            if (!res.keep_alive()) break;
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
                     dispatcher.signature_cache_hits(), subscriptions.channels().size()};
            auto text = co_await metrics.render(g);
            auto res = plain(http::status::ok, req.version(), std::move(text));
            res.set(http::field::content_type, kMetricsContentType);
            co_return res;
        }
        if (opts.dashboard)  // web dashboard (server/dashboard.hpp)
            if (auto page = dashboard_response(req)) co_return std::move(*page);
        co_return plain(http::status::not_found, req.version(), "404 page not found");
    }

    // Out of descriptors (or memory), accept fails at once for as long as no connection closes:
    // wait a little between attempts instead of spinning, and say so now and then. Pending
    // clients stay in the kernel's backlog meanwhile.
    asio::awaitable<void> accept_backoff(const boost::system::error_code& ec,
                                         std::chrono::steady_clock::time_point& last_report) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report >= kAcceptLogInterval) {
            last_report = now;
            log::warn("cannot accept connections; idle ones close after the header timeout",
                      {{"Error", ec.message()}, {"Open", std::to_string(open_connections.load())}});
        }
        asio::steady_timer pause(co_await asio::this_coro::executor, kAcceptBackoff);
        boost::system::error_code ignored;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }

    asio::awaitable<void> listen(tcp::acceptor acceptor) {
        auto last_report = std::chrono::steady_clock::now() - kAcceptLogInterval;
        for (;;) {
            boost::system::error_code ec;
            auto socket = co_await acceptor.async_accept(
                asio::make_strand(ioc), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                if (out_of_resources(ec)) co_await accept_backoff(ec, last_report);
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
        beast::get_lowest_layer(stream).expires_after(opts.header_timeout);
        boost::system::error_code ec;
        co_await stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        co_await serve(std::move(stream));
    }

    // The sweeper ticks often enough for the most frequent background task (a cron checker
    // period below the sweep interval would otherwise be stretched to it).
    // A background task due more often than the sweep interval sets the pace.
    int sweeper_tick_ms() const {
        int64_t tick = opts.sweep_interval_ms;
        for (const auto& t : services::background_tasks())
            tick = std::min(tick, std::max<int64_t>(1, t.period_ms(opts.service)));
        return static_cast<int>(tick);
    }

    asio::awaitable<void> sweeper() {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        const int tick_ms = sweeper_tick_ms();
        for (;;) {
            timer.expires_after(std::chrono::milliseconds(tick_ms));
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
    if (im.opts.serve_http) {
        tcp::endpoint ep(asio::ip::make_address(im.opts.bind_address),
                         static_cast<unsigned short>(im.opts.port));
        tcp::acceptor acceptor(im.ioc);
        acceptor.open(ep.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(asio::socket_base::max_listen_connections);
        asio::co_spawn(asio::make_strand(im.ioc), im.listen(std::move(acceptor)), asio::detached);
    }
    // gRPC and CoAP (issue 20): more doors to the same dispatcher; stopped after the io threads.
    std::vector<std::unique_ptr<Backend>> backends;
    BackendHost backend_host{im.ioc, im.dispatcher, im.opts, im.body_budget};
    if (im.opts.serve_grpc) backends.push_back(start_grpc_backend(backend_host));
    if (im.opts.serve_coap) backends.push_back(start_coap_backend(backend_host));

    asio::signal_set signals(im.ioc, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) { im.ioc.stop(); });
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
    for (auto& b : backends) b->stop();
    if (im.opts.cluster) im.opts.cluster->stop();
}

void Server::stop() {
    impl_->ioc.stop();
}

}  // namespace colonies::server
