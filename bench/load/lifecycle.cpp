#include "lifecycle.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace colonies::bench {

namespace {

struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    int outstanding = 0;  // processes submitted and not closed
    bool stop_submitting = false;
    std::atomic<long> submitted{0}, completed{0}, closed{0}, errors{0};
    std::atomic<int64_t> last_close_ns{0};
    std::string first_error;

    void error(const std::string& what) {
        errors++;
        std::lock_guard lock(mu);
        if (first_error.empty()) first_error = what;
    }
    void release(int n) {
        {
            std::lock_guard lock(mu);
            outstanding -= n;
        }
        // Only submitters wait, each for one free slot: waking them all for one slot cost the
        // generator a futex storm per closed process.
        if (n == 1) {
            cv.notify_one();
        } else {
            cv.notify_all();
        }
    }
};

WorkflowSpec workflow_of(const BenchColony& c, int64_t t0) {
    WorkflowSpec w;
    w.colonyname = c.name;
    FunctionSpec a = bench_spec(c, t0, false);
    a.nodename = "a";
    FunctionSpec b = bench_spec(c, t0, true);
    b.nodename = "b";
    b.conditions.dependencies = {"a"};
    w.functionspecs = {a, b};
    return w;
}

}  // namespace

LifecycleResult run_lifecycle(const Options& o, const BenchColony& c,
                              const std::vector<Member>& submitters,
                              const std::vector<Member>& executors, const LifecycleConfig& cfg) {
    Shared sh;
    const int per_unit = cfg.workflow ? 2 : 1;
    const int inflight = std::max(cfg.inflight, per_unit);
    std::vector<LifecycleResult> parts(submitters.size() + executors.size());
    const int64_t start = now_ns();
    const int64_t submit_end = start + static_cast<int64_t>(cfg.duration_s * 1e9);

    std::vector<std::thread> threads;
    for (size_t s = 0; s < submitters.size(); ++s) {
        threads.emplace_back([&, s] {
            client::Client cl(client_options(o, s));
            LifecycleResult& mine = parts[s];
            while (true) {
                {
                    std::unique_lock lock(sh.mu);
                    sh.cv.wait_until(
                        lock, Clock::time_point(std::chrono::nanoseconds(submit_end)), [&] {
                            return sh.stop_submitting || sh.outstanding + per_unit <= inflight;
                        });
                    if (sh.stop_submitting || now_ns() >= submit_end) break;
                    if (cfg.max_units > 0 && sh.submitted >= cfg.max_units) break;
                    sh.outstanding += per_unit;
                    sh.submitted++;
                }
                const int64_t t0 = now_ns();
                Error err;
                bool ok;
                if (cfg.workflow) {
                    auto r = cl.submit_workflow(workflow_of(c, t0), submitters[s].prvkey);
                    ok = r.ok();
                    if (!ok) err = r.error();
                } else {
                    auto r = cl.submit(bench_spec(c, t0), submitters[s].prvkey);
                    ok = r.ok();
                    if (!ok) err = r.error();
                }
                if (!ok) {
                    sh.error("submit: " + describe(err));
                    sh.submitted--;
                    sh.release(per_unit);
                    continue;
                }
                mine.submit.add(now_ns() - t0);
            }
            {
                std::lock_guard lock(sh.mu);
                sh.stop_submitting = true;
            }
            sh.cv.notify_all();
        });
    }
    for (size_t e = 0; e < executors.size(); ++e) {
        threads.emplace_back([&, e] {
            client::Client cl(client_options(o, submitters.size() + e));
            LifecycleResult& mine = parts[submitters.size() + e];
            const std::string& key = executors[e].prvkey;
            while (true) {
                {
                    std::lock_guard lock(sh.mu);
                    const bool drained = sh.stop_submitting && sh.outstanding <= 0;
                    const bool late =
                        now_ns() > submit_end + static_cast<int64_t>(cfg.drain_s * 1e9);
                    if (drained || late) break;
                }
                auto p = cl.assign(c.name, 1, key);
                if (!p) {
                    if (!p.error().is(ErrorKind::NotFound)) {
                        sh.error("assign: " + describe(p.error()));
                        std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    }
                    continue;
                }
                const auto& args = p->spec.args;
                if (auto s = cl.close_successful(p->processid, {}, key); !s) {
                    sh.error("close: " + describe(s.error()));
                    continue;  // stays outstanding: the drain deadline ends the run
                }
                const int64_t t1 = now_ns();
                sh.closed++;
                sh.last_close_ns = std::max<int64_t>(sh.last_close_ns.load(), t1);
                if (args.size() >= 2 && args[1].is_bool() && args[1].get_bool()) {
                    sh.completed++;
                    if (args[0].is_int64()) mine.e2e.add(t1 - args[0].get_int64());
                }
                sh.release(1);
            }
        });
    }
    for (auto& t : threads) t.join();

    LifecycleResult r;
    r.submitted = sh.submitted;
    r.completed = sh.completed;
    r.closed = sh.closed;
    r.errors = sh.errors;
    r.first_error = sh.first_error;
    const int64_t end = sh.last_close_ns > 0 ? sh.last_close_ns.load() : now_ns();
    r.elapsed_s = static_cast<double>(end - start) / 1e9;
    for (auto& p : parts) {
        r.e2e.merge(p.e2e);
        r.submit.merge(p.submit);
    }
    return r;
}

}  // namespace colonies::bench
