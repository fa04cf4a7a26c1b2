// Several servers on one PostgreSQL with leader election on etcd (features.md 9), all real
// processes on loopback: a private PostgreSQL and etcd started here, and `colonies server`
// children configured through the COLONIES_DB_* and COLONIES_ETCD_ENDPOINTS variables.
//  * one server on PostgreSQL keeps its state across a restart;
//  * getclustermsg shows every server and the one leader they agree on;
//  * a subscriber on one server hears of a process closed through another (LISTEN/NOTIFY);
//  * an executor long-polling one server gets work submitted to another;
//  * removing a colony through one server releases its executors parked on another;
//  * channel entries appended through one server reach a subscriber on another, in order (small
//    ones in the notification, a large one read from the database), and end with the process;
//  * the fault test: 3 servers, 8 executors, 2,000 processes; a follower and then the leader
//    are killed mid-flight; every process ends SUCCESSFUL and was handed out exactly once, and
//    the new leader runs the deadline sweep;
//  * crons: a cron every second while the leader is killed starts once per due time; the due
//    times without a leader are started once, late, by the new leader (features.md 1.4);
//  * generators: packs through every server, the leader killed mid-stream, every argument in
//    exactly one workflow.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli_support.hpp"
#include "client/subscribe.hpp"
#include "core/json.hpp"
#include "etcd_process.hpp"
#include "harness.hpp"
#include "pg_cluster.hpp"

using namespace colonies;
using namespace colonies::it;
namespace ts = colonies::testsupport;
using namespace std::chrono_literals;

namespace {

ts::PgCluster& pg() {
    static auto* cluster = new ts::PgCluster();
    static const bool registered = (std::atexit([] { delete cluster; }), true);
    (void)registered;
    return *cluster;
}

ts::EtcdProcess& etcd() {
    static auto* e = new ts::EtcdProcess();
    static const bool registered = (std::atexit([] { delete e; }), true);
    (void)registered;
    return *e;
}

// `n` servers sharing one schema of the test PostgreSQL; with `with_etcd` they elect a leader.
class Servers {
  public:
    Servers(int n, bool with_etcd, std::vector<std::pair<std::string, std::string>> env = {})
        : schema_(pg().fresh_schema()) {
        for (int i = 0; i < n; ++i) {
            ServerConfig cfg;
            cfg.extra_env = {{"COLONIES_DB_TYPE", "postgresql"},
                             {"COLONIES_DB_HOST", pg().host()},
                             {"COLONIES_DB_PORT", std::to_string(pg().port())},
                             {"COLONIES_DB_USER", pg().user()},
                             {"COLONIES_DB_SCHEMA", schema_},
                             {"COLONIES_DB_MAX_OPEN_CONNS", "6"},
                             {"COLONIES_CLUSTER_LEASE_TTL", "2"}};
            if (with_etcd) {
                cfg.extra_env.emplace_back("COLONIES_ETCD_ENDPOINTS", etcd().endpoint());
                // One etcd serves every test: each test's servers get their own key space.
                cfg.extra_env.emplace_back("COLONIES_ETCD_PREFIX", "/colonies/" + schema_ + "/");
            }
            for (const auto& kv : env) cfg.extra_env.push_back(kv);
            cfg.extra_args = {"--etcdname", schema_ + "-s" + std::to_string(i), "--threads", "2"};
            cfg.startup_timeout = std::chrono::seconds(40);
            servers_.push_back(std::make_unique<ServerProcess>(cfg));
        }
    }
    ServerProcess& operator[](size_t i) { return *servers_[i]; }
    size_t size() const { return servers_.size(); }
    std::string name(size_t i) const { return schema_ + "-s" + std::to_string(i); }
    const std::string& schema() const { return schema_; }

  private:
    std::string schema_;
    std::vector<std::unique_ptr<ServerProcess>> servers_;
};

// A connection to the test PostgreSQL listening on the servers' channel, as a server's relay
// does (a peer) or only to count what is sent (an observer, which servers do not count).
class ChannelListener {
  public:
    ChannelListener(const std::string& schema, const std::string& application_name)
        : conn_(PQconnectdb((pg().conninfo() + " application_name=" + application_name).c_str())),
          channel_("colonies_events_" + schema) {
        EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
        exec("LISTEN \"" + channel_ + "\"");
    }
    ~ChannelListener() { PQfinish(conn_); }
    void exec(const std::string& sql) {
        PGresult* r = PQexec(conn_, sql.c_str());
        EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << sql << ": " << PQerrorMessage(conn_);
        PQclear(r);
    }
    // Notifications heard within `wait`, its own left out.
    int heard(std::chrono::milliseconds wait) {
        int n = 0;
        const auto until = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < until) {
            pollfd pfd{PQsocket(conn_), POLLIN, 0};
            if (::poll(&pfd, 1, 50) > 0) PQconsumeInput(conn_);
            while (PGnotify* note = PQnotifies(conn_)) {
                if (note->be_pid != PQbackendPID(conn_)) ++n;
                PQfreemem(note);
            }
        }
        return n;
    }

  private:
    PGconn* conn_;
    std::string channel_;
};

struct ClusterState {
    std::set<std::string> nodes;
    std::string leader;
};

std::optional<ClusterState> cluster_state(ServerProcess& s) {
    auto c = s.make_client();
    auto v = c.get_cluster(DevIdentity::server_prvkey);
    if (!v || !v->is_object()) return std::nullopt;
    ClusterState st;
    const auto& o = v->as_object();
    if (auto it = o.find("nodes"); it != o.end() && it->value().is_array())
        for (const auto& n : it->value().as_array())
            st.nodes.insert(std::string(n.as_object().at("name").as_string()));
    if (auto it = o.find("leader"); it != o.end())
        st.leader = std::string(it->value().as_object().at("name").as_string());
    return st;
}

// Polls `pred` every 100 ms for at most `limit`.
template <class F>
bool eventually(std::chrono::milliseconds limit, F pred) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return pred();
}

void setup_dev_colony(ServerProcess& s) {
    auto c = s.make_client();
    Fixture::setup_colony(c, DevIdentity::colony_name, DevIdentity::colony_prvkey,
                          DevIdentity::server_prvkey);
}

Identity add_executor(ServerProcess& s, const std::string& name) {
    auto c = s.make_client();
    auto id = Identity::fresh();
    Fixture::add_approved_executor(c, DevIdentity::colony_name, name, "worker", id.prvkey,
                                   DevIdentity::colony_prvkey);
    return id;
}

}  // namespace

TEST(Postgres, SingleServerRunsTheLoopAndKeepsStateAcrossRestart) {
    Servers servers(1, false);
    auto& s = servers[0];
    setup_dev_colony(s);
    auto exec = add_executor(s, "e1");
    auto c = s.make_client();
    auto submitted = c.submit(Fixture::simple_spec("dev", "worker", "hello"), exec.prvkey);
    ASSERT_TRUE(submitted) << submitted.error().message;
    auto assigned = c.assign("dev", 5, exec.prvkey);
    ASSERT_TRUE(assigned) << assigned.error().message;
    EXPECT_EQ(assigned->processid, submitted->processid);
    ASSERT_TRUE(c.close_successful(assigned->processid, {"done"}, exec.prvkey));

    s.restart();
    auto c2 = s.make_client();
    auto p = c2.get_process(submitted->processid, exec.prvkey);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->state, ProcessState::Success);
    ASSERT_EQ(p->out.size(), 1u);
    EXPECT_EQ(p->out[0].as_string(), "done");
    // A lone server on PostgreSQL without etcd is its own leader.
    auto st = cluster_state(s);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->nodes, std::set<std::string>{servers.name(0)});
    EXPECT_EQ(st->leader, servers.name(0));
}

// A server alone on its schema sends no notifications (nobody would hear them); once another
// server announces itself it does, and a second after the other has gone it stops again.
TEST(Postgres, ALoneServerNotifiesOnlyWhileAnotherListens) {
    Servers servers(1, false);
    auto& s = servers[0];
    setup_dev_colony(s);
    auto exec = add_executor(s, "e1");
    auto c = s.make_client();
    ChannelListener observer(servers.schema(), "observer");
    auto submit = [&] {
        auto p = c.submit(Fixture::simple_spec("dev", "worker", "hello"), exec.prvkey);
        ASSERT_TRUE(p) << p.error().message;
    };
    submit();
    EXPECT_EQ(observer.heard(1500ms), 0);

    {
        ChannelListener peer(servers.schema(), "another-server");
        peer.exec(R"(NOTIFY ")" + std::string("colonies_events_") + servers.schema() +
                  R"(", '{"o":"another-server","hello":true}')");
        EXPECT_EQ(observer.heard(500ms), 1);  // the announcement itself
        // The server's listener hears it at about the same time; its sender may look once more
        // before that, so submit until a notification comes (bounded).
        int heard = 0;
        for (int i = 0; i < 10 && heard == 0; ++i) {
            submit();
            heard = observer.heard(500ms);
        }
        EXPECT_GE(heard, 1);
    }
    // The server looks again at most once a second; the first look after the peer left may still
    // count its announcement, the next one cannot.
    std::this_thread::sleep_for(1500ms);
    submit();
    observer.heard(1000ms);
    std::this_thread::sleep_for(1200ms);
    submit();
    submit();
    EXPECT_EQ(observer.heard(1500ms), 0);
}

TEST(Cluster, EveryServerShowsAllMembersAndTheSameLeader) {
    Servers servers(3, true);
    std::set<std::string> all{servers.name(0), servers.name(1), servers.name(2)};
    std::string leader;
    ASSERT_TRUE(eventually(15s, [&] {
        std::set<std::string> leaders;
        for (size_t i = 0; i < servers.size(); ++i) {
            auto st = cluster_state(servers[i]);
            if (!st || st->nodes != all || st->leader.empty()) return false;
            leaders.insert(st->leader);
        }
        if (leaders.size() != 1) return false;
        leader = *leaders.begin();
        return true;
    })) << "servers did not agree on members and leader";
    EXPECT_TRUE(all.count(leader));

    // The same through the CLI: one row per server, the leader marked.
    const std::string dir = cli::make_temp_dir();
    cli::Env env{{"COLONIES_SERVER_HOST", "127.0.0.1"},
                 {"COLONIES_SERVER_PORT", std::to_string(servers[1].port())},
                 {"COLONIES_SERVER_PRVKEY", DevIdentity::server_prvkey},
                 {"COLONIES_TLS", "false"}};
    auto r = cli::run({"cluster", "info"}, env, dir);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    for (const auto& name : all) EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
    size_t trues = 0;
    for (size_t pos = r.out.find("True"); pos != std::string::npos;
         pos = r.out.find("True", pos + 1))
        ++trues;
    EXPECT_EQ(trues, 1u) << r.out;
    std::filesystem::remove_all(dir);

    // Only the server owner may ask.
    auto c = servers[0].make_client();
    auto denied = c.get_cluster(DevIdentity::colony_prvkey);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().status, 403);
}

// Submits through server 0, subscribes on server 1, closes through server 0; the subscriber
// must hear of the close. `arg_bytes` makes the process too large for one notification, so the
// receiving server has to read it from the database.
void expect_close_heard_across(size_t arg_bytes) {
    Servers servers(2, true);
    setup_dev_colony(servers[0]);
    auto exec = add_executor(servers[0], "e1");
    auto a = servers[0].make_client();
    auto spec = Fixture::simple_spec("dev", "worker", "relay");
    if (arg_bytes) spec.args.push_back(boost::json::string(std::string(arg_bytes, 'x')));
    auto p = a.submit(spec, exec.prvkey);
    ASSERT_TRUE(p);

    std::optional<Result<Process>> heard;
    std::thread waiter([&] {
        heard = client::wait_for_process(servers[1].client_options(), "dev", p->processid,
                                         ProcessState::Success, 30, exec.prvkey);
    });
    // Close only once server 1 holds the subscription.
    auto b = servers[1].make_client();
    EXPECT_TRUE(wait_for_metric(b, "colonies_subscriptions", 1, 10s));
    auto assigned = a.assign("dev", 5, exec.prvkey);
    ASSERT_TRUE(assigned);
    ASSERT_TRUE(a.close_successful(p->processid, {}, exec.prvkey));
    waiter.join();
    ASSERT_TRUE(heard.has_value());
    ASSERT_TRUE(*heard) << heard->error().message;
    EXPECT_EQ((*heard)->processid, p->processid);
    EXPECT_EQ((*heard)->state, ProcessState::Success);
    if (arg_bytes) {
        ASSERT_EQ((*heard)->spec.args.size(), 1u);
        EXPECT_EQ((*heard)->spec.args[0].as_string().size(), arg_bytes);
    }
}

TEST(Cluster, SubscriberOnOneServerHearsOfACloseOnAnother) {
    expect_close_heard_across(0);
}

TEST(Cluster, ProcessTooLargeForANotificationIsReadByTheReceiver) {
    expect_close_heard_across(20000);
}

TEST(Cluster, LongPollOnOneServerGetsWorkSubmittedToAnother) {
    Servers servers(2, true);
    setup_dev_colony(servers[0]);
    auto exec = add_executor(servers[0], "e1");
    std::optional<Result<Process>> got;
    std::thread poller([&] {
        auto b = servers[1].make_client();
        got = b.assign("dev", 20, exec.prvkey);
    });
    // Submit only once the executor is parked on server 1, so the wake-up has to cross over.
    auto watch = servers[1].make_client();
    EXPECT_TRUE(wait_for_metric(watch, "colonies_assign_waiters", 1, 10s));
    auto a = servers[0].make_client();
    auto p = a.submit(Fixture::simple_spec("dev", "worker", "wake"), exec.prvkey);
    ASSERT_TRUE(p);
    poller.join();
    ASSERT_TRUE(got.has_value());
    ASSERT_TRUE(*got) << got->error().message;
    EXPECT_EQ((*got)->processid, p->processid);
}

TEST(Cluster, RemovingAColonyOnOneServerReleasesItsExecutorsParkedOnAnother) {
    Servers servers(2, true);
    setup_dev_colony(servers[0]);
    auto exec = add_executor(servers[0], "e1");
    std::optional<Result<Process>> got;
    std::thread poller([&] {
        auto b = servers[1].make_client();
        got = b.assign("dev", 60, exec.prvkey);
    });
    auto watch = servers[1].make_client();
    EXPECT_TRUE(wait_for_metric(watch, "colonies_assign_waiters", 1, 10s));
    auto a = servers[0].make_client();
    const auto removed_at = std::chrono::steady_clock::now();
    EXPECT_TRUE(a.remove_colony("dev", DevIdentity::server_prvkey).ok());
    poller.join();
    // Relayed: well inside the 5 s after which a parked poll in a cluster looks again anyway.
    EXPECT_LT(std::chrono::steady_clock::now() - removed_at, 3s);
    ASSERT_TRUE(got.has_value());
    ASSERT_FALSE(*got);
    EXPECT_EQ(got->error().status, 403);
    EXPECT_EQ(got->error().message, "Colony with name dev does not exists");
}

// features.md 7.6: the pause flag is shared (a row of the shared store), and resuming through one
// server releases the executors parked on another at once (upstream: only on the server that
// handled the resume).
TEST(Cluster, PauseIsSharedAndResumeOnOneServerReleasesExecutorsParkedOnAnother) {
    Servers servers(2, true);
    setup_dev_colony(servers[0]);
    auto exec = add_executor(servers[0], "e1");
    auto a = servers[0].make_client();
    ASSERT_TRUE(a.pause_assignments("dev", DevIdentity::colony_prvkey));
    auto b = servers[1].make_client();
    EXPECT_EQ(b.get_pause_status("dev", exec.prvkey).value(), true);
    std::optional<Result<Process>> got;
    std::atomic<bool> done{false};
    std::thread poller([&] {
        auto c = servers[1].make_client();
        got = c.assign("dev", 60, exec.prvkey);
        done = true;
    });
    auto watch = servers[1].make_client();
    EXPECT_TRUE(wait_for_metric(watch, "colonies_assign_waiters", 1, 10s));
    auto p = a.submit(Fixture::simple_spec("dev", "worker", "held"), exec.prvkey);
    ASSERT_TRUE(p);
    std::this_thread::sleep_for(1500ms);
    EXPECT_FALSE(done.load());  // paused: the submit's wake-up took nothing
    EXPECT_EQ(a.get_process(p->processid, exec.prvkey)->state, ProcessState::Waiting);
    const auto resumed_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(a.resume_assignments("dev", DevIdentity::colony_prvkey));
    poller.join();
    // Relayed: well inside the 5 s after which a parked poll in a cluster looks again anyway.
    EXPECT_LT(std::chrono::steady_clock::now() - resumed_at, 3s);
    ASSERT_TRUE(got.has_value());
    ASSERT_TRUE(*got) << got->error().message;
    EXPECT_EQ((*got)->processid, p->processid);
}

TEST(Cluster, ChannelEntriesAppendedOnOneServerReachASubscriberOnAnother) {
    Servers servers(2, true);
    setup_dev_colony(servers[0]);
    auto submitter = add_executor(servers[0], "submitter");
    auto runner = add_executor(servers[0], "runner");
    auto a = servers[0].make_client();
    auto spec = Fixture::simple_spec("dev", "worker", "stream");
    spec.channels = {"out"};
    auto p = a.submit(spec, submitter.prvkey);
    ASSERT_TRUE(p);
    ASSERT_TRUE(a.assign("dev", 5, runner.prvkey));

    std::vector<ChannelEntry> got;
    std::atomic<size_t> received{0};
    std::optional<Result<int>> done;
    std::thread subscriber([&] {
        client::ChannelSubscription sub{p->processid, "out", 0, 30};
        done = client::subscribe_channel(servers[1].client_options(), sub, submitter.prvkey,
                                         [&](const std::vector<ChannelEntry>& entries) {
                                             got.insert(got.end(), entries.begin(), entries.end());
                                             received = got.size();
                                             return true;
                                         });
    });
    auto b = servers[1].make_client();
    ASSERT_TRUE(wait_for_metric(b, "colonies_channel_subscriptions", 1, 10s));
    const std::string large(20000, 'L');  // too large for one notification
    ASSERT_TRUE(a.channel_append(p->processid, "out", 1, "first", runner.prvkey));
    ASSERT_TRUE(a.channel_append(p->processid, "out", 2, large, runner.prvkey));
    ASSERT_TRUE(a.channel_append(p->processid, "out", 3, "", runner.prvkey, 0, "end"));
    // Server 1 reads the same log.
    auto read = b.channel_read(p->processid, "out", 0, 0, submitter.prvkey);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->size(), 3u);
    // The process ends only once the subscriber has the three entries (the large one may be read
    // from the database after the notification: docs/compat.md, "Channels").
    ASSERT_TRUE(eventually(10s, [&] { return received.load() == 3; }));
    ASSERT_TRUE(a.close_successful(p->processid, {}, runner.prvkey));
    subscriber.join();
    ASSERT_TRUE(done && *done) << (done ? done->error().message : "");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(bytes_of_base64(got[0].payload.value_or("")).value_or(""), "first");
    EXPECT_EQ(bytes_of_base64(got[1].payload.value_or("")).value_or(""), large);
    EXPECT_EQ(got[2].type, "end");
    auto after = b.channel_read(p->processid, "out", 0, 0, submitter.prvkey);
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().message, "Channel not found");
}

TEST(Cluster, KillingAFollowerThenTheLeaderLosesAndDuplicatesNothing) {
    constexpr int kProcesses = 2000;
    constexpr int kExecutors = 8;
    Servers servers(3, true);
    setup_dev_colony(servers[0]);
    std::vector<Identity> execs;
    for (int i = 0; i < kExecutors; ++i)
        execs.push_back(add_executor(servers[i % 3], "e" + std::to_string(i)));

    // Who leads decides the kill order.
    std::string leader_name;
    ASSERT_TRUE(eventually(15s, [&] {
        auto st = cluster_state(servers[0]);
        if (!st || st->leader.empty()) return false;
        leader_name = st->leader;
        return true;
    }));
    size_t leader = 0;
    for (size_t i = 0; i < servers.size(); ++i)
        if (servers.name(i) == leader_name) leader = i;
    const size_t follower = (leader + 1) % 3;
    const size_t survivor = (leader + 2) % 3;

    // Every process is submitted (and acknowledged) before any server dies, so none is lost
    // or submitted twice by a client retrying on another server.
    {
        auto c = servers[survivor].make_client();
        for (int i = 0; i < kProcesses; ++i) {
            auto spec = Fixture::simple_spec("dev", "worker", "job");
            spec.maxexectime = 8;  // a lost assign reply is handed out again after this
            spec.maxretries = -1;
            ASSERT_TRUE(c.submit(spec, execs[0].prvkey)) << i;
        }
    }

    std::mutex mu;
    std::map<std::string, int> handed_out;  // assign replies received, per process
    std::set<std::string> done;
    std::atomic<bool> dead[3] = {false, false, false};
    std::atomic<int> completed{0};
    const auto give_up = std::chrono::steady_clock::now() + 120s;
    std::atomic<int> stuck_errors{0};

    auto executor_loop = [&](int n) {
        size_t at = static_cast<size_t>(n) % 3;
        auto next_live = [&] {
            for (int k = 0; k < 3; ++k) {
                at = (at + 1) % 3;
                if (!dead[at]) return;
            }
        };
        while (completed.load() < kProcesses && std::chrono::steady_clock::now() < give_up) {
            if (dead[at]) next_live();
            auto c = servers[at].make_client();
            auto p = c.assign("dev", 1, execs[n].prvkey);
            if (!p) {
                if (client::is_connection_failure(p.error()) || p.error().status >= 500)
                    next_live();
                continue;
            }
            {
                std::lock_guard lk(mu);
                handed_out[p->processid]++;
            }
            // Close it, on another server if this one dies meanwhile.
            for (int attempt = 0; attempt < 50; ++attempt) {
                auto cc = servers[at].make_client();
                auto st = cc.close_successful(p->processid, {}, execs[n].prvkey);
                if (st) break;
                if (client::is_connection_failure(st.error()) || st.error().status >= 500) {
                    next_live();
                    // The close may have committed before the server died: look.
                    auto look =
                        servers[at].make_client().get_process(p->processid, execs[n].prvkey);
                    if (look && look->state == ProcessState::Success) break;
                    continue;
                }
                stuck_errors++;
                break;
            }
            std::lock_guard lk(mu);
            if (done.insert(p->processid).second) completed++;
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < kExecutors; ++i) threads.emplace_back(executor_loop, i);

    eventually(60s, [&] { return completed.load() >= kProcesses / 4; });
    dead[follower] = true;
    servers[follower].kill9();
    eventually(60s, [&] { return completed.load() >= kProcesses / 2; });
    dead[leader] = true;
    servers[leader].kill9();

    // The survivor becomes leader within the lease TTL (2 s) plus a tick.
    EXPECT_TRUE(eventually(20s, [&] {
        auto st = cluster_state(servers[survivor]);
        return st && st->leader == servers.name(survivor);
    })) << "the surviving server did not take over";

    for (auto& t : threads) t.join();
    EXPECT_EQ(stuck_errors.load(), 0);

    auto c = servers[survivor].make_client();
    auto stats = c.get_colony_statistics("dev", execs[0].prvkey);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->successfulprocesses, kProcesses);
    EXPECT_EQ(stats->waitingprocesses, 0);
    EXPECT_EQ(stats->runningprocesses, 0);
    EXPECT_EQ(stats->failedprocesses, 0);
    EXPECT_EQ(handed_out.size(), static_cast<size_t>(kProcesses));
    int twice = 0;
    for (const auto& [id, n] : handed_out) twice += n > 1;
    EXPECT_EQ(twice, 0) << "processes handed out more than once";

    // The deadline sweep now runs on the new leader: a process whose executor vanishes is
    // handed out again after its maxexectime.
    auto spec = Fixture::simple_spec("dev", "worker", "abandoned");
    spec.maxexectime = 1;
    spec.maxretries = 3;
    auto p = c.submit(spec, execs[0].prvkey);
    ASSERT_TRUE(p);
    auto first = c.assign("dev", 5, execs[1].prvkey);
    ASSERT_TRUE(first);
    EXPECT_TRUE(eventually(15s, [&] {
        auto again = c.get_process(p->processid, execs[0].prvkey);
        return again && again->retries >= 1;
    })) << "no sweep after the leader died";
}

namespace {

// "Cron started" lines of a server log (services/crons.cpp): due time, lateness, graph.
struct CronStart {
    int64_t due_ns = 0;
    int64_t late_ms = 0;
    std::string graphid;
    size_t server = 0;
};

std::vector<CronStart> cron_starts(const std::string& log, size_t server) {
    std::vector<CronStart> out;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("Cron started") == std::string::npos) continue;
        CronStart s;
        s.server = server;
        auto due = parse_rfc3339(cli::field(line, "due"));
        if (!due) continue;
        s.due_ns = due->ns;
        s.late_ms = std::stoll(cli::field(line, "late_ms"));
        s.graphid = cli::field(line, "processgraphid");
        out.push_back(s);
    }
    return out;
}

}  // namespace

// Three servers, a cron every second, the leader killed: every due time gets one graph, except
// those that passed while there was no leader, which get one graph together, late. Graphs are
// read from the database (the truth); which due time a graph was for comes from the servers'
// logs.
TEST(Cluster, ACronEverySecondStartsOncePerDueTimeAcrossALeaderKill) {
    constexpr int64_t kS = 1000000000LL;
    constexpr int64_t kPeriodMs = 200;
    Servers servers(3, true, {{"COLONIES_CRON_CHECKER_PERIOD", std::to_string(kPeriodMs)}});
    setup_dev_colony(servers[0]);
    auto exec = add_executor(servers[0], "e1");
    std::string leader_name;
    ASSERT_TRUE(eventually(15s, [&] {
        auto st = cluster_state(servers[0]);
        if (!st || st->leader.empty()) return false;
        leader_name = st->leader;
        return true;
    }));
    size_t leader = 0;
    for (size_t i = 0; i < servers.size(); ++i)
        if (servers.name(i) == leader_name) leader = i;
    const size_t survivor = (leader + 1) % 3;

    auto spec = Fixture::simple_spec("dev", "worker", "tick");
    spec.nodename = "tick";
    Cron cron;
    cron.colonyname = "dev";
    cron.name = "every-second";
    cron.interval = 1;
    cron.workflowspec = to_text(to_json(WorkflowSpec{"dev", {spec}}));
    auto c = servers[survivor].make_client();
    auto added = c.add_cron(cron, exec.prvkey);
    ASSERT_TRUE(added) << added.error().message;
    const int64_t d0 = added->nextrun.ns;  // due times: d0 + k seconds

    std::this_thread::sleep_for(4500ms);
    const int64_t killed_at = Time::now().ns;
    servers[leader].kill9();
    ASSERT_TRUE(eventually(20s, [&] {
        auto st = cluster_state(servers[survivor]);
        return st && !st->leader.empty() && st->leader != leader_name;
    })) << "no new leader";
    std::this_thread::sleep_for(4500ms);
    ASSERT_TRUE(c.remove_cron(added->cronid, exec.prvkey));
    std::this_thread::sleep_for(1s);

    // Every graph of the colony, by submission time.
    std::vector<ProcessGraph> graphs;
    auto r = c.call("getprocessgraphsmsg", {{"colonyname", "dev"}, {"count", 100}, {"state", 0}},
                    exec.prvkey);
    ASSERT_TRUE(r) << r.error().message;
    for (const auto& v : r->as_array()) graphs.push_back(process_graph_from_json(v).value());
    std::sort(graphs.begin(), graphs.end(),
              [](const auto& a, const auto& b) { return a.submissiontime < b.submissiontime; });
    ASSERT_GE(graphs.size(), 6u);
    std::map<std::string, Time> started_at;
    for (const auto& g : graphs) started_at[g.processgraphid] = g.submissiontime;

    std::vector<CronStart> starts;
    for (size_t i = 0; i < servers.size(); ++i)
        for (const auto& s : cron_starts(servers[i].log_text(), i)) starts.push_back(s);
    std::map<int64_t, CronStart> by_due;  // due grid index -> start
    for (const auto& s : starts) {
        // Every logged start is a graph in the database, for a due time on the grid, started
        // at or after it.
        ASSERT_TRUE(started_at.count(s.graphid)) << s.graphid;
        ASSERT_EQ((s.due_ns - d0) % kS, 0) << "due time off the schedule's grid";
        EXPECT_GE(started_at[s.graphid].ns, s.due_ns);
        // None doubled.
        EXPECT_TRUE(by_due.emplace((s.due_ns - d0) / kS, s).second)
            << "due time " << (s.due_ns - d0) / kS << " started twice";
        // Before the kill only the leader starts crons.
        if (s.due_ns < killed_at - 500 * 1000000LL) {
            EXPECT_EQ(s.server, leader);
        }
    }
    // A server killed between its commit and its log line leaves one graph unlogged, at most.
    EXPECT_GE(starts.size() + 1, graphs.size());
    EXPECT_LE(starts.size(), graphs.size());
    ASSERT_FALSE(by_due.empty());

    // None missing: each due time from the first to the last has its graph, or passed while
    // a late start was pending and is covered by it (the start before the gap began after it).
    std::vector<Time> unlogged;
    std::set<std::string> logged;
    for (const auto& s : starts) logged.insert(s.graphid);
    for (const auto& g : graphs)
        if (!logged.count(g.processgraphid)) unlogged.push_back(g.submissiontime);
    int late_starts = 0;
    const int64_t first = by_due.begin()->first, last = by_due.rbegin()->first;
    for (int64_t k = first; k <= last; ++k) {
        if (by_due.count(k)) continue;
        const int64_t due = d0 + k * kS;
        if (std::any_of(unlogged.begin(), unlogged.end(),
                        [&](Time t) { return t.ns >= due && t.ns < due + kS; }))
            continue;
        auto before = std::prev(by_due.upper_bound(k));
        EXPECT_GE(started_at[before->second.graphid].ns, due)
            << "due time " << k << " was neither started nor covered by a late start";
    }
    for (auto it = by_due.begin(); it != by_due.end(); ++it) {
        const auto& s = it->second;
        const int64_t late_ns = started_at[s.graphid].ns - s.due_ns;
        if (late_ns < kS) {
            // On time: within a checker period plus a loaded machine's delay.
            EXPECT_LT(late_ns, (kPeriodMs + 700) * 1000000LL) << "due " << it->first;
            continue;
        }
        ++late_starts;
        // Late only across the failover, by the new leader; and the next start is the first
        // due time after it, not a burst of catch-up starts.
        EXPECT_NE(s.server, leader);
        EXPECT_GE(s.due_ns, killed_at - kS);
        auto next = std::next(it);
        if (next == by_due.end()) continue;
        const int64_t first_after = d0 + ((started_at[s.graphid].ns - d0) / kS + 1) * kS;
        EXPECT_EQ(next->second.due_ns, first_after);
    }
    EXPECT_EQ(late_starts, 1) << "the due times without a leader start once, late";
    // The new leader kept going after the takeover.
    EXPECT_GT(by_due.rbegin()->second.due_ns, killed_at + 3 * kS);
}

// Generators in a cluster (features.md 2.3, 9.2): packs arrive at every server, the leader starts
// the workflows; SIGKILL the leader mid-stream and every packed argument still ends up in exactly
// one workflow, in FIFO pairs.
TEST(Cluster, GeneratorArgumentsSurviveTheLeadersDeathNeitherLostNorDoubled) {
    Servers servers(3, true);
    setup_dev_colony(servers[0]);
    const Identity member = add_executor(servers[0], "packer");
    Generator g;
    g.colonyname = DevIdentity::colony_name;
    g.name = "pairs";
    g.trigger = 2;
    g.timeout = -1;
    auto spec = Fixture::simple_spec(DevIdentity::colony_name, "worker", "fn");
    spec.nodename = "root";
    g.workflowspec = to_text(to_json(WorkflowSpec{DevIdentity::colony_name, {spec}}));
    auto c0 = servers[0].make_client();
    auto added = c0.add_generator(g, member.prvkey);
    ASSERT_TRUE(added.ok()) << added.error().message;

    std::vector<bool> dead(3, false);
    auto pack = [&](int from, int to) {
        for (int i = from; i < to; ++i) {
            size_t s = static_cast<size_t>(i) % 3;
            while (dead[s]) s = (s + 1) % 3;
            auto c = servers[s].make_client();
            ASSERT_TRUE(
                c.pack_generator(added->generatorid, "arg" + std::to_string(i), member.prvkey)
                    .ok());
        }
    };
    // Root args of every waiting workflow, read through a live server.
    auto started = [&] {
        size_t s = 0;
        while (dead[s]) ++s;
        auto c = servers[s].make_client();
        std::vector<std::vector<std::string>> out;
        auto r = c.call("getprocessgraphsmsg",
                        {{"colonyname", DevIdentity::colony_name}, {"count", 100}, {"state", 0}},
                        member.prvkey);
        if (!r.ok() || !r->is_array()) return out;
        for (const auto& v : r->as_array()) {
            auto graph = process_graph_from_json(v);
            if (!graph.ok() || graph->rootprocessids.empty()) continue;
            auto root = c.get_process(graph->rootprocessids[0], member.prvkey);
            if (!root.ok()) continue;
            std::vector<std::string> args;
            for (const auto& a : root->spec.args) args.emplace_back(a.as_string());
            out.push_back(std::move(args));
        }
        return out;
    };

    pack(0, 20);
    ASSERT_TRUE(eventually(20s, [&] { return started().size() == 10; }));

    std::string leader_name;
    ASSERT_TRUE(eventually(15s, [&] {
        auto st = cluster_state(servers[0]);
        if (!st || st->leader.empty()) return false;
        leader_name = st->leader;
        return true;
    }));
    for (size_t i = 0; i < servers.size(); ++i)
        if (servers.name(i) == leader_name) {
            dead[i] = true;
            servers[i].kill9();
        }
    pack(20, 40);
    ASSERT_TRUE(eventually(30s, [&] { return started().size() == 20; }));
    std::this_thread::sleep_for(1500ms);  // more than a pass: nothing else starts

    auto graphs = started();
    ASSERT_EQ(graphs.size(), 20u);
    std::set<std::string> seen;
    for (const auto& args : graphs) {
        ASSERT_EQ(args.size(), 2u);
        for (const auto& a : args) EXPECT_TRUE(seen.insert(a).second) << a << " started twice";
    }
    EXPECT_EQ(seen.size(), 40u);
}
