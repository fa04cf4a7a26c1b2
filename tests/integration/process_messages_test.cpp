// The process messages an executor and a member use around a run (protocol.md 6.7, 6.8):
// attributes of every type, setoutputmsg and cancelprocessmsg, with upstream's rules and error
// texts, against a real server.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <thread>

#include "client/subscribe.hpp"
#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

const Identity kOther = Identity::fresh();  // a second approved executor of the colony

class ProcessMessages : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
        Fixture::add_approved_executor(*c_, "dev", "exec2", "other", kOther.prvkey,
                                       DevIdentity::colony_prvkey);
    }
    Process submit() {
        auto p =
            c_->submit(Fixture::simple_spec("dev", "cli", "echo"), DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    Process assign() {
        auto p = c_->assign("dev", 5, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    Process get(const std::string& id) {
        auto p = c_->get_process(id, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    static Attribute attribute(const std::string& target, AttributeType type,
                               const std::string& key) {
        Attribute a;
        a.targetid = target;
        a.targetcolonyname = "dev";
        a.attributetype = type;
        a.key = key;
        a.value = key + "-value";
        return a;
    }
    static void expect_error(const Status& s, int status, const std::string& message) {
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().status, status);
        EXPECT_EQ(s.error().message, message);
    }
    template <class T>
    static void expect_error(const Result<T>& r, int status, const std::string& message) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().status, status);
        EXPECT_EQ(r.error().message, message);
    }

    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
};

TEST_F(ProcessMessages, AttributesOfEveryTypeByTheAssignedExecutorWhileRunning) {
    const auto p = submit();
    expect_error(c_->add_attribute(attribute(p.processid, AttributeType::Out, "early"),
                                   DevIdentity::executor_prvkey),
                 403, "Failed to add attribute, process is not running");
    assign();
    expect_error(
        c_->add_attribute(attribute(p.processid, AttributeType::Out, "stranger"), kOther.prvkey),
        403,
        "Failed to add attribute, only executor with id " + DevIdentity::executor_id +
            " is allowed to set attributes");

    std::vector<Attribute> added;
    for (auto type :
         {AttributeType::In, AttributeType::Out, AttributeType::Err, AttributeType::Env}) {
        auto a = c_->add_attribute(
            attribute(p.processid, type, "k" + std::to_string(static_cast<int>(type))),
            DevIdentity::executor_prvkey);
        ASSERT_TRUE(a.ok()) << a.error().message;
        EXPECT_EQ(a->attributeid.size(), 64u);
        EXPECT_EQ(a->targetid, p.processid);
        EXPECT_EQ(a->attributetype, type);
        auto back = c_->get_attribute(a->attributeid, kOther.prvkey);  // any member reads
        ASSERT_TRUE(back.ok()) << back.error().message;
        EXPECT_EQ(to_json(*back), to_json(*a));
        added.push_back(*a);
    }
    auto now = get(p.processid);
    for (const auto& a : added) {
        bool found = false;
        for (const auto& have : now.attributes) found |= have.attributeid == a.attributeid;
        EXPECT_TRUE(found) << a.key;
    }
    expect_error(c_->get_attribute(std::string(64, 'a'), DevIdentity::executor_prvkey), 404,
                 "Failed to get attribute, attribute not found");

    ASSERT_TRUE(c_->close_successful(p.processid, {}, DevIdentity::executor_prvkey));
    expect_error(c_->add_attribute(attribute(p.processid, AttributeType::Out, "late"),
                                   DevIdentity::executor_prvkey),
                 403, "Failed to add attribute, process is not running");
}

TEST_F(ProcessMessages, SetOutputReplacesOutWhileRunning) {
    const auto p = submit();
    auto early = c_->set_output(p.processid, {"x"}, DevIdentity::executor_prvkey);
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().status, 403);  // not its executor (yet), so not allowed
    assign();
    ASSERT_TRUE(c_->set_output(p.processid, {"a", 1}, DevIdentity::executor_prvkey));
    EXPECT_EQ(get(p.processid).out, (boost::json::array{"a", 1}));
    ASSERT_TRUE(c_->set_output(p.processid, {"b"}, DevIdentity::executor_prvkey));
    EXPECT_EQ(get(p.processid).out, (boost::json::array{"b"}));
    ASSERT_TRUE(c_->set_output(p.processid, {}, DevIdentity::executor_prvkey));  // no change
    EXPECT_EQ(get(p.processid).out, (boost::json::array{"b"}));
    expect_error(c_->set_output(p.processid, {"c"}, kOther.prvkey), 403,
                 "Failed to close process as successful, not allowed to close process as "
                 "successful");
    expect_error(c_->set_output(std::string(64, 'e'), {"c"}, DevIdentity::executor_prvkey), 500,
                 "Failed to set output, process is nil");
    EXPECT_EQ(get(p.processid).state, ProcessState::Running);
    ASSERT_TRUE(c_->close_failed(p.processid, {"gave up"}, DevIdentity::executor_prvkey));
    expect_error(c_->set_output(p.processid, {"c"}, DevIdentity::executor_prvkey), 403,
                 "Failed to set output, process is not running");
    EXPECT_EQ(get(p.processid).out, (boost::json::array{"b"}));
}

TEST_F(ProcessMessages, CancelEndsWaitingAndRunningProcessesOnly) {
    // WAITING -> CANCELLED, and never assigned afterwards.
    const auto waiting = submit();
    ASSERT_TRUE(c_->cancel_process(waiting.processid, kOther.prvkey));  // any member
    auto w = get(waiting.processid);
    EXPECT_EQ(w.state, ProcessState::Cancelled);
    EXPECT_FALSE(w.endtime.is_zero());
    EXPECT_FALSE(c_->assign("dev", -1, DevIdentity::executor_prvkey).ok());
    expect_error(c_->cancel_process(waiting.processid, DevIdentity::executor_prvkey), 400,
                 "Tried to cancel already cancelled process");

    // RUNNING -> CANCELLED: the executor stays assigned, hears of it by subscription, and its
    // close is refused.
    const auto running = submit();
    assign();
    std::optional<Result<Process>> heard;
    std::thread listener([&] {
        heard = client::wait_for_process(server_.client_options(), "dev", running.processid,
                                         ProcessState::Cancelled, 20, DevIdentity::executor_prvkey);
    });
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", 1, 20s));
    EXPECT_TRUE(c_->cancel_process(running.processid, DevIdentity::executor_prvkey).ok());
    listener.join();
    ASSERT_TRUE(heard && heard->ok()) << (heard ? heard->error().message : "");
    EXPECT_EQ(heard->value().state, ProcessState::Cancelled);
    EXPECT_EQ(heard->value().assignedexecutorid, DevIdentity::executor_id);
    expect_error(c_->close_successful(running.processid, {}, DevIdentity::executor_prvkey), 400,
                 "Tried to set cancelled process as successful");

    // Finished processes, and processes of a workflow, are not cancelled one by one.
    const auto done = submit();
    assign();
    ASSERT_TRUE(c_->close_successful(done.processid, {}, DevIdentity::executor_prvkey));
    expect_error(c_->cancel_process(done.processid, DevIdentity::executor_prvkey), 400,
                 "Tried to cancel successful process");
    auto spec = Fixture::simple_spec("dev", "cli", "step");
    spec.nodename = "step";
    auto g = c_->submit_workflow(WorkflowSpec{"dev", {spec}}, DevIdentity::executor_prvkey);
    ASSERT_TRUE(g.ok()) << g.error().message;
    ASSERT_EQ(g->processids.size(), 1u);
    expect_error(c_->cancel_process(g->processids[0], DevIdentity::executor_prvkey), 400,
                 "Failed to cancel, cannot cancel a process part of a workflow, cancel the entire "
                 "workflow instead");
    expect_error(c_->cancel_process(std::string(64, 'c'), DevIdentity::executor_prvkey), 500,
                 "Failed to cancel process, process is nil");
}

}  // namespace
}  // namespace colonies::it
