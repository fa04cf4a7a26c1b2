// The table of leader-only periodic tasks (background.hpp). A new task is one row.
#include "services/background.hpp"

#include <array>

#include "services/colonies_ops.hpp"
#include "services/crons.hpp"
#include "services/retention.hpp"

namespace colonies::services {
namespace {

constexpr std::array<BackgroundTask, 3> kTasks{
    BackgroundTask{"crons", [](const Config& c) { return c.cron_checker_period_ms; },
                   [](OpContext& ctx) { evaluate_crons(ctx); }},
    BackgroundTask{"generators", [](const Config& c) { return c.generator_checker_period_ms; },
                   [](OpContext& ctx) { run_generators(ctx); }},
    BackgroundTask{"retention", retention_period_ms, [](OpContext& ctx) { run_retention(ctx); }},
};

}  // namespace

std::span<const BackgroundTask> background_tasks() {
    return kTasks;
}

}  // namespace colonies::services
