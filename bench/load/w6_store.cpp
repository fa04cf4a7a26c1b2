// W6: does a store full of finished processes slow the hot calls? The same three calls are
// measured on a fresh colony and again after --finished processes went through the lifecycle:
// list 100 waiting (getprocessesmsg), get one by id (getprocessmsg), and assign (one executor,
// work waiting). The waiting processes belong to an executor type the fill executors do not
// serve, so the fill cannot consume them.
#include "lifecycle.hpp"
#include "proc.hpp"
#include "stats.hpp"
#include "workloads.hpp"

namespace colonies::bench {

namespace {

constexpr int kWaiting = 1000;

struct Probe {
    BenchColony colony;  // executortype "bench-w6"
    Member user, executor;
};

void submit_waiting(const Options& o, const Probe& p, int n) {
    client::Client cl(client_options(o));
    for (int i = 0; i < n; ++i)
        if (auto r = cl.submit(bench_spec(p.colony, 0), p.user.prvkey); !r)
            throw std::runtime_error("W6 submit: " + describe(r.error()));
}

boost::json::object measure(const Options& o, const Probe& p) {
    client::Client cl(client_options(o));
    Latencies list, get, assign;
    std::string id;
    for (int i = 0; i < o.samples; ++i) {
        int64_t t0 = now_ns();
        auto l = cl.get_processes(p.colony.name, ProcessState::Waiting, 100, p.user.prvkey);
        list.add(now_ns() - t0);
        if (!l || l->empty()) throw std::runtime_error("W6 list waiting failed or empty");
        id = (*l)[i % l->size()].processid;
        t0 = now_ns();
        auto g = cl.get_process(id, p.user.prvkey);
        get.add(now_ns() - t0);
        if (!g) throw std::runtime_error("W6 get: " + describe(g.error()));
    }
    for (int i = 0; i < o.samples; ++i) {
        const int64_t t0 = now_ns();
        auto a = cl.assign(p.colony.name, 1, p.executor.prvkey);
        assign.add(now_ns() - t0);
        if (!a) throw std::runtime_error("W6 assign: " + describe(a.error()));
        if (auto s = cl.close_successful(a->processid, {}, p.executor.prvkey); !s)
            throw std::runtime_error("W6 close: " + describe(s.error()));
    }
    submit_waiting(o, p, o.samples);  // back to kWaiting for the next round
    boost::json::object out;
    list.put(out, "list100_");
    get.put(out, "get_");
    assign.put(out, "assign_");
    return out;
}

double ratio(const boost::json::object& after, const boost::json::object& before, const char* key) {
    const double b = before.at(key).to_number<double>();
    return b > 0 ? round3(after.at(key).to_number<double>() / b) : 0;
}

}  // namespace

boost::json::object run_w6_store(const Options& o) {
    BenchColony c = create_colony(o);
    Probe p;
    p.colony = c;
    p.colony.executortype = "bench-w6";
    p.user = add_users(o, c, "probe", 1)[0];
    p.executor = add_executors(o, p.colony, "probe", 1, 1)[0];
    submit_waiting(o, p, kWaiting);
    auto empty = measure(o, p);
    log("W6 empty store: " + to_line(empty));

    auto users = add_users(o, c, "submitter", o.submitters);
    auto execs = add_executors(o, c, "executor", o.executors);
    LifecycleConfig cfg;
    cfg.inflight = o.inflight > 0 ? o.inflight : 2 * o.executors;
    cfg.duration_s = 1e9;  // bounded by count only
    cfg.max_units = o.finished;
    CpuMeter fill_cpu(o.server_pid);
    log("W6: filling " + std::to_string(o.finished) + " finished processes");
    LifecycleResult fill = run_lifecycle(o, c, users, execs, cfg);

    CpuMeter cpu(o.server_pid);
    auto full = measure(o, p);
    boost::json::object out{{"workload", "W6"}, {"finished", fill.completed}};
    out["fill_per_s"] = round3(fill.elapsed_s > 0 ? fill.completed / fill.elapsed_s : 0);
    out["empty"] = empty;
    out["full"] = full;
    out["ratio_list100_p50"] = ratio(full, empty, "list100_p50_ms");
    out["ratio_get_p50"] = ratio(full, empty, "get_p50_ms");
    out["ratio_assign_p50"] = ratio(full, empty, "assign_p50_ms");
    out["ratio_assign_p99"] = ratio(full, empty, "assign_p99_ms");
    out["fill_errors"] = fill.errors;
    cpu.put(out);
    remove_colony(o, c);
    return out;
}

}  // namespace colonies::bench
