// The queue between Store::post and a store's worker threads. It holds at most `max_jobs`: a
// database that stalls would otherwise let requests pile up in memory without end; past the
// bound a job is refused at once (FailureKind::Busy) and the client is told to come back.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace colonies::store {

struct QueuedJob {
    Store::Job job;
    Store::Done done;
};

inline constexpr size_t kDefaultMaxQueuedJobs = 100000;

class JobQueue {
  public:
    explicit JobQueue(size_t max_jobs = kDefaultMaxQueuedJobs) : max_(max_jobs) {}

    // Queues the job, or refuses it when the queue is full: then `done` runs here, outside
    // the lock, and the job is dropped unrun.
    void push(Store::Job job, Store::Done done) {
        {
            std::lock_guard lk(mu_);
            if (queue_.size() < max_) {
                queue_.push_back(QueuedJob{std::move(job), std::move(done)});
                size_.store(queue_.size(), std::memory_order_relaxed);
                cv_.notify_one();
                return;
            }
        }
        done(false, failure_text(FailureKind::Busy,
                                 "storage queue full (" + std::to_string(max_) + " jobs waiting)"));
    }
    // Wakes every waiting worker; take() then drains what is left and returns false.
    void stop() {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
    }
    // Waits for jobs and moves up to `max` of them into `out`; false once stopped and empty.
    // With `sharers` workers taking from this queue, one takes only its share of what waits
    // (rounded up), so that jobs spread over workers that run in parallel.
    bool take(std::vector<QueuedJob>& out, size_t max, size_t sharers = 1) {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return false;
        if (sharers > 1) max = std::min(max, (queue_.size() + sharers - 1) / sharers);
        while (!queue_.empty() && out.size() < max) {
            out.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        size_.store(queue_.size(), std::memory_order_relaxed);
        return true;
    }
    // Jobs waiting now (for monitoring; read without the lock).
    size_t size() const { return size_.load(std::memory_order_relaxed); }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    const size_t max_;
    std::deque<QueuedJob> queue_;
    bool stopping_ = false;
    std::atomic<size_t> size_{0};
};

}  // namespace colonies::store
