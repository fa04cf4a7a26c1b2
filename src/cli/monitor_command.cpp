// `colonies monitor start` (cli.md 3.4, features.md 11.1): upstream's separate Prometheus
// exporter. It polls getstatisticsmsg (server owner key) every COLONIES_MONITOR_INTERVAL seconds
// and serves the ten colonies_server_* gauges on GET /metrics at COLONIES_MONITOR_PORT, each -1
// while the last poll failed. The server's own GET /metrics carries the same gauges and more
// (docs/monitoring.md); this command is for setups built around upstream's exporter.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "server/metrics.hpp"

namespace colonies::cli {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct LastStatistics {
    std::mutex mu;
    std::optional<Statistics> value;
};

int required_env_int(const char* name, const std::string& missing_message) {
    const std::string v = env(name);
    if (v.empty()) throw CliError(missing_message);
    try {
        size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size() && n >= 0) return n;
    } catch (const std::exception&) {
    }
    throw CliError(std::string(name) + " must be a number, got '" + v + "'", kExitUsage);
}

void poll(const Context& ctx, std::shared_ptr<LastStatistics> last, int interval_s) {
    auto client = ctx.client();
    const std::string key = ctx.need_server_prvkey();
    for (;;) {
        auto st = client.get_statistics(key);
        {
            std::lock_guard lk(last->mu);
            if (st)
                last->value = *st;
            else
                last->value.reset();
        }
        if (!st) log_warn("Failed to get statistics", {{"Error", st.error().message}});
        std::this_thread::sleep_for(std::chrono::seconds(std::max(1, interval_s)));
    }
}

// One connection: requests until the client closes or stays silent for 30 s.
void serve(tcp::socket socket, std::shared_ptr<LastStatistics> last) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        boost::system::error_code ec;
        stream.expires_after(std::chrono::seconds(30));
        http::read(stream, buffer, req, ec);
        if (ec) return;
        http::response<http::string_body> res{http::status::ok, req.version()};
        if (req.target() == "/metrics" && req.method() == http::verb::get) {
            std::string body;
            {
                std::lock_guard lk(last->mu);
                server::render_statistics(body, last->value);
            }
            res.set(http::field::content_type, server::kMetricsContentType);
            res.body() = std::move(body);
        } else {
            res.result(http::status::not_found);
            res.body() = "404 page not found\n";
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        http::write(stream, res, ec);
        if (ec || !res.keep_alive()) return;
    }
}

void start(const Context& ctx) {
    const int port = required_env_int("COLONIES_MONITOR_PORT",
                                      "COLONIES_MONITORPORT environmental variable not set");
    const int interval = required_env_int(
        "COLONIES_MONITOR_INTERVAL", "COLONIES_MONITOR_INTERVAL environmental variable not set");
    const auto opts = ctx.client_options();
    ctx.need_server_prvkey();
    log_info("Starting Prometheus monitoring server",
             {{"Port", std::to_string(port)},
              {"ColoniesServerHost", opts.host},
              {"ColoniesServerPort", std::to_string(opts.port)},
              {"PullInterval", std::to_string(interval)},
              {"Insecure", opts.tls ? "false" : "true"}});
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc);
    try {
        tcp::endpoint ep(tcp::v4(), static_cast<unsigned short>(port));
        acceptor.open(ep.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen();
    } catch (const boost::system::system_error& e) {
        throw CliError("cannot listen on port " + std::to_string(port) + ": " + e.code().message());
    }
    auto last = std::make_shared<LastStatistics>();
    std::thread([&ctx, last, interval] { poll(ctx, last, interval); }).detach();
    for (;;) {
        tcp::socket socket(ioc);
        boost::system::error_code ec;
        acceptor.accept(socket, ec);
        if (ec) continue;
        std::thread(serve, std::move(socket), last).detach();
    }
}

}  // namespace

void add_monitor_commands(CLI::App& app, Ctx ctx) {
    auto* monitor = app.add_subcommand("monitor", "Prometheus exporter of server statistics");
    monitor->require_subcommand(1);
    monitor
        ->add_subcommand("start",
                         "Serve the server's statistics as Prometheus gauges on "
                         "COLONIES_MONITOR_PORT (server owner key)")
        ->callback([ctx] { start(*ctx); });
}

}  // namespace colonies::cli
