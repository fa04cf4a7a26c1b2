// Request body bytes held in memory at once, server-wide (issue 13.3). Each connection may
// buffer a body up to --max-request-bytes before anything is authenticated; without a total,
// a few clients sending large bodies at once could take the server's memory. A request takes
// its body's size from the budget before the body is read (chunk by chunk for chunked bodies)
// and gives it back when it has been answered; a request that does not fit is answered 503.
// Thread-safe (one budget shared by every connection).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>

namespace colonies::server {

class BodyBudget {
  public:
    explicit BodyBudget(size_t cap) : cap_(cap) {}
    // Takes n bytes; false (and nothing taken) when they do not fit under the cap.
    bool take(size_t n) {
        size_t cur = used_.load(std::memory_order_relaxed);
        do {
            if (n > cap_ - std::min(cur, cap_)) return false;
        } while (!used_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
        return true;
    }
    void give_back(size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
    size_t used() const { return used_.load(std::memory_order_relaxed); }
    size_t cap() const { return cap_; }

  private:
    const size_t cap_;
    std::atomic<size_t> used_{0};
};

// What one request holds of the budget; given back when the request is done.
class BodyReservation {
  public:
    explicit BodyReservation(BodyBudget& budget) : budget_(budget) {}
    ~BodyReservation() { budget_.give_back(held_); }
    BodyReservation(const BodyReservation&) = delete;
    BodyReservation& operator=(const BodyReservation&) = delete;
    bool add(size_t n) {
        if (!budget_.take(n)) return false;
        held_ += n;
        return true;
    }
    size_t held() const { return held_; }

  private:
    BodyBudget& budget_;
    size_t held_ = 0;
};

}  // namespace colonies::server
