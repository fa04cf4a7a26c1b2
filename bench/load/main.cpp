// `load`: the load generator of issue #5. Drives any server that speaks the Colonies protocol
// through the C++ SDK and prints one JSON line of figures per workload on stdout.
//   load --host H --port P --server-prvkey K --workload W2 --duration 10 [--server-pid PID]
// --workload takes one name or a comma list (W1,W2,W3,W4,W5,W6).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "options.hpp"
#include "stats.hpp"
#include "workloads.hpp"

namespace {

using namespace colonies::bench;

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

// W4 keeps one socket per executor: take every descriptor the hard limit allows.
void raise_fd_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

boost::json::object run_one(const std::string& w, const Options& o) {
    if (w == "W1") return run_w1_submit(o);
    if (w == "W2") return run_w2_lifecycle(o);
    if (w == "W3") return run_w3_assign(o);
    if (w == "W4") return run_w4_idle(o);
    if (w == "W5") return run_w5_workflow(o);
    if (w == "W6") return run_w6_store(o);
    throw std::runtime_error("unknown workload " + w);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string assign_list = "1,8,64", idle_list = "1000,10000";
    CLI::App app{"Colonies load generator (issue #5)"};
    app.add_option("--host", o.host, "server host");
    app.add_option("--port", o.port, "server port");
    app.add_option("--backend", o.backend, "http (default), grpc or coap: the SDK's door");
    app.add_option("--backend-port", o.backend_port, "port of the gRPC or CoAP backend");
    std::string port_list;
    app.add_option("--ports", port_list,
                   "several servers of one cluster: comma list, clients spread over them");
    app.add_option("--server-prvkey", o.server_prvkey, "server owner private key")
        ->required()
        ->envname("COLONIES_SERVER_PRVKEY");
    app.add_option("--workload", o.workload, "W1..W6, or a comma list");
    app.add_option("--duration", o.duration_s, "seconds per measured phase");
    app.add_option("--max-count", o.max_count, "stop a phase after this many operations");
    app.add_option("--submitters", o.submitters, "submitter threads (W1, W2, W5, W6 fill)");
    app.add_option("--executors", o.executors, "executor threads (W2, W5, W6 fill)");
    app.add_option("--inflight", o.inflight, "outstanding processes (W2, W5; 0 = 2 x executors)");
    app.add_option("--prefill", o.prefill, "W3: waiting processes before each phase");
    app.add_option("--assign-executors", assign_list, "W3: executor counts, comma list");
    app.add_option("--rate", o.rate, "W3: total assigns/s cap (0 = unpaced)");
    app.add_option("--idle-executors", idle_list, "W4: fleet sizes, comma list");
    app.add_option("--idle-window", o.idle_window_s, "W4: seconds of idle CPU measurement");
    app.add_option("--idle-threads", o.idle_threads, "W4: threads driving the fleet");
    app.add_option("--first-assign-samples", o.first_assign_samples, "W4: measured submits");
    app.add_option("--finished", o.finished, "W6: finished processes to put in the store");
    app.add_option("--samples", o.samples, "W6: repetitions of each measured call");
    app.add_option("--server-pid", o.server_pid, "server pid (CPU, RSS from /proc)");
    app.add_flag("--keep", o.keep, "keep the bench colonies");
    app.add_flag("--async", o.async,
                 "W2, W5: drive every client from one thread (coroutines) instead of one each");
    CLI11_PARSE(app, argc, argv);
    for (auto& s : split(port_list)) o.ports.push_back(std::stoi(s));
    if (!o.ports.empty()) o.port = o.ports.front();
    o.assign_executors.clear();
    for (auto& s : split(assign_list)) o.assign_executors.push_back(std::stoi(s));
    o.idle_executors.clear();
    for (auto& s : split(idle_list)) o.idle_executors.push_back(std::stoi(s));
    raise_fd_limit();

    int rc = 0;
    for (const auto& w : split(o.workload)) {
        try {
            log("running " + w);
            emit(run_one(w, o));
        } catch (const std::exception& e) {
            emit({{"workload", w}, {"error", e.what()}});
            rc = 1;
        }
    }
    return rc;
}
