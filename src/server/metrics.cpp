#include "server/metrics.hpp"

namespace colonies::server {
namespace {

void gauge(std::string& out, const char* name, const char* help, size_t value) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " gauge\n";
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
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
    return out;
}

}  // namespace colonies::server
