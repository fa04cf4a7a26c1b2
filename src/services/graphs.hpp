// Process graphs (workflows, protocol.md 6.9): what happens to a graph when one of its processes
// changes state. Called by the process operations inside the same transaction as the change, so
// resolution is serialised with it (6.14).
#pragma once
#include "services/operation.hpp"

namespace colonies::services {

// Parsed requirements of a stored (normalised) spec.
SpecRequirements requirements_of_spec(const FunctionSpec& spec);

// Before a graph process with parents is handed out: `in` := the parents' `out`, concatenated in
// the order of `parents` (6.9.3).
void fill_inputs(OpContext& ctx, Process& p);

// After `p` (a graph process, already saved in its new state) changed: release children whose
// parents all succeeded, fail the graph's unfinished processes when a failed process has
// children (6.9.5), and store the graph's recomputed state (6.9.4). No-op outside graphs.
void resolve_graph(OpContext& ctx, const Process& p);

}  // namespace colonies::services
