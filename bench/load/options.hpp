// Command-line options of the load generator, shared by every workload. Defaults are the sizes
// of issue #5; bench/run passes smaller ones so the whole set finishes in minutes.
#pragma once
#include <sys/types.h>
#include <string>
#include <vector>

namespace colonies::bench {

struct Options {
    std::string host = "127.0.0.1";
    int port = 50080;
    // More servers of one cluster on `host` (--ports): client i talks to ports[i % size].
    std::vector<int> ports;
    // Which door the SDK clients use (issue 20): http, grpc or coap, the latter on backend_port.
    std::string backend = "http";
    int backend_port = 0;
    std::string server_prvkey;  // server owner: creates (and removes) the bench colony
    std::string workload = "W2";
    double duration_s = 10;  // upper bound of each measured phase
    long max_count = 0;      // 0 = no bound; else stop a phase after this many operations
    int submitters = 8;      // W1, W2, W5, W6 fill
    int executors = 8;       // W2, W5, W6 fill
    int inflight = 0;        // W2/W5: processes submitted but not closed; 0 = 2 x executors
    long prefill = 50000;    // W3: waiting processes before each phase
    std::vector<int> assign_executors{1, 8, 64};  // W3 phases
    double rate = 0;  // W3: total assigns/s cap (0 = as fast as possible)
    std::vector<int> idle_executors{1000, 10000};  // W4 fleets
    double idle_window_s = 10;                     // W4: CPU is measured over this idle window
    int idle_threads = 2;                          // W4: threads driving the async long-polls
    int first_assign_samples = 5;  // W4: submits whose first-assign latency is measured
    long finished = 1000000;       // W6: finished processes put in the store
    int samples = 200;             // W6: repetitions of each measured call
    pid_t server_pid = 0;          // when set: server CPU and RSS from /proc/<pid>
    bool keep = false;             // keep the bench colony (default: removed at the end)
    bool async = false;            // W2/W5: one thread of coroutines instead of a thread per client
};

}  // namespace colonies::bench
