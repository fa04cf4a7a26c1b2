// The queue between Store::post and a store's worker threads.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace colonies::store {

struct QueuedJob {
    Store::Job job;
    Store::Done done;
};

class JobQueue {
  public:
    void push(Store::Job job, Store::Done done) {
        {
            std::lock_guard lk(mu_);
            queue_.push_back(QueuedJob{std::move(job), std::move(done)});
        }
        cv_.notify_one();
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
    bool take(std::vector<QueuedJob>& out, size_t max) {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return false;
        while (!queue_.empty() && out.size() < max) {
            out.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        return true;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<QueuedJob> queue_;
    bool stopping_ = false;
};

}  // namespace colonies::store
