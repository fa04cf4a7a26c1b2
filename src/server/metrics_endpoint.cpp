#include "server/metrics_endpoint.hpp"

#include "services/colonies_ops.hpp"

namespace colonies::server {
namespace asio = boost::asio;

asio::awaitable<std::optional<Statistics>> MetricsEndpoint::statistics() {
    {
        std::lock_guard lk(mu_);
        if (counted_ && Clock::now() - counted_at_ < ttl_) co_return cached_;
        // Stamped before counting: scrapes arriving meanwhile get the last count instead of
        // queueing another scan behind this one.
        counted_ = true;
        counted_at_ = Clock::now();
    }
    auto fresh = std::make_shared<std::optional<Statistics>>();
    auto job = [fresh](store::StoreTx& tx) {
        *fresh = services::server_statistics(tx);
        return true;
    };
    if (auto failed = co_await call_.run(std::move(job))) fresh->reset();
    std::lock_guard lk(mu_);
    cached_ = *fresh;
    co_return cached_;
}

asio::awaitable<std::string> MetricsEndpoint::render(const Gauges& gauges) {
    const auto stats = co_await statistics();
    std::string out = render_metrics(gauges);
    render_statistics(out, stats);
    requests_.render(out);
    render_gauge(out, "colonies_store_queued_jobs", "Store jobs waiting for a database worker.",
                 static_cast<double>(store_.queued_jobs()));
    render_histogram(out, "colonies_store_commit_duration_seconds",
                     "Time a store COMMIT took (one per batch on SQLite, per job on PostgreSQL).",
                     {{"", store_.commit_latency().snapshot()}});
    render_gauge(out, "colonies_server_leader",
                 "1 when this server is the cluster leader (a lone server always is), else 0.",
                 is_leader_() ? 1 : 0);
    render_process(out, read_process_stats());
    co_return out;
}

}  // namespace colonies::server
