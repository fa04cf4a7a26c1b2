// The closed-loop engine of W2 (and W5, and the W6 fill): submitter threads submit units of work
// (one process, or a two-node workflow) while executor threads long-poll assign and close each
// process successfully. At most `inflight` processes are outstanding (submitted, not yet closed),
// so the queue stays short and latency measures the server rather than a backlog the bench built.
#pragma once
#include <vector>

#include "options.hpp"
#include "setup.hpp"
#include "stats.hpp"

namespace colonies::bench {

struct LifecycleConfig {
    int inflight = 16;       // outstanding processes
    double duration_s = 10;  // submitters stop after this...
    long max_units = 0;      // ...or after this many units (0 = no bound)
    bool workflow = false;   // units are workflows a -> b instead of single processes
    double drain_s = 30;     // how long executors may take to close what is left
};

struct LifecycleResult {
    long submitted = 0;  // units
    long completed = 0;  // units whose last process was closed
    long closed = 0;     // processes closed
    long errors = 0;
    std::string first_error;
    double elapsed_s = 0;  // first submit to last close
    Latencies e2e;         // unit: submit start -> close ack of its last process
    Latencies submit;      // submit round trip
};

LifecycleResult run_lifecycle(const Options& o, const BenchColony& c,
                              const std::vector<Member>& submitters,
                              const std::vector<Member>& executors, const LifecycleConfig& cfg);

// The same closed loop with every client a coroutine on one thread (async_lifecycle.cpp).
LifecycleResult run_lifecycle_async(const Options& o, const BenchColony& c,
                                    const std::vector<Member>& submitters,
                                    const std::vector<Member>& executors,
                                    const LifecycleConfig& cfg);

}  // namespace colonies::bench
