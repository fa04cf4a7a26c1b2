// Process graphs (workflows, protocol.md 6.9): what happens to a graph when one of its processes
// changes state. Called by the process operations inside the same transaction as the change, so
// resolution is serialised with it (6.14).
#pragma once
#include <optional>
#include <string>

#include "services/operation.hpp"

namespace colonies::services {

// Who starts a graph and what its roots receive. Workflows submitted by a client carry the
// signer; crons and generators carry the initiator recorded when they were added
// (features.md 1.4, 2.3).
struct GraphOrigin {
    std::string initiatorid;
    std::string initiatorname;
    // Crons: the previous run's leaf outputs become every root's `in`.
    std::optional<boost::json::array> root_in;
    // Generators: every root's `args` is replaced by the packed arguments, `kwargs` emptied.
    std::optional<boost::json::array> root_args;
};

// Creates a process graph from a workflow as submitworkflowspecmsg does (protocol.md 6.9.1):
// validates it (names, dependencies, no cycle), normalises every spec with the workflow's
// colony, saves processes and graph, and reports the roots as ready. Authorisation is the
// caller's. Nothing is saved when it fails.
Result<ProcessGraph> create_graph(OpContext& ctx, WorkflowSpec w, const GraphOrigin& origin);

// What create_graph would refuse in `w`, checked without saving anything (crons and generators
// store a workflow to start later: a bad one is refused when it is stored).
Status check_workflow(WorkflowSpec w);

// A workflow stored as JSON text (crons, generators), parsed; errors are 400 `<prefix>: <why>`.
Result<WorkflowSpec> parse_stored_workflow(const std::string& text, const std::string& prefix);

// The `out` arrays of the graph's leaves (processes without children), concatenated in the
// order a depth-first walk from the roots meets them (features.md 1.4: the next cron run's
// root input).
boost::json::array leaf_outputs(OpContext& ctx, const ProcessGraph& g);

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
