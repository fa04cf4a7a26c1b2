// Crons (features.md 1): when a cron is due, and starting one. Used by the cron messages
// (crons_ops.cpp) and by the leader's evaluation pass (a background task, background.hpp).
//
// The schedule, not the loop, decides the due times: after a cron started for due time D, its
// next due time is computed from D (an interval cron: D + interval, so it does not drift by the
// pass's lateness; an expression cron: the first match after D). When that is already past
// (several due times went by without a leader), the cron started once, late, for all of them,
// and the next due time is the first one after now. A cron starts in the same transaction that
// moves its due time on, so it starts once per due time, also across servers (the pass locks
// the rows it works on and passes over rows another server holds).
#pragma once
#include <cstdint>
#include <optional>

#include "core/types.hpp"
#include "services/operation.hpp"

namespace colonies::services {

// The instant a cron that never fires again is looked at: never.
inline constexpr Time kNever{INT64_MAX};

// A uniformly random whole number of seconds in [0, interval) for a random interval cron.
int64_t random_draw(int64_t interval);

// The first due time of a cron added (or first seen) at `now`; the zero time when an expression
// never matches again. `draw` is random_draw(interval) for random crons, else ignored.
// Errors: the expression does not parse (400, the parser's text).
Result<Time> first_due(const Cron& c, Time now, int64_t draw);

// The due time after `due`, for a cron that started for `due` at `now` (see above). Random
// interval crons start once in every interval-long window of Unix time, at offset `draw`.
Result<Time> next_due(const Cron& c, Time due, Time now, int64_t draw);

// Sets nextrun to `next` and checkat to match (kNever for the zero time).
void set_next_run(Cron& c, Time next);

// Whether `waitforprevprocessgraph` keeps the cron from starting: the previous graph exists and
// has not finished (SUCCESS, FAILED or CANCELLED).
bool waits_for_previous(const Cron& c, const std::optional<ProcessGraph>& prev);

// Starts the cron's workflow now (features.md 1.4 "Start the cron") with the previous graph's
// leaf outputs as the roots' input, and records lastrun and prevprocessgraphid in `c` (the
// caller saves it). Nothing is saved when it fails.
Result<ProcessGraph> start_cron(OpContext& ctx, Cron& c, const std::optional<ProcessGraph>& prev);

// The leader's evaluation pass: starts up to cfg.crons_per_pass due crons and moves their due
// times on, in the caller's transaction. Returns how many started.
int evaluate_crons(OpContext& ctx);

// What a cron's stored-workflow errors start with.
inline constexpr const char* kCronWorkflowError = "Failed to parse the workflow spec of the cron";

}  // namespace colonies::services
