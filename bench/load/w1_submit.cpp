// W1: S submitters submit as fast as the server acknowledges (every reply durable). Nothing is
// assigned, so the queue grows; the colony is removed at the end.
#include <atomic>
#include <thread>

#include "proc.hpp"
#include "setup.hpp"
#include "stats.hpp"
#include "workloads.hpp"

namespace colonies::bench {

boost::json::object run_w1_submit(const Options& o) {
    BenchColony c = create_colony(o);
    auto users = add_users(o, c, "submitter", o.submitters);
    std::atomic<long> submitted{0}, errors{0};
    std::vector<Latencies> lat(users.size());
    CpuMeter cpu(o.server_pid);
    const int64_t start = now_ns();
    const int64_t end = start + static_cast<int64_t>(o.duration_s * 1e9);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < users.size(); ++i) {
        threads.emplace_back([&, i] {
            client::Client cl(client_options(o));
            while (now_ns() < end && (o.max_count <= 0 || submitted < o.max_count)) {
                const int64_t t0 = now_ns();
                auto r = cl.submit(bench_spec(c, t0), users[i].prvkey);
                if (!r) {
                    if (errors++ == 0) log("W1 submit: " + describe(r.error()));
                    continue;
                }
                lat[i].add(now_ns() - t0);
                submitted++;
            }
        });
    }
    for (auto& t : threads) t.join();
    const double elapsed = static_cast<double>(now_ns() - start) / 1e9;

    boost::json::object out{{"workload", "W1"}, {"submitters", o.submitters}};
    out["submitted"] = submitted.load();
    out["completed_per_s"] = round3(submitted / elapsed);  // a submit completes at its ack
    out["errors"] = errors.load();
    Latencies all;
    for (auto& l : lat) all.merge(l);
    all.put(out, "submit_");
    cpu.put(out);
    remove_colony(o, c);
    return out;
}

}  // namespace colonies::bench
