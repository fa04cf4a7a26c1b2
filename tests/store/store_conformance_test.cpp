// One suite for every Store implementation (store/store.hpp): the same tests run unchanged
// against SQLite (a temporary file) and PostgreSQL (a private server started by the harness,
// a fresh schema per test). Behaviour first (what each StoreTx method returns), then the
// guarantees the server relies on under concurrency: a job that fails leaves nothing behind, no
// process is claimed twice, and read-modify-write of one process loses no update, also when
// two stores (two servers) share one database.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "core/function_stats.hpp"
#include "pg_cluster.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace colonies;
using namespace colonies::store;
namespace ts = colonies::testsupport;

namespace {

// One PostgreSQL server for the whole binary: starting one costs about a second.
ts::PgCluster& pg() {
    static auto* cluster = new ts::PgCluster();  // stopped by the atexit below
    static const bool registered = (std::atexit([] { delete cluster; }), true);
    (void)registered;
    return *cluster;
}

// Opens stores of one kind on one database; `another()` opens a second store on the same data,
// as a second server would.
class Backend {
  public:
    explicit Backend(std::string kind) : kind_(std::move(kind)) {
        if (kind_ == "sqlite") {
            dir_ = ts::make_temp_dir("colonies-conf");
        } else {
            pg_opts_.host = pg().host();
            pg_opts_.port = pg().port();
            pg_opts_.user = pg().user();
            pg_opts_.schema = pg().fresh_schema();
            pg_opts_.pool_size = 4;
        }
    }
    ~Backend() { ts::remove_tree(dir_); }
    std::unique_ptr<Store> open() {
        if (kind_ == "sqlite") return open_sqlite_store({dir_ + "/test.db"});
        return open_postgres_store(pg_opts_);
    }
    bool shares_across_stores() const { return kind_ == "postgres"; }

  private:
    std::string kind_, dir_;
    PostgresOptions pg_opts_;
};

Process waiting_process(const std::string& id, int64_t prioritytime,
                        const std::string& type = "cli", const std::string& colony = "dev") {
    Process p;
    p.processid = id;
    p.prioritytime = prioritytime;
    p.submissiontime = Time::from_ns(prioritytime);
    p.spec.funcname = "fn";
    p.spec.conditions.colonyname = colony;
    p.spec.conditions.executortype = type;
    p.spec.conditions.cpu = "0m";
    p.spec.conditions.mem = "0Mi";
    p.spec.conditions.storage = "0Mi";
    p.spec.maxexectime = -1;
    p.spec.maxwaittime = -1;
    p.spec.maxretries = -1;
    return p;
}

Executor executor(const std::string& colony, const std::string& name, const std::string& id) {
    Executor e;
    e.colonyname = colony;
    e.executorname = name;
    e.executorid = id;
    e.executortype = "cli";
    return e;
}

AssignQuery query(const std::string& type = "cli", const std::string& name = "e1") {
    AssignQuery q;
    q.colonyname = "dev";
    q.executortype = type;
    q.executorname = name;
    return q;
}

class StoreConformance : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        backend = std::make_unique<Backend>(GetParam());
        store = backend->open();
    }
    void TearDown() override {
        store.reset();
        backend.reset();
    }
    // Runs `fn` in one job and fails the test if the job did not commit.
    template <class F>
    void tx(F fn) {
        std::string err;
        ASSERT_TRUE(store->run_sync(
            [&](StoreTx& t) {
                fn(t);
                return true;
            },
            &err))
            << err;
    }
    // The assign pattern of the server: claim one process and mark it RUNNING, from many
    // threads and (PostgreSQL) from two stores at once. Every process must be claimed once.
    using ClaimFn = std::optional<Process> (*)(StoreTx&, const AssignQuery&);
    void expect_each_claimed_once(ClaimFn claim);

    std::unique_ptr<Backend> backend;
    std::unique_ptr<Store> store;
};

TEST_P(StoreConformance, ServerIdAndColonies) {
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.server_id().has_value());
        t.set_server_id("s1");
        t.set_server_id("s2");  // replaces
        t.add_colony(Colony{"cid2", "zeta"});
        t.add_colony(Colony{"cid1", "alpha"});
    });
    tx([](StoreTx& t) {
        EXPECT_EQ(t.server_id().value_or(""), "s2");
        auto c = t.colony("zeta");
        ASSERT_TRUE(c);
        EXPECT_EQ(c->colonyid, "cid2");
        EXPECT_FALSE(t.colony("nope"));
        auto all = t.colonies();
        ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[0].name, "alpha");  // by name
        EXPECT_EQ(all[1].name, "zeta");
    });
}

TEST_P(StoreConformance, RemoveColonyRemovesEverythingInIt) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "other"});
        t.add_user(User{"dev", "u1", "alice", "a@x", "1"});
        t.save_executor(executor("dev", "e1", "x1"));
        t.save_process(waiting_process("p1", 1), {});
        t.save_process(waiting_process("p2", 2, "cli", "other"), {});
        t.add_log(Log{"p1", "dev", "e1", "hello", 5});
        Attribute a;
        a.attributeid = "a1";
        a.targetid = "p1";
        a.key = "k";
        a.value = "v";
        EXPECT_TRUE(t.add_attribute(a));
        Cron c;
        c.cronid = "cr1";
        c.colonyname = "dev";
        c.name = "nightly";
        t.add_cron(c);
    });
    tx([](StoreTx& t) { t.remove_colony("dev"); });
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.colony("dev"));
        EXPECT_TRUE(t.colony("other"));
        EXPECT_FALSE(t.user("dev", "alice"));
        EXPECT_FALSE(t.executor("dev", "e1"));
        EXPECT_FALSE(t.process("p1"));
        EXPECT_FALSE(t.attribute("a1"));
        EXPECT_TRUE(t.logs("dev", "p1", "", 10, 0, false).empty());
        EXPECT_TRUE(t.process("p2"));
        EXPECT_FALSE(t.cron("cr1"));
    });
}

TEST_P(StoreConformance, Users) {
    tx([](StoreTx& t) {
        t.add_user(User{"dev", "id-b", "bob", "b@x", "2"});
        t.add_user(User{"dev", "id-a", "alice", "a@x", "1"});
        t.add_user(User{"other", "id-a", "alice", "a@y", "3"});
    });
    tx([](StoreTx& t) {
        auto u = t.user("dev", "alice");
        ASSERT_TRUE(u);
        EXPECT_EQ(u->userid, "id-a");
        EXPECT_EQ(u->email, "a@x");
        EXPECT_EQ(t.user_by_id("other", "id-a")->email, "a@y");
        EXPECT_FALSE(t.user_by_id("dev", "nobody"));
        auto all = t.users("dev");
        ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[0].name, "alice");
        t.remove_user("dev", "alice");
        EXPECT_FALSE(t.user("dev", "alice"));
        EXPECT_TRUE(t.user("other", "alice"));
    });
}

// prefetch_caller changes nothing a later lookup answers, whoever the caller is.
TEST_P(StoreConformance, PrefetchedCallerAnswersAsTheLookups) {
    tx([](StoreTx& t) {
        auto e = executor("dev", "e1", "x1");
        e.state = ExecutorState::Approved;
        e.lastheardfromtime = Time::from_ns(77);
        t.save_executor(e);
        auto gone = executor("dev", "old", "x1");  // unregistered record with the same id
        gone.state = ExecutorState::Unregistered;
        t.save_executor(gone);
        auto only_gone = executor("dev", "older", "x3");
        only_gone.state = ExecutorState::Unregistered;
        t.save_executor(only_gone);
        t.add_user(User{"dev", "u1", "alice", "a@example.com", "123"});
        t.add_user(User{"dev", "x1", "both", "", ""});  // an executor's key as a user too
    });
    tx([](StoreTx& t) {
        t.prefetch_caller("dev", "x1");
        auto e = t.executor_by_id("x1");
        ASSERT_TRUE(e);
        EXPECT_EQ(e->executorname, "e1");  // the live record wins
        EXPECT_EQ(e->state, ExecutorState::Approved);
        EXPECT_EQ(e->lastheardfromtime.ns, 77);
        EXPECT_EQ(t.user_by_id("dev", "x1")->name, "both");

        t.prefetch_caller("dev", "u1");
        EXPECT_FALSE(t.executor_by_id("u1"));
        auto u = t.user_by_id("dev", "u1");
        ASSERT_TRUE(u);
        EXPECT_EQ(u->name, "alice");
        EXPECT_EQ(u->email, "a@example.com");
        EXPECT_EQ(u->phone, "123");
        EXPECT_FALSE(t.user_by_id("other", "u1"));  // another colony is looked up again

        t.prefetch_caller("dev", "x3");
        EXPECT_EQ(t.executor_by_id("x3")->state, ExecutorState::Unregistered);
        EXPECT_FALSE(t.user_by_id("dev", "x3"));

        t.prefetch_caller("dev", "nobody");
        EXPECT_FALSE(t.executor_by_id("nobody"));
        EXPECT_FALSE(t.user_by_id("dev", "nobody"));
        // A write in the same job is seen by the next lookup.
        t.add_user(User{"dev", "nobody", "late", "", ""});
        EXPECT_EQ(t.user_by_id("dev", "nobody")->name, "late");
    });
}

TEST_P(StoreConformance, ExecutorsSaveTouchAndCount) {
    tx([](StoreTx& t) {
        auto e = executor("dev", "e1", "x1");
        e.state = ExecutorState::Approved;
        t.save_executor(e);
        t.save_executor(executor("dev", "e2", "x2"));
        auto gone = executor("dev", "old", "x1");  // unregistered record with the same id
        gone.state = ExecutorState::Unregistered;
        t.save_executor(gone);
    });
    tx([](StoreTx& t) {
        auto e = t.executor_by_id("x1");
        ASSERT_TRUE(e);
        EXPECT_EQ(e->executorname, "e1");  // the live record wins
        EXPECT_EQ(e->state, ExecutorState::Approved);
        EXPECT_EQ(t.executors("dev").size(), 3u);
        EXPECT_EQ(t.count_executors("dev", std::nullopt), 3);
        EXPECT_EQ(t.count_executors("", ExecutorState::Approved), 1);
        EXPECT_EQ(t.count_executors("dev", ExecutorState::Unregistered), 1);
        // Replacing by (colony, name).
        auto e2 = *t.executor("dev", "e2");
        e2.state = ExecutorState::Rejected;
        t.save_executor(e2);
        EXPECT_EQ(t.executor("dev", "e2")->state, ExecutorState::Rejected);
        EXPECT_EQ(t.executors("dev").size(), 3u);

        t.touch_executor("x1", Time::from_ns(1000));
        t.touch_executor("x2", Time::from_ns(5000));
        EXPECT_EQ(t.executor("dev", "e1")->lastheardfromtime.ns, 1000);
        EXPECT_TRUE(t.executor("dev", "old")->lastheardfromtime.is_zero());  // not touched
        auto silent = t.silent_executors(Time::from_ns(2000));
        ASSERT_EQ(silent.size(), 1u);
        EXPECT_EQ(silent[0].executorname, "e1");
    });
}

TEST_P(StoreConformance, Functions) {
    tx([](StoreTx& t) {
        for (auto [id, exe, fn] :
             {std::tuple{"f1", "e1", "a"}, {"f2", "e1", "b"}, {"f3", "e2", "a"}}) {
            Function f;
            f.functionid = id;
            f.executorname = exe;
            f.colonyname = "dev";
            f.funcname = fn;
            t.add_function(f);
        }
    });
    tx([](StoreTx& t) {
        EXPECT_EQ(t.functions("dev", "").size(), 3u);
        auto mine = t.functions("dev", "e1");
        ASSERT_EQ(mine.size(), 2u);
        auto f = *t.function("f2");
        EXPECT_EQ(f.funcname, "b");
        f.counter = 7;
        t.add_function(f);  // replaces
        EXPECT_EQ(t.function("f2")->counter, 7);
        t.remove_function("f1");
        EXPECT_FALSE(t.function("f1"));
        t.remove_functions_of("dev", "e2");
        EXPECT_EQ(t.functions("dev", "").size(), 1u);
    });
}

// Both stores fold a run into the statistics as core/function_stats.hpp does (PostgreSQL in SQL),
// touching only the named function of the named executor.
TEST_P(StoreConformance, RecordFunctionRunFoldsTimesLikeTheDomainRule) {
    auto fn = [](const char* id, const char* exe, const char* name) {
        Function f;
        f.functionid = id;
        f.executorname = exe;
        f.executortype = "cli";
        f.colonyname = "dev";
        f.funcname = name;
        return f;
    };
    tx([&](StoreTx& t) {
        t.add_function(fn("f1", "e1", "echo"));
        t.add_function(fn("f2", "e1", "other"));
        t.add_function(fn("f3", "e2", "echo"));
    });
    const std::pair<double, double> runs[] = {
        {0.5, 1.25}, {0.1, 3.0}, {2.0, 0.001}, {1.0 / 3, 1e-7}, {0, 12345.678}};
    Function expected = fn("f1", "e1", "echo");
    for (auto [wait, exec] : runs) {
        count_function_run(expected, wait, exec);
        tx([&](StoreTx& t) { t.record_function_run("dev", "e1", "echo", wait, exec); });
    }
    tx([&](StoreTx& t) {
        auto got = t.function("f1");
        ASSERT_TRUE(got);
        EXPECT_EQ(got->counter, 5);
        EXPECT_EQ(got->funcname, "echo");
        EXPECT_EQ(got->executortype, "cli");
        const std::pair<double, double> fields[] = {
            {got->minwaittime, expected.minwaittime}, {got->maxwaittime, expected.maxwaittime},
            {got->avgwaittime, expected.avgwaittime}, {got->minexectime, expected.minexectime},
            {got->maxexectime, expected.maxexectime}, {got->avgexectime, expected.avgexectime}};
        for (auto [g, want] : fields) EXPECT_NEAR(g, want, std::abs(want) * 1e-12);
        EXPECT_DOUBLE_EQ(got->minwaittime, 0);
        EXPECT_DOUBLE_EQ(got->maxexectime, 12345.678);
        EXPECT_EQ(t.function("f2")->counter, 0);           // another function of the executor
        EXPECT_EQ(t.function("f3")->counter, 0);           // the same function of another executor
        t.record_function_run("dev", "e3", "echo", 1, 1);  // no such executor: nothing
        EXPECT_EQ(t.functions("dev", "").size(), 3u);
    });
}

TEST_P(StoreConformance, ProcessRoundTripWithAttributesInOrder) {
    tx([](StoreTx& t) {
        auto p = waiting_process("p1", 42);
        p.spec.args = boost::json::array{"x", 1};
        p.spec.label = "lbl";
        p.initiatorname = "alice";
        t.save_process(p, {});
        for (auto id : {"a3", "a1", "a2"}) {
            Attribute a;
            a.attributeid = id;
            a.targetid = "p1";
            a.key = id;
            EXPECT_TRUE(t.add_attribute(a));
        }
        Attribute dup;
        dup.attributeid = "a1";
        dup.targetid = "p1";
        EXPECT_FALSE(t.add_attribute(dup));
    });
    tx([](StoreTx& t) {
        auto p = t.process("p1");
        ASSERT_TRUE(p);
        EXPECT_EQ(p->prioritytime, 42);
        EXPECT_EQ(p->spec.label, "lbl");
        EXPECT_EQ(p->spec.args.size(), 2u);
        ASSERT_EQ(p->attributes.size(), 3u);
        EXPECT_EQ(p->attributes[0].attributeid, "a3");  // insertion order
        EXPECT_EQ(p->attributes[2].attributeid, "a2");
        t.set_attribute_states("p1", ProcessState::Success);
        EXPECT_EQ(t.attribute("a1")->state, ProcessState::Success);
        t.remove_process("p1");
        EXPECT_FALSE(t.process("p1"));
        EXPECT_FALSE(t.attribute("a1"));
    });
}

TEST_P(StoreConformance, ListingOrderFiltersAndCounts) {
    tx([](StoreTx& t) {
        for (int i = 0; i < 5; ++i) {
            auto p = waiting_process("w" + std::to_string(i), 100 - i, i % 2 ? "odd" : "even");
            p.spec.label = i == 3 ? "three" : "";
            p.initiatorname = i == 4 ? "bob" : "alice";
            t.save_process(p, {});
        }
        for (int i = 0; i < 3; ++i) {
            auto p = waiting_process("r" + std::to_string(i), i);
            p.state = ProcessState::Running;
            p.starttime = Time::from_ns(50 - i);
            t.save_process(p, {});
            auto s = waiting_process("s" + std::to_string(i), i);
            s.state = ProcessState::Success;
            s.endtime = Time::from_ns(10 + i);
            t.save_process(s, {});
        }
        auto f = waiting_process("f0", 1);
        f.state = ProcessState::Failed;
        t.save_process(f, {});
    });
    tx([](StoreTx& t) {
        auto w = t.processes("dev", ProcessState::Waiting, 10);
        ASSERT_EQ(w.size(), 5u);
        EXPECT_EQ(w[0].processid, "w4");  // lowest prioritytime first
        EXPECT_EQ(t.processes("dev", ProcessState::Waiting, 2).size(), 2u);
        auto r = t.processes("dev", ProcessState::Running, 10);
        ASSERT_EQ(r.size(), 3u);
        EXPECT_EQ(r[0].processid, "r2");  // earliest start first
        auto s = t.processes("dev", ProcessState::Success, 10);
        ASSERT_EQ(s.size(), 3u);
        EXPECT_EQ(s[0].processid, "s2");  // latest end first
        EXPECT_EQ(t.processes("dev", ProcessState::Waiting, 10, {"odd", "", ""}).size(), 2u);
        EXPECT_EQ(t.processes("dev", ProcessState::Waiting, 10, {"", "bob", ""}).size(), 1u);
        auto l = t.processes("dev", ProcessState::Waiting, 10, {"", "", "three"});
        ASSERT_EQ(l.size(), 1u);
        EXPECT_EQ(l[0].processid, "w3");
        EXPECT_TRUE(t.processes("other", ProcessState::Waiting, 10).empty());

        auto c = t.count_processes("dev");
        EXPECT_EQ(c.waiting, 5);
        EXPECT_EQ(c.running, 3);
        EXPECT_EQ(c.success, 3);
        EXPECT_EQ(c.failed, 1);
        EXPECT_EQ(c.cancelled, 0);
        EXPECT_EQ(t.count_processes("").waiting, 5);

        t.remove_processes("dev", ProcessState::Success);
        EXPECT_EQ(t.count_processes("dev").success, 0);
        EXPECT_EQ(t.count_processes("dev").waiting, 5);
        t.remove_processes("dev", std::nullopt);
        EXPECT_EQ(t.count_processes("dev").waiting, 0);
    });
}

TEST_P(StoreConformance, FindAssignableMatchesConditionsInPriorityOrder) {
    tx([](StoreTx& t) {
        t.save_process(waiting_process("late", 300), {});
        t.save_process(waiting_process("early", 100), {});
        auto other_type = waiting_process("other-type", 1, "gpu");
        t.save_process(other_type, {});
        auto blocked = waiting_process("blocked", 2);
        blocked.waitforparents = true;
        t.save_process(blocked, {});
        auto named = waiting_process("named", 3);
        named.spec.conditions.executornames = {"e2"};
        t.save_process(named, {});
        auto located = waiting_process("located", 4);
        located.spec.conditions.locationname = "Lab";
        t.save_process(located, {});
        auto big = waiting_process("big", 5);
        t.save_process(big, SpecRequirements{4000, 1 << 20, 0});
        auto wide = waiting_process("wide", 6);
        wide.spec.conditions.nodes = 200;
        t.save_process(wide, {});
        auto running = waiting_process("running", 0);
        running.state = ProcessState::Running;
        t.save_process(running, {});
    });
    tx([](StoreTx& t) {
        auto q = query();
        q.max_cpu_millis = 1000;
        EXPECT_EQ(t.find_assignable(q).value_or(""), "early");  // not named/located/big/wide
        auto q2 = query("cli", "e2");
        EXPECT_EQ(t.find_assignable(q2).value_or(""), "named");
        auto q3 = query();
        q3.locationname = "LAB";  // case-insensitive
        EXPECT_EQ(t.find_assignable(q3).value_or(""), "located");
        auto q4 = query();
        EXPECT_EQ(t.find_assignable(q4).value_or(""), "big");  // no resource bound
        EXPECT_EQ(t.find_assignable(query("gpu")).value_or(""), "other-type");
        EXPECT_FALSE(t.find_assignable(query("nothing")));
    });
}

// claim_assignable reads what colony_paused, find_assignable and process would, in one go.
TEST_P(StoreConformance, ClaimAssignableReadsTheFirstProcessWithAttributesUnlessPaused) {
    tx([](StoreTx& t) {
        t.save_process(waiting_process("late", 300), {});
        auto early = waiting_process("early", 100);
        for (const char* key : {"k1", "k2"}) {
            Attribute a;
            a.targetid = "early";
            a.targetcolonyname = "dev";
            a.attributetype = AttributeType::Env;
            a.key = key;
            a.value = std::string("v-") + key;
            a.attributeid = std::string("attr-") + key;
            EXPECT_TRUE(t.add_attribute(a));
        }
        t.save_process(early, {});
        auto named = waiting_process("named", 1);
        named.spec.conditions.executornames = {"e2"};
        t.save_process(named, {});
    });
    tx([](StoreTx& t) {
        auto c = t.claim_assignable(query());
        EXPECT_FALSE(c.paused);
        ASSERT_TRUE(c.process);
        const Process& p = *c.process;
        EXPECT_EQ(p.processid, "early");
        EXPECT_EQ(p.state, ProcessState::Waiting);
        ASSERT_EQ(p.attributes.size(), 2u);
        EXPECT_EQ(p.attributes[0].key, "k1");
        EXPECT_EQ(p.attributes[1].value, "v-k2");
        EXPECT_EQ(t.process("early")->attributes.size(), 2u);  // the same as process() reads
        EXPECT_EQ(t.claim_assignable(query("cli", "e2")).process->processid, "named");
        auto none = t.claim_assignable(query("gpu"));
        EXPECT_FALSE(none.paused);
        EXPECT_FALSE(none.process);
        t.set_colony_paused("dev", true, Time::from_ns(1));
    });
    tx([](StoreTx& t) {
        auto c = t.claim_assignable(query());
        EXPECT_TRUE(c.paused);
        EXPECT_FALSE(c.process);
        auto other = query();
        other.colonyname = "elsewhere";  // another colony's pause is not this one's
        EXPECT_FALSE(t.claim_assignable(other).paused);
        t.set_colony_paused("dev", false, Time::from_ns(2));
        EXPECT_EQ(t.claim_assignable(query()).process->processid, "early");
    });
}

TEST_P(StoreConformance, DeadlinesAndRunningByExecutor) {
    tx([](StoreTx& t) {
        auto r1 = waiting_process("r1", 0);
        r1.state = ProcessState::Running;
        r1.execdeadline = Time::from_ns(100);
        r1.assignedexecutorid = "x1";
        t.save_process(r1, {});
        auto r2 = waiting_process("r2", 0);
        r2.state = ProcessState::Running;
        r2.execdeadline = Time::from_ns(1000);
        r2.assignedexecutorid = "x1";
        t.save_process(r2, {});
        auto r3 = waiting_process("r3", 0);  // no deadline
        r3.state = ProcessState::Running;
        r3.assignedexecutorid = "x2";
        t.save_process(r3, {});
        auto w1 = waiting_process("w1", 0);
        w1.waitdeadline = Time::from_ns(100);
        t.save_process(w1, {});
        auto w2 = waiting_process("w2", 0);  // no deadline
        t.save_process(w2, {});
    });
    tx([](StoreTx& t) {
        EXPECT_EQ(t.expired_running(Time::from_ns(500)), std::vector<std::string>{"r1"});
        EXPECT_EQ(t.expired_waiting(Time::from_ns(500)), std::vector<std::string>{"w1"});
        EXPECT_TRUE(t.expired_waiting(Time::from_ns(50)).empty());
        auto mine = t.running_processes_of("x1");
        EXPECT_EQ(std::set<std::string>(mine.begin(), mine.end()),
                  (std::set<std::string>{"r1", "r2"}));
    });
}

TEST_P(StoreConformance, Graphs) {
    tx([](StoreTx& t) {
        for (int i = 0; i < 3; ++i) {
            ProcessGraph g;
            g.processgraphid = "g" + std::to_string(i);
            g.colonyname = "dev";
            g.submissiontime = Time::from_ns(i);
            g.state = i == 2 ? ProcessState::Success : ProcessState::Waiting;
            t.save_graph(g);
        }
        for (auto id : {"c", "a", "b"}) {
            auto p = waiting_process(id, 1);
            p.processgraphid = "g0";
            t.save_process(p, {});
        }
        auto loose = waiting_process("loose", 1);
        t.save_process(loose, {});
    });
    tx([](StoreTx& t) {
        auto ws = t.graphs("dev", ProcessState::Waiting, 10);
        ASSERT_EQ(ws.size(), 2u);
        EXPECT_EQ(ws[0].processgraphid, "g1");  // newest first
        auto ps = t.processes_of_graph("g0");
        ASSERT_EQ(ps.size(), 3u);
        EXPECT_EQ(ps[0].processid, "c");  // insertion order
        auto counts = t.count_graphs("dev");
        EXPECT_EQ(counts.waiting, 2);
        EXPECT_EQ(counts.success, 1);
        // remove_processes leaves workflow processes alone.
        t.remove_processes("dev", std::nullopt);
        EXPECT_FALSE(t.process("loose"));
        EXPECT_TRUE(t.process("a"));
        t.remove_graph("g0");
        EXPECT_FALSE(t.graph("g0"));
        EXPECT_FALSE(t.process("a"));
        t.remove_graphs("dev", ProcessState::Success);
        EXPECT_FALSE(t.graph("g2"));
        EXPECT_TRUE(t.graph("g1"));
    });
}

Cron make_cron(const std::string& id, const std::string& colony, const std::string& name,
               Time checkat) {
    Cron c;
    c.cronid = id;
    c.initiatorid = "init-" + id;
    c.initiatorname = "alice";
    c.colonyname = colony;
    c.name = name;
    c.cronexpression = "0/2 * * * * *";
    c.interval = -1;
    c.nextrun = checkat;
    c.workflowspec = R"({"colonyname":")" + colony + R"(","functionspecs":[]})";
    c.waitforprevprocessgraph = true;
    c.checkat = checkat;
    return c;
}

TEST_P(StoreConformance, CronsRoundTripListUpdateAndRemove) {
    tx([](StoreTx& t) {
        t.add_cron(make_cron("c2", "dev", "zeta", Time::from_ns(20)));
        t.add_cron(make_cron("c1", "dev", "alpha", Time::from_ns(10)));
        t.add_cron(make_cron("c3", "other", "alpha", Time::from_ns(30)));
    });
    tx([](StoreTx& t) {
        auto c = t.cron("c1");
        ASSERT_TRUE(c);
        EXPECT_EQ(c->initiatorid, "init-c1");
        EXPECT_EQ(c->initiatorname, "alice");
        EXPECT_EQ(c->name, "alpha");
        EXPECT_EQ(c->cronexpression, "0/2 * * * * *");
        EXPECT_EQ(c->interval, -1);
        EXPECT_TRUE(c->waitforprevprocessgraph);
        EXPECT_EQ(c->nextrun, Time::from_ns(10));
        EXPECT_TRUE(c->lastrun.is_zero());
        EXPECT_EQ(c->checkat, Time::from_ns(10));
        EXPECT_EQ(c->workflowspec, R"({"colonyname":"dev","functionspecs":[]})");
        EXPECT_TRUE(t.cron("c1", true));
        EXPECT_FALSE(t.cron("nope"));
        ASSERT_TRUE(t.cron_by_name("other", "alpha"));
        EXPECT_EQ(t.cron_by_name("other", "alpha")->cronid, "c3");
        EXPECT_FALSE(t.cron_by_name("other", "zeta"));
        auto dev = t.crons("dev", 10);
        ASSERT_EQ(dev.size(), 2u);
        EXPECT_EQ(dev[0].cronid, "c1");  // by name
        EXPECT_EQ(dev[1].cronid, "c2");
        EXPECT_EQ(t.crons("dev", 1).size(), 1u);
        EXPECT_TRUE(t.crons("none", 10).empty());

        c->nextrun = Time::from_ns(1000);
        c->lastrun = Time::from_ns(900);
        c->prevprocessgraphid = "g9";
        c->checkat = Time::from_ns(1001);
        t.update_cron(*c);
    });
    tx([](StoreTx& t) {
        auto c = t.cron("c1");
        ASSERT_TRUE(c);
        EXPECT_EQ(c->nextrun, Time::from_ns(1000));
        EXPECT_EQ(c->lastrun, Time::from_ns(900));
        EXPECT_EQ(c->prevprocessgraphid, "g9");
        EXPECT_EQ(c->checkat, Time::from_ns(1001));
        t.remove_cron("c1");
        EXPECT_FALSE(t.cron("c1"));
        EXPECT_TRUE(t.cron("c2"));
    });
}

TEST_P(StoreConformance, DueCronsAreTheDueOnesEarliestFirstAndBounded) {
    tx([](StoreTx& t) {
        t.add_cron(make_cron("late", "dev", "a", Time::from_ns(10)));
        t.add_cron(make_cron("early", "dev", "b", Time::from_ns(5)));
        t.add_cron(make_cron("future", "dev", "c", Time::from_ns(20)));
        t.add_cron(make_cron("never", "dev", "d", Time{INT64_MAX}));
        t.add_cron(make_cron("unscheduled", "dev", "e", Time::zero()));
        t.add_cron(make_cron("now", "dev", "f", Time::from_ns(15)));
    });
    tx([](StoreTx& t) {
        auto due = t.due_crons(Time::from_ns(15), 10);
        std::vector<std::string> ids;
        for (const auto& c : due) ids.push_back(c.cronid);
        EXPECT_EQ(ids, (std::vector<std::string>{"unscheduled", "early", "late", "now"}));
        auto two = t.due_crons(Time::from_ns(15), 2);
        ASSERT_EQ(two.size(), 2u);
        EXPECT_EQ(two[1].cronid, "early");
        EXPECT_TRUE(t.due_crons(Time::from_ns(-1), 10).size() == 1);  // only the unscheduled
    });
}

TEST_P(StoreConformance, CronNamesAreUniquePerColony) {
    tx([](StoreTx& t) { t.add_cron(make_cron("c1", "dev", "nightly", Time::from_ns(1))); });
    EXPECT_FALSE(store->run_sync([](StoreTx& t) {
        t.add_cron(make_cron("c2", "dev", "nightly", Time::from_ns(1)));
        return true;
    }));
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.cron("c2"));
        t.add_cron(make_cron("c3", "other", "nightly", Time::from_ns(1)));
        EXPECT_TRUE(t.cron("c3"));
    });
}

// The evaluation pass of two servers at once: a due cron is taken by one of them, the other
// passes over it while it is held and no longer sees it due afterwards.
TEST_P(StoreConformance, ConcurrentPassesTakeADueCronOnce) {
    std::vector<std::unique_ptr<Store>> others;
    if (backend->shares_across_stores()) others.push_back(backend->open());
    constexpr int kCrons = 5;
    tx([](StoreTx& t) {
        for (int i = 0; i < kCrons; ++i)
            t.add_cron(make_cron("c" + std::to_string(i), "dev", "n" + std::to_string(i),
                                 Time::from_ns(i)));
    });
    std::mutex mu;
    std::map<std::string, int> taken;
    std::vector<std::thread> threads;
    for (int th = 0; th < 6; ++th) {
        Store* s = (th % 2 && !others.empty()) ? others[0].get() : store.get();
        threads.emplace_back([&, s] {
            for (int round = 0; round < 3; ++round) {
                std::vector<std::string> mine;
                bool ok = s->run_sync([&](StoreTx& t) {
                    mine.clear();
                    for (auto& c : t.due_crons(Time::from_ns(100), 2)) {
                        mine.push_back(c.cronid);
                        c.checkat = Time{INT64_MAX};
                        t.update_cron(c);
                    }
                    // Hold the rows a while, so that the other passes run meanwhile.
                    std::this_thread::sleep_for(std::chrono::milliseconds(30));
                    return true;
                });
                ASSERT_TRUE(ok);
                std::lock_guard lk(mu);
                for (const auto& id : mine) taken[id]++;
            }
        });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(taken.size(), static_cast<size_t>(kCrons));
    for (const auto& [id, n] : taken) EXPECT_EQ(n, 1) << id;
}

TEST_P(StoreConformance, LogsOrderSinceLatestAndSearch) {
    tx([](StoreTx& t) {
        for (int i = 1; i <= 5; ++i)
            t.add_log(Log{"p1", "dev", "e1", "line " + std::to_string(i), i * 10});
        t.add_log(Log{"p2", "dev", "e2", "other line", 15});
    });
    tx([](StoreTx& t) {
        auto all = t.logs("dev", "p1", "", 100, 0, false);
        ASSERT_EQ(all.size(), 5u);
        EXPECT_EQ(all[0].message, "line 1");
        auto since = t.logs("dev", "p1", "", 100, 30, false);
        ASSERT_EQ(since.size(), 2u);
        EXPECT_EQ(since[0].message, "line 4");
        auto first2 = t.logs("dev", "p1", "", 2, 0, false);
        EXPECT_EQ(first2.back().message, "line 2");
        auto latest = t.logs("dev", "p1", "", 2, 0, true);
        ASSERT_EQ(latest.size(), 2u);
        EXPECT_EQ(latest[0].message, "line 4");  // oldest first within the latest
        EXPECT_EQ(latest[1].message, "line 5");
        auto by_exec = t.logs("dev", "", "e2", 100, 0, false);
        ASSERT_EQ(by_exec.size(), 1u);
        EXPECT_EQ(by_exec[0].processid, "p2");
        auto found = t.search_logs("dev", "line", 15, 100);
        ASSERT_EQ(found.size(), 5u);  // ts >= 15, newest first
        EXPECT_EQ(found[0].message, "line 5");
        EXPECT_TRUE(t.search_logs("dev", "LINE", 0, 100).empty());  // case-sensitive
    });
}

ChannelEntry channel_entry(const std::string& sender, int64_t seq, std::optional<std::string> b64) {
    ChannelEntry e;
    e.sequence = seq;
    e.inreplyto = seq > 1 ? seq - 1 : 0;
    e.timestamp = Time::from_ns(1000 + seq);
    e.senderid = sender;
    e.payload = std::move(b64);
    e.type = "data";
    return e;
}

// Channels (features.md 5): entries in append order with their indexes, the tail (count and
// payload bytes), the order keys, reads from an index, and removal with the process.
TEST_P(StoreConformance, ChannelEntriesAppendReadAndTail) {
    tx([](StoreTx& t) {
        EXPECT_EQ(t.channel_tail("p1", "chat").count, 0);
        EXPECT_TRUE(t.channel_entries("p1", "chat", 0, 0).empty());
        t.append_channel_entry("p1", "chat", 0, 2, channel_entry("s", 2, "aGk="));
        t.append_channel_entry("p1", "chat", 1, 2, channel_entry("e", 1, std::nullopt));
        t.append_channel_entry("p1", "chat", 2, 7, channel_entry("s", 1, "aGVsbG8="));
        t.append_channel_entry("p1", "other", 0, 3, channel_entry("s", 9, "YWJj"));
        t.append_channel_entry("p2", "chat", 0, 1, channel_entry("s", 1, "eA=="));
    });
    tx([](StoreTx& t) {
        auto tail = t.channel_tail("p1", "chat");
        EXPECT_EQ(tail.count, 3);
        EXPECT_EQ(tail.bytes, 7);
        EXPECT_EQ(t.channel_tail("p1", "other").count, 1);
        auto keys = t.channel_keys("p1", "chat");
        ASSERT_EQ(keys.size(), 3u);
        EXPECT_EQ(keys[0].senderid, "s");
        EXPECT_EQ(keys[0].sequence, 2);
        EXPECT_EQ(keys[2].sequence, 1);
        auto all = t.channel_entries("p1", "chat", 0, 0);
        ASSERT_EQ(all.size(), 3u);
        EXPECT_EQ(all[0].index, 0);
        EXPECT_EQ(all[0].entry.payload.value_or(""), "aGk=");
        EXPECT_EQ(all[0].entry.timestamp, Time::from_ns(1002));
        EXPECT_EQ(all[0].entry.type, "data");
        EXPECT_FALSE(all[1].entry.payload.has_value());  // null stays null
        EXPECT_EQ(all[2].entry.inreplyto, 0);
        auto from1 = t.channel_entries("p1", "chat", 1, 1);
        ASSERT_EQ(from1.size(), 1u);
        EXPECT_EQ(from1[0].index, 1);
        EXPECT_EQ(from1[0].entry.senderid, "e");
        EXPECT_TRUE(t.channel_entries("p1", "chat", 3, 0).empty());
        t.remove_channels("p1");
        EXPECT_EQ(t.channel_tail("p1", "chat").count, 0);
        EXPECT_EQ(t.channel_tail("p1", "other").count, 0);
        EXPECT_EQ(t.channel_tail("p2", "chat").count, 1);  // another process's stays
    });
}

// Removing processes, in every way, removes their channels.
TEST_P(StoreConformance, RemovingProcessesRemovesTheirChannels) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "gone"});
        t.save_process(waiting_process("alone", 1), {});
        t.save_process(waiting_process("bulk", 1), {});
        t.save_process(waiting_process("ofcolony", 1, "cli", "gone"), {});
        auto g = waiting_process("ingraph", 1);
        g.processgraphid = "g1";
        t.save_process(g, {});
        ProcessGraph graph;
        graph.processgraphid = "g1";
        graph.colonyname = "dev";
        t.save_graph(graph);
        for (auto id : {"alone", "bulk", "ofcolony", "ingraph"})
            t.append_channel_entry(id, "chat", 0, 1, channel_entry("s", 1, "eA=="));
    });
    tx([](StoreTx& t) {
        t.remove_process("alone");
        t.remove_graph("g1");
        t.remove_colony("gone");
        EXPECT_EQ(t.channel_tail("alone", "chat").count, 0);
        EXPECT_EQ(t.channel_tail("ingraph", "chat").count, 0);
        EXPECT_EQ(t.channel_tail("ofcolony", "chat").count, 0);
        EXPECT_EQ(t.channel_tail("bulk", "chat").count, 1);
        t.remove_processes("dev", std::nullopt);
        EXPECT_EQ(t.channel_tail("bulk", "chat").count, 0);
    });
}

TEST_P(StoreConformance, FailedJobLeavesNothingBehind) {
    // A job that returns false is rolled back; one that throws reports the error.
    EXPECT_TRUE(store->run_sync([](StoreTx& t) {
        t.add_colony(Colony{"c1", "rolled-back"});
        return false;
    }));
    std::string err;
    EXPECT_FALSE(store->run_sync(
        [](StoreTx& t) -> bool {
            t.add_colony(Colony{"c2", "thrown"});
            throw StoreError("boom");
        },
        &err));
    EXPECT_NE(err.find("boom"), std::string::npos);
    // A constraint violation inside a job (duplicate key) fails that job only.
    tx([](StoreTx& t) { t.add_colony(Colony{"c3", "dup"}); });
    EXPECT_FALSE(store->run_sync([](StoreTx& t) {
        t.add_colony(Colony{"c4", "kept-out"});
        t.add_colony(Colony{"c3", "dup"});
        return true;
    }));
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.colony("rolled-back"));
        EXPECT_FALSE(t.colony("thrown"));
        EXPECT_FALSE(t.colony("kept-out"));
        EXPECT_TRUE(t.colony("dup"));
    });
}

void StoreConformance::expect_each_claimed_once(ClaimFn claim) {
    constexpr int kProcesses = 200;
    tx([&](StoreTx& t) {
        for (int i = 0; i < kProcesses; ++i)
            t.save_process(waiting_process("p" + std::to_string(i), i), {});
    });
    std::vector<std::unique_ptr<Store>> others;
    if (backend->shares_across_stores()) others.push_back(backend->open());
    std::mutex mu;
    std::map<std::string, int> claims;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < 8; ++th) {
        Store* s = (th % 2 && !others.empty()) ? others[0].get() : store.get();
        threads.emplace_back([&, s, th] {
            for (;;) {
                std::optional<std::string> got;
                bool ok = s->run_sync([&](StoreTx& t) {
                    got.reset();
                    auto p = claim(t, query("cli", "e" + std::to_string(th)));
                    if (!p) return true;
                    if (p->state != ProcessState::Waiting) return false;
                    p->state = ProcessState::Running;
                    p->assignedexecutorid = "x" + std::to_string(th);
                    t.save_process(*p, {});
                    got = p->processid;
                    return true;
                });
                if (!ok) {
                    failures++;
                    return;
                }
                if (!got) return;
                std::lock_guard lk(mu);
                claims[*got]++;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(claims.size(), static_cast<size_t>(kProcesses));
    for (const auto& [id, n] : claims) EXPECT_EQ(n, 1) << id << " claimed " << n << " times";
    tx([&](StoreTx& t) { EXPECT_EQ(t.count_processes("dev").running, kProcesses); });
}

TEST_P(StoreConformance, ConcurrentClaimsNeverTakeOneProcessTwice) {
    expect_each_claimed_once([](StoreTx& t, const AssignQuery& q) -> std::optional<Process> {
        auto id = t.find_assignable(q);
        return id ? t.process(*id) : std::nullopt;
    });
}

TEST_P(StoreConformance, ConcurrentClaimAssignableNeverTakesOneProcessTwice) {
    expect_each_claimed_once([](StoreTx& t, const AssignQuery& q) {
        auto c = t.claim_assignable(q);
        EXPECT_FALSE(c.paused);
        return c.process;
    });
}

// Read-modify-write of one process from many threads (and two stores): no update is lost.
TEST_P(StoreConformance, ConcurrentUpdatesOfOneProcessLoseNothing) {
    tx([](StoreTx& t) { t.save_process(waiting_process("hot", 1), {}); });
    std::vector<std::unique_ptr<Store>> others;
    if (backend->shares_across_stores()) others.push_back(backend->open());
    constexpr int kThreads = 6, kEach = 20;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < kThreads; ++th) {
        Store* s = (th % 2 && !others.empty()) ? others[0].get() : store.get();
        threads.emplace_back([&, s] {
            for (int i = 0; i < kEach; ++i) {
                bool ok = s->run_sync([](StoreTx& t) {
                    auto p = t.process("hot");
                    if (!p) return false;
                    p->retries++;
                    t.save_process(*p, {});
                    return true;
                });
                if (!ok) failures++;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    tx([&](StoreTx& t) { EXPECT_EQ(t.process("hot")->retries, kThreads * kEach); });
}

// Two servers adding the same colony at once: one insert wins; the other job, run again by the
// store after the unique violation, sees the colony and reports it instead of failing.
TEST_P(StoreConformance, ConcurrentInsertOfOneKeyIsRetriedNotFailed) {
    std::vector<std::unique_ptr<Store>> others;
    if (backend->shares_across_stores()) others.push_back(backend->open());
    std::atomic<int> created{0}, existed{0}, failed{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < 6; ++th) {
        Store* s = (th % 2 && !others.empty()) ? others[0].get() : store.get();
        threads.emplace_back([&, s, th] {
            bool made = false;
            bool ok = s->run_sync([&](StoreTx& t) {
                made = false;
                if (t.colony("shared")) return true;
                t.add_colony(Colony{"cid" + std::to_string(th), "shared"});
                made = true;
                return true;
            });
            if (!ok)
                failed++;
            else if (made)
                created++;
            else
                existed++;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(existed.load(), 5);
}

// ---- Generators (features.md 2)

Generator generator(const std::string& id, const std::string& colony, const std::string& name,
                    int64_t trigger, int64_t timeout = -1) {
    Generator g;
    g.generatorid = id;
    g.colonyname = colony;
    g.name = name;
    g.workflowspec = R"({"colonyname":")" + colony + R"(","functionspecs":[]})";
    g.trigger = trigger;
    g.timeout = timeout;
    g.initiatorid = "init-" + id;
    g.initiatorname = "alice";
    return g;
}

GeneratorArg arg(const std::string& generatorid, const std::string& text,
                 const std::string& colony = "dev") {
    return GeneratorArg{"arg-" + generatorid + "-" + text, generatorid, colony, text};
}

std::vector<std::string> arg_texts(const std::vector<GeneratorArg>& args) {
    std::vector<std::string> out;
    for (const auto& a : args) out.push_back(a.arg);
    return out;
}

Time at_s(int64_t s, int64_t extra_ns = 0) {
    return Time::from_ns(s * 1000000000LL + extra_ns);
}

TEST_P(StoreConformance, GeneratorsAddReadListResolveAndRemove) {
    tx([](StoreTx& t) {
        t.add_generator(generator("gb", "dev", "second-added-first", 2, 30));
        t.add_generator(generator("ga", "dev", "added-second", 3));
        t.add_generator(generator("gc", "other", "added-second", 1));
        t.pack_generator(arg("gb", "x"), at_s(100));
    });
    tx([](StoreTx& t) {
        auto g = t.generator("gb");
        ASSERT_TRUE(g);
        EXPECT_EQ(g->colonyname, "dev");
        EXPECT_EQ(g->name, "second-added-first");
        EXPECT_EQ(g->workflowspec, R"({"colonyname":"dev","functionspecs":[]})");
        EXPECT_EQ(g->trigger, 2);
        EXPECT_EQ(g->timeout, 30);
        EXPECT_EQ(g->initiatorid, "init-gb");
        EXPECT_EQ(g->initiatorname, "alice");
        EXPECT_EQ(g->firstpack, at_s(100));
        EXPECT_TRUE(g->lastrun.is_zero());
        EXPECT_EQ(g->queuesize, 1);
        EXPECT_FALSE(t.generator("nope"));

        auto dev = t.generators("dev", 10);
        ASSERT_EQ(dev.size(), 2u);
        EXPECT_EQ(dev[0].generatorid, "gb");  // the order they were added
        EXPECT_EQ(dev[1].generatorid, "ga");
        EXPECT_EQ(t.generators("dev", 1).size(), 1u);
        EXPECT_TRUE(t.generators("none", 10).empty());

        auto byname = t.generator_by_name("other", "added-second");
        ASSERT_TRUE(byname);
        EXPECT_EQ(byname->generatorid, "gc");  // the name is per colony
        EXPECT_FALSE(t.generator_by_name("dev", "nope"));
    });
    tx([](StoreTx& t) { t.remove_generator("gb"); });
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.generator("gb"));
        EXPECT_TRUE(t.generator_args("gb", 10).empty());  // its arguments went with it
        EXPECT_TRUE(t.generator("ga"));
    });
}

TEST_P(StoreConformance, GeneratorArgumentsAreFifoAndTakenInOrder) {
    tx([](StoreTx& t) {
        t.add_generator(generator("g1", "dev", "batch", 2));
        t.add_generator(generator("g2", "dev", "neighbour", 2));
        for (int i = 0; i < 5; ++i) {
            t.pack_generator(arg("g1", "a" + std::to_string(i)), at_s(100 + i));
            t.pack_generator(arg("g2", "b" + std::to_string(i)), at_s(100 + i));
        }
    });
    tx([](StoreTx& t) {
        auto g = t.generator("g1");
        ASSERT_TRUE(g);
        EXPECT_EQ(g->queuesize, 5);
        EXPECT_EQ(g->firstpack, at_s(100));  // the first pack ever, never moved by later ones
        EXPECT_EQ(arg_texts(t.generator_args("g1", 2)), (std::vector<std::string>{"a0", "a1"}));
        t.consume_generator_args("g1", 2, at_s(200));
    });
    tx([](StoreTx& t) {
        auto g = t.generator("g1");
        ASSERT_TRUE(g);
        EXPECT_EQ(g->queuesize, 3);
        EXPECT_EQ(g->lastrun, at_s(200));
        EXPECT_EQ(g->firstpack, at_s(100));
        EXPECT_EQ(arg_texts(t.generator_args("g1", 10)),
                  (std::vector<std::string>{"a2", "a3", "a4"}));
        // The other generator's queue is untouched.
        EXPECT_EQ(t.generator("g2")->queuesize, 5);
        EXPECT_EQ(arg_texts(t.generator_args("g2", 1)), (std::vector<std::string>{"b0"}));
        t.pack_generator(arg("g1", "late"), at_s(300));
        t.consume_generator_args("g1", 3, at_s(301));
    });
    tx([](StoreTx& t) {
        EXPECT_EQ(t.generator("g1")->queuesize, 1);
        EXPECT_EQ(t.generator("g1")->firstpack, at_s(100));
        EXPECT_EQ(arg_texts(t.generator_args("g1", 10)), (std::vector<std::string>{"late"}));
    });
}

TEST_P(StoreConformance, DueGeneratorsFollowTriggerAndTimeout) {
    auto due_ids = [](StoreTx& t, Time now, int limit = 10) {
        std::vector<std::string> ids;
        for (const auto& g : t.due_generators(now, limit)) ids.push_back(g.generatorid);
        return ids;
    };
    using V = std::vector<std::string>;
    tx([](StoreTx& t) {
        t.add_generator(generator("count", "dev", "count", 2));      // no timeout
        t.add_generator(generator("first", "dev", "first", 10, 5));  // timeout from firstpack
        t.add_generator(generator("last", "dev", "last", 10, 5));    // timeout from lastrun
        t.add_generator(generator("empty", "dev", "empty", 1, 1));   // nothing queued
        t.pack_generator(arg("count", "c1"), at_s(1000));
        t.pack_generator(arg("first", "f1"), at_s(1000, 900000000));  // 1000.9 s
        t.pack_generator(arg("last", "l1"), at_s(500));
        t.pack_generator(arg("last", "l2"), at_s(500));
        t.consume_generator_args("last", 1, at_s(1003));
    });
    tx([&](StoreTx& t) {
        // Second granularity as upstream: due when now (s) > base (s) + timeout.
        EXPECT_EQ(due_ids(t, at_s(1005, 999999999)), V{});
        EXPECT_EQ(due_ids(t, at_s(1006)), V{"first"});
        // "last" was packed long ago, but its timeout runs from its last run.
        EXPECT_EQ(due_ids(t, at_s(1008, 999999999)), V{"first"});
        EXPECT_EQ(due_ids(t, at_s(1009)), (V{"first", "last"}));  // never run before ran recently
        EXPECT_EQ(due_ids(t, at_s(1009), 1), V{"first"});
        t.pack_generator(arg("count", "c2"), at_s(1001));  // reaches the trigger
    });
    tx([&](StoreTx& t) {
        EXPECT_EQ(due_ids(t, at_s(1001)), V{"count"});
        auto due = t.due_generators(at_s(1001), 10);
        ASSERT_EQ(due.size(), 1u);
        EXPECT_EQ(due[0].queuesize, 2);
        t.consume_generator_args("count", 2, at_s(1001));
        EXPECT_EQ(due_ids(t, at_s(100000)), (V{"first", "last"}));  // "count" has nothing left
    });
}

TEST_P(StoreConformance, RemoveColonyRemovesItsGeneratorsAndTheirArguments) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "other"});
        t.add_generator(generator("g1", "dev", "gen", 5));
        t.add_generator(generator("g2", "other", "gen", 5));
        t.pack_generator(arg("g1", "x"), at_s(1));
        t.pack_generator(arg("g2", "y", "other"), at_s(1));
    });
    tx([](StoreTx& t) { t.remove_colony("dev"); });
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.generator("g1"));
        EXPECT_TRUE(t.generator_args("g1", 10).empty());
        EXPECT_FALSE(t.generator_by_name("dev", "gen"));
        ASSERT_TRUE(t.generator("g2"));
        EXPECT_EQ(t.generator("g2")->queuesize, 1);
        EXPECT_EQ(arg_texts(t.generator_args("g2", 10)), (std::vector<std::string>{"y"}));
    });
}

// Packs of one generator from many threads (and, on PostgreSQL, two servers) lose no count: the
// queue size always equals the arguments queued.
TEST_P(StoreConformance, ConcurrentPacksKeepTheQueueSizeExact) {
    tx([](StoreTx& t) { t.add_generator(generator("hot", "dev", "hot", 1000)); });
    std::vector<std::unique_ptr<Store>> others;
    if (backend->shares_across_stores()) others.push_back(backend->open());
    constexpr int kThreads = 4, kEach = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < kThreads; ++th) {
        Store* s = (th % 2 && !others.empty()) ? others[0].get() : store.get();
        threads.emplace_back([&, s, th] {
            for (int i = 0; i < kEach; ++i) {
                const std::string text = std::to_string(th) + "-" + std::to_string(i);
                if (!s->run_sync([&](StoreTx& t) {
                        if (!t.generator("hot")) return false;
                        t.pack_generator(arg("hot", text), at_s(10));
                        return true;
                    }))
                    failures++;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    tx([&](StoreTx& t) {
        EXPECT_EQ(t.generator("hot")->queuesize, kThreads * kEach);
        EXPECT_EQ(t.generator_args("hot", 1000).size(), static_cast<size_t>(kThreads * kEach));
    });
}

// Locations (features.md 7.1): unique per colony by name, any name (':' included: upstream's
// "<colony>:<name>" key would make colony "a:b" name "c" collide with colony "a" name "b:c").
TEST_P(StoreConformance, Locations) {
    tx([](StoreTx& t) {
        EXPECT_TRUE(t.add_location(Location{"l2", "zurich", "dev", "lake", 8.541694, 47.376888}));
        EXPECT_TRUE(t.add_location(Location{"l1", "b:c", "a", "colon in name", -0.5, 1e-7}));
        EXPECT_TRUE(t.add_location(Location{"l3", "c", "a:b", "", 0, 0}));
        EXPECT_TRUE(t.add_location(Location{"l4", "abisko", "dev", "", 18.8, 68.35}));
        EXPECT_FALSE(t.add_location(Location{"l5", "zurich", "dev", "again", 1, 1}));
    });
    tx([](StoreTx& t) {
        auto z = t.location("dev", "zurich");
        ASSERT_TRUE(z);
        EXPECT_EQ(z->locationid, "l2");  // the refused duplicate changed nothing
        EXPECT_EQ(z->description, "lake");
        EXPECT_EQ(z->longitude, 8.541694);  // doubles round-trip exactly
        EXPECT_EQ(z->latitude, 47.376888);
        EXPECT_EQ(t.location("a", "b:c")->locationid, "l1");
        EXPECT_EQ(t.location("a", "b:c")->latitude, 1e-7);
        EXPECT_EQ(t.location("a:b", "c")->locationid, "l3");
        EXPECT_FALSE(t.location("a", "c"));
        EXPECT_FALSE(t.location("other", "zurich"));
        auto all = t.locations("dev");
        ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[0].name, "abisko");  // by name
        EXPECT_EQ(all[1].name, "zurich");
        EXPECT_EQ(all[1].colonyname, "dev");
        EXPECT_TRUE(t.locations("nobody").empty());
        t.remove_location("dev", "zurich");
        EXPECT_FALSE(t.location("dev", "zurich"));
        EXPECT_TRUE(t.location("dev", "abisko"));
        EXPECT_TRUE(t.add_location(Location{"l6", "zurich", "dev", "re-added", 0, 0}));
    });
}

TEST_P(StoreConformance, RemoveColonyRemovesItsLocations) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "other"});
        t.add_location(Location{"l1", "home", "dev", "", 0, 0});
        t.add_location(Location{"l2", "home", "other", "", 0, 0});
    });
    tx([](StoreTx& t) { t.remove_colony("dev"); });
    tx([](StoreTx& t) {
        EXPECT_TRUE(t.locations("dev").empty());
        EXPECT_TRUE(t.location("other", "home"));
    });
}

// Key rotation (protocol.md 5.15): the new id finds the record, the old one nothing, and nothing
// else of the record or of its neighbours changes.
TEST_P(StoreConformance, ChangeColonyAndUserIds) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"old-c", "dev"});
        t.add_colony(Colony{"old-c", "twin"});  // the same owner key for two colonies
        t.add_user(User{"dev", "old-u", "alice", "a@x", "1"});
        t.add_user(User{"dev", "id-b", "bob", "b@x", "2"});
        t.add_user(User{"other", "old-u", "alice", "a@y", "3"});
    });
    tx([](StoreTx& t) {
        t.change_colony_id("dev", "new-c");
        t.change_user_id("dev", "alice", "new-u");
    });
    tx([](StoreTx& t) {
        EXPECT_EQ(t.colony("dev")->colonyid, "new-c");
        EXPECT_EQ(t.colony("twin")->colonyid, "old-c");
        auto u = t.user_by_id("dev", "new-u");
        ASSERT_TRUE(u);
        EXPECT_EQ(u->name, "alice");
        EXPECT_EQ(u->email, "a@x");
        EXPECT_EQ(u->phone, "1");
        EXPECT_FALSE(t.user_by_id("dev", "old-u"));
        EXPECT_EQ(t.user("dev", "bob")->userid, "id-b");
        EXPECT_EQ(t.user_by_id("other", "old-u")->email, "a@y");  // another colony's record
    });
}

// An executor's id changes by saving its record with the new id: within one job, too, the old
// id stops finding it at once (SqlTx keeps the last executor read by id).
TEST_P(StoreConformance, ChangeExecutorIdBySaving) {
    tx([](StoreTx& t) {
        auto e = executor("dev", "e1", "old-x");
        e.state = ExecutorState::Approved;
        t.save_executor(e);
    });
    tx([](StoreTx& t) {
        auto e = t.executor_by_id("old-x");
        ASSERT_TRUE(e);
        e->executorid = "new-x";
        t.save_executor(*e);
        EXPECT_FALSE(t.executor_by_id("old-x"));
        EXPECT_EQ(t.executor_by_id("new-x")->executorname, "e1");
    });
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.executor_by_id("old-x"));
        auto e = t.executor_by_id("new-x");
        ASSERT_TRUE(e);
        EXPECT_EQ(e->state, ExecutorState::Approved);
        EXPECT_EQ(t.executors("dev").size(), 1u);
    });
}

// PostgreSQL only: the database drops every connection of the store (a restart, a failover);
// the next jobs reconnect and succeed, and nothing committed before is lost.
TEST(PostgresStore, JobsSurviveTheDatabaseDroppingEveryConnection) {
    Backend backend("postgres");
    auto store = backend.open();
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        t.add_colony(Colony{"c1", "before"});
        return true;
    }));
    pg().exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'colonies' AND pid <> pg_backend_pid()");
    for (int i = 0; i < 8; ++i) {  // more jobs than connections: every worker meets a dead one
        std::string err;
        EXPECT_TRUE(store->run_sync(
            [i](StoreTx& t) {
                t.add_colony(Colony{"c", "after" + std::to_string(i)});
                return true;
            },
            &err))
            << err;
    }
    EXPECT_TRUE(store->run_sync([](StoreTx& t) {
        EXPECT_TRUE(t.colony("before"));
        EXPECT_EQ(t.colonies().size(), 9u);
        return true;
    }));
}

// One worker on a fresh schema: the jobs queued behind a BlockedWorker form one batch.
PostgresOptions one_worker_options() {
    PostgresOptions opts;
    opts.host = pg().host();
    opts.port = pg().port();
    opts.user = pg().user();
    opts.schema = pg().fresh_schema();
    opts.pool_size = 1;
    return opts;
}

// Holds a one-worker store's worker in a job until release(), so that the jobs posted meanwhile
// wait in the queue and then run together.
class BlockedWorker {
  public:
    explicit BlockedWorker(Store& store) {
        store.post(
            [this](StoreTx&) {
                started_ = true;
                std::unique_lock lk(mu_);
                cv_.wait(lk, [this] { return released_; });
                return true;
            },
            [](bool, const std::string&) {});
        while (!started_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~BlockedWorker() { release(); }
    void release() {
        {
            std::lock_guard lk(mu_);
            released_ = true;
        }
        cv_.notify_all();
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool released_ = false;
    std::atomic<bool> started_{false};
};

// What each of n posted jobs was told by its `done`, and a wait until all were told.
class JobOutcomes {
  public:
    explicit JobOutcomes(size_t n) : committed_(n, -1), errors_(n) {}
    Store::Done done_of(size_t i) {
        return [this, i](bool ok, const std::string& err) {
            committed_[i] = ok ? 1 : 0;
            errors_[i] = err;
            finished_++;
        };
    }
    void wait() const {
        while (finished_ < committed_.size())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    int committed(size_t i) const { return committed_[i]; }  // 1, 0, or -1 when not told
    const std::string& error(size_t i) const { return errors_[i]; }

  private:
    std::vector<int> committed_;
    std::vector<std::string> errors_;
    std::atomic<size_t> finished_{0};
};

// PostgreSQL only: jobs waiting together run as one transaction (group commit). When that
// transaction's COMMIT fails (here a deferred constraint trigger refuses one job's row), nothing
// of the batch is applied, no job is told it committed before a commit that held it, and each
// job then runs alone: the bad one fails, the others commit.
TEST(PostgresStore, ABatchWhoseCommitFailsIsAppliedJobByJobOrNotAtAll) {
    PostgresOptions opts = one_worker_options();
    auto store = open_postgres_store(opts);
    // Every firing counts in a sequence (not rolled back with its transaction), so the test can
    // tell a batch's failed commit from jobs that only ever ran alone.
    pg().exec("SET search_path TO " + opts.schema +
              ";"
              "CREATE SEQUENCE commit_checks;"
              "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
              "PERFORM nextval('commit_checks'); "
              "IF NEW.name = 'poison' THEN RAISE EXCEPTION 'poison refused at commit'; END IF; "
              "RETURN NEW; END $$;"
              "CREATE CONSTRAINT TRIGGER refuse_poison AFTER INSERT ON colonies "
              "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_poison();");
    BlockedWorker blocker(*store);
    constexpr int kJobs = 5;  // the last one is the poison
    JobOutcomes outcomes(kJobs);
    for (int i = 0; i < kJobs; ++i) {
        const std::string name = i == kJobs - 1 ? "poison" : "good" + std::to_string(i);
        store->post(
            [name](StoreTx& t) {
                t.add_colony(Colony{"id-" + name, name});
                return true;
            },
            outcomes.done_of(i));
    }
    blocker.release();
    outcomes.wait();
    for (int i = 0; i < kJobs - 1; ++i)
        EXPECT_EQ(outcomes.committed(i), 1) << i << ": " << outcomes.error(i);
    EXPECT_EQ(outcomes.committed(kJobs - 1), 0);
    EXPECT_NE(outcomes.error(kJobs - 1).find("poison refused at commit"), std::string::npos)
        << outcomes.error(kJobs - 1);
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        EXPECT_FALSE(t.colony("poison"));
        EXPECT_EQ(t.colonies().size(), static_cast<size_t>(kJobs - 1));
        return true;
    }));
    // The batch's commit checked all five rows, then each job alone checked its own: ten.
    auto checks = pg().query("SELECT last_value FROM " + opts.schema + ".commit_checks");
    EXPECT_EQ(checks, std::to_string(2 * kJobs));
}

// One batch of a one-worker store: job i reads, then adds colony names[i]. Returns how often each
// job ran; `outcomes` says what each was told.
std::vector<int> run_reading_then_writing_batch(Store& store, const std::vector<std::string>& names,
                                                JobOutcomes& outcomes) {
    BlockedWorker blocker(store);
    const size_t n = names.size();
    std::vector<std::atomic<int>> runs(n);
    for (size_t i = 0; i < n; ++i) {
        store.post(
            [&, i](StoreTx& t) {
                runs[i]++;
                t.colony("good-0");
                t.add_colony(Colony{"id-" + names[i], names[i]});
                return true;
            },
            outcomes.done_of(i));
    }
    blocker.release();
    outcomes.wait();
    std::vector<int> out;
    for (auto& r : runs) out.push_back(r.load());
    return out;
}

// PostgreSQL only: in a batch, a job's writes travel with the next job's first read or with the
// COMMIT. When one of them is refused there (a duplicate key), only that job is undone and
// failed, and every good job commits exactly once. A batch first runs without savepoints; the
// failure sends it back to run with a savepoint per job, and the worker's next batches keep them:
// there the jobs before the refusal keep their work and run once, the jobs after it run again.
TEST(PostgresStore, AWriteRefusedAfterItsJobEndedFailsOnlyThatJob) {
    PostgresOptions opts = one_worker_options();
    auto store = open_postgres_store(opts);
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        t.add_colony(Colony{"taken-1", "taken-1"});
        t.add_colony(Colony{"taken-2", "taken-2"});
        return true;
    }));
    // Job 1's refused write surfaces in job 2's read, job 4's (the last) in the COMMIT.
    for (const std::string round : {"a", "b"}) {
        SCOPED_TRACE("round " + round);
        const std::vector<std::string> names = {"good-0" + round, "taken-1", "good-2" + round,
                                                "good-3" + round, "taken-2"};
        JobOutcomes outcomes(names.size());
        const auto runs = run_reading_then_writing_batch(*store, names, outcomes);
        for (size_t i : {0u, 2u, 3u})
            EXPECT_EQ(outcomes.committed(i), 1) << i << ": " << outcomes.error(i);
        for (size_t i : {1u, 4u}) {
            EXPECT_EQ(outcomes.committed(i), 0) << i;
            EXPECT_NE(outcomes.error(i).find("duplicate key"), std::string::npos)
                << outcomes.error(i);
        }
        // Round a: once in the batch rolled back, once with savepoints. Round b: with savepoints
        // from the start, job 0 is kept and not run again.
        EXPECT_EQ(runs[0], round == "a" ? 2 : 1);
    }
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        EXPECT_EQ(t.colonies().size(), 8u);  // taken-1, taken-2 and three good ones per round
        EXPECT_EQ(t.colony("taken-1")->colonyid, "taken-1");  // not overwritten
        EXPECT_EQ(t.colony("good-3a")->colonyid, "id-good-3a");
        EXPECT_EQ(t.colony("good-3b")->colonyid, "id-good-3b");
        return true;
    }));
}

// PostgreSQL only: a batch whose jobs all succeed commits without savepoints, and one whose job
// refuses (returns false after writing) or throws keeps nothing of that job and all of the others.
TEST(PostgresStore, ABatchRunWithoutSavepointsUndoesOnlyItsFailingJob) {
    PostgresOptions opts = one_worker_options();
    auto store = open_postgres_store(opts);
    {
        JobOutcomes outcomes(4);
        const auto runs =
            run_reading_then_writing_batch(*store, {"c0", "c1", "c2", "c3"}, outcomes);
        for (size_t i = 0; i < 4; ++i) {
            EXPECT_EQ(outcomes.committed(i), 1) << i << ": " << outcomes.error(i);
            EXPECT_EQ(runs[i], 1) << i;
        }
    }
    BlockedWorker blocker(*store);
    JobOutcomes outcomes(4);
    std::vector<std::atomic<int>> runs(4);
    auto adds = [&](size_t i, std::string name, int ending) {
        store->post(
            [&, i, name, ending](StoreTx& t) {
                runs[i]++;
                t.colony("c0");
                t.add_colony(Colony{"id-" + name, name});
                t.colony("c1");  // the write travels before the job ends
                if (ending == 1) return false;
                if (ending == 2) throw StoreError("job broke");
                return true;
            },
            outcomes.done_of(i));
    };
    adds(0, "d0", 0);
    adds(1, "refused", 1);
    adds(2, "d2", 0);
    adds(3, "thrown", 2);
    blocker.release();
    outcomes.wait();
    EXPECT_EQ(outcomes.committed(0), 1) << outcomes.error(0);
    EXPECT_EQ(outcomes.committed(1), 1);  // a refusal commits nothing of its own, and is told so
    EXPECT_EQ(outcomes.committed(2), 1) << outcomes.error(2);
    EXPECT_EQ(outcomes.committed(3), 0);
    EXPECT_NE(outcomes.error(3).find("job broke"), std::string::npos) << outcomes.error(3);
    EXPECT_EQ(runs[0].load(), 2);  // once in the batch rolled back, once with a savepoint
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        EXPECT_EQ(t.colonies().size(), 6u);
        EXPECT_TRUE(t.colony("d0"));
        EXPECT_TRUE(t.colony("d2"));
        EXPECT_FALSE(t.colony("refused"));
        EXPECT_FALSE(t.colony("thrown"));
        return true;
    }));
}

// PostgreSQL only: a database written before the stores shared one migration list recorded its
// single schema step as version 1; the store opens it without creating anything again and uses it.
TEST(PostgresStore, OpensADatabaseOfTheSingleStepNumbering) {
    const char* const legacy_schema = R"sql(
CREATE TABLE server (id INTEGER PRIMARY KEY CHECK (id = 1), serverid TEXT NOT NULL);
CREATE TABLE colonies (name TEXT PRIMARY KEY, colonyid TEXT NOT NULL);
CREATE TABLE users (colonyname TEXT NOT NULL, name TEXT NOT NULL, userid TEXT NOT NULL,
  email TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (colonyname, name));
CREATE INDEX users_by_id ON users (userid);
CREATE TABLE executors (colonyname TEXT NOT NULL, executorname TEXT NOT NULL,
  executorid TEXT NOT NULL, state INTEGER NOT NULL, lastheard BIGINT NOT NULL,
  doc TEXT NOT NULL, PRIMARY KEY (colonyname, executorname));
CREATE INDEX executors_by_id ON executors (executorid);
CREATE TABLE functions (functionid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX functions_by_executor ON functions (colonyname, executorname);
CREATE TABLE processes (processid TEXT PRIMARY KEY, seq BIGSERIAL, colonyname TEXT NOT NULL,
  executortype TEXT NOT NULL, state INTEGER NOT NULL, waitforparents INTEGER NOT NULL,
  prioritytime BIGINT NOT NULL, executornames TEXT NOT NULL, locationname TEXT NOT NULL,
  cpu BIGINT NOT NULL, mem BIGINT NOT NULL, nodes BIGINT NOT NULL,
  starttime BIGINT NOT NULL, endtime BIGINT NOT NULL, waitdeadline BIGINT NOT NULL,
  execdeadline BIGINT NOT NULL, assignedexecutorid TEXT NOT NULL,
  processgraphid TEXT NOT NULL, label TEXT NOT NULL, initiatorname TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX processes_ready ON processes (colonyname, executortype, prioritytime)
  WHERE state = 0 AND waitforparents = 0;
CREATE INDEX processes_by_state ON processes (colonyname, state, prioritytime);
CREATE INDEX processes_running ON processes (execdeadline) WHERE state = 1;
CREATE INDEX processes_waiting_deadline ON processes (waitdeadline) WHERE state = 0;
CREATE INDEX processes_by_executor ON processes (assignedexecutorid) WHERE state = 1;
CREATE INDEX processes_by_graph ON processes (processgraphid, seq) WHERE processgraphid <> '';
CREATE TABLE attributes (attributeid TEXT PRIMARY KEY, seq BIGSERIAL, targetid TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX attributes_by_target ON attributes (targetid, seq);
CREATE TABLE logs (id BIGSERIAL PRIMARY KEY, processid TEXT NOT NULL, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, message TEXT NOT NULL, ts BIGINT NOT NULL);
CREATE INDEX logs_by_process ON logs (processid, ts);
CREATE INDEX logs_by_executor ON logs (colonyname, executorname, ts);
CREATE TABLE processgraphs (processgraphid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  state INTEGER NOT NULL, submissiontime BIGINT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX processgraphs_by_state ON processgraphs (colonyname, state, submissiontime);
)sql";
    PostgresOptions opts;
    opts.host = pg().host();
    opts.port = pg().port();
    opts.user = pg().user();
    opts.schema = pg().fresh_schema();
    opts.pool_size = 2;
    pg().exec("CREATE SCHEMA " + opts.schema + "; SET search_path TO " + opts.schema + ";" +
              legacy_schema +
              "CREATE TABLE schema_version (version INTEGER NOT NULL);"
              "INSERT INTO schema_version (version) VALUES (1);"
              "INSERT INTO colonies (name, colonyid) VALUES ('dev', 'before');");
    auto store = open_postgres_store(opts);
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        EXPECT_EQ(t.colony("dev").value_or(Colony{}).colonyid, "before");
        auto p = waiting_process("p1", 1);
        p.processgraphid = "g1";
        t.save_process(p, {});
        EXPECT_TRUE(t.add_attribute(Attribute{"a1", "p1", "dev", "g1", ProcessState::Waiting,
                                              AttributeType::In, "k", "v"}));
        t.add_log(Log{"p1", "dev", "e1", "hello", 5});
        return true;
    }));
    ASSERT_TRUE(store->run_sync([](StoreTx& t) {
        auto ps = t.processes_of_graph("g1");
        EXPECT_EQ(ps.size(), 1u);
        if (!ps.empty()) {
            EXPECT_EQ(ps[0].attributes.size(), 1u);
        }
        EXPECT_EQ(t.logs("dev", "p1", "", 10, 0, false).size(), 1u);
        return true;
    }));
}

// ---- process history, transitions ledger, pause flags, retention, capabilities (issue 14) ----

ProcessTransition transition_of(const std::string& id, ProcessState s, const char* event,
                                int64_t ns) {
    return ProcessTransition{id, s, event, "e1", Time::from_ns(ns)};
}

TEST_P(StoreConformance, ProcessHistoryBySubmissionTimeStateAndExecutor) {
    tx([](StoreTx& t) {
        for (int i = 0; i < 6; ++i) {
            // Saved out of submission order: the history sorts by submission time, not by save.
            auto p = waiting_process("h" + std::to_string(i), 1000 - i * 100);
            p.state = i % 2 ? ProcessState::Success : ProcessState::Running;
            p.assignedexecutorid = i < 3 ? "x1" : "x2";
            t.save_process(p, {});
        }
        t.save_process(waiting_process("elsewhere", 900, "cli", "other"), {});
    });
    tx([](StoreTx& t) {
        auto ids = [](const std::vector<Process>& ps) {
            std::vector<std::string> out;
            for (const auto& p : ps) out.push_back(p.processid);
            return out;
        };
        using V = std::vector<std::string>;
        // Success: h1 (900), h3 (700), h5 (500); oldest first.
        EXPECT_EQ(ids(t.process_history("dev", "", ProcessState::Success, Time::from_ns(0))),
                  (V{"h5", "h3", "h1"}));
        EXPECT_EQ(ids(t.process_history("dev", "", ProcessState::Success, Time::from_ns(700))),
                  (V{"h3", "h1"}));
        EXPECT_EQ(ids(t.process_history("dev", "x2", ProcessState::Success, Time::from_ns(0))),
                  (V{"h5", "h3"}));
        EXPECT_EQ(ids(t.process_history("dev", "x1", ProcessState::Running, Time::from_ns(0))),
                  (V{"h2", "h0"}));
        EXPECT_TRUE(t.process_history("dev", "", ProcessState::Failed, Time::from_ns(0)).empty());
        EXPECT_TRUE(
            t.process_history("dev", "", ProcessState::Success, Time::from_ns(1000)).empty());
    });
}

TEST_P(StoreConformance, TransitionsAreKeptInOrderAndGoWithTheirProcess) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        for (auto id : {"p1", "p2", "p3", "gp"}) {
            auto p = waiting_process(id, 1);
            if (std::string(id) == "gp") p.processgraphid = "g1";
            t.save_process(p, {});
            t.add_transition(transition_of(id, ProcessState::Running, "assign", 10));
            t.add_transition(transition_of(id, ProcessState::Waiting, "executorgone", 20));
            t.add_transition(transition_of(id, ProcessState::Running, "assign", 20));
        }
        ProcessGraph g;
        g.processgraphid = "g1";
        g.colonyname = "dev";
        t.save_graph(g);
    });
    tx([](StoreTx& t) {
        auto ts = t.transitions("p1");
        ASSERT_EQ(ts.size(), 3u);
        EXPECT_EQ(ts[0].event, "assign");
        EXPECT_EQ(ts[1].event, "executorgone");  // insertion order, also at equal times
        EXPECT_EQ(ts[1].state, ProcessState::Waiting);
        EXPECT_EQ(ts[2].time, Time::from_ns(20));
        EXPECT_EQ(ts[2].executorid, "e1");
        EXPECT_EQ(ts[2].processid, "p1");
        t.remove_process("p1");
        EXPECT_TRUE(t.transitions("p1").empty());
        t.remove_processes("dev", ProcessState::Waiting);  // p2, p3 (not the graph's)
        EXPECT_TRUE(t.transitions("p2").empty());
        EXPECT_EQ(t.transitions("gp").size(), 3u);
        t.remove_graph("g1");
        EXPECT_TRUE(t.transitions("gp").empty());
        t.save_process(waiting_process("p4", 1), {});
        t.add_transition(transition_of("p4", ProcessState::Running, "assign", 30));
        t.remove_colony("dev");
        EXPECT_TRUE(t.transitions("p4").empty());
    });
}

TEST_P(StoreConformance, PauseFlagsAreSetClearedAndGoWithTheColony) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "other"});
        EXPECT_FALSE(t.colony_paused("dev"));
        t.set_colony_paused("dev", true, Time::from_ns(5));
        t.set_colony_paused("dev", true, Time::from_ns(6));  // twice is fine
        t.set_colony_paused("other", true, Time::from_ns(6));
    });
    tx([](StoreTx& t) {
        EXPECT_TRUE(t.colony_paused("dev"));
        t.set_colony_paused("dev", false, Time::from_ns(7));
        t.set_colony_paused("dev", false, Time::from_ns(7));
        EXPECT_FALSE(t.colony_paused("dev"));
        EXPECT_TRUE(t.colony_paused("other"));
        t.remove_colony("other");
        t.add_colony(Colony{"c2", "other"});
        EXPECT_FALSE(t.colony_paused("other"));
    });
}

TEST_P(StoreConformance, RetentionCandidatesAreOldSuccessfulOnesInBatches) {
    tx([](StoreTx& t) {
        for (int i = 0; i < 5; ++i) {
            auto p = waiting_process("old" + std::to_string(i), 100 + i);
            p.state = ProcessState::Success;
            t.save_process(p, {});
        }
        auto failed = waiting_process("oldfailed", 50);
        failed.state = ProcessState::Failed;
        t.save_process(failed, {});
        auto young = waiting_process("young", 5000);
        young.state = ProcessState::Success;
        t.save_process(young, {});
        auto member = waiting_process("member", 60);  // a graph's: goes with its graph
        member.state = ProcessState::Success;
        member.processgraphid = "g1";
        t.save_process(member, {});
        for (int i = 0; i < 3; ++i) {
            ProcessGraph g;
            g.processgraphid = "g" + std::to_string(i);
            g.colonyname = "dev";
            g.state = i == 2 ? ProcessState::Failed : ProcessState::Success;
            g.submissiontime = Time::from_ns(100 + i);
            t.save_graph(g);
        }
        for (int i = 0; i < 5; ++i) t.add_log(Log{"p", "dev", "e", "l", 100 + i});
        t.add_log(Log{"p", "dev", "e", "new", 5000});
    });
    tx([](StoreTx& t) {
        const Time cutoff = Time::from_ns(1000);
        EXPECT_EQ(t.old_successful_processes("dev", cutoff, 3),
                  (std::vector<std::string>{"old0", "old1", "old2"}));
        EXPECT_EQ(t.old_successful_processes("dev", cutoff, 100).size(), 5u);
        EXPECT_TRUE(t.old_successful_processes("other", cutoff, 100).empty());
        EXPECT_EQ(t.old_successful_graphs("dev", cutoff, 100),
                  (std::vector<std::string>{"g0", "g1"}));
        EXPECT_EQ(t.old_successful_graphs("dev", cutoff, 1), (std::vector<std::string>{"g0"}));
        EXPECT_EQ(t.remove_old_logs(cutoff, 3), 3);
        EXPECT_EQ(t.remove_old_logs(cutoff, 3), 2);
        EXPECT_EQ(t.remove_old_logs(cutoff, 3), 0);
        auto left = t.logs("dev", "p", "", 10, 0, false);
        ASSERT_EQ(left.size(), 1u);
        EXPECT_EQ(left[0].message, "new");
    });
}

TEST_P(StoreConformance, ExecutorCapabilitiesAndAllocationsRoundTrip) {
    tx([](StoreTx& t) {
        auto e = executor("dev", "e1", "x1");
        e.capabilities = boost::json::parse(
                             R"({"hardware":[{"model":"m","cores":4}],"software":[{"name":"py"}]})")
                             .as_object();
        e.allocations = boost::json::parse(R"({"projects":{"p":{"usedcpu":2}}})").as_object();
        t.save_executor(e);
    });
    tx([](StoreTx& t) {
        auto e = t.executor("dev", "e1");
        ASSERT_TRUE(e);
        const auto caps = e->capabilities.at("hardware").as_array().at(0).as_object();
        EXPECT_EQ(caps.at("model").as_string(), "m");
        EXPECT_EQ(caps.at("cores").as_int64(), 4);
        EXPECT_EQ(
            e->capabilities.at("software").as_array().at(0).as_object().at("name").as_string(),
            "py");
        EXPECT_EQ(e->allocations.at("projects").as_object().at("p").as_object().at("usedcpu"),
                  boost::json::value(2));
        EXPECT_EQ(t.executor_by_id("x1")->capabilities, e->capabilities);
    });
}

File file_rev(const std::string& id, const std::string& colony, const std::string& label,
              const std::string& name, const std::string& checksum, int64_t added) {
    File f;
    f.fileid = id;
    f.colonyname = colony;
    f.label = label;
    f.name = name;
    f.size = 10;
    f.checksum = checksum;
    f.checksumalg = "SHA256";
    f.ref.protocol = "s3";
    f.ref.s3object.object = "obj-" + id;
    f.ref.s3object.port = -1;
    f.added = Time::from_ns(added);
    return f;
}

TEST_P(StoreConformance, FilesRevisionsLatestAndLabels) {
    std::map<std::string, int64_t> seq;
    tx([&](StoreTx& t) {
        seq["f1"] = t.add_file(file_rev("f1", "dev", "/data", "a.txt", "c1", 1));
        seq["f2"] = t.add_file(file_rev("f2", "dev", "/data", "b.txt", "c2", 2));
        seq["f3"] = t.add_file(file_rev("f3", "dev", "/data", "a.txt", "c3", 3));
        seq["f4"] = t.add_file(file_rev("f4", "dev", "/data/sub", "c.txt", "c4", 4));
        seq["f5"] = t.add_file(file_rev("f5", "dev", "/datax", "d.txt", "c5", 5));
        seq["f6"] = t.add_file(file_rev("f6", "other", "/data", "a.txt", "c6", 6));
    });
    EXPECT_LT(seq["f1"], seq["f2"]);
    EXPECT_LT(seq["f2"], seq["f3"]);
    EXPECT_LT(seq["f5"], seq["f6"]);
    tx([&](StoreTx& t) {
        auto f = t.file("dev", "f3");
        ASSERT_TRUE(f);
        EXPECT_EQ(f->sequencenr, seq["f3"]);
        EXPECT_EQ(f->ref.s3object.object, "obj-f3");
        EXPECT_EQ(f->ref.s3object.port, -1);
        EXPECT_EQ(f->added.ns, 3);
        EXPECT_FALSE(t.file("other", "f3"));  // lookups stay within the colony
        auto revs = t.file_revisions("dev", "/data", "a.txt");
        ASSERT_EQ(revs.size(), 2u);
        EXPECT_EQ(revs[0].fileid, "f3");  // newest first
        EXPECT_EQ(revs[1].fileid, "f1");
        auto latest = t.latest_files("dev", "/data");
        ASSERT_EQ(latest.size(), 2u);  // exactly that label, one per name
        EXPECT_EQ(latest[0].fileid, "f3");
        EXPECT_EQ(latest[1].fileid, "f2");
        auto all = t.file_labels("dev", "");
        ASSERT_EQ(all.size(), 3u);
        EXPECT_EQ(all[0].name, "/data");
        EXPECT_EQ(all[0].files, 3);  // every revision counts
        EXPECT_EQ(all[1].name, "/data/sub");
        EXPECT_EQ(all[2].name, "/datax");
        EXPECT_EQ(t.file_labels("dev", "/data/").size(), 1u);
        EXPECT_TRUE(t.file_labels("dev", "/d%").empty());  // literal prefix, no wildcards
    });
    tx([&](StoreTx& t) {
        t.remove_file("other", "f2");  // wrong colony: nothing
        t.remove_file("dev", "f2");
        t.remove_file_revisions("dev", "/data", "a.txt");
    });
    tx([&](StoreTx& t) {
        EXPECT_FALSE(t.file("dev", "f2"));
        EXPECT_TRUE(t.file_revisions("dev", "/data", "a.txt").empty());
        EXPECT_TRUE(t.latest_files("dev", "/data").empty());
        EXPECT_TRUE(t.file("other", "f6"));
        EXPECT_TRUE(t.file("dev", "f4"));
    });
}

TEST_P(StoreConformance, SnapshotsByIdNameAndColony) {
    auto snap = [](const std::string& id, const std::string& colony, const std::string& name,
                   int64_t added) {
        Snapshot s;
        s.snapshotid = id;
        s.colonyname = colony;
        s.label = "/data";
        s.name = name;
        s.fileids = {"f1", "f2"};
        s.added = Time::from_ns(added);
        return s;
    };
    tx([&](StoreTx& t) {
        EXPECT_TRUE(t.add_snapshot(snap("s1", "dev", "first", 1)));
        EXPECT_TRUE(t.add_snapshot(snap("s2", "dev", "second", 2)));
        EXPECT_TRUE(t.add_snapshot(snap("s3", "other", "first", 3)));  // names are per colony
    });
    tx([&](StoreTx& t) {
        auto s = t.snapshot("dev", "s1");
        ASSERT_TRUE(s);
        EXPECT_EQ(s->name, "first");
        EXPECT_EQ(s->fileids, (std::vector<std::string>{"f1", "f2"}));
        EXPECT_EQ(s->added.ns, 1);
        EXPECT_FALSE(t.snapshot("other", "s1"));
        EXPECT_EQ(t.snapshot_by_name("other", "first").value_or(Snapshot{}).snapshotid, "s3");
        auto all = t.snapshots("dev");
        ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[0].snapshotid, "s2");  // newest first
        t.remove_snapshot("other", "s1");    // wrong colony: nothing
        t.remove_snapshot_by_name("dev", "second");
    });
    tx([&](StoreTx& t) {
        EXPECT_TRUE(t.snapshot("dev", "s1"));
        EXPECT_FALSE(t.snapshot("dev", "s2"));
        t.remove_snapshot("dev", "s1");
        EXPECT_TRUE(t.snapshots("dev").empty());
        EXPECT_EQ(t.snapshots("other").size(), 1u);
    });
}

TEST_P(StoreConformance, RemoveColonyRemovesItsFilesAndSnapshots) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "other"});
        t.add_file(file_rev("f1", "dev", "/data", "a.txt", "c1", 1));
        t.add_file(file_rev("f2", "other", "/data", "a.txt", "c2", 2));
        Snapshot s;
        s.snapshotid = "s1";
        s.colonyname = "dev";
        s.name = "snap";
        EXPECT_TRUE(t.add_snapshot(s));
    });
    tx([](StoreTx& t) { t.remove_colony("dev"); });
    tx([](StoreTx& t) {
        EXPECT_FALSE(t.file("dev", "f1"));
        EXPECT_TRUE(t.file_labels("dev", "").empty());
        EXPECT_FALSE(t.snapshot("dev", "s1"));
        EXPECT_TRUE(t.file("other", "f2"));
    });
}

// Blueprints (features.md 6): definitions by name and kind, blueprints by name, id, kind and
// location (case-insensitive), history newest first, and everything gone with the colony.
BlueprintDefinition definition(const std::string& colony, const std::string& name,
                               const std::string& kind) {
    BlueprintDefinition d;
    d.blueprintdefinitionid = "d-" + colony + "-" + name;
    d.kind = "BlueprintDefinition";
    d.metadata.name = name;
    d.metadata.colonyname = colony;
    d.names_kind = kind;
    d.handler.executorType = "reconciler";
    d.handler.functionName = "reconcile";
    d.schema = boost::json::object{{"type", "object"}, {"required", boost::json::array{"image"}}};
    return d;
}

Blueprint blueprint(const std::string& colony, const std::string& name, const std::string& kind,
                    const std::string& location) {
    Blueprint b;
    b.blueprintid = "b-" + colony + "-" + name;
    b.kind = kind;
    b.metadata.name = name;
    b.metadata.colonyname = colony;
    b.metadata.locationname = location;
    b.metadata.labels = {{"app", name}};
    b.metadata.generation = 1;
    b.spec = boost::json::object{{"replicas", 3}, {"image", "nginx"}};
    return b;
}

TEST_P(StoreConformance, BlueprintDefinitionsByNameAndKind) {
    tx([](StoreTx& t) {
        EXPECT_TRUE(t.add_blueprint_definition(definition("dev", "web", "Web")));
        EXPECT_TRUE(t.add_blueprint_definition(definition("dev", "db", "Database")));
        EXPECT_TRUE(t.add_blueprint_definition(definition("other", "web", "Web")));
        auto dup = definition("dev", "web", "Changed");
        EXPECT_FALSE(t.add_blueprint_definition(dup));
    });
    tx([](StoreTx& t) {
        auto d = t.blueprint_definition("dev", "web");
        ASSERT_TRUE(d);
        EXPECT_EQ(d->names_kind, "Web");  // the refused duplicate changed nothing
        EXPECT_EQ(d->handler.executorType, "reconciler");
        ASSERT_TRUE(d->schema);
        EXPECT_EQ(boost::json::serialize(*d->schema), R"({"type":"object","required":["image"]})");
        auto all = t.blueprint_definitions("dev");
        ASSERT_EQ(all.size(), 2u);
        EXPECT_EQ(all[0].metadata.name, "db");  // by name
        EXPECT_EQ(t.blueprint_definition_by_kind("dev", "Database")->metadata.name, "db");
        EXPECT_FALSE(t.blueprint_definition_by_kind("dev", "Nothing"));
        EXPECT_TRUE(t.blueprint_definitions("nobody").empty());
        t.remove_blueprint_definition("dev", "web");
        EXPECT_FALSE(t.blueprint_definition("dev", "web"));
        EXPECT_TRUE(t.blueprint_definition("other", "web"));
    });
}

TEST_P(StoreConformance, BlueprintsByNameIdKindAndLocation) {
    tx([](StoreTx& t) {
        EXPECT_TRUE(t.add_blueprint(blueprint("dev", "web2", "Web", "Lab")));
        EXPECT_TRUE(t.add_blueprint(blueprint("dev", "web1", "Web", "lab")));
        EXPECT_TRUE(t.add_blueprint(blueprint("dev", "web3", "Web", "")));
        EXPECT_TRUE(t.add_blueprint(blueprint("dev", "db", "Database", "")));
        auto same_name = blueprint("dev", "web1", "Web", "");
        same_name.blueprintid = "another";
        EXPECT_FALSE(t.add_blueprint(same_name));
        auto same_id = blueprint("other", "x", "Web", "");
        same_id.blueprintid = "b-dev-db";
        EXPECT_FALSE(t.add_blueprint(same_id));
    });
    tx([](StoreTx& t) {
        auto b = t.blueprint("dev", "web1", true);
        ASSERT_TRUE(b);
        EXPECT_EQ(b->blueprintid, "b-dev-web1");
        EXPECT_EQ(b->metadata.locationname, "lab");  // as stored, not lowered
        EXPECT_EQ(b->metadata.labels.at("app"), "web1");
        EXPECT_EQ(b->spec.at("replicas").as_int64(), 3);
        EXPECT_EQ(t.blueprint_by_id("b-dev-web2")->metadata.locationname, "Lab");
        EXPECT_FALSE(t.blueprint_by_id("another"));
        auto names = [](const std::vector<Blueprint>& v) {
            std::string s;
            for (const auto& b : v) s += b.metadata.name + " ";
            return s;
        };
        EXPECT_EQ(names(t.blueprints("dev", "", std::nullopt)), "db web1 web2 web3 ");
        EXPECT_EQ(names(t.blueprints("dev", "Web", std::nullopt)), "web1 web2 web3 ");
        EXPECT_EQ(names(t.blueprints("dev", "Web", std::string("LAB"))), "web1 web2 ");
        EXPECT_EQ(names(t.blueprints("dev", "Web", std::string(""))), "web3 ");
        EXPECT_EQ(t.count_blueprints("dev", "Web"), 3);
        EXPECT_EQ(t.count_blueprints("dev", "Nothing"), 0);
        b->metadata.generation = 2;
        b->status = boost::json::object{{"runningInstances", 3}};
        t.save_blueprint(*b);
    });
    tx([](StoreTx& t) {
        auto b = t.blueprint("dev", "web1");
        EXPECT_EQ(b->metadata.generation, 2);
        EXPECT_EQ(b->status.at("runningInstances").as_int64(), 3);
        t.remove_blueprint("b-dev-web1");
        EXPECT_FALSE(t.blueprint("dev", "web1"));
        EXPECT_EQ(t.count_blueprints("dev", "Web"), 2);
    });
}

TEST_P(StoreConformance, BlueprintHistoryNewestFirstAndLimited) {
    tx([](StoreTx& t) {
        for (int g = 1; g <= 4; ++g) {
            BlueprintHistory h;
            h.historyid = "h" + std::to_string(g);
            h.blueprintid = "b1";
            h.generation = g;
            h.spec = boost::json::object{{"replicas", g}};
            // Two entries at one instant keep the order they were added in.
            h.timestamp = Time::from_ns(g == 4 ? 3000 : g * 1000);
            h.changetype = g == 1 ? "create" : "update";
            t.add_blueprint_history(h, "dev");
        }
        BlueprintHistory other;
        other.historyid = "x";
        other.blueprintid = "b2";
        t.add_blueprint_history(other, "dev");
    });
    tx([](StoreTx& t) {
        auto all = t.blueprint_history("b1", 0);
        ASSERT_EQ(all.size(), 4u);
        EXPECT_EQ(all[0].generation, 4);
        EXPECT_EQ(all[1].generation, 3);
        EXPECT_EQ(all[3].changetype, "create");
        EXPECT_EQ(all[3].spec.at("replicas").as_int64(), 1);
        EXPECT_EQ(all[0].timestamp.ns, 3000);
        auto two = t.blueprint_history("b1", 2);
        ASSERT_EQ(two.size(), 2u);
        EXPECT_EQ(two[1].generation, 3);
        EXPECT_TRUE(t.blueprint_history("none", 10).empty());
    });
}

TEST_P(StoreConformance, RemoveColonyRemovesItsBlueprints) {
    tx([](StoreTx& t) {
        t.add_colony(Colony{"c1", "dev"});
        t.add_colony(Colony{"c2", "other"});
        t.add_blueprint_definition(definition("dev", "web", "Web"));
        t.add_blueprint_definition(definition("other", "web", "Web"));
        t.add_blueprint(blueprint("dev", "a", "Web", ""));
        t.add_blueprint(blueprint("other", "a", "Web", ""));
        BlueprintHistory h;
        h.historyid = "h-dev";
        h.blueprintid = "b-dev-a";
        t.add_blueprint_history(h, "dev");
        h.historyid = "h-other";
        h.blueprintid = "b-other-a";
        t.add_blueprint_history(h, "other");
    });
    tx([](StoreTx& t) { t.remove_colony("dev"); });
    tx([](StoreTx& t) {
        EXPECT_TRUE(t.blueprint_definitions("dev").empty());
        EXPECT_TRUE(t.blueprints("dev", "", std::nullopt).empty());
        EXPECT_TRUE(t.blueprint_history("b-dev-a", 0).empty());
        EXPECT_TRUE(t.blueprint_definition("other", "web"));
        EXPECT_TRUE(t.blueprint("other", "a"));
        EXPECT_EQ(t.blueprint_history("b-other-a", 0).size(), 1u);
    });
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
