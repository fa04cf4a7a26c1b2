// GET /metrics on the API port: gauges of the server's in-memory state in the Prometheus text
// exposition format (version 0.0.4), for operators and for tests that check that clients which
// go away leave nothing behind. Read-only and unsigned: it reveals counts, never ids or data.
// Not upstream (its exporter is the separate `colonies monitor start`, features.md 11.1).
#pragma once
#include <cstddef>
#include <string>

namespace colonies::server {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// A snapshot of the gauges; each is read once, so they need not agree with each other.
struct Gauges {
    size_t subscriptions = 0;          // process subscriptions registered on /pubsub
    size_t assign_waiters = 0;         // executors parked in a long-poll assignprocessmsg
    size_t open_connections = 0;       // HTTP connections being served, WebSocket ones included
    size_t signature_cache_hits = 0;   // counter: requests whose signer came from the cache
    size_t channel_subscriptions = 0;  // channel subscriptions registered on /pubsub
};

// The exposition text: HELP and TYPE lines, then one sample per gauge.
std::string render_metrics(const Gauges& g);

}  // namespace colonies::server
