#include "server/metrics.hpp"

namespace colonies::server {
namespace {

void sample(std::string& out, const char* type, const char* name, const char* help, size_t value) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

void gauge(std::string& out, const char* name, const char* help, size_t value) {
    sample(out, "gauge", name, help, value);
}

}  // namespace

std::string render_metrics(const Gauges& g) {
    std::string out;
    gauge(out, "colonies_subscriptions", "Process subscriptions registered on /pubsub.",
          g.subscriptions);
    gauge(out, "colonies_assign_waiters", "Executors waiting in a long-poll assign.",
          g.assign_waiters);
    gauge(out, "colonies_open_connections", "Open HTTP and WebSocket connections.",
          g.open_connections);
    sample(out, "counter", "colonies_signature_cache_hits_total",
           "Signed requests whose signer was known from an identical earlier request.",
           g.signature_cache_hits);
    gauge(out, "colonies_channel_subscriptions", "Channel subscriptions registered on /pubsub.",
          g.channel_subscriptions);
    return out;
}

}  // namespace colonies::server
