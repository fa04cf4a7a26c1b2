// GET /metrics on the API port, in the Prometheus text exposition format (version 0.0.4).
// Read-only and unsigned: it reveals counts and timings, never ids or data. docs/monitoring.md
// lists every series. This header is the exposition itself (pure: text from numbers, tested
// without a server) and the per-message-type request counters the RPC pipeline feeds;
// server/metrics_endpoint.hpp gathers the numbers for a scrape.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/histogram.hpp"
#include "core/types.hpp"
#include "server/process_stats.hpp"

namespace colonies::server {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// A snapshot of the server's in-memory gauges; each is read once, so they need not agree.
struct Gauges {
    size_t subscriptions = 0;          // process subscriptions registered on /pubsub
    size_t assign_waiters = 0;         // executors parked in a long-poll assignprocessmsg
    size_t open_connections = 0;       // HTTP connections being served, WebSocket ones included
    size_t signature_cache_hits = 0;   // counter: requests whose signer came from the cache
    size_t channel_subscriptions = 0;  // channel subscriptions registered on /pubsub
};

// The in-memory gauges above: HELP and TYPE lines, then one sample each.
std::string render_metrics(const Gauges& g);

// Upstream's ten gauges (features.md 11.1) with its names, help texts and meaning: the counts of
// getstatisticsmsg. Absent statistics (the store could not be read) read -1, as upstream's
// exporter shows when it cannot fetch them.
void render_statistics(std::string& out, const std::optional<Statistics>& st);

// The standard process_* series of Prometheus' client libraries, from /proc/self; nothing when
// /proc could not be read.
void render_process(std::string& out, const ProcessStats& p);

// One histogram family: `series` pairs a label set (`key="value"`, or "" for none) with its
// snapshot; buckets are written cumulative, as the format wants.
void render_histogram(std::string& out, std::string_view name, std::string_view help,
                      const std::vector<std::pair<std::string, Histogram::Snapshot>>& series);
void render_gauge(std::string& out, std::string_view name, std::string_view help, double value);

// A label value with \, " and newline escaped, as the format asks.
std::string label_value(std::string_view v);

// POST /api requests per message type: how many, how many failed with which HTTP status, and
// how long the pipeline took (signature check, store transaction, and for assignprocessmsg the
// long poll's wait). Slots are fixed at construction, one per message type the server serves
// plus one for requests with no valid type ("invalid"): the label values cannot grow with
// what clients send. record() is lock-free; any thread may call it.
class RequestMetrics {
  public:
    explicit RequestMetrics(std::vector<std::string> msgtypes);
    size_t slot_count() const { return names_.size(); }
    // The slot of "invalid": requests whose type is unknown or that did not parse.
    size_t invalid_slot() const { return names_.size() - 1; }
    const std::string& name(size_t slot) const { return names_[slot]; }
    void record(size_t slot, int http_status, std::chrono::nanoseconds took);
    // colonies_requests_total, colonies_request_errors_total and
    // colonies_request_duration_seconds, for the message types seen so far.
    void render(std::string& out) const;

    // HTTP statuses counted apart; any other error status counts as "other".
    static constexpr std::array<int, 10> kStatuses{400, 401, 403, 404, 408,
                                                   409, 413, 429, 500, 503};

  private:
    struct Slot {
        std::atomic<uint64_t> requests{0};
        std::array<std::atomic<uint64_t>, kStatuses.size() + 1> errors{};
        Histogram latency;
    };
    std::vector<std::string> names_;
    std::unique_ptr<Slot[]> slots_;
};

}  // namespace colonies::server
