// A function's run statistics (features.md 7.3): what one more run does to them. The SQLite store
// applies this to the decoded row; the PostgreSQL store does the same arithmetic in one UPDATE
// (store/sql/statements.cpp, RecordFunctionRun), checked against this by the conformance suite.
#pragma once
#include <algorithm>

#include "core/types.hpp"

namespace colonies {

// Upstream's running averages are (old + new) / 2, not true means; the first run sets min and max.
inline void count_function_run(Function& fn, double wait_s, double exec_s) {
    const bool first = fn.counter == 0;
    auto fold = [first](double& min, double& max, double& avg, double v) {
        min = first ? v : std::min(min, v);
        max = first ? v : std::max(max, v);
        avg = avg == 0 ? v : (avg + v) / 2;
    };
    fold(fn.minwaittime, fn.maxwaittime, fn.avgwaittime, wait_s);
    fold(fn.minexectime, fn.maxexectime, fn.avgexectime, exec_s);
    fn.counter++;
}

}  // namespace colonies
