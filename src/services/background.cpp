// The table of leader-only periodic tasks (background.hpp). A new task is one row.
#include "services/background.hpp"

#include <array>

#include "services/retention.hpp"

namespace colonies::services {
namespace {

// Filled by the crons, generators and retention modules as they land.
constexpr std::array<BackgroundTask, 1> kTasks{{
    {"retention", retention_period_ms, [](OpContext& ctx) { run_retention(ctx); }},
}};

}  // namespace

std::span<const BackgroundTask> background_tasks() {
    return kTasks;
}

}  // namespace colonies::services
