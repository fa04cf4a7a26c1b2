// Latency samples and the one JSON line each workload prints. Samples are kept whole (a run has
// at most a few million) so percentiles are exact rather than bucketed.
#pragma once
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace colonies::bench {

using Clock = std::chrono::steady_clock;

inline int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

class Latencies {
  public:
    void add(int64_t ns) { ns_.push_back(ns); }
    void merge(const Latencies& o) { ns_.insert(ns_.end(), o.ns_.begin(), o.ns_.end()); }
    size_t count() const { return ns_.size(); }
    // Nearest-rank percentile in milliseconds (q in [0,1]); 0 when empty. Sorts lazily.
    double percentile_ms(double q);
    double mean_ms() const;
    // {"p50_ms":..,"p99_ms":..} (plus p999 when `with_p999`) under `prefix` (e.g. "submit_").
    void put(boost::json::object& out, const std::string& prefix, bool with_p999 = false);

  private:
    std::vector<int64_t> ns_;
    bool sorted_ = false;
};

// Rounds to 3 decimals so the JSON stays readable.
double round3(double x);

// Compact JSON text with doubles in plain decimal (at most 3 decimals).
std::string to_line(const boost::json::value& v);

// Prints `o` as one compact JSON line on stdout (flushed: bench/run reads it line by line).
void emit(const boost::json::object& o);

// Progress and errors go to stderr so stdout stays machine-readable.
void log(const std::string& line);

}  // namespace colonies::bench
