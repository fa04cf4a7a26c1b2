// The workloads of issue #5. Each sets up its own colony, measures, cleans up, and returns the
// figures that main() prints as one JSON line. Setup time is never part of a figure; CPU
// figures cover the measured phase only.
#pragma once
#include <boost/json.hpp>

#include "options.hpp"

namespace colonies::bench {

boost::json::object run_w1_submit(const Options& o);     // submit throughput and latency
boost::json::object run_w2_lifecycle(const Options& o);  // submit -> assign -> close
boost::json::object run_w3_assign(const Options& o);     // assign latency with work waiting
boost::json::object run_w4_idle(const Options& o);       // idle long-polling fleet
boost::json::object run_w5_workflow(const Options& o);   // two-node workflows
boost::json::object run_w6_store(const Options& o);      // many finished processes in store

}  // namespace colonies::bench
