// The table of leader-only periodic tasks (background.hpp). A new task is one row.
#include "services/background.hpp"

#include <array>

#include "services/colonies_ops.hpp"
#include "services/crons.hpp"

namespace colonies::services {
namespace {

// Filled by the crons, generators and retention modules as they land.
constexpr std::array<BackgroundTask, 2> kTasks{
    BackgroundTask{"crons", [](const Config& c) { return c.cron_checker_period_ms; },
                   [](OpContext& ctx) { evaluate_crons(ctx); }},
    BackgroundTask{"generators", [](const Config& c) { return c.generator_checker_period_ms; },
                   [](OpContext& ctx) { run_generators(ctx); }},
};

}  // namespace

std::span<const BackgroundTask> background_tasks() {
    return kTasks;
}

}  // namespace colonies::services
