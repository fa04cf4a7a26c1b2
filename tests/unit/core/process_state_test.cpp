// The process state machine as a table (protocol.md 6.1): every (state, event) pair, with the
// facts that change the outcome, and what an accepted transition does to a process record.
#include "core/process_state.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

using namespace colonies;

namespace {

using S = ProcessState;
using E = ProcessEvent;
using F = ProcessEffect;

constexpr S kStates[] = {S::Waiting, S::Running, S::Success, S::Failed, S::Cancelled};

struct Case {
    S from;
    E event;
    ProcessFacts facts;
    Refusal refusal;
    S to;
    ProcessEffects effects;
    std::string_view error = {};
};

constexpr ProcessFacts kPlain{false, true};       // no parents pending, retries left
constexpr ProcessFacts kParents{true, true};      // waiting for parents
constexpr ProcessFacts kNoRetries{false, false};  // the last execution
constexpr ProcessFacts kParentsNoRetries{true, false};

const ProcessEffects kSucceed = F::StoreOutput | F::EndNow | F::SetAttributeStates |
                                F::RecordFunctionRun | F::EmitEvent | F::ResolveGraph;
const ProcessEffects kFail =
    F::RecordErrors | F::EndNow | F::SetAttributeStates | F::EmitEvent | F::ResolveGraph;
const ProcessEffects kCancel = F::EndNow | F::SetAttributeStates | F::EmitEvent;
const ProcessEffects kCascade =
    F::EndNow | F::ReleaseFromParents | F::SetAttributeStates | F::EmitEvent;
const ProcessEffects kRequeueQuiet = F::ClearAssignment | F::RenewWaitDeadline |
                                     F::ClearExecDeadline | F::SetAttributeStates | F::EmitEvent |
                                     F::ResolveGraph;
const ProcessEffects kGone = kRequeueQuiet | F::ClearStartTime | F::ClearEndTime;
const ProcessEffects kRetry = kRequeueQuiet | F::BumpRetries | F::EndNow;
const ProcessEffects kAssign = F::Claim | F::StartNow | F::ClearEndTime | F::SetExecDeadline |
                               F::SetAttributeStates | F::FillInputs | F::EmitEvent |
                               F::ResolveGraph;

Case ok(S from, E ev, S to, ProcessEffects fx, ProcessFacts facts = kPlain,
        std::string_view error = {}) {
    return {from, ev, facts, Refusal::None, to, fx, error};
}
Case no(S from, E ev, Refusal why, ProcessFacts facts = kPlain) {
    return {from, ev, facts, why, from, {}};
}

// Rows with kPlain facts cover all 45 pairs; the rest show where facts change the outcome.
const std::vector<Case> kCases = {
    // WAITING
    ok(S::Waiting, E::Assign, S::Running, kAssign),
    no(S::Waiting, E::Assign, Refusal::AwaitingParents, kParents),
    no(S::Waiting, E::CloseOk, Refusal::NotRunning),
    no(S::Waiting, E::CloseFailed, Refusal::NotRunning),
    ok(S::Waiting, E::Cancel, S::Cancelled, kCancel),
    ok(S::Waiting, E::Cancel, S::Cancelled, kCancel, kParents),
    no(S::Waiting, E::ExecutorGone, Refusal::NotRunning),
    no(S::Waiting, E::ExecDeadline, Refusal::NotRunning),
    no(S::Waiting, E::ExecDeadline, Refusal::NotRunning, kNoRetries),
    ok(S::Waiting, E::WaitDeadline, S::Failed, kFail, kPlain,
       "Maximum waiting time limit exceeded"),
    ok(S::Waiting, E::WaitDeadline, S::Failed, kFail, kParents,
       "Maximum waiting time limit exceeded"),
    ok(S::Waiting, E::Cascade, S::Failed, kCascade),
    ok(S::Waiting, E::Cascade, S::Failed, kCascade, kParents),
    no(S::Waiting, E::ParentsDone, Refusal::NotAwaitingParents),
    ok(S::Waiting, E::ParentsDone, S::Waiting,
       F::ReleaseFromParents | F::NotifyReady | F::EmitEvent, kParents),
    // RUNNING
    no(S::Running, E::Assign, Refusal::NotWaiting),
    ok(S::Running, E::CloseOk, S::Success, kSucceed),
    ok(S::Running, E::CloseFailed, S::Failed, kFail),
    ok(S::Running, E::Cancel, S::Cancelled, kCancel),
    ok(S::Running, E::ExecutorGone, S::Waiting, kGone | F::NotifyReady),
    ok(S::Running, E::ExecutorGone, S::Waiting, kGone, kParents),
    ok(S::Running, E::ExecDeadline, S::Waiting, kRetry | F::NotifyReady),
    ok(S::Running, E::ExecDeadline, S::Waiting, kRetry, kParents),
    ok(S::Running, E::ExecDeadline, S::Failed, kFail, kNoRetries,
       "Maximum execution time limit exceeded"),
    ok(S::Running, E::ExecDeadline, S::Failed, kFail, kParentsNoRetries,
       "Maximum execution time limit exceeded"),
    no(S::Running, E::WaitDeadline, Refusal::NotWaiting),
    ok(S::Running, E::Cascade, S::Failed, kCascade),
    no(S::Running, E::ParentsDone, Refusal::NotWaiting),
    no(S::Running, E::ParentsDone, Refusal::NotWaiting, kParents),
    // SUCCESS: only a repeated close by its executor (6.1).
    no(S::Success, E::Assign, Refusal::Finished),
    ok(S::Success, E::CloseOk, S::Success, kSucceed),
    no(S::Success, E::CloseFailed, Refusal::Finished),
    no(S::Success, E::Cancel, Refusal::Finished),
    no(S::Success, E::ExecutorGone, Refusal::Finished),
    no(S::Success, E::ExecDeadline, Refusal::Finished),
    no(S::Success, E::WaitDeadline, Refusal::Finished),
    no(S::Success, E::Cascade, Refusal::Finished),
    no(S::Success, E::ParentsDone, Refusal::Finished),
    // FAILED
    no(S::Failed, E::Assign, Refusal::Finished),
    no(S::Failed, E::CloseOk, Refusal::Finished),
    no(S::Failed, E::CloseFailed, Refusal::Finished),
    no(S::Failed, E::Cancel, Refusal::Finished),
    no(S::Failed, E::ExecutorGone, Refusal::Finished),
    no(S::Failed, E::ExecDeadline, Refusal::Finished),
    no(S::Failed, E::WaitDeadline, Refusal::Finished),
    no(S::Failed, E::Cascade, Refusal::Finished),
    no(S::Failed, E::ParentsDone, Refusal::Finished),
    // CANCELLED
    no(S::Cancelled, E::Assign, Refusal::Finished),
    no(S::Cancelled, E::CloseOk, Refusal::Finished),
    no(S::Cancelled, E::CloseFailed, Refusal::Finished),
    no(S::Cancelled, E::Cancel, Refusal::Finished),
    no(S::Cancelled, E::ExecutorGone, Refusal::Finished),
    no(S::Cancelled, E::ExecDeadline, Refusal::Finished),
    no(S::Cancelled, E::WaitDeadline, Refusal::Finished),
    no(S::Cancelled, E::Cascade, Refusal::Finished),
    no(S::Cancelled, E::ParentsDone, Refusal::Finished),
};

TEST(ProcessStateMachine, EveryCaseOfTheTable) {
    for (const Case& c : kCases) {
        SCOPED_TRACE(::testing::Message()
                     << "from " << static_cast<int>(c.from) << " event "
                     << static_cast<int>(c.event) << " waitforparents " << c.facts.waitforparents
                     << " retries_left " << c.facts.retries_left);
        Transition t = next(c.from, c.event, c.facts);
        EXPECT_EQ(t.refusal, c.refusal);
        EXPECT_EQ(t.accepted(), c.refusal == Refusal::None);
        EXPECT_EQ(t.to, c.to);
        EXPECT_EQ(t.effects.bits(), c.effects.bits());
        EXPECT_EQ(t.error, c.error);
    }
}

TEST(ProcessStateMachine, TheTableCoversEveryPairWithPlainFacts) {
    std::set<std::pair<S, E>> covered;
    for (const Case& c : kCases) {
        if (c.facts.waitforparents != kPlain.waitforparents ||
            c.facts.retries_left != kPlain.retries_left)
            continue;
        EXPECT_TRUE(covered.insert({c.from, c.event}).second) << "listed twice";
    }
    for (S s : kStates) {
        for (E e : kAllProcessEvents) {
            EXPECT_TRUE(covered.count({s, e})) << "missing a pair";
        }
    }
}

TEST(ProcessStateMachine, FactsMatterOnlyWhereTheTableSaysSo) {
    // Parents pending guard assign and parents-done and silence the ready notice of a requeue;
    // retries decide an exec timeout. Every other outcome is the plain-facts one.
    const std::set<E> fact_dependent = {E::Assign, E::ParentsDone, E::ExecDeadline,
                                        E::ExecutorGone};
    for (S s : kStates)
        for (E e : kAllProcessEvents)
            for (ProcessFacts f : {kPlain, kParents, kNoRetries, kParentsNoRetries}) {
                Transition t = next(s, e, f);
                if (!t.accepted()) {
                    EXPECT_EQ(t.to, s);
                    EXPECT_EQ(t.effects.bits(), 0u);
                    EXPECT_TRUE(t.error.empty());
                }
                if (fact_dependent.count(e)) continue;
                Transition plain = next(s, e, kPlain);
                EXPECT_EQ(t.refusal, plain.refusal);
                EXPECT_EQ(t.to, plain.to);
                EXPECT_EQ(t.effects.bits(), plain.effects.bits());
                EXPECT_EQ(t.error, plain.error);
            }
}

TEST(ProcessStateMachine, FinalStatesAcceptOnlyARepeatedClose) {
    for (S s : kStates)
        for (E e : kAllProcessEvents) {
            if (!is_final(s)) continue;
            EXPECT_EQ(next(s, e, kPlain).accepted(), s == S::Success && e == E::CloseOk);
        }
}

TEST(ProcessStateMachine, WireNumbersOfStates) {
    EXPECT_EQ(parse_process_state(0), S::Waiting);
    EXPECT_EQ(parse_process_state(1), S::Running);
    EXPECT_EQ(parse_process_state(2), S::Success);
    EXPECT_EQ(parse_process_state(3), S::Failed);
    EXPECT_EQ(parse_process_state(4), S::Cancelled);
    EXPECT_EQ(parse_process_state(-1), std::nullopt);
    EXPECT_EQ(parse_process_state(5), std::nullopt);
    EXPECT_EQ(parse_process_state(INT64_MIN), std::nullopt);
}

TEST(ProcessStateMachine, RetriesLeftFollowMaxRetries) {
    Process p;
    p.spec.maxretries = 2;
    p.retries = 1;
    EXPECT_TRUE(facts_of(p).retries_left);
    p.retries = 2;  // maxretries = N allows N + 1 executions (6.6)
    EXPECT_FALSE(facts_of(p).retries_left);
    p.spec.maxretries = -1;  // unlimited
    p.retries = 1000;
    EXPECT_TRUE(facts_of(p).retries_left);
    p.spec.maxretries = 0;
    p.retries = 0;
    EXPECT_FALSE(facts_of(p).retries_left);
    p.waitforparents = true;
    EXPECT_TRUE(facts_of(p).waitforparents);
}

// --- What apply() does to the record ------------------------------------------------------------

const Time kNow = Time::from_ns(1'700'000'000'000'000'000);

Process running_process() {
    Process p;
    p.state = S::Running;
    p.isassigned = true;
    p.assignedexecutorid = "exec";
    p.starttime = kNow.plus_seconds(-30);
    p.execdeadline = kNow.plus_seconds(-1);
    p.waitdeadline = kNow.plus_seconds(-100);
    p.spec.maxexectime = 20;
    p.spec.maxwaittime = 60;
    p.spec.maxretries = 3;
    p.retries = 1;
    p.attributes.resize(2);
    for (auto& a : p.attributes) a.state = S::Running;
    return p;
}

Process applied(Process p, E ev, TransitionInput in = {}) {
    Transition t = next(p.state, ev, facts_of(p));
    EXPECT_TRUE(t.accepted());
    apply(p, t, kNow, std::move(in));
    return p;
}

TEST(ProcessRecord, AssignClaimsAndSetsTheExecDeadline) {
    Process p;
    p.endtime = kNow.plus_seconds(-5);
    p.spec.maxexectime = 20;
    p.attributes.resize(1);
    p = applied(std::move(p), E::Assign, {.executorid = "exec"});
    EXPECT_EQ(p.state, S::Running);
    EXPECT_TRUE(p.isassigned);
    EXPECT_EQ(p.assignedexecutorid, "exec");
    EXPECT_EQ(p.starttime, kNow);
    EXPECT_TRUE(p.endtime.is_zero());
    EXPECT_EQ(p.execdeadline, kNow.plus_seconds(20));
    EXPECT_EQ(p.attributes[0].state, S::Running);

    Process q;
    q.spec.maxexectime = 0;  // 6.6 quirk: no deadline at all
    q = applied(std::move(q), E::Assign, {.executorid = "exec"});
    EXPECT_TRUE(q.execdeadline.is_zero());
}

TEST(ProcessRecord, CloseOkReplacesOutputOnlyWhenGiven) {
    Process p = running_process();
    p.out = boost::json::array{"old"};
    Process kept = applied(p, E::CloseOk);
    EXPECT_EQ(kept.out, (boost::json::array{"old"}));
    EXPECT_EQ(kept.state, S::Success);
    EXPECT_EQ(kept.endtime, kNow);
    EXPECT_EQ(kept.attributes[1].state, S::Success);
    EXPECT_TRUE(kept.isassigned);
    Process replaced = applied(p, E::CloseOk, {.out = boost::json::array{"new"}});
    EXPECT_EQ(replaced.out, (boost::json::array{"new"}));
}

TEST(ProcessRecord, FailuresRecordTheirErrors) {
    Process closed = applied(running_process(), E::CloseFailed, {.errors = {"boom", "bang"}});
    EXPECT_EQ(closed.state, S::Failed);
    EXPECT_EQ(closed.errors, (std::vector<std::string>{"boom", "bang"}));
    EXPECT_EQ(closed.endtime, kNow);

    Process last = running_process();
    last.retries = 3;
    last = applied(std::move(last), E::ExecDeadline, {.errors = {"ignored"}});
    EXPECT_EQ(last.state, S::Failed);
    EXPECT_EQ(last.errors, (std::vector<std::string>{"Maximum execution time limit exceeded"}));
    EXPECT_EQ(last.retries, 3);
}

TEST(ProcessRecord, ExecTimeoutWithRetriesLeftRequeues) {
    Process p = applied(running_process(), E::ExecDeadline);
    EXPECT_EQ(p.state, S::Waiting);
    EXPECT_FALSE(p.isassigned);
    EXPECT_EQ(p.assignedexecutorid, "");
    EXPECT_EQ(p.retries, 2);
    EXPECT_EQ(p.endtime, kNow);
    EXPECT_EQ(p.starttime, kNow.plus_seconds(-30));  // unchanged (6.1)
    EXPECT_TRUE(p.execdeadline.is_zero());
    EXPECT_EQ(p.waitdeadline, kNow.plus_seconds(60));
    EXPECT_EQ(p.attributes[0].state, S::Waiting);
}

TEST(ProcessRecord, ExecutorGoneRequeuesWithoutARetry) {
    Process r = running_process();
    r.spec.maxwaittime = 0;  // no wait deadline: the old one stays
    Process p = applied(std::move(r), E::ExecutorGone);
    EXPECT_EQ(p.state, S::Waiting);
    EXPECT_FALSE(p.isassigned);
    EXPECT_EQ(p.retries, 1);
    EXPECT_TRUE(p.starttime.is_zero());
    EXPECT_TRUE(p.endtime.is_zero());
    EXPECT_TRUE(p.execdeadline.is_zero());
    EXPECT_EQ(p.waitdeadline, kNow.plus_seconds(-100));
}

TEST(ProcessRecord, CancelKeepsTheAssignment) {
    Process p = applied(running_process(), E::Cancel);
    EXPECT_EQ(p.state, S::Cancelled);
    EXPECT_EQ(p.endtime, kNow);
    EXPECT_TRUE(p.isassigned);
    EXPECT_EQ(p.assignedexecutorid, "exec");
    EXPECT_EQ(p.attributes[0].state, S::Cancelled);
}

TEST(ProcessRecord, CascadeAndParentsDoneReleaseFromParents) {
    Process child;
    child.waitforparents = true;
    Process failed = applied(child, E::Cascade);
    EXPECT_EQ(failed.state, S::Failed);
    EXPECT_FALSE(failed.waitforparents);
    EXPECT_EQ(failed.endtime, kNow);
    EXPECT_TRUE(failed.errors.empty());

    Process released = applied(child, E::ParentsDone);
    EXPECT_EQ(released.state, S::Waiting);
    EXPECT_FALSE(released.waitforparents);
    EXPECT_TRUE(released.endtime.is_zero());
}

TEST(GraphState, FromItsProcesses) {
    EXPECT_EQ(graph_state({}), S::Waiting);
    EXPECT_EQ(graph_state({S::Waiting, S::Waiting}), S::Waiting);
    EXPECT_EQ(graph_state({S::Success, S::Waiting}), S::Running);
    EXPECT_EQ(graph_state({S::Running, S::Waiting}), S::Running);
    EXPECT_EQ(graph_state({S::Success, S::Success}), S::Success);
    EXPECT_EQ(graph_state({S::Cancelled, S::Success}), S::Cancelled);
    EXPECT_EQ(graph_state({S::Cancelled, S::Failed}), S::Failed);
}

}  // namespace
