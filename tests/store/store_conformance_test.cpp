// One suite for every Store implementation (store/store.hpp): the same tests run unchanged
// against SQLite (a temporary file) and PostgreSQL (a private server started by the harness,
// a fresh schema per test). Behaviour first (what each StoreTx method returns), then the
// guarantees the server relies on under concurrency: a job that fails leaves nothing behind, no
// process is claimed twice, and read-modify-write of one process loses no update, also when
// two stores (two servers) share one database.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "child_process.hpp"
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

// The assign pattern of the server: claim one process and mark it RUNNING, from many threads
// and (PostgreSQL) from two stores at once. Every process is claimed exactly once.
TEST_P(StoreConformance, ConcurrentClaimsNeverTakeOneProcessTwice) {
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
                    auto id = t.find_assignable(query("cli", "e" + std::to_string(th)));
                    if (!id) return true;
                    auto p = t.process(*id);
                    if (!p || p->state != ProcessState::Waiting) return false;
                    p->state = ProcessState::Running;
                    p->assignedexecutorid = "x" + std::to_string(th);
                    t.save_process(*p, {});
                    got = *id;
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

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
