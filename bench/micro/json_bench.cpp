// JSON mapping of a Process (core/json.hpp): the server encodes one per submit/assign/get reply
// and the SQLite store keeps processes as JSON documents, so both directions are on every path.
#include <benchmark/benchmark.h>

#include "core/json.hpp"
#include "core/json_text.hpp"
#include "fixtures.hpp"

namespace {

using namespace colonies;

void BM_ProcessEncode(benchmark::State& state) {
    const Process p = bench::sample_process();
    size_t bytes = 0;
    for (auto _ : state) {
        std::string text = to_text(to_json(p));
        bytes = text.size();
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ProcessEncode);

void BM_ProcessDecode(benchmark::State& state) {
    const std::string text = to_text(to_json(bench::sample_process()));
    boost::system::error_code ec;
    for (auto _ : state) {
        auto p = process_from_json(read_json_text(text, ec));
        benchmark::DoNotOptimize(p);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ProcessDecode);

// The same text through Boost.JSON's own parser, which core/json_text replaces (it reads some
// doubles one unit off): what exact numbers cost.
void BM_ProcessDecodeBoostParser(benchmark::State& state) {
    const std::string text = to_text(to_json(bench::sample_process()));
    for (auto _ : state) {
        auto p = process_from_json(boost::json::parse(text));
        benchmark::DoNotOptimize(p);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ProcessDecodeBoostParser);

}  // namespace
