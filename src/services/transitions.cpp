#include "services/transitions.hpp"

#include <utility>

#include "services/channels_ops.hpp"
#include "services/colonies_ops.hpp"
#include "services/graphs.hpp"

namespace colonies::services {
namespace {

std::string_view event_name(ProcessEvent ev) {
    switch (ev) {
        case ProcessEvent::Assign:
            return "assign";
        case ProcessEvent::CloseOk:
            return "closesuccessful";
        case ProcessEvent::CloseFailed:
            return "closefailed";
        case ProcessEvent::Cancel:
            return "cancel";
        case ProcessEvent::ExecutorGone:
            return "executorgone";
        case ProcessEvent::ExecDeadline:
            return "execdeadline";
        case ProcessEvent::WaitDeadline:
            return "waitdeadline";
        case ProcessEvent::Cascade:
            return "cascade";
        case ProcessEvent::ParentsDone:
            return "parentsdone";
    }
    return "unknown";
}

}  // namespace

Transition transition(OpContext& ctx, Process& p, ProcessEvent ev, TransitionInput in) {
    Transition t = next(p.state, ev, facts_of(p));
    if (!t.accepted()) return t;
    // A requeue clears the assignment; the ledger still names the executor it was taken from.
    std::string executorid = ctx.cfg.process_ledger ? p.assignedexecutorid : std::string();
    apply(p, t, ctx.now, std::move(in));
    if (ctx.cfg.process_ledger) {
        if (!p.assignedexecutorid.empty()) executorid = p.assignedexecutorid;
        ctx.tx.add_transition(
            {p.processid, p.state, std::string(event_name(ev)), std::move(executorid), ctx.now});
    }
    const ProcessEffects fx = t.effects;
    // `p` was read with its attributes under the process's row lock (PostgreSQL) or the single
    // writer (SQLite), and adding an attribute takes that lock too: none can be missing here, so
    // a process without any needs no statement.
    if (fx.has(ProcessEffect::SetAttributeStates) && !p.attributes.empty())
        ctx.tx.set_attribute_states(p.processid, p.state);
    if (fx.has(ProcessEffect::FillInputs)) fill_inputs(ctx, p);
    const SpecRequirements req = requirements_of_spec(p.spec);
    ctx.tx.save_process(p, req);
    if (is_final(p.state)) end_channels(ctx, p);  // channels end with their process
    if (fx.has(ProcessEffect::RecordFunctionRun)) record_function_run(ctx, p);
    if (fx.has(ProcessEffect::NotifyReady)) ctx.fx.ready.push_back(ready_of(p, req));
    if (fx.has(ProcessEffect::EmitEvent)) ctx.fx.events.push_back(p);
    if (fx.has(ProcessEffect::ResolveGraph)) resolve_graph(ctx, p);
    return t;
}

}  // namespace colonies::services
