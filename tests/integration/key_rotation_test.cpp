// Key rotation (protocol.md 5.15, docs/security.md): for each principal, every message class its
// key could send is accepted before the change, refused (403) with the old key after it and
// accepted with the new key; nothing else of the record changes. Then the errors (empty,
// wrong-length and non-hex ids, non-owners, ids in use), the executor's running work following
// it to its new key, parked long polls of an old key released at once, and a changed server id
// surviving a restart with COLONIES_INITDB still set.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "client/subscribe.hpp"
#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

Status status_of(const Result<json::value>& r) {
    if (!r) return r.error();
    return ok_status();
}

template <class T>
Status status_of(const Result<T>& r) {
    if (!r) return r.error();
    return ok_status();
}

// The keys valid now, per role; probes use them for their set-up steps, so only the message
// under test is signed with the key being checked.
struct Keys {
    std::string server = DevIdentity::server_prvkey;
    std::string colony = DevIdentity::colony_prvkey;
    std::string executor = DevIdentity::executor_prvkey;
    std::string user;
    std::string user_id;
};

// One message class of a role: sends it signed with `key`.
struct Probe {
    std::string msgtype;
    std::function<Status(const std::string& key)> send;
};

class KeyRotation : public ::testing::Test {
  protected:
    void SetUp() override {
        Fixture::setup_dev(c);
        auto u = Identity::fresh();
        keys.user = u.prvkey;
        keys.user_id = u.id;
        ASSERT_TRUE(c.add_user(User{"dev", u.id, "alice", "a@x", "1"}, keys.colony).ok());
        ASSERT_TRUE(c.add_location(Location{"", "lab", "dev", "", 1, 2}, keys.colony).ok());
    }

    std::string unique(const std::string& base) { return base + std::to_string(++counter); }

    Status call(const std::string& type, json::object msg, const std::string& key) {
        return status_of(c.call(type, std::move(msg), key));
    }

    // A process waiting for executor type cli, submitted by the user.
    Process waiting() {
        auto p = c.submit(Fixture::simple_spec("dev", "cli", "fn"), keys.user);
        if (!p) {
            ADD_FAILURE() << p.error().message;
            return {};
        }
        return p.value();
    }

    // Accepted (when `accepted`) or refused with 403 by every probe.
    void expect(const std::vector<Probe>& probes, const std::string& key, bool accepted,
                const std::string& when) {
        for (const auto& p : probes) {
            Status s = p.send(key);
            if (accepted) {
                EXPECT_TRUE(s.ok()) << when << ": " << p.msgtype << ": " << s.error().message;
            } else {
                ASSERT_FALSE(s.ok()) << when << ": " << p.msgtype << " accepted the old key";
                EXPECT_EQ(s.error().status, 403)
                    << when << ": " << p.msgtype << ": " << s.error().message;
            }
        }
    }

    // Before: the old key works for every probe. After rotating with `rotate`: the old key is
    // refused by every probe and the new one accepted.
    void check_rotation(const std::vector<Probe>& probes,
                        std::string old_key,  // a copy: `rotate` changes `keys`
                        const std::function<Identity()>& rotate) {
        expect(probes, old_key, true, "old key before the change");
        Identity fresh = rotate();
        expect(probes, old_key, false, "old key after the change");
        expect(probes, fresh.prvkey, true, "new key after the change");
    }

    // The messages a member (executor or user) sends whatever its role.
    std::vector<Probe> member_probes() {
        auto by_user = [this] {
            return c.submit(Fixture::simple_spec("dev", "x", "f"), keys.user);
        };
        return {
            {"getcolonymsg", [this](auto& k) { return status_of(c.get_colony("dev", k)); }},
            {"getexecutorsmsg", [this](auto& k) { return status_of(c.get_executors("dev", k)); }},
            {"getexecutormsg",
             [this](auto& k) { return status_of(c.get_executor("dev", "exec1", k)); }},
            {"getusersmsg", [this](auto& k) { return status_of(c.get_users("dev", k)); }},
            {"getusermsg", [this](auto& k) { return status_of(c.get_user("dev", "alice", k)); }},
            {"getlocationsmsg", [this](auto& k) { return status_of(c.get_locations("dev", k)); }},
            {"getlocationmsg",
             [this](auto& k) { return status_of(c.get_location("dev", "lab", k)); }},
            {"submitfuncspecmsg",
             [this](auto& k) {
                 return status_of(c.submit(Fixture::simple_spec("dev", "x", "f"), k));
             }},
            {"getprocessesmsg",
             [this](auto& k) {
                 return status_of(c.get_processes("dev", ProcessState::Waiting, 5, k));
             }},
            {"getprocessmsg",
             [this, by_user](auto& k) {
                 auto p = by_user();
                 return p ? status_of(c.get_process(p->processid, k)) : Status(p.error());
             }},
            {"cancelprocessmsg",
             [this, by_user](auto& k) {
                 auto p = by_user();
                 return p ? c.cancel_process(p->processid, k) : Status(p.error());
             }},
            {"submitworkflowspecmsg",
             [this](auto& k) {
                 WorkflowSpec w{"dev", {Fixture::simple_spec("dev", "x", "f")}};
                 w.functionspecs[0].nodename = "a";
                 return status_of(c.submit_workflow(w, k));
             }},
            {"getlogsmsg",
             [this, by_user](auto& k) {
                 auto p = by_user();
                 return p ? status_of(c.get_logs("dev", p->processid, 10, 0, k))
                          : Status(p.error());
             }},
            {"subscribeprocessmsg",
             [this, by_user](auto& k) {
                 auto p = by_user();
                 if (!p) return Status(p.error());
                 return status_of(client::wait_for_process(
                     server.client_options(), "dev", p->processid, ProcessState::Waiting, 5, k));
             }},
        };
    }

    ServerProcess server;
    client::Client c = server.make_client();
    Keys keys;
    int counter = 0;
};

TEST_F(KeyRotation, ServerOwner) {
    std::vector<Probe> probes{
        {"getstatisticsmsg", [&](auto& k) { return status_of(c.get_statistics(k)); }},
        {"getcoloniesmsg", [&](auto& k) { return status_of(c.get_colonies(k)); }},
        {"getclustermsg", [&](auto& k) { return status_of(c.get_cluster(k)); }},
        {"addcolonymsg",
         [&](auto& k) {
             return status_of(c.add_colony(Colony{Identity::fresh().id, unique("c")}, k));
         }},
        {"removecolonymsg",
         [&](auto& k) {
             const std::string name = unique("gone");
             if (!c.add_colony(Colony{Identity::fresh().id, name}, keys.server).ok())
                 return Status(internal_error("set-up failed"));
             return c.remove_colony(name, k);
         }},
        {"changeserveridmsg",
         [&](auto& k) { return c.change_server_id(Identity::from_prvkey(k).id, k); }},
    };
    check_rotation(probes, keys.server, [&] {
        auto fresh = Identity::fresh();
        EXPECT_TRUE(c.change_server_id(fresh.id, keys.server).ok());
        keys.server = fresh.prvkey;
        return fresh;
    });
    // Nothing else changed: the colonies and their owners are as they were.
    auto dev = c.get_colony("dev", keys.executor);
    ASSERT_TRUE(dev.ok()) << dev.error().message;
    EXPECT_EQ(dev->colonyid, DevIdentity::colony_id);
}

TEST_F(KeyRotation, ColonyOwner) {
    auto add_executor = [&](const std::string& key, const std::string& name) {
        Executor e;
        e.executorid = Identity::fresh().id;
        e.executortype = "other";
        e.executorname = name;
        e.colonyname = "dev";
        return status_of(c.add_executor(e, key));
    };
    // Each probe prepares its target with the valid owner key and signs only the message under
    // test with the key being checked.
    auto on_new_executor = [&](Status (client::Client::*fn)(const std::string&, const std::string&,
                                                            const std::string&)) {
        return [&, fn](const std::string& k) {
            const std::string name = unique("e");
            if (!add_executor(keys.colony, name).ok()) return Status(internal_error("set-up"));
            return (c.*fn)("dev", name, k);
        };
    };
    std::vector<Probe> probes{
        {"addexecutormsg", [&](auto& k) { return add_executor(k, unique("e")); }},
        {"approveexecutormsg", on_new_executor(&client::Client::approve_executor)},
        {"rejectexecutormsg", on_new_executor(&client::Client::reject_executor)},
        {"removeexecutormsg", on_new_executor(&client::Client::remove_executor)},
        {"addusermsg",
         [&](auto& k) {
             return status_of(
                 c.add_user(User{"dev", Identity::fresh().id, unique("u"), "", ""}, k));
         }},
        {"removeusermsg",
         [&](auto& k) {
             const std::string name = unique("u");
             if (!c.add_user(User{"dev", Identity::fresh().id, name, "", ""}, keys.colony).ok())
                 return Status(internal_error("set-up"));
             return c.remove_user("dev", name, k);
         }},
        {"addlocationmsg",
         [&](auto& k) {
             return status_of(c.add_location(Location{"", unique("l"), "dev", "", 0, 0}, k));
         }},
        {"removelocationmsg",
         [&](auto& k) {
             const std::string name = unique("l");
             if (!c.add_location(Location{"", name, "dev", "", 0, 0}, keys.colony).ok())
                 return Status(internal_error("set-up"));
             return c.remove_location("dev", name, k);
         }},
        {"removeallprocessesmsg", [&](auto& k) { return c.remove_all_processes("dev", 4, k); }},
        {"removeallprocessgraphsmsg",
         [&](auto& k) {
             return call("removeallprocessgraphsmsg", {{"colonyname", "dev"}, {"state", 4}}, k);
         }},
        {"changecolonyidmsg",
         [&](auto& k) { return c.change_colony_id("dev", Identity::from_prvkey(k).id, k); }},
    };
    check_rotation(probes, keys.colony, [&] {
        auto fresh = Identity::fresh();
        EXPECT_TRUE(c.change_colony_id("dev", fresh.id, keys.colony).ok());
        keys.colony = fresh.prvkey;
        return fresh;
    });
    // The colony kept its name and members; getcolonymsg shows the new owner id.
    auto dev = c.get_colony("dev", keys.executor);
    ASSERT_TRUE(dev.ok()) << dev.error().message;
    EXPECT_EQ(dev->colonyid, Identity::from_prvkey(keys.colony).id);
    EXPECT_TRUE(c.get_user("dev", "alice", keys.user).ok());
}

TEST_F(KeyRotation, Executor) {
    auto probes = member_probes();
    probes.push_back({"assignprocessmsg", [this](auto& k) {
                          waiting();
                          auto p = c.assign("dev", 5, k);
                          if (!p) return Status(p.error());
                          return c.close_successful(p->processid, {}, k);
                      }});
    probes.push_back({"addfunctionmsg", [this](auto& k) {
                          Function f;
                          f.executorname = "exec1";
                          f.colonyname = "dev";
                          f.funcname = unique("fn");
                          return status_of(c.add_function(f, k));
                      }});
    probes.push_back({"subscribeprocessesmsg", [this](auto& k) {
                          client::ProcessSubscription sub;
                          sub.colonyname = "dev";
                          sub.executortype = "cli";
                          sub.state = ProcessState::Success;
                          sub.timeout_s = 1;
                          return status_of(client::subscribe(server.client_options(), sub, k,
                                                             [](const Process&) { return true; }));
                      }});
    probes.push_back({"changeexecutoridmsg", [this](auto& k) {
                          return c.change_executor_id("dev", Identity::from_prvkey(k).id, k);
                      }});
    check_rotation(probes, keys.executor, [this] {
        auto fresh = Identity::fresh();
        EXPECT_TRUE(c.change_executor_id("dev", fresh.id, keys.executor).ok());
        keys.executor = fresh.prvkey;
        return fresh;
    });
    // Nothing else changed: name, type, state and its functions stay.
    auto e = c.get_executor("dev", "exec1", keys.user);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->executorid, Identity::from_prvkey(keys.executor).id);
    EXPECT_EQ(e->executortype, "cli");
    EXPECT_EQ(e->state, ExecutorState::Approved);
    EXPECT_FALSE(c.get_functions("dev", "exec1", keys.user)->empty());
    EXPECT_EQ(c.get_executors("dev", keys.user)->size(), 1u);
}

TEST_F(KeyRotation, User) {
    auto probes = member_probes();
    probes.push_back(
        {"getuserbyidmsg", [this](auto& k) {
             return call("getuserbyidmsg", {{"colonyname", "dev"}, {"userid", keys.user_id}}, k);
         }});
    probes.push_back({"changeuseridmsg", [this](auto& k) {
                          return c.change_user_id("dev", Identity::from_prvkey(k).id, k);
                      }});
    check_rotation(probes, keys.user, [this] {
        auto fresh = Identity::fresh();
        EXPECT_TRUE(c.change_user_id("dev", fresh.id, keys.user).ok());
        keys.user = fresh.prvkey;
        keys.user_id = fresh.id;
        return fresh;
    });
    auto u = c.get_user("dev", "alice", keys.executor);
    ASSERT_TRUE(u.ok()) << u.error().message;
    EXPECT_EQ(u->userid, keys.user_id);
    EXPECT_EQ(u->email, "a@x");
    EXPECT_EQ(u->phone, "1");
    EXPECT_EQ(c.get_users("dev", keys.executor)->size(), 1u);
}

// The reply echoes the request (same payloadtype); upstream's order: empty id (400) before
// authorisation (403) before the length (400).
TEST_F(KeyRotation, ErrorsAndEchoes) {
    const std::string id63(63, 'a'), upper(64, 'A'), good = Identity::fresh().id;
    struct Case {
        std::string msgtype;
        json::object msg;
        std::string key;
        int status;
        std::string message;
    };
    auto colony = [](const char* k, const std::string& v) {
        return json::object{{"colonyname", "dev"}, {k, v}};
    };
    const std::string other = Identity::fresh().prvkey;  // no role at all
    std::vector<Case> cases{
        {"changeuseridmsg", colony("userid", ""), other, 400,
         "Failed to change user Id, user Id is empty"},
        {"changeuseridmsg", colony("userid", good), other, 403,
         "Access denied, not a member of Colony with name dev"},
        {"changeuseridmsg", colony("userid", id63), keys.user, 400,
         "Failed to change user Id, new user Id is not 64 characters"},
        {"changeuseridmsg", colony("userid", upper), keys.user, 400,
         "Failed to change user Id, new user Id is not lower-case hexadecimal"},
        {"changeuseridmsg", colony("userid", good), keys.executor, 400,
         "Failed to change user Id, user not found"},
        {"changeexecutoridmsg", colony("executorid", ""), other, 400,
         "Failed to change executor Id, executor Id is empty"},
        {"changeexecutoridmsg", colony("executorid", good), other, 403,
         "Access denied, not a member of Colony with name dev"},
        {"changeexecutoridmsg", colony("executorid", id63), keys.executor, 400,
         "Failed to change executor Id, new executor Id is not 64 characters"},
        {"changeexecutoridmsg", colony("executorid", good), keys.user, 400,
         "Failed to change executor Id, executor not found"},
        {"changecolonyidmsg", colony("colonyid", ""), other, 400,
         "Failed to change colony Id, colony Id is empty"},
        {"changecolonyidmsg", colony("colonyid", good), keys.executor, 403,
         "Access denied, not colony owner"},
        {"changecolonyidmsg", colony("colonyid", id63), keys.colony, 400,
         "Failed to change colony Id, new colony Id is not 64 characters"},
        {"changecolonyidmsg", json::object{{"colonyname", "nope"}, {"colonyid", good}}, keys.colony,
         403, "Colony with name nope does not exists"},
        {"changeserveridmsg", json::object{{"serverid", ""}}, other, 400,
         "Failed to change colony Id, colony Id is empty"},
        {"changeserveridmsg", json::object{{"serverid", good}}, keys.colony, 403,
         "Access denied, not server owner"},
        {"changeserveridmsg", json::object{{"serverid", id63}}, keys.server, 400,
         "Failed to change server Id, new server Id is not 64 characters"},
    };
    for (const auto& k : cases) {
        auto r = c.call(k.msgtype, k.msg, k.key);
        ASSERT_FALSE(r.ok()) << k.msgtype << " " << json::serialize(k.msg);
        EXPECT_EQ(r.error().status, k.status) << k.msgtype << " " << json::serialize(k.msg);
        EXPECT_EQ(r.error().message, k.message) << k.msgtype << " " << json::serialize(k.msg);
    }
    // Nothing changed: every key still works in its role.
    EXPECT_TRUE(c.get_statistics(keys.server).ok());
    EXPECT_TRUE(c.remove_all_processes("dev", 4, keys.colony).ok());
    EXPECT_TRUE(c.get_colony("dev", keys.executor).ok());
    EXPECT_TRUE(c.get_colony("dev", keys.user).ok());

    // An accepted change answers with the request echoed.
    auto r = c.call("changecolonyidmsg", colony("colonyid", good), keys.colony);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->as_object().at("colonyid"), json::value(good));
    EXPECT_EQ(r->as_object().at("colonyname"), "dev");
    EXPECT_EQ(r->as_object().at("msgtype"), "changecolonyidmsg");
}

// Ids identify callers: a new id already used by another live executor, or by another user of
// the colony, is refused.
TEST_F(KeyRotation, IdsInUseAreRefused) {
    auto second = Identity::fresh();
    Fixture::add_approved_executor(c, "dev", "exec2", "cli", second.prvkey, keys.colony);
    auto r = c.change_executor_id("dev", second.id, keys.executor);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().message,
              "Failed to change executor Id, an executor with Id " + second.id + " already exists");
    auto bob = Identity::fresh();
    ASSERT_TRUE(c.add_user(User{"dev", bob.id, "bob", "", ""}, keys.colony).ok());
    auto u = c.change_user_id("dev", bob.id, keys.user);
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.error().message,
              "A user with Id " + bob.id + " already exists in Colony with name dev");
    EXPECT_TRUE(c.get_colony("dev", keys.executor).ok());  // unchanged
    EXPECT_TRUE(c.get_colony("dev", keys.user).ok());
}

// RUNNING processes follow the executor to its new key: the old key can no longer report on
// them, the new one closes them (and the function statistics reach the executor).
TEST_F(KeyRotation, RunningWorkFollowsTheExecutorToItsNewKey) {
    Function f;
    f.executorname = "exec1";
    f.colonyname = "dev";
    f.funcname = "fn";
    ASSERT_TRUE(c.add_function(f, keys.executor).ok());
    waiting();
    waiting();
    auto p1 = c.assign("dev", 5, keys.executor);
    auto p2 = c.assign("dev", 5, keys.executor);
    ASSERT_TRUE(p1.ok() && p2.ok());
    const std::string old_key = keys.executor;
    auto fresh = Identity::fresh();
    ASSERT_TRUE(c.change_executor_id("dev", fresh.id, old_key).ok());

    const std::string id = p1->processid;
    Attribute a;
    a.targetid = id;
    a.key = "k";
    a.value = "v";
    a.attributetype = AttributeType::Out;
    std::vector<Probe> assignee{
        {"setoutputmsg", [&](auto& k) { return c.set_output(id, json::array{1}, k); }},
        {"addattributemsg", [&](auto& k) { return status_of(c.add_attribute(a, k)); }},
        {"addlogmsg", [&](auto& k) { return c.add_log(id, "line", k); }},
    };
    expect(assignee, old_key, false, "old key on its running process");
    auto closed_old = c.close_successful(id, {}, old_key);
    ASSERT_FALSE(closed_old.ok());
    EXPECT_EQ(closed_old.error().status, 403);
    EXPECT_FALSE(c.close_failed(p2->processid, {"x"}, old_key).ok());

    a.attributeid = "";
    expect(assignee, fresh.prvkey, true, "new key on the running process");
    EXPECT_TRUE(c.close_successful(id, {}, fresh.prvkey).ok());
    EXPECT_TRUE(c.close_failed(p2->processid, {"x"}, fresh.prvkey).ok());
    auto done = c.get_process(id, keys.user);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->state, ProcessState::Success);
    EXPECT_EQ(done->assignedexecutorid, fresh.id);
    auto fns = c.get_functions("dev", "exec1", keys.user);
    ASSERT_TRUE(fns.ok() && fns->size() == 1u);
    EXPECT_EQ(fns->front().counter, 1);
}

// A user's live work follows it to its new key: the channels of its waiting and running
// processes answer the new key (only the initiator and the assignee may use a channel), and its
// crons and generators carry the new id into the processes they start later. A finished process
// keeps the id it was submitted under.
TEST_F(KeyRotation, LiveWorkFollowsTheUserToItsNewKey) {
    auto done = waiting();
    auto spec = Fixture::simple_spec("dev", "cli", "chat");
    spec.channels = {"chat"};
    auto live = c.submit(spec, keys.user);
    ASSERT_TRUE(live.ok()) << live.error().message;
    auto queued = c.submit(spec, keys.user);
    ASSERT_TRUE(queued.ok()) << queued.error().message;
    // Assigned in submission order: `done` is closed, `live` runs, `queued` stays waiting.
    auto a1 = c.assign("dev", 5, keys.executor);
    ASSERT_TRUE(a1.ok() && a1->processid == done.processid);
    ASSERT_TRUE(c.close_successful(done.processid, {}, keys.executor).ok());
    auto a2 = c.assign("dev", 5, keys.executor);
    ASSERT_TRUE(a2.ok() && a2->processid == live->processid);

    auto wf = Fixture::simple_spec("dev", "cli", "tick");
    wf.nodename = "tick";
    Cron cron;
    cron.colonyname = "dev";
    cron.name = "hourly";
    cron.interval = 3600;
    cron.workflowspec = to_text(to_json(WorkflowSpec{"dev", {wf}}));
    auto added_cron = c.add_cron(cron, keys.user);
    ASSERT_TRUE(added_cron.ok()) << added_cron.error().message;
    Generator g;
    g.colonyname = "dev";
    g.name = "pairs";
    g.trigger = 2;
    g.timeout = -1;
    g.workflowspec = cron.workflowspec;
    auto added_gen = c.add_generator(g, keys.user);
    ASSERT_TRUE(added_gen.ok()) << added_gen.error().message;

    const std::string old_key = keys.user, old_id = keys.user_id;
    auto fresh = Identity::fresh();
    ASSERT_TRUE(c.change_user_id("dev", fresh.id, old_key).ok());

    for (const auto& p : {*live, *queued}) {
        auto refused = c.channel_append(p.processid, "chat", 1, "hi", old_key);
        ASSERT_FALSE(refused.ok()) << "the old key may still append to " << p.processid;
        EXPECT_EQ(refused.error().status, 403);
        auto appended = c.channel_append(p.processid, "chat", 1, "hi", fresh.prvkey);
        EXPECT_TRUE(appended.ok()) << appended.error().message;
        auto read = c.channel_read(p.processid, "chat", 0, 0, fresh.prvkey);
        ASSERT_TRUE(read.ok()) << read.error().message;
        EXPECT_EQ(read->size(), 1u);
        EXPECT_EQ(c.get_process(p.processid, fresh.prvkey)->initiatorid, fresh.id);
    }
    // The executor still reads the running process's channel: only the initiator moved.
    EXPECT_TRUE(c.channel_read(live->processid, "chat", 0, 0, keys.executor).ok());
    EXPECT_EQ(c.get_process(done.processid, fresh.prvkey)->initiatorid, old_id);
    EXPECT_EQ(c.get_cron(added_cron->cronid, fresh.prvkey)->initiatorid, fresh.id);
    EXPECT_EQ(c.get_generator(added_gen->generatorid, fresh.prvkey)->initiatorid, fresh.id);
    // A cron run now starts its workflow under the new id.
    ASSERT_TRUE(c.run_cron(added_cron->cronid, fresh.prvkey).ok());
    auto started = c.get_cron(added_cron->cronid, fresh.prvkey);
    ASSERT_TRUE(started.ok());
    auto graph = c.get_process_graph(started->prevprocessgraphid, fresh.prvkey);
    ASSERT_TRUE(graph.ok()) << graph.error().message;
    EXPECT_EQ(graph->initiatorid, fresh.id);
}

// A long poll parked with the old key ends at once with a refusal instead of waiting out its
// timeout, and the new key's poll gets the next process.
TEST_F(KeyRotation, ParkedPollOfTheOldKeyIsReleasedAtOnce) {
    std::optional<Result<Process>> got;
    client::Client poller = server.make_client();
    const std::string old_key = keys.executor;
    std::thread t([&] { got = poller.assign("dev", 60, old_key); });
    ASSERT_TRUE(wait_for_metric(c, "colonies_assign_waiters", 1, 20s));
    auto fresh = Identity::fresh();
    const auto changed_at = Clock::now();
    ASSERT_TRUE(c.change_executor_id("dev", fresh.id, old_key).ok());
    t.join();
    EXPECT_LT(Clock::now() - changed_at, 10s);
    ASSERT_TRUE(got.has_value());
    ASSERT_FALSE(got->ok()) << "the old key was handed a process";
    EXPECT_EQ(got->error().status, 403);
    auto p = waiting();
    auto mine = c.assign("dev", 5, fresh.prvkey);
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    EXPECT_EQ(mine->processid, p.processid);
}

// The stored server id is the owner: a restart that still passes COLONIES_SERVER_ID (the old id)
// with COLONIES_INITDB=true keeps the changed one.
TEST(KeyRotationRestart, AChangedServerIdSurvivesARestartWithInitdb) {
    ServerConfig cfg;
    cfg.initdb_on_restart = true;
    ServerProcess server(cfg);
    auto c = server.make_client();
    auto fresh = Identity::fresh();
    ASSERT_TRUE(c.change_server_id(fresh.id, DevIdentity::server_prvkey).ok());
    server.restart();
    auto c2 = server.make_client();
    EXPECT_TRUE(c2.get_statistics(fresh.prvkey).ok());
    auto old = c2.get_statistics(DevIdentity::server_prvkey);
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.error().message, "Access denied, not server owner");
    EXPECT_NE(server.log_text().find("Keeping the server Id stored in the database"),
              std::string::npos);
}

}  // namespace
}  // namespace colonies::it
