// How long one cron evaluation pass (services::evaluate_crons, run by the leader every
// COLONIES_CRON_CHECKER_PERIOD) holds the store thread, on a durable SQLite store holding
// `--crons` crons (default 10,000): with none due, and with `--due` (default 100) due.
// Prints, per case, the median and the worst of `--passes` passes: the job alone (the time the
// store thread runs the pass) and the job with its commit (what a pass costs the store thread
// in all). Usage: cron_pass [--crons N] [--due N] [--passes N] [--dir /var/tmp]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "services/crons.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace colonies;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kS = 1000000000LL;

std::string workflow() {
    FunctionSpec s;
    s.nodename = "tick";
    s.funcname = "tick";
    s.maxwaittime = -1;
    s.maxexectime = -1;
    s.maxretries = -1;
    s.conditions.executortype = "bench";
    return to_text(to_json(WorkflowSpec{"bench", {s}}));
}

Cron make_cron(int i, Time checkat) {
    Cron c;
    c.cronid = "cron" + std::to_string(i);
    c.initiatorid = std::string(64, 'c');
    c.initiatorname = "bench";
    c.colonyname = "bench";
    c.name = "cron" + std::to_string(i);
    c.interval = 3600;
    c.workflowspec = workflow();
    services::set_next_run(c, checkat);
    return c;
}

struct Figures {
    std::vector<double> job_ms, total_ms;
    int started = 0;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// `passes` passes at `now`; before each, `due` crons are made due again (not timed).
Figures run(store::Store& st, int due, int passes, int64_t now_ns) {
    services::Config cfg;
    Figures f;
    for (int p = 0; p < passes; ++p) {
        st.run_sync([&](store::StoreTx& tx) {
            for (int i = 0; i < due; ++i) {
                auto c = tx.cron("cron" + std::to_string(i)).value();
                services::set_next_run(c, Time{now_ns - kS});
                tx.update_cron(c);
            }
            return true;
        });
        double job_ms = 0;
        const auto t0 = Clock::now();
        st.run_sync([&](store::StoreTx& tx) {
            const auto j0 = Clock::now();
            services::OpContext ctx{tx, "", Time{now_ns}, cfg, "crons", {}};
            f.started += services::evaluate_crons(ctx);
            job_ms = std::chrono::duration<double, std::milli>(Clock::now() - j0).count();
            return true;
        });
        f.total_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        f.job_ms.push_back(job_ms);
    }
    return f;
}

void report(const char* name, const Figures& f, int passes) {
    std::printf(
        "%-14s job median %7.3f ms  worst %7.3f ms | job+commit median %7.3f ms  worst "
        "%7.3f ms | started %d in %d passes\n",
        name, median(f.job_ms), *std::max_element(f.job_ms.begin(), f.job_ms.end()),
        median(f.total_ms), *std::max_element(f.total_ms.begin(), f.total_ms.end()), f.started,
        passes);
}

}  // namespace

int main(int argc, char** argv) {
    int crons = 10000, due = 100, passes = 20;
    std::string base = "/var/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--crons") crons = std::atoi(argv[i + 1]);
        if (a == "--due") due = std::atoi(argv[i + 1]);
        if (a == "--passes") passes = std::atoi(argv[i + 1]);
        if (a == "--dir") base = argv[i + 1];
    }
    const std::string dir = base + "/cron-pass-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    {
        auto st = store::open_sqlite_store({dir + "/bench.db"});
        const int64_t now = Time::now().ns;
        st->run_sync([&](store::StoreTx& tx) {
            tx.add_colony(Colony{std::string(64, 'b'), "bench"});
            for (int i = 0; i < crons; ++i) tx.add_cron(make_cron(i, Time{now + 3600 * kS}));
            return true;
        });
        std::printf("cron evaluation pass, SQLite (WAL, synchronous=FULL), %d crons\n", crons);
        report("none due", run(*st, 0, passes, now), passes);
        report((std::to_string(due) + " due").c_str(), run(*st, due, passes, now), passes);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
