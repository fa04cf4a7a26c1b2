// The leader's generator pass (services::run_generators, features.md 2.3) on the SQLite store
// with 10,000 generators: how long one pass holds the store thread (counter `hold_us`, measured
// inside the job) and the pass with its commit (the iteration time). Cases: nothing queued, every
// generator holding one argument below its trigger (none due; without and with a pending
// timeout), and 100 of them due (100 workflows of two processes started).
#include <benchmark/benchmark.h>

#include <chrono>

#include "core/json.hpp"
#include "fixtures.hpp"
#include "services/colonies_ops.hpp"

namespace {

using namespace colonies;
constexpr int kGenerators = 10000;

std::string workflow() {
    WorkflowSpec w;
    w.colonyname = "bench";
    for (const char* n : {"a", "b"}) {
        FunctionSpec f;
        f.nodename = n;
        f.funcname = "fn";
        f.conditions.executortype = "bench";
        if (std::string(n) == "b") f.conditions.dependencies = {"a"};
        w.functionspecs.push_back(f);
    }
    return to_text(to_json(w));
}

void add_generators(bench::TempStore& st, bool one_arg_each, int64_t timeout = -1) {
    const std::string wf = workflow();
    st->run_sync([&](store::StoreTx& tx) {
        for (int i = 0; i < kGenerators; ++i) {
            Generator g;
            g.generatorid = "g" + std::to_string(i);
            g.colonyname = "bench";
            g.name = g.generatorid;
            g.workflowspec = wf;
            g.trigger = 2;
            g.timeout = timeout;
            tx.add_generator(g);
            if (one_arg_each)
                tx.pack_generator(GeneratorArg{"a" + g.generatorid, g.generatorid, "bench", "x"},
                                  Time::now());
        }
        return true;
    });
}

// One pass per iteration; before each, `due` generators get what makes them due.
void run_passes(benchmark::State& state, bench::TempStore& st, int due) {
    services::Config cfg;
    const std::string caller;
    double hold_us = 0;
    int started = 0;
    int round = 0;
    for (auto _ : state) {
        state.PauseTiming();
        if (due > 0) {
            ++round;
            st->run_sync([&](store::StoreTx& tx) {
                for (int i = 0; i < due; ++i) {
                    const std::string id = "g" + std::to_string(i * (kGenerators / due));
                    for (int k = tx.generator(id)->queuesize; k < 2; ++k)
                        tx.pack_generator(
                            GeneratorArg{id + "-" + std::to_string(round) + "-" + std::to_string(k),
                                         id, "bench", "y"},
                            Time::now());
                }
                return true;
            });
        }
        state.ResumeTiming();
        st->run_sync([&](store::StoreTx& tx) {
            const auto t0 = std::chrono::steady_clock::now();
            services::OpContext ctx{tx, caller, Time::now(), cfg, "bench", {}};
            started += services::run_generators(ctx);
            hold_us +=
                std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                    .count();
            return true;
        });
    }
    state.counters["hold_us"] = hold_us / static_cast<double>(state.iterations());
    state.counters["workflows"] = static_cast<double>(started) / state.iterations();
}

void BM_GeneratorPassNothingQueued(benchmark::State& state) {
    bench::TempStore st;
    add_generators(st, false);
    run_passes(state, st, 0);
}
BENCHMARK(BM_GeneratorPassNothingQueued)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_GeneratorPassNoneDue(benchmark::State& state) {
    bench::TempStore st;
    add_generators(st, true);
    run_passes(state, st, 0);
}
BENCHMARK(BM_GeneratorPassNoneDue)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Every generator also waits for a timeout an hour away: all are in the timeout index.
void BM_GeneratorPassNoneDueTimeoutsPending(benchmark::State& state) {
    bench::TempStore st;
    add_generators(st, true, 3600);
    run_passes(state, st, 0);
}
BENCHMARK(BM_GeneratorPassNoneDueTimeoutsPending)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_GeneratorPass100Due(benchmark::State& state) {
    bench::TempStore st;
    add_generators(st, true);
    run_passes(state, st, 100);
}
BENCHMARK(BM_GeneratorPass100Due)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
