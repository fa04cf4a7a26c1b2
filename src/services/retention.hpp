// Retention (features.md 12.1), a leader-only background task (services/background.hpp).
#pragma once
#include <cstdint>

#include "services/operation.hpp"

namespace colonies::services {

struct RetentionPass {
    int processes = 0;  // SUCCESS processes (not of a workflow) removed
    int graphs = 0;     // SUCCESS graphs removed, each with its processes
    int64_t logs = 0;   // log entries removed
    bool full = false;  // a batch was full: more is left for the next pass
};

// One bounded pass (cfg.retention_batch rows of each kind at most); nothing when retention is
// off. Cutoff: now - cfg.retention_policy_seconds, on submission time (logs: their time).
RetentionPass run_retention(OpContext& ctx);

// Milliseconds until the next pass: the configured interval, or one second while a backlog is
// being worked off.
int64_t retention_period_ms(const Config& cfg);

}  // namespace colonies::services
