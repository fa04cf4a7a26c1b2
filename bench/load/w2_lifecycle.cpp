// W2 (single processes) and W5 (two-node workflows a -> b): the closed-loop lifecycle engine at
// S submitters and E executors. completed_per_s counts units (processes, or whole workflows).
#include <algorithm>
#include <cctype>

#include "lifecycle.hpp"
#include "proc.hpp"
#include "workloads.hpp"

namespace colonies::bench {

namespace {

boost::json::object lifecycle_workload(const Options& o, const BenchColony& c, bool workflow) {
    auto users = add_users(o, c, "submitter", o.submitters);
    auto execs = add_executors(o, c, "executor", o.executors);
    LifecycleConfig cfg;
    cfg.inflight = o.inflight > 0 ? o.inflight : 2 * o.executors;
    cfg.duration_s = o.duration_s;
    cfg.max_units = o.max_count;
    cfg.workflow = workflow;
    CpuMeter cpu(o.server_pid);
    LifecycleResult r = o.async ? run_lifecycle_async(o, c, users, execs, cfg)
                                : run_lifecycle(o, c, users, execs, cfg);

    boost::json::object out{{"workload", workflow ? "W5" : "W2"},
                            {"generator", o.async ? "async" : "blocking"},
                            {"submitters", o.submitters},
                            {"executors", o.executors},
                            {"inflight", cfg.inflight}};
    out["completed"] = r.completed;
    out["completed_per_s"] = round3(r.elapsed_s > 0 ? r.completed / r.elapsed_s : 0);
    if (workflow) out["processes_per_s"] = round3(r.elapsed_s > 0 ? r.closed / r.elapsed_s : 0);
    r.e2e.put(out, "e2e_");
    r.submit.put(out, "submit_");
    out["errors"] = r.errors;
    if (!r.first_error.empty()) out["first_error"] = r.first_error;
    cpu.put(out);
    return out;
}

bool mentions_payload_type(std::string m) {
    std::transform(m.begin(), m.end(), m.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return m.find("payloadtype") != std::string::npos ||
           m.find("payload type") != std::string::npos;
}

}  // namespace

boost::json::object run_w2_lifecycle(const Options& o) {
    BenchColony c = create_colony(o);
    auto out = lifecycle_workload(o, c, false);
    remove_colony(o, c);
    return out;
}

boost::json::object run_w5_workflow(const Options& o) {
    BenchColony c = create_colony(o);
    // Probe first: a server without workflows answers 403 "invalid rpcMsg.PayloadType". The
    // probe targets an executor type nobody serves, so it never disturbs the counts below.
    {
        auto probe_user = add_users(o, c, "probe", 1);
        client::Client cl(client_options(o));
        WorkflowSpec w;
        w.colonyname = c.name;
        BenchColony other = c;
        other.executortype = "bench-probe";
        FunctionSpec a = bench_spec(other, 0);
        a.nodename = "a";
        w.functionspecs = {a};
        auto r = cl.submit_workflow(w, probe_user[0].prvkey);
        if (!r && r.error().is(ErrorKind::Unauthorised) &&
            mentions_payload_type(r.error().message)) {
            remove_colony(o, c);
            return {{"workload", "W5"}, {"skipped", "server lacks submitworkflowspecmsg"}};
        }
        if (!r) {
            remove_colony(o, c);
            return {{"workload", "W5"}, {"error", "probe: " + describe(r.error())}};
        }
    }
    auto out = lifecycle_workload(o, c, true);
    remove_colony(o, c);
    return out;
}

}  // namespace colonies::bench
