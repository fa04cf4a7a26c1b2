// W4: an idle fleet. N executors long-poll with nothing to do; we read the server's RSS (before
// and with the fleet parked), its CPU over an idle window, and the latency from a submit to the
// moment one parked executor reads its assign reply. Each fleet size gets a colony of its own,
// so polls abandoned by an earlier fleet cannot take the measured submits.
#include <thread>

#include "idle_fleet.hpp"
#include "proc.hpp"
#include "stats.hpp"
#include "workloads.hpp"

namespace colonies::bench {

namespace {

boost::json::object fleet(const Options& o, int n) {
    BenchColony c = create_colony(o);
    auto user = add_users(o, c, "submitter", 1);
    const int64_t r0 = now_ns();
    auto execs = add_executors(o, c, "idle", n, 8);
    const double reg_s = static_cast<double>(now_ns() - r0) / 1e9;
    log("W4: registered " + std::to_string(n) + " executors in " + std::to_string(reg_s) + " s");

    const double rss_before = process_rss_mib(o.server_pid);
    // Polls outlast the whole measurement, so no executor re-polls inside the idle window.
    const int poll_s = static_cast<int>(o.idle_window_s) + 60;
    IdleFleet f(o, c, std::move(execs), o.idle_threads, poll_s);
    f.start();
    const int64_t park_deadline = now_ns() + 120'000'000'000LL;
    while (f.parked() < n && now_ns() < park_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::seconds(2));  // let the server take the last ones
    const double rss_parked = process_rss_mib(o.server_pid);

    const double s0 = process_cpu_seconds(o.server_pid), l0 = self_cpu_seconds();
    const int64_t w0 = now_ns();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.idle_window_s));
    const double window = static_cast<double>(now_ns() - w0) / 1e9;
    const double s1 = process_cpu_seconds(o.server_pid), l1 = self_cpu_seconds();

    Latencies first;
    long lost = 0;
    client::Client cl(client_options(o));
    for (int k = 0; k < o.first_assign_samples; ++k) {
        const int64_t t0 = now_ns();
        auto p = cl.submit(bench_spec(c, t0), user[0].prvkey);
        if (!p) throw std::runtime_error("W4 submit: " + describe(p.error()));
        auto a = f.next_assigned(std::chrono::seconds(10));
        if (!a) {
            lost++;
            continue;
        }
        first.add(a->at_ns - t0);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // back to idle
    }
    f.stop();

    boost::json::object out{{"executors", n}, {"parked", f.parked()}};
    out["register_per_s"] = round3(n / reg_s);
    if (rss_before >= 0) {
        out["server_rss_before_mib"] = round3(rss_before);
        out["server_rss_mib"] = round3(rss_parked);
        out["rss_per_executor_kib"] = round3((rss_parked - rss_before) * 1024.0 / n);
    }
    if (s0 >= 0) out["idle_server_cpu_pct"] = round3((s1 - s0) / window * 100.0);
    out["idle_loadgen_cpu_pct"] = round3((l1 - l0) / window * 100.0);
    out["idle_window_s"] = round3(window);
    first.put(out, "first_assign_");
    out["first_assign_lost"] = lost;
    out["errors"] = f.errors();
    remove_colony(o, c);
    return out;
}

}  // namespace

boost::json::object run_w4_idle(const Options& o) {
    boost::json::array fleets;
    CpuMeter cpu(o.server_pid);
    for (int n : o.idle_executors) {
        fleets.push_back(fleet(o, n));
        log("W4 fleet " + std::to_string(n) + ": " + to_line(fleets.back()));
    }
    boost::json::object out{{"workload", "W4"}, {"fleets", std::move(fleets)}};
    cpu.put(out);
    return out;
}

}  // namespace colonies::bench
