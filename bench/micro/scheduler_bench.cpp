// Waiters::notify with many parked executors: the cost of handing a new process to one of
// them. "same": every waiter can take it (the head is picked); "named": the process names one
// executor, which is at the back of the list, so notify scans every waiter first.
#include <benchmark/benchmark.h>

#include "scheduler/waiters.hpp"

namespace {

using namespace colonies::scheduler;

WaiterSpec spec_of(int i) {
    return WaiterSpec{"bench", "bench", "executor-" + std::to_string(i), "", INT64_MAX, INT64_MAX};
}

void fill(Waiters& w, int n) {
    for (int i = 0; i < n; ++i)
        (void)w.add(
            spec_of(i), [] {}, w.sequence());
}

void BM_NotifyAnyWaiter(benchmark::State& state) {
    Waiters w;
    const int n = static_cast<int>(state.range(0));
    fill(w, n);
    ReadyProcess p{"bench", "bench", {}, "", 0, 0};
    int next = n;
    for (auto _ : state) {
        benchmark::DoNotOptimize(w.notify(p));
        (void)w.add(
            spec_of(next++), [] {}, w.sequence());  // keep the fleet size constant
    }
}
BENCHMARK(BM_NotifyAnyWaiter)->Arg(1)->Arg(1000)->Arg(10000);

void BM_NotifyNamedWaiter(benchmark::State& state) {
    Waiters w;
    const int n = static_cast<int>(state.range(0));
    fill(w, n - 1);
    int next = n;
    for (auto _ : state) {
        const std::string name = "executor-" + std::to_string(next);
        (void)w.add(
            spec_of(next++), [] {}, w.sequence());  // the named one parks last
        ReadyProcess p{"bench", "bench", {name}, "", 0, 0};
        benchmark::DoNotOptimize(w.notify(p));
    }
}
BENCHMARK(BM_NotifyNamedWaiter)->Arg(1000)->Arg(10000);

}  // namespace
