// Carries out the process state machine (core/process_state.hpp) inside an operation's
// transaction. Every change of a process's state goes through `transition`, so the rules live in
// the table and the effects happen in one fixed order for every event.
#pragma once
#include "core/process_state.hpp"
#include "services/operation.hpp"

namespace colonies::services {

// Asks the table whether `ev` may happen to `p`; if it may, changes `p`, stores its attribute
// states, fills its inputs, saves it, then records the function run, queues the ready notice and
// the event, and resolves its graph, as the transition says. A refused event changes nothing.
Transition transition(OpContext& ctx, Process& p, ProcessEvent ev, TransitionInput in = {});

}  // namespace colonies::services
