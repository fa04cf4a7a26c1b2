#include "server/metrics.hpp"

#include <charconv>
#include <cmath>

namespace colonies::server {
namespace {

void header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

// Shortest fixed-point text that reads back as the same double ("3", "0.25", "0.00025": as
// Prometheus' Go client spells bucket bounds); the format's own spellings for the specials.
std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[400];  // a double's longest fixed-point text is 300-odd characters
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return std::string(buf, r.ptr);
}

void sample(std::string& out, std::string_view name, std::string_view labels,
            const std::string& value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

void sample(std::string& out, const char* type, const char* name, const char* help, size_t value) {
    header(out, name, help, type);
    sample(out, name, "", std::to_string(value));
}

void gauge(std::string& out, const char* name, const char* help, size_t value) {
    sample(out, "gauge", name, help, value);
}

std::string joined(std::string_view labels, std::string_view more) {
    if (labels.empty()) return std::string(more);
    return std::string(labels) + "," + std::string(more);
}

}  // namespace

std::string label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

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

void render_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
    header(out, name, help, "gauge");
    sample(out, name, "", number(value));
}

void render_statistics(std::string& out, const std::optional<Statistics>& st) {
    struct Row {
        const char* name;
        const char* help;
        int64_t Statistics::*field;
    };
    static const Row rows[] = {
        {"colonies_server_colonies", "Number of colonies", &Statistics::colonies},
        {"colonies_server_executors", "Number of executors", &Statistics::executors},
        {"colonies_server_processes_waiting", "Number of waiting processes",
         &Statistics::waitingprocesses},
        {"colonies_server_processes_running", "Number of running processes",
         &Statistics::runningprocesses},
        {"colonies_server_processes_successful", "Number of successful processes",
         &Statistics::successfulprocesses},
        {"colonies_server_processes_failed", "Number of failed processes",
         &Statistics::failedprocesses},
        {"colonies_server_workflows_waiting", "Number of waiting workflows",
         &Statistics::waitingworkflows},
        {"colonies_server_workflows_running", "Number of running workflows",
         &Statistics::runningworkflows},
        {"colonies_server_workflows_successful", "Number of successful workflows",
         &Statistics::successfulworkflows},
        {"colonies_server_workflows_failed", "Number of failed workflows",
         &Statistics::failedworkflows},
    };
    for (const auto& r : rows) {
        header(out, r.name, r.help, "gauge");
        sample(out, r.name, "", std::to_string(st ? (*st).*r.field : -1));
    }
}

void render_process(std::string& out, const ProcessStats& p) {
    if (!p.ok) return;
    header(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
           "counter");
    sample(out, "process_cpu_seconds_total", "", number(p.cpu_seconds));
    render_gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
                 static_cast<double>(p.resident_bytes));
    render_gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                 static_cast<double>(p.virtual_bytes));
    if (p.open_fds >= 0)
        render_gauge(out, "process_open_fds", "Number of open file descriptors.",
                     static_cast<double>(p.open_fds));
    if (p.max_fds >= 0)
        render_gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
                     static_cast<double>(p.max_fds));
    render_gauge(out, "process_start_time_seconds",
                 "Start time of the process since unix epoch in seconds.", p.start_time_seconds);
    render_gauge(out, "process_threads", "Number of OS threads in the process.",
                 static_cast<double>(p.threads));
}

void render_histogram(std::string& out, std::string_view name, std::string_view help,
                      const std::vector<std::pair<std::string, Histogram::Snapshot>>& series) {
    header(out, name, help, "histogram");
    const std::string bucket = std::string(name) + "_bucket";
    const std::string sum = std::string(name) + "_sum";
    const std::string count = std::string(name) + "_count";
    for (const auto& [labels, snap] : series) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < Histogram::kBuckets; ++i) {
            cumulative += snap.buckets[i];
            const std::string le =
                i < Histogram::kBounds.size() ? number(Histogram::kBounds[i]) : "+Inf";
            sample(out, bucket, joined(labels, "le=\"" + le + "\""), std::to_string(cumulative));
        }
        sample(out, sum, labels, number(snap.sum_seconds));
        sample(out, count, labels, std::to_string(cumulative));
    }
}

RequestMetrics::RequestMetrics(std::vector<std::string> msgtypes) : names_(std::move(msgtypes)) {
    names_.push_back("invalid");
    slots_ = std::make_unique<Slot[]>(names_.size());
}

void RequestMetrics::record(size_t slot, int http_status, std::chrono::nanoseconds took) {
    if (slot >= names_.size()) slot = invalid_slot();
    auto& s = slots_[slot];
    s.requests.fetch_add(1, std::memory_order_relaxed);
    if (http_status >= 400) {
        size_t i = 0;
        while (i < kStatuses.size() && kStatuses[i] != http_status) ++i;
        s.errors[i].fetch_add(1, std::memory_order_relaxed);
    }
    s.latency.observe(took);
}

void RequestMetrics::render(std::string& out) const {
    std::vector<std::string> labels(names_.size());
    for (size_t i = 0; i < names_.size(); ++i)
        labels[i] = "msgtype=\"" + label_value(names_[i]) + "\"";
    header(out, "colonies_requests_total", "POST /api requests answered, by message type.",
           "counter");
    for (size_t i = 0; i < names_.size(); ++i)
        if (auto n = slots_[i].requests.load(std::memory_order_relaxed))
            sample(out, "colonies_requests_total", labels[i], std::to_string(n));
    header(out, "colonies_request_errors_total",
           "POST /api requests answered with an error, by message type and HTTP status.",
           "counter");
    for (size_t i = 0; i < names_.size(); ++i)
        for (size_t k = 0; k <= kStatuses.size(); ++k)
            if (auto n = slots_[i].errors[k].load(std::memory_order_relaxed)) {
                const std::string status =
                    k < kStatuses.size() ? std::to_string(kStatuses[k]) : "other";
                sample(out, "colonies_request_errors_total",
                       labels[i] + ",status=\"" + status + "\"", std::to_string(n));
            }
    std::vector<std::pair<std::string, Histogram::Snapshot>> series;
    for (size_t i = 0; i < names_.size(); ++i)
        if (slots_[i].requests.load(std::memory_order_relaxed) > 0)
            series.emplace_back(labels[i], slots_[i].latency.snapshot());
    render_histogram(out, "colonies_request_duration_seconds",
                     "Time from a POST /api request's body to its reply, by message type.", series);
}

}  // namespace colonies::server
