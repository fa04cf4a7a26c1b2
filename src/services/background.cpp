// The table of leader-only periodic tasks (background.hpp). A new task is one row.
#include "services/background.hpp"

#include <array>

#include "services/crons.hpp"

namespace colonies::services {
namespace {

// Filled by the crons, generators and retention modules as they land.
constexpr std::array<BackgroundTask, 1> kTasks{
    BackgroundTask{"crons", [](const Config& c) { return c.cron_checker_period_ms; },
                   [](OpContext& ctx) { evaluate_crons(ctx); }},
};

}  // namespace

std::span<const BackgroundTask> background_tasks() {
    return kTasks;
}

}  // namespace colonies::services
