// The SQLite store (durable: WAL + synchronous=FULL): the commit of one job alone, a batch of
// jobs posted together (group commit: one sync for the batch), and the assignment query with
// 50,000 processes waiting.
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <mutex>

#include "core/resources.hpp"
#include "fixtures.hpp"

namespace {

using namespace colonies;

void BM_StoreCommitOne(benchmark::State& state) {
    bench::TempStore st;
    for (auto _ : state) {
        Process p = bench::sample_process();
        st->run_sync([&](store::StoreTx& tx) {
            tx.save_process(p, SpecRequirements{});
            return true;
        });
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreCommitOne)->UseRealTime()->Unit(benchmark::kMicrosecond);

// N jobs posted at once, each saving one process; the iteration ends when every `done` ran.
void BM_StoreCommitBatch(benchmark::State& state) {
    bench::TempStore st;
    const int n = static_cast<int>(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<Process> ps;
        for (int i = 0; i < n; ++i) ps.push_back(bench::sample_process());
        state.ResumeTiming();
        std::mutex mu;
        std::condition_variable cv;
        int left = n;
        for (auto& p : ps) {
            st->post(
                [&p](store::StoreTx& tx) {
                    tx.save_process(p, SpecRequirements{});
                    return true;
                },
                [&](bool, const std::string&) {
                    std::lock_guard lock(mu);
                    if (--left == 0) cv.notify_one();
                });
        }
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return left == 0; });
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_StoreCommitBatch)->Arg(16)->Arg(128)->UseRealTime()->Unit(benchmark::kMicrosecond);

// find_assignable with `range(0)` waiting processes; the query loop runs inside one job on the
// store thread, so no commit is measured.
void BM_FindAssignable(benchmark::State& state) {
    bench::TempStore st;
    const int n = static_cast<int>(state.range(0));
    st->run_sync([&](store::StoreTx& tx) {
        for (int i = 0; i < n; ++i) tx.save_process(bench::sample_process(), SpecRequirements{});
        return true;
    });
    store::AssignQuery q{"bench", "bench", "executor-0", "", INT64_MAX, INT64_MAX};
    st->run_sync([&](store::StoreTx& tx) {
        for (auto _ : state) benchmark::DoNotOptimize(tx.find_assignable(q));
        return true;
    });
}
BENCHMARK(BM_FindAssignable)->Arg(50000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The whole store side of one assignment: find, read the process, write it back as RUNNING,
// and commit (one job, one sync), with 50,000 waiting.
void BM_AssignCommit(benchmark::State& state) {
    bench::TempStore st;
    const int n = static_cast<int>(state.range(0));
    st->run_sync([&](store::StoreTx& tx) {
        for (int i = 0; i < n; ++i) tx.save_process(bench::sample_process(), SpecRequirements{});
        return true;
    });
    store::AssignQuery q{"bench", "bench", "executor-0", "", INT64_MAX, INT64_MAX};
    for (auto _ : state) {
        st->run_sync([&](store::StoreTx& tx) {
            auto id = tx.find_assignable(q);
            if (!id) return false;
            auto p = tx.process(*id);
            p->state = ProcessState::Running;
            p->isassigned = true;
            tx.save_process(*p, SpecRequirements{});
            return true;
        });
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssignCommit)->Arg(50000)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
