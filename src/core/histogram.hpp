// A latency histogram that any thread may add to without a lock, for GET /metrics: fixed
// bucket bounds, relaxed atomic counts. A snapshot reads each count at some moment, so a sum and
// its buckets may be a few observations apart while requests run, which Prometheus tolerates.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace colonies {

class Histogram {
  public:
    // Upper bounds in seconds, from a fast commit (a quarter millisecond) to the longest long
    // poll anyone waits for; beyond the last, the +Inf bucket.
    static constexpr std::array<double, 17> kBounds{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,   0.05,   0.1,   0.25,   0.5,   1,
                                                    2.5,     5,      10,    30,     60};
    static constexpr size_t kBuckets = kBounds.size() + 1;

    void observe(std::chrono::nanoseconds d) {
        const int64_t ns = d.count() < 0 ? 0 : d.count();
        size_t i = 0;
        while (i < kBounds.size() && ns > bound_ns(i)) ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
    }

    struct Snapshot {
        std::array<uint64_t, kBuckets> buckets{};  // per bucket, not cumulative; last is +Inf
        uint64_t count = 0;
        double sum_seconds = 0;
    };
    Snapshot snapshot() const {
        Snapshot s;
        for (size_t i = 0; i < kBuckets; ++i) {
            s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
            s.count += s.buckets[i];
        }
        s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
        return s;
    }

  private:
    // Bucket i's upper bound in nanoseconds.
    static constexpr int64_t bound_ns(size_t i) {
        return static_cast<int64_t>(kBounds[i] * 1e9 + 0.5);
    }
    std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
    std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace colonies
