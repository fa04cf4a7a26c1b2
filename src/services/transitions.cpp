#include "services/transitions.hpp"

#include <utility>

#include "services/channels_ops.hpp"
#include "services/colonies_ops.hpp"
#include "services/graphs.hpp"

namespace colonies::services {

Transition transition(OpContext& ctx, Process& p, ProcessEvent ev, TransitionInput in) {
    Transition t = next(p.state, ev, facts_of(p));
    if (!t.accepted()) return t;
    apply(p, t, ctx.now, std::move(in));
    const ProcessEffects fx = t.effects;
    if (fx.has(ProcessEffect::SetAttributeStates))
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
