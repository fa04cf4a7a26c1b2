// Process history, pause/resume, executor capabilities and retention (issue 14) against a real
// server: getprocesshistmsg and the transitions ledger, assign held while a colony is paused and
// released by resume (408/503 as features.md 7.6 says), the owner-only rules, updateexecutormsg
// and reportallocationmsg, and a retention pass with a short policy. The CLI commands too.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <thread>

#include "cli_support.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;
const std::string& kExec = DevIdentity::executor_prvkey;
const std::string& kOwner = DevIdentity::colony_prvkey;

class Ledger : public ::testing::Test {
  protected:
    explicit Ledger(ServerConfig cfg = {}) : server_(std::move(cfg)) {}
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }
    Process submit(const std::string& fn = "work") {
        auto p = c_->submit(Fixture::simple_spec("dev", "cli", fn), kExec);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
};

// ---- pause and resume -------------------------------------------------------------------

TEST_F(Ledger, PausedAssignWaitsUntilResume) {
    ASSERT_TRUE(c_->pause_assignments("dev", kOwner));
    EXPECT_EQ(c_->get_pause_status("dev", kExec).value(), true);
    const auto p = submit();
    auto poll = std::async(std::launch::async, [this] {
        auto c = server_.make_client();
        return c.assign("dev", 30, kExec);
    });
    auto watch = server_.make_client();
    ASSERT_TRUE(wait_for_metric(watch, "colonies_assign_waiters", 1, 10s));
    // A process is waiting, yet the paused poll does not take it.
    EXPECT_EQ(poll.wait_for(1500ms), std::future_status::timeout);
    EXPECT_EQ(c_->get_process(p.processid, kExec)->state, ProcessState::Waiting);
    const auto resumed_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(c_->resume_assignments("dev", kOwner));
    ASSERT_EQ(poll.wait_for(10s), std::future_status::ready);
    EXPECT_LT(std::chrono::steady_clock::now() - resumed_at, 2s);  // woken, not timed out
    auto got = poll.get();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->processid, p.processid);
    EXPECT_EQ(c_->get_pause_status("dev", kExec).value(), false);
}

TEST_F(Ledger, PausedAssignTimesOutWith408AndWithoutTimeoutAnswers503) {
    submit();
    ASSERT_TRUE(c_->pause_assignments("dev", kOwner));
    auto now = c_->assign("dev", -1, kExec);
    ASSERT_FALSE(now.ok());
    EXPECT_EQ(now.error().status, 503);
    EXPECT_EQ(now.error().message, "No processes available: colony assignments are paused");
    auto later = c_->assign("dev", 1, kExec);
    ASSERT_FALSE(later.ok());
    EXPECT_EQ(later.error().status, 408);
    EXPECT_EQ(later.error().message, "Assignment timeout: colony assignments are paused");
    // Pausing twice is fine; after resume the waiting process is handed out at once.
    ASSERT_TRUE(c_->pause_assignments("dev", kOwner));
    ASSERT_TRUE(c_->resume_assignments("dev", kOwner));
    EXPECT_TRUE(c_->assign("dev", -1, kExec).ok());
}

TEST_F(Ledger, OnlyTheColonyOwnerPausesAndOnlyMembersReadTheFlag) {
    auto by_member = c_->pause_assignments("dev", kExec);
    ASSERT_FALSE(by_member.ok());
    EXPECT_EQ(by_member.error().status, 403);
    EXPECT_EQ(by_member.error().message, "Access denied, not colony owner");
    EXPECT_FALSE(c_->resume_assignments("dev", kExec).ok());
    EXPECT_EQ(c_->get_pause_status("dev", kExec).value(), false);
    auto stranger = c_->get_pause_status("dev", Identity::fresh().prvkey);
    ASSERT_FALSE(stranger.ok());
    EXPECT_EQ(stranger.error().status, 403);
    auto unknown = c_->pause_assignments("nope", kOwner);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message, "Colony with name nope does not exists");
}

TEST_F(Ledger, PauseStatusRepliesWithItsOwnPayloadType) {
    ASSERT_TRUE(c_->pause_assignments("dev", kOwner));
    const std::string payload =
        rpc::base64_encode(R"({"msgtype":"getpausestatusmsg","colonyname":"dev"})");
    auto sig = crypto::sign(payload, kExec);
    ASSERT_TRUE(sig.ok());
    auto r = c_->post_raw(rpc::encode_request("getpausestatusmsg", payload, *sig));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->first, 200) << r->second;
    auto env = boost::json::parse(r->second).as_object();
    EXPECT_EQ(env.at("payloadtype").as_string(), "pausestatusreplymsg");
    auto body = boost::json::parse(*rpc::base64_decode(std::string(env.at("payload").as_string())));
    EXPECT_EQ(body, boost::json::parse(
                        R"({"msgtype":"pausestatusreplymsg","colonyname":"dev","ispaused":true})"));
}

TEST_F(Ledger, RemovingAColonyClearsItsPause) {
    ASSERT_TRUE(c_->pause_assignments("dev", kOwner));
    ASSERT_TRUE(c_->remove_colony("dev", DevIdentity::server_prvkey));
    Fixture::setup_dev(*c_);
    EXPECT_EQ(c_->get_pause_status("dev", kExec).value(), false);
    submit();
    EXPECT_TRUE(c_->assign("dev", -1, kExec).ok());
}

// ---- history -----------------------------------------------------------------------------

TEST_F(Ledger, HistoryListsProcessesOfAStateSubmittedLately) {
    const auto a = submit("a"), b = submit("b"), w = submit("w");
    for (int i = 0; i < 2; ++i) {
        auto p = c_->assign("dev", 5, kExec);
        ASSERT_TRUE(p.ok());
        if (p->processid == a.processid)
            ASSERT_TRUE(c_->close_successful(p->processid, {}, kExec));
        else
            ASSERT_TRUE(c_->close_failed(p->processid, {"x"}, kExec));
    }
    auto ids = [](const std::vector<Process>& ps) {
        std::vector<std::string> out;
        for (const auto& p : ps) out.push_back(p.processid);
        return out;
    };
    auto ok = c_->get_process_history("dev", "", 60, ProcessState::Success, kExec);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ids(*ok), std::vector<std::string>{a.processid});
    auto failed = c_->get_process_history("dev", "", 60, ProcessState::Failed, kExec);
    EXPECT_EQ(ids(*failed), std::vector<std::string>{b.processid});
    auto waiting = c_->get_process_history("dev", "", 60, ProcessState::Waiting, kExec);
    EXPECT_EQ(ids(*waiting), std::vector<std::string>{w.processid});
    // Of one executor: those it was assigned (a WAITING process is nobody's).
    auto mine =
        c_->get_process_history("dev", DevIdentity::executor_id, 60, ProcessState::Success, kExec);
    EXPECT_EQ(ids(*mine), std::vector<std::string>{a.processid});
    EXPECT_TRUE(
        c_->get_process_history("dev", Identity::fresh().id, 60, ProcessState::Success, kExec)
            ->empty());
    // Oldest submission first; a window that ends before them is empty.
    ASSERT_TRUE(c_->assign("dev", 5, kExec).ok());
    std::this_thread::sleep_for(1100ms);
    auto running = c_->get_process_history("dev", "", 60, ProcessState::Running, kExec);
    EXPECT_EQ(ids(*running), std::vector<std::string>{w.processid});
    EXPECT_TRUE(c_->get_process_history("dev", "", 1, ProcessState::Running, kExec)->empty());
    auto stranger =
        c_->get_process_history("dev", "", 60, ProcessState::Success, Identity::fresh().prvkey);
    ASSERT_FALSE(stranger.ok());
    EXPECT_EQ(stranger.error().status, 403);
    auto bad = c_->call("getprocesshistmsg", {{"colonyname", "dev"}, {"seconds", 60}, {"state", 9}},
                        kExec);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().status, 400);
}

// Without COLONIES_PROCESS_LEDGER the transitions are read from the process record.
TEST_F(Ledger, WithoutTheLedgerTransitionsComeFromTheRecord) {
    const auto p = submit();
    auto a = c_->assign("dev", 5, kExec);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(c_->close_failed(p.processid, {"boom"}, kExec));
    auto ts = c_->get_process_transitions(p.processid, kExec);
    ASSERT_TRUE(ts.ok()) << ts.error().message;
    ASSERT_EQ(ts->size(), 3u);
    EXPECT_EQ((*ts)[0].event, "submit");
    EXPECT_EQ((*ts)[1].event, "assign");
    EXPECT_EQ((*ts)[1].time, a->starttime);
    EXPECT_EQ((*ts)[1].executorid, DevIdentity::executor_id);
    EXPECT_EQ((*ts)[2].event, "closefailed");
    EXPECT_EQ((*ts)[2].state, ProcessState::Failed);
    auto stranger = c_->get_process_transitions(p.processid, Identity::fresh().prvkey);
    ASSERT_FALSE(stranger.ok());
    EXPECT_EQ(stranger.error().status, 403);
}

class WithLedger : public Ledger {
  protected:
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_env = {{"COLONIES_PROCESS_LEDGER", "true"}};
        return cfg;
    }
    WithLedger() : Ledger(config()) {}
};

TEST_F(WithLedger, TransitionsRecordEveryChangeWithItsExecutorAndGoWithTheProcess) {
    const auto p = submit();
    ASSERT_TRUE(c_->assign("dev", 5, kExec).ok());
    // The executor is removed: its process goes back to WAITING, then to it again once re-added.
    ASSERT_TRUE(
        c_->call("removeexecutormsg", {{"colonyname", "dev"}, {"executorname", "exec1"}}, kOwner));
    Fixture::add_approved_executor(*c_, "dev", "exec1", "cli", kExec, kOwner);
    ASSERT_TRUE(c_->assign("dev", 5, kExec).ok());
    ASSERT_TRUE(c_->close_successful(p.processid, {}, kExec));
    auto ts = c_->get_process_transitions(p.processid, kExec);
    ASSERT_TRUE(ts.ok()) << ts.error().message;
    std::vector<std::string> events;
    for (const auto& t : *ts) events.push_back(t.event);
    EXPECT_EQ(events, (std::vector<std::string>{"submit", "assign", "executorgone", "assign",
                                                "closesuccessful"}));
    ASSERT_EQ(ts->size(), 5u);
    EXPECT_EQ((*ts)[0].time, p.submissiontime);
    EXPECT_EQ((*ts)[1].state, ProcessState::Running);
    EXPECT_EQ((*ts)[1].executorid, DevIdentity::executor_id);
    EXPECT_EQ((*ts)[2].state, ProcessState::Waiting);
    EXPECT_EQ((*ts)[2].executorid, DevIdentity::executor_id);  // whom it was taken from
    EXPECT_EQ((*ts)[4].state, ProcessState::Success);
    for (size_t i = 1; i < ts->size(); ++i) EXPECT_GE((*ts)[i].time.ns, (*ts)[i - 1].time.ns);
    ASSERT_TRUE(c_->remove_process(p.processid, kExec));
    auto gone = c_->get_process_transitions(p.processid, kExec);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().status, 404);
}

// ---- executor capabilities and allocations -----------------------------------------------

TEST_F(Ledger, AnExecutorReplacesItsOwnCapabilitiesAndAllocations) {
    auto caps =
        boost::json::parse(
            R"({"hardware":[{"model":"m1","cores":8,"gpu":{"count":2},"network":["10.0.0.1"]}],
                        "software":[{"name":"python","type":"runtime","version":"3.11"}]})")
            .as_object();
    ASSERT_TRUE(c_->update_executor_capabilities("dev", "exec1", caps, kExec));
    auto allocs =
        boost::json::parse(R"({"projects":{"p1":{"allocatedcpu":10,"usedcpu":3}}})").as_object();
    ASSERT_TRUE(c_->report_allocations("dev", "exec1", allocs, kExec));
    auto e = c_->get_executor("dev", "exec1", kExec);
    ASSERT_TRUE(e.ok());
    auto v = to_json(*e).as_object();
    EXPECT_EQ(v.at("capabilities"),
              boost::json::parse(R"({"hardware":[{"model":"m1","nodes":0,"cpu":"","cores":8,
                  "mem":"","storage":"","gpu":{"name":"","mem":"","count":2,"nodecount":0},
                  "platform":"","architecture":"","network":["10.0.0.1"]}],
                  "software":[{"name":"python","type":"runtime","version":"3.11"}]})"));
    EXPECT_EQ(v.at("allocations"),
              boost::json::parse(R"({"projects":{"p1":{"allocatedcpu":10,"usedcpu":3,
                  "allocatedgpu":0,"usedgpu":0,"allocatedstorage":0,"usedstorage":0}}})"));
    // Every executor reply carries them, the listing too.
    auto all = c_->get_executors("dev", kExec);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(to_json(all->at(0)).as_object().at("capabilities"), v.at("capabilities"));

    // Another executor of the colony may not write them; an unknown name is refused.
    auto other = Identity::fresh();
    Fixture::add_approved_executor(*c_, "dev", "exec2", "cli", other.prvkey, kOwner);
    auto refused = c_->update_executor_capabilities("dev", "exec1", {}, other.prvkey);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status, 400);
    EXPECT_EQ(refused.error().message, "Only an executor can update its own capabilities");
    auto refused2 = c_->report_allocations("dev", "exec1", {}, other.prvkey);
    ASSERT_FALSE(refused2.ok());
    EXPECT_EQ(refused2.error().message, "Only an executor can report allocations to itself");
    auto unknown = c_->update_executor_capabilities("dev", "ghost", {}, kExec);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message, "Executor with name ghost does not exist");
    auto bad = c_->call("updateexecutormsg",
                        {{"colonyname", "dev"},
                         {"executorname", "exec1"},
                         {"capabilities", {{"hardware", {{"cores", "8"}}}}}},
                        kExec);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().status, 400);
    // Nothing of the refused calls was stored.
    EXPECT_EQ(to_json(*c_->get_executor("dev", "exec1", kExec)).as_object().at("capabilities"),
              v.at("capabilities"));
}

// ---- retention ---------------------------------------------------------------------------

class Retention : public Ledger {
  protected:
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_env = {{"COLONIES_RETENTION", "true"},
                         {"COLONIES_RETENTION_POLICY", "2"},
                         {"COLONIES_RETENTION_INTERVAL", "1"}};
        return cfg;
    }
    Retention() : Ledger(config()) {}
};

TEST_F(Retention, OldSuccessfulProcessesGraphsAndAllLogsGoFailedOnesStay) {
    const auto ok = submit("ok"), bad = submit("bad");
    for (int i = 0; i < 2; ++i) {
        auto p = c_->assign("dev", 5, kExec);
        ASSERT_TRUE(p.ok());
        ASSERT_TRUE(c_->add_log(p->processid, "line\n", kExec));
        if (p->processid == ok.processid)
            ASSERT_TRUE(c_->close_successful(p->processid, {}, kExec));
        else
            ASSERT_TRUE(c_->close_failed(p->processid, {"x"}, kExec));
    }
    WorkflowSpec wf;
    wf.colonyname = "dev";
    auto spec = Fixture::simple_spec("dev", "cli", "step");
    spec.nodename = "only";
    wf.functionspecs.push_back(spec);
    auto g = c_->submit_workflow(wf, kExec);
    ASSERT_TRUE(g.ok()) << g.error().message;
    auto step = c_->assign("dev", 5, kExec);
    ASSERT_TRUE(step.ok());
    ASSERT_TRUE(c_->close_successful(step->processid, {}, kExec));
    const auto young = submit("young");  // WAITING: never a candidate

    auto gone = [&](const std::string& id) {
        auto p = c_->get_process(id, kExec);
        return !p.ok() && p.error().status == 404;
    };
    const auto end = std::chrono::steady_clock::now() + 15s;
    while (!(gone(ok.processid) && gone(step->processid)) && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(gone(ok.processid));
    EXPECT_TRUE(gone(step->processid));
    EXPECT_FALSE(c_->get_process_graph(g->processgraphid, kExec).ok());
    EXPECT_EQ(c_->get_process(bad.processid, kExec)->state, ProcessState::Failed);
    EXPECT_EQ(c_->get_process(young.processid, kExec)->state, ProcessState::Waiting);
    // All logs older than the policy go, the failed process's too.
    client::Client::LogQuery q{"dev", bad.processid, "", 100, 0, false};
    EXPECT_TRUE(c_->get_logs(q, kExec)->empty());
}

// ---- CLI ---------------------------------------------------------------------------------

TEST(CliLedger, PauseResumeStatusAndHistory) {
    cli::DevServer dev;
    auto status = dev.run({"process", "status"});
    ASSERT_EQ(status.code, 0) << status.err;
    EXPECT_NE(status.err.find("Colony process assignments are ACTIVE"), std::string::npos)
        << status.err;
    auto paused = dev.run({"process", "pause"});
    ASSERT_EQ(paused.code, 0) << paused.err;
    EXPECT_NE(paused.err.find("Colony process assignments have been paused"), std::string::npos);
    auto json = dev.run({"process", "status", "--json"});
    ASSERT_EQ(json.code, 0) << json.err;
    EXPECT_EQ(boost::json::parse(json.out).as_object().at("ispaused"), boost::json::value(true))
        << json.out;
    auto resumed = dev.run({"process", "resume"});
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    EXPECT_NE(resumed.err.find("Colony process assignments have been resumed"), std::string::npos);
    EXPECT_NE(dev.run({"process", "status"}).err.find("ACTIVE"), std::string::npos);

    cli::write_file(dev.dir() + "/s.json",
                    R"({"conditions": {"executortype": "cli"}, "funcname": "histfn"})");
    auto sub = dev.run({"function", "submit", "--spec", dev.dir() + "/s.json"});
    ASSERT_EQ(sub.code, 0) << sub.err;
    const std::string id = cli::field(sub.err, "ProcessId");
    ASSERT_EQ(dev.run({"process", "assign", "--timeout", "5"}).code, 0);
    ASSERT_EQ(dev.run({"process", "close", "-p", id}).code, 0);

    auto hist = dev.run({"process", "history"});
    ASSERT_EQ(hist.code, 0) << hist.err;
    EXPECT_NE(hist.out.find(id), std::string::npos) << hist.out;
    EXPECT_NE(hist.out.find("histfn"), std::string::npos) << hist.out;
    auto none = dev.run({"process", "history", "--state", "failed", "--json"});
    ASSERT_EQ(none.code, 0) << none.err;
    EXPECT_TRUE(boost::json::parse(none.out).as_array().empty()) << none.out;
    auto one = dev.run({"process", "history", "-p", id, "--json"});
    ASSERT_EQ(one.code, 0) << one.err;
    const auto ts = boost::json::parse(one.out).as_array();
    ASSERT_EQ(ts.size(), 3u) << one.out;
    EXPECT_EQ(ts[2].as_object().at("event").as_string(), "closesuccessful");
    auto table = dev.run({"process", "history", "-p", id});
    ASSERT_EQ(table.code, 0) << table.err;
    EXPECT_NE(table.out.find("closesuccessful"), std::string::npos) << table.out;
}

}  // namespace
}  // namespace colonies::it
