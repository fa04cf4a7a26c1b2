#include "setup.hpp"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "crypto/crypto.hpp"
#include "stats.hpp"

namespace colonies::bench {

Member fresh_member(const std::string& name) {
    Member m;
    m.name = name;
    m.prvkey = crypto::generate_private_key();
    auto id = crypto::id_from_private_key(m.prvkey);
    if (!id) throw std::runtime_error("key: " + id.error().message);
    m.id = id.value();
    return m;
}

std::string describe(const Error& e) {
    return std::string(name_of(e.kind)) + " (" + std::to_string(e.status) + "): " + e.message;
}

client::Options client_options(const Options& o, size_t index) {
    client::Options c;
    c.host = o.host;
    c.port = o.ports.empty() ? o.port : o.ports[index % o.ports.size()];
    c.connect_timeout = std::chrono::seconds(10);
    c.backend = o.backend;
    c.backend_port = o.backend_port;
    return c;
}

BenchColony create_colony(const Options& o, const std::string& executortype) {
    BenchColony c;
    // The colony name doubles as a run id, so several runs can share one server.
    c.owner = fresh_member("");
    c.name = "bench-" + c.owner.id.substr(0, 10);
    c.owner.name = c.name;
    c.executortype = executortype;
    client::Client cl(client_options(o));
    Colony colony{c.owner.id, c.name};
    auto added = cl.add_colony(colony, o.server_prvkey);
    if (!added) throw std::runtime_error("add colony " + c.name + ": " + describe(added.error()));
    return c;
}

void remove_colony(const Options& o, const BenchColony& c) {
    if (o.keep) return;
    client::Client cl(client_options(o));
    if (auto s = cl.remove_colony(c.name, o.server_prvkey); !s)
        log("remove colony " + c.name + ": " + describe(s.error()));
}

namespace {

// Runs fn(i) for i in [0, n) on `threads` threads, each with its own Client. Rethrows the first
// failure after every thread stopped.
template <class Fn>
void parallel_for(const Options& o, int n, int threads, Fn fn) {
    std::atomic<int> next{0};
    std::mutex mu;
    std::string failure;
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, std::min(threads, n)); ++t) {
        pool.emplace_back([&] {
            client::Client cl(client_options(o));
            for (int i = next++; i < n; i = next++) {
                try {
                    fn(cl, i);
                } catch (const std::exception& e) {
                    std::lock_guard lock(mu);
                    if (failure.empty()) failure = e.what();
                    next = n;
                }
            }
        });
    }
    for (auto& t : pool) t.join();
    if (!failure.empty()) throw std::runtime_error(failure);
}

}  // namespace

std::vector<Member> add_executors(const Options& o, const BenchColony& c, const std::string& prefix,
                                  int n, int threads) {
    std::vector<Member> out(n);
    parallel_for(o, n, threads, [&](client::Client& cl, int i) {
        Member m = fresh_member(prefix + "-" + std::to_string(i));
        Executor e;
        e.executorid = m.id;
        e.executortype = c.executortype;
        e.executorname = m.name;
        e.colonyname = c.name;
        if (auto r = cl.add_executor(e, c.owner.prvkey); !r)
            throw std::runtime_error("add executor " + m.name + ": " + describe(r.error()));
        if (auto r = cl.approve_executor(c.name, m.name, c.owner.prvkey); !r)
            throw std::runtime_error("approve executor " + m.name + ": " + describe(r.error()));
        out[i] = std::move(m);
    });
    return out;
}

std::vector<Member> add_users(const Options& o, const BenchColony& c, const std::string& prefix,
                              int n) {
    std::vector<Member> out(n);
    parallel_for(o, n, 4, [&](client::Client& cl, int i) {
        Member m = fresh_member(prefix + "-" + std::to_string(i));
        User u;
        u.colonyname = c.name;
        u.userid = m.id;
        u.name = m.name;
        if (auto r = cl.add_user(u, c.owner.prvkey); !r)
            throw std::runtime_error("add user " + m.name + ": " + describe(r.error()));
        out[i] = std::move(m);
    });
    return out;
}

FunctionSpec bench_spec(const BenchColony& c, int64_t submit_start_ns, bool last) {
    FunctionSpec spec;
    spec.funcname = "bench";
    spec.conditions.colonyname = c.name;
    spec.conditions.executortype = c.executortype;
    spec.maxwaittime = -1;
    spec.maxexectime = -1;
    spec.maxretries = -1;
    // The submit time travels with the process, so the executor that closes it can compute the
    // end-to-end latency without any shared map (steady clock: same process, every thread).
    spec.args = boost::json::array{submit_start_ns, last};
    return spec;
}

}  // namespace colonies::bench
