// Hands the completions of store jobs back to the I/O threads in bulk.
//
// The store thread finishes a whole batch of jobs at one commit. Posting each completion on its
// own woke an I/O thread per request (a futex wake and a context switch, dear on a VM); here the
// first completion of a batch posts one drain, and the drain resumes every waiting request on
// its own strand (inline, as the drain already runs on an I/O thread).
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace colonies::server {

// Shared: a store drains its queue when it is destroyed, possibly after the dispatcher, so
// every pending completion holds the queue alive.
class StoreCompletions : public std::enable_shared_from_this<StoreCompletions> {
  public:
    // Called from any thread: runs `fn` on `ex` (a connection's strand) soon.
    void push(boost::asio::any_io_executor ex, std::function<void()> fn) {
        boost::asio::any_io_executor first;
        {
            std::lock_guard lock(mu_);
            if (pending_.empty()) first = ex;
            pending_.push_back(Item{std::move(ex), std::move(fn)});
        }
        if (first) boost::asio::post(first, [self = shared_from_this()] { self->drain(); });
    }

  private:
    struct Item {
        boost::asio::any_io_executor ex;
        std::function<void()> fn;
    };

    void drain() {
        std::vector<Item> items;
        {
            std::lock_guard lock(mu_);
            items.swap(pending_);
        }
        for (auto& it : items) boost::asio::dispatch(it.ex, std::move(it.fn));
    }

    std::mutex mu_;
    std::vector<Item> pending_;
};

}  // namespace colonies::server
