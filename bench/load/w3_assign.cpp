// W3: assign latency while work is waiting. Before each phase the queue is topped up to
// --prefill waiting processes; then n executors assign and close as fast as they can (or at
// --rate assigns/s in total, paced per executor) until --duration passes or half the queue is
// consumed, so the queue never runs low. Only the assign round trip is measured.
#include <atomic>
#include <thread>

#include "proc.hpp"
#include "setup.hpp"
#include "stats.hpp"
#include "workloads.hpp"

namespace colonies::bench {

namespace {

// Submits until the colony has `level` waiting processes, on `users.size()` threads.
void top_up(const Options& o, const BenchColony& c, const std::vector<Member>& users, long level) {
    client::Client cl(client_options(o));
    auto st = cl.get_colony_statistics(c.name, users.front().prvkey);
    if (!st) throw std::runtime_error("colony statistics: " + describe(st.error()));
    const long missing = level - st->waitingprocesses;
    if (missing <= 0) return;
    log("W3: submitting " + std::to_string(missing) + " processes");
    std::atomic<long> left{missing};
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (const auto& u : users) {
        threads.emplace_back([&] {
            client::Client sc(client_options(o));
            while (!failed && left-- > 0) {
                if (auto r = sc.submit(bench_spec(c, 0), u.prvkey); !r) {
                    log("W3 prefill submit: " + describe(r.error()));
                    failed = true;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    if (failed) throw std::runtime_error("W3 prefill failed");
}

boost::json::object phase(const Options& o, const BenchColony& c, const std::vector<Member>& execs,
                          int n) {
    std::atomic<long> assigned{0}, errors{0};
    const long budget = std::max(1L, o.prefill / 2);
    std::vector<Latencies> lat(n);
    CpuMeter cpu(o.server_pid);
    const int64_t start = now_ns();
    const int64_t end = start + static_cast<int64_t>(o.duration_s * 1e9);
    // With --rate each executor starts one assign every n/rate seconds (open loop per thread).
    const int64_t period = o.rate > 0 ? static_cast<int64_t>(n / o.rate * 1e9) : 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            client::Client cl(client_options(o));
            int64_t next = start + (period * i) / std::max(1, n);  // spread the first starts
            while (now_ns() < end && assigned < budget) {
                if (period > 0) {
                    std::this_thread::sleep_until(
                        Clock::time_point(std::chrono::nanoseconds(next)));
                    next += period;
                }
                const int64_t t0 = now_ns();
                auto p = cl.assign(c.name, 1, execs[i].prvkey);
                const int64_t t1 = now_ns();
                if (!p) {
                    if (errors++ == 0) log("W3 assign: " + describe(p.error()));
                    continue;
                }
                lat[i].add(t1 - t0);
                assigned++;
                if (auto s = cl.close_successful(p->processid, {}, execs[i].prvkey); !s)
                    if (errors++ == 0) log("W3 close: " + describe(s.error()));
            }
        });
    }
    for (auto& t : threads) t.join();
    const double elapsed = static_cast<double>(now_ns() - start) / 1e9;
    Latencies all;
    for (auto& l : lat) all.merge(l);
    boost::json::object out{{"executors", n}, {"assigned", assigned.load()}};
    out["assigns_per_s"] = round3(assigned / elapsed);
    all.put(out, "assign_", true);
    out["errors"] = errors.load();
    cpu.put(out);
    return out;
}

}  // namespace

boost::json::object run_w3_assign(const Options& o) {
    BenchColony c = create_colony(o);
    int most = 1;
    for (int n : o.assign_executors) most = std::max(most, n);
    auto users = add_users(o, c, "submitter", std::max(1, o.submitters));
    auto execs = add_executors(o, c, "executor", most);
    boost::json::array phases;
    for (int n : o.assign_executors) {
        top_up(o, c, users, o.prefill);
        phases.push_back(phase(o, c, execs, n));
        log("W3 phase " + std::to_string(n) + ": " + to_line(phases.back()));
    }
    boost::json::object out{{"workload", "W3"}, {"prefill", o.prefill}};
    if (o.rate > 0) out["rate"] = o.rate;
    out["phases"] = std::move(phases);
    remove_colony(o, c);
    return out;
}

}  // namespace colonies::bench
