// The Colonies server process: HTTP(S) listener for POST /api, GET /health (protocol.md 1),
// WebSocket /pubsub and GET /metrics (server/metrics.hpp), the RPC pipeline of 1.4, long-poll
// assign and the deadline sweep. Thread pool of io threads; every connection runs on its own
// strand; store work runs on the store's thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/cluster_link.hpp"
#include "services/operation.hpp"
#include "store/store.hpp"

namespace colonies::server {

struct ServerOptions {
    std::string bind_address = "0.0.0.0";
    int port = 50080;
    bool tls = false;
    std::string tls_cert, tls_key;
    size_t max_body_bytes = 64ull << 20;  // protocol.md appendix B (e)
    // Request body bytes held at once by all connections together (server/body_budget.hpp);
    // 0: twice max_body_bytes. COLONIES_MAX_BODY_BYTES_IN_FLIGHT.
    size_t max_inflight_body_bytes = 0;
    // A connection must send a request's header within header_timeout (from its accept, or from
    // the first byte after an idle keep-alive wait) and its body within body_timeout: a client
    // that sends nothing, or half a request, does not hold a descriptor for long (issue 13).
    std::chrono::milliseconds header_timeout{10000};  // COLONIES_HTTP_HEADER_TIMEOUT (s)
    std::chrono::milliseconds body_timeout{60000};    // COLONIES_HTTP_BODY_TIMEOUT (s)
    std::chrono::milliseconds idle_timeout{120000};   // keep-alive wait between requests
    // A /pubsub subscriber with more than this queued for it is disconnected (server/pubsub.hpp).
    size_t pubsub_max_queued_frames = 1000;        // COLONIES_PUBSUB_MAX_QUEUED
    size_t pubsub_max_queued_bytes = 64ull << 20;  // COLONIES_PUBSUB_MAX_QUEUED_BYTES
    int threads = 0;                               // 0 = hardware concurrency
    int sweep_interval_ms = 1000;
    // Serve the web dashboard at / (server/dashboard.hpp). COLONIES_DASHBOARD, --dashboard.
    bool dashboard = true;
    // GET /metrics counts processes and workflows at most this often (server/metrics_endpoint.hpp);
    // COLONIES_MONITOR_INTERVAL (s).
    std::chrono::milliseconds statistics_ttl{5000};
    services::Config service;
    // Null: a single server (always leader). Otherwise the link to the other servers.
    std::shared_ptr<ClusterLink> cluster;
    // This server as getclustermsg shows it when it runs alone.
    ClusterNode self;
    // Backends (COLONIES_SERVER_BACKENDS, issue 20; server/backends.hpp): which doors serve
    // the same pipeline. gRPC and CoAP use `tls`/`tls_cert`/`tls_key` (CoAP as DTLS) and
    // `max_body_bytes` as HTTP does; they listen on `bind_address`.
    bool serve_http = true;
    bool serve_grpc = false;
    int grpc_port = 50051;  // COLONIES_SERVER_GRPC_PORT
    bool serve_coap = false;
    int coap_port = 5683;  // COLONIES_SERVER_COAP_PORT (UDP)
};

class Server {
  public:
    Server(ServerOptions opts, std::unique_ptr<store::Store> store);
    ~Server();
    // Serve until stop() or SIGINT/SIGTERM. Throws std::runtime_error if the port cannot be bound.
    void run();
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace colonies::server
