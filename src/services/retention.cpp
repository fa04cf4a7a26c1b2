// Retention (features.md 12.1): the leader removes, older than the policy, SUCCESS processes and
// graphs (with their attributes and history) and all logs. One pass is one transaction on the
// store thread, so it removes a bounded batch of each kind; when a batch came back full the next
// pass follows within a second instead of a full interval, until the backlog is gone.
#include <atomic>

#include "services/colonies_ops.hpp"
#include "services/retention.hpp"

namespace colonies::services {
namespace {

// A scheduling hint only (a lost hint costs one interval): the last pass left work behind.
std::atomic<bool> g_backlog{false};

}  // namespace

RetentionPass run_retention(OpContext& ctx) {
    RetentionPass r;
    if (!ctx.cfg.retention) return r;
    const Time cutoff = ctx.now.plus_seconds(-ctx.cfg.retention_policy_seconds);
    const int batch = ctx.cfg.retention_batch;
    int graphs_left = batch, processes_left = batch;
    for (const auto& colony : ctx.tx.colonies()) {
        if (graphs_left > 0) {
            auto ids = ctx.tx.old_successful_graphs(colony.name, cutoff, graphs_left);
            for (const auto& id : ids) ctx.tx.remove_graph(id);  // with its processes
            graphs_left -= static_cast<int>(ids.size());
        }
        if (processes_left > 0) {
            auto ids = ctx.tx.old_successful_processes(colony.name, cutoff, processes_left);
            for (const auto& id : ids) ctx.tx.remove_process(id);
            processes_left -= static_cast<int>(ids.size());
            r.processes += static_cast<int>(ids.size());
        }
        if (graphs_left <= 0 && processes_left <= 0) break;
    }
    r.graphs = batch - graphs_left;
    r.logs = ctx.tx.remove_old_logs(cutoff, batch);
    r.full = graphs_left <= 0 || processes_left <= 0 || r.logs >= batch;
    g_backlog.store(r.full, std::memory_order_relaxed);
    return r;
}

int64_t retention_period_ms(const Config& cfg) {
    if (g_backlog.load(std::memory_order_relaxed)) return 1000;
    return cfg.retention_interval_seconds * 1000;
}

}  // namespace colonies::services
