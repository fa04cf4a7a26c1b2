#include "core/process_state.hpp"

#include <utility>

namespace colonies {
namespace {

using S = ProcessState;
using E = ProcessEvent;
using F = ProcessEffect;

// A row applies only when the process's facts agree with its guard.
enum class Guard { None, NoParentsPending, ParentsPending, RetriesLeft, NoRetriesLeft };

struct Row {
    S from;
    E event;
    Guard guard;
    S to;
    ProcessEffects effects;
    std::string_view error = {};
};

constexpr ProcessEffects kRequeue = F::ClearAssignment | F::RenewWaitDeadline |
                                    F::ClearExecDeadline | F::SetAttributeStates | F::NotifyReady |
                                    F::EmitEvent | F::ResolveGraph;
constexpr ProcessEffects kFail =
    F::RecordErrors | F::EndNow | F::SetAttributeStates | F::EmitEvent | F::ResolveGraph;
constexpr ProcessEffects kSucceed = F::StoreOutput | F::EndNow | F::SetAttributeStates |
                                    F::RecordFunctionRun | F::EmitEvent | F::ResolveGraph;
// Upstream's cancels do not resolve the graph: a cancelled graph is stored by its operation.
constexpr ProcessEffects kCancel = F::EndNow | F::SetAttributeStates | F::EmitEvent;

// Every accepted (state, event) pair; anything else is refused. SUCCESS accepts a repeated
// close by its executor (6.1, last row of the table there).
constexpr Row kTable[] = {
    {S::Waiting, E::Assign, Guard::NoParentsPending, S::Running,
     F::Claim | F::StartNow | F::ClearEndTime | F::SetExecDeadline | F::SetAttributeStates |
         F::FillInputs | F::EmitEvent | F::ResolveGraph},
    {S::Running, E::CloseOk, Guard::None, S::Success, kSucceed},
    {S::Success, E::CloseOk, Guard::None, S::Success, kSucceed},
    {S::Running, E::CloseFailed, Guard::None, S::Failed, kFail},
    {S::Waiting, E::Cancel, Guard::None, S::Cancelled, kCancel},
    {S::Running, E::Cancel, Guard::None, S::Cancelled, kCancel},
    {S::Running, E::ExecutorGone, Guard::None, S::Waiting,
     kRequeue | F::ClearStartTime | F::ClearEndTime},
    {S::Running, E::ExecDeadline, Guard::RetriesLeft, S::Waiting,
     kRequeue | F::BumpRetries | F::EndNow},
    {S::Running, E::ExecDeadline, Guard::NoRetriesLeft, S::Failed, kFail,
     "Maximum execution time limit exceeded"},
    {S::Waiting, E::WaitDeadline, Guard::None, S::Failed, kFail,
     "Maximum waiting time limit exceeded"},
    {S::Waiting, E::Cascade, Guard::None, S::Failed,
     F::EndNow | F::ReleaseFromParents | F::SetAttributeStates | F::EmitEvent},
    {S::Running, E::Cascade, Guard::None, S::Failed,
     F::EndNow | F::ReleaseFromParents | F::SetAttributeStates | F::EmitEvent},
    {S::Waiting, E::ParentsDone, Guard::ParentsPending, S::Waiting,
     F::ReleaseFromParents | F::NotifyReady | F::EmitEvent},
};

bool holds(Guard g, const ProcessFacts& f) {
    switch (g) {
        case Guard::None:
            return true;
        case Guard::NoParentsPending:
            return !f.waitforparents;
        case Guard::ParentsPending:
            return f.waitforparents;
        case Guard::RetriesLeft:
            return f.retries_left;
        case Guard::NoRetriesLeft:
            return !f.retries_left;
    }
    return false;
}

Refusal guard_refusal(Guard g) {
    return g == Guard::NoParentsPending ? Refusal::AwaitingParents : Refusal::NotAwaitingParents;
}

}  // namespace

ProcessFacts facts_of(const Process& p) {
    // maxretries = N allows N + 1 executions; -1 requeues for ever (6.6).
    const bool exhausted = p.spec.maxretries > -1 && p.retries >= p.spec.maxretries;
    return {p.waitforparents, !exhausted};
}

Transition next(ProcessState from, ProcessEvent ev, const ProcessFacts& facts) {
    const Row* guarded_out = nullptr;
    for (const Row& r : kTable) {
        if (r.from != from || r.event != ev) continue;
        if (!holds(r.guard, facts)) {
            guarded_out = &r;
            continue;
        }
        ProcessEffects fx = r.effects;
        // A process still waiting for its parents is not assignable, whatever happened to it.
        if (facts.waitforparents && !fx.has(F::ReleaseFromParents)) fx = fx.without(F::NotifyReady);
        return {Refusal::None, r.to, fx, r.error};
    }
    if (guarded_out) return {guard_refusal(guarded_out->guard), from, {}, {}};
    if (is_final(from)) return {Refusal::Finished, from, {}, {}};
    // Each event accepts WAITING, RUNNING or both: refused here means it wanted the other one.
    return {from == S::Waiting ? Refusal::NotRunning : Refusal::NotWaiting, from, {}, {}};
}

void apply(Process& p, const Transition& t, Time now, TransitionInput in) {
    const ProcessEffects fx = t.effects;
    if (fx.has(F::Claim)) {
        p.isassigned = true;
        p.assignedexecutorid = std::move(in.executorid);
    }
    if (fx.has(F::ClearAssignment)) {
        p.isassigned = false;
        p.assignedexecutorid.clear();
    }
    if (fx.has(F::StartNow)) p.starttime = now;
    if (fx.has(F::ClearStartTime)) p.starttime = Time::zero();
    if (fx.has(F::EndNow)) p.endtime = now;
    if (fx.has(F::ClearEndTime)) p.endtime = Time::zero();
    if (fx.has(F::BumpRetries)) p.retries++;
    if (fx.has(F::SetExecDeadline))
        p.execdeadline =
            p.spec.maxexectime > 0 ? now.plus_seconds(p.spec.maxexectime) : Time::zero();
    if (fx.has(F::ClearExecDeadline)) p.execdeadline = Time::zero();
    if (fx.has(F::RenewWaitDeadline) && p.spec.maxwaittime > 0)
        p.waitdeadline = now.plus_seconds(p.spec.maxwaittime);
    if (fx.has(F::ReleaseFromParents)) p.waitforparents = false;
    if (fx.has(F::RecordErrors)) {
        if (t.error.empty())
            p.errors = std::move(in.errors);
        else
            p.errors = {std::string(t.error)};
    }
    if (fx.has(F::StoreOutput) && !in.out.empty()) p.out = std::move(in.out);
    p.state = t.to;
    if (fx.has(F::SetAttributeStates))
        for (auto& a : p.attributes) a.state = t.to;
}

ProcessState graph_state(const std::vector<ProcessState>& states) {
    bool any_cancelled = false, all_success = !states.empty(), any_progress = false;
    for (ProcessState s : states) {
        if (s == S::Failed) return S::Failed;
        any_cancelled |= s == S::Cancelled;
        all_success &= s == S::Success;
        any_progress |= s == S::Success || s == S::Running;
    }
    if (any_cancelled) return S::Cancelled;
    if (all_success) return S::Success;
    return any_progress ? S::Running : S::Waiting;
}

}  // namespace colonies
