// Leader-only periodic work (features.md 9.2, 12): crons, generators, retention. The server's
// sweeper calls `due_background_tasks` on every tick of the leader and runs each due task as its
// own store job (its own transaction), so one slow task does not hold the others. A task must
// bound the work of one pass (a pass holds the store thread while it runs) and must be safe to
// run again after a crash or a leader change: its state lives in the store, never in memory.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "services/operation.hpp"

namespace colonies::services {

struct BackgroundTask {
    std::string_view name;
    // Milliseconds between passes, read from the configuration.
    int64_t (*period_ms)(const Config& cfg);
    // One pass inside one transaction; effects (ready processes, events) go into ctx.fx.
    void (*run)(OpContext& ctx);
};

// Every task, in the order the sweeper runs them.
std::span<const BackgroundTask> background_tasks();

}  // namespace colonies::services
