// The process state machine of protocol.md 6.1 as one table: which events each state accepts,
// the state an accepted event leads to and what it does to the process. Pure: no I/O, no store;
// services/transitions.hpp carries the effects out inside an operation's transaction.
#pragma once
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"

namespace colonies {

enum class ProcessEvent {
    Assign,        // an executor claims the process (6.3)
    CloseOk,       // closesuccessfulmsg by the assigned executor
    CloseFailed,   // closefailedmsg by the assigned executor
    Cancel,        // cancelprocessmsg, or cancelprocessgraphmsg for each process of the graph
    ExecutorGone,  // its executor was removed or cleaned up as stale (6.10)
    ExecDeadline,  // the exec deadline passed: requeue while retries are left, else fail (6.6)
    WaitDeadline,  // the wait deadline passed (6.6)
    Cascade,       // a failed graph process with children fails the rest of its graph (6.9.5)
    ParentsDone,   // every parent of a graph process succeeded (6.9.2)
};
inline constexpr ProcessEvent kAllProcessEvents[] = {
    ProcessEvent::Assign,       ProcessEvent::CloseOk,      ProcessEvent::CloseFailed,
    ProcessEvent::Cancel,       ProcessEvent::ExecutorGone, ProcessEvent::ExecDeadline,
    ProcessEvent::WaitDeadline, ProcessEvent::Cascade,      ProcessEvent::ParentsDone};

// What the table needs to know about the process besides its state.
struct ProcessFacts {
    bool waitforparents = false;
    bool retries_left = true;  // an exec timeout requeues rather than fails
};
ProcessFacts facts_of(const Process& p);

// One change an accepted event makes. Services carry them out in this order, saving the process
// after FillInputs: the record first, then what the others must hear about.
enum class ProcessEffect : uint32_t {
    Claim = 1u << 0,                // isassigned, assignedexecutorid := the claiming executor
    ClearAssignment = 1u << 1,      // isassigned false, assignedexecutorid ""
    StartNow = 1u << 2,             // starttime := now
    ClearStartTime = 1u << 3,       // starttime := zero
    EndNow = 1u << 4,               // endtime := now
    ClearEndTime = 1u << 5,         // endtime := zero
    BumpRetries = 1u << 6,          // retries + 1
    SetExecDeadline = 1u << 7,      // now + maxexectime when > 0, else zero
    ClearExecDeadline = 1u << 8,    // execdeadline := zero
    RenewWaitDeadline = 1u << 9,    // now + maxwaittime when > 0, else unchanged
    ReleaseFromParents = 1u << 10,  // waitforparents := false
    RecordErrors = 1u << 11,        // errors := the close's list, or the deadline's message
    StoreOutput = 1u << 12,         // out := the close's output when non-empty
    SetAttributeStates = 1u << 13,  // the process's attributes take the new state
    FillInputs = 1u << 14,          // in := the parents' out (6.9.3)
    RecordFunctionRun = 1u << 15,   // function statistics (features.md 7.3)
    NotifyReady = 1u << 16,         // the process is assignable: wake the assign waiters
    EmitEvent = 1u << 17,           // a process event in the new state (6.11)
    ResolveGraph = 1u << 18,        // resolve the process's graph (6.9.2, 6.9.4, 6.9.5)
};

class ProcessEffects {
  public:
    constexpr ProcessEffects() = default;
    constexpr ProcessEffects(ProcessEffect e) : bits_(static_cast<uint32_t>(e)) {}
    constexpr bool has(ProcessEffect e) const { return (bits_ & static_cast<uint32_t>(e)) != 0; }
    constexpr ProcessEffects operator|(ProcessEffects o) const {
        return from_bits(bits_ | o.bits_);
    }
    constexpr ProcessEffects without(ProcessEffect e) const {
        return from_bits(bits_ & ~static_cast<uint32_t>(e));
    }
    constexpr bool operator==(const ProcessEffects&) const = default;
    constexpr uint32_t bits() const { return bits_; }

  private:
    static constexpr ProcessEffects from_bits(uint32_t b) {
        ProcessEffects e;
        e.bits_ = b;
        return e;
    }
    uint32_t bits_ = 0;
};
constexpr ProcessEffects operator|(ProcessEffect a, ProcessEffect b) {
    return ProcessEffects(a) | b;
}

// Why an event was refused; the operation turns it into upstream's wording.
enum class Refusal {
    None,
    Finished,            // the process is SUCCESS, FAILED or CANCELLED
    NotRunning,          // the event needs a RUNNING process and this one is WAITING
    NotWaiting,          // the event needs a WAITING process and this one is RUNNING
    AwaitingParents,     // assign of a process whose parents have not all succeeded
    NotAwaitingParents,  // parents done for a process that was not waiting for them
};

struct Transition {
    Refusal refusal = Refusal::None;
    ProcessState to = ProcessState::Waiting;  // the state it stays in when refused
    ProcessEffects effects;                   // none when refused
    std::string_view error;  // what a deadline failure records as `errors`; else empty

    bool accepted() const { return refusal == Refusal::None; }
};

// The one place that decides whether `ev` may happen to a process in `from`, and what it does.
Transition next(ProcessState from, ProcessEvent ev, const ProcessFacts& facts);

// What the event brings besides the clock.
struct TransitionInput {
    std::string executorid{};           // Assign: the claiming executor
    boost::json::array out{};           // CloseOk
    std::vector<std::string> errors{};  // CloseFailed
};

// The record-level effects of an accepted transition: the fields above and the new state,
// including the attributes' copies of it. The effects beyond the record are the caller's.
void apply(Process& p, const Transition& t, Time now, TransitionInput in);

// The stored state of a graph from its processes' states (6.9.4).
ProcessState graph_state(const std::vector<ProcessState>& states);

}  // namespace colonies
