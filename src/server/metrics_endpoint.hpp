// Gathers a GET /metrics scrape: the in-memory gauges the server passes in, upstream's
// statistics gauges, request counters and latencies (Dispatcher::requests), the store's queue
// and commit latency, leadership and the process's own resource use.
//
// The statistics count every process and workflow by state, which on a large store is a scan
// (hundreds of milliseconds for millions of rows, on SQLite in the writer's turn): they are
// computed at most once per `statistics_ttl` (COLONIES_MONITOR_INTERVAL, as upstream's exporter
// polls) and otherwise served from the last count; one scrape counts while others wait for it.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/types.hpp"
#include "server/metrics.hpp"
#include "server/store_call.hpp"

namespace colonies::server {

class MetricsEndpoint {
  public:
    using Clock = std::chrono::steady_clock;
    MetricsEndpoint(StoreCall& call, const store::Store& store, const RequestMetrics& requests,
                    std::function<bool()> is_leader, Clock::duration statistics_ttl)
        : call_(call),
          store_(store),
          requests_(requests),
          is_leader_(std::move(is_leader)),
          ttl_(statistics_ttl) {}

    // The whole exposition text. Awaited on the connection's strand.
    boost::asio::awaitable<std::string> render(const Gauges& gauges);

  private:
    boost::asio::awaitable<std::optional<Statistics>> statistics();

    StoreCall& call_;
    const store::Store& store_;
    const RequestMetrics& requests_;
    std::function<bool()> is_leader_;
    const Clock::duration ttl_;
    std::mutex mu_;
    bool counted_ = false;  // a count (or a failed attempt) is cached
    Clock::time_point counted_at_{};
    std::optional<Statistics> cached_;
};

}  // namespace colonies::server
