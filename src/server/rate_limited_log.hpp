// A log line to stderr (or any stream) at most once per interval. A database outage fails every
// request; the operator needs to see why, not one line per request. Lines that come too soon
// are counted, and the next line written says how many were left out.
#pragma once
#include <chrono>
#include <cstddef>
#include <iostream>
#include <mutex>
#include <ostream>
#include <string>

#include "core/time.hpp"
#include "log/log.hpp"

namespace colonies::server {

class RateLimitedLog {
  public:
    using Clock = std::chrono::steady_clock;
    // To the process's log (log/log.hpp) at error level.
    explicit RateLimitedLog(Clock::duration interval = std::chrono::seconds(1))
        : out_(nullptr), interval_(interval) {}
    // To `out`, each line prefixed with the time (tests).
    explicit RateLimitedLog(std::ostream& out, Clock::duration interval = std::chrono::seconds(1))
        : out_(&out), interval_(interval) {}

    // Writes the line unless a line went out less than an interval ago.
    // Thread-safe; `now` is for tests.
    void write(const std::string& line, Clock::time_point now = Clock::now()) {
        std::lock_guard lk(mu_);
        if (written_ && now - last_ < interval_) {
            ++suppressed_;
            return;
        }
        std::string text = line;
        if (suppressed_ > 0)
            text += " (" + std::to_string(suppressed_) + " similar lines not shown)";
        if (out_)
            *out_ << format_rfc3339(Time::now()) << ' ' << text << std::endl;
        else
            log::error(text);
        written_ = true;
        last_ = now;
        suppressed_ = 0;
    }

  private:
    std::mutex mu_;
    std::ostream* out_;
    const Clock::duration interval_;
    bool written_ = false;
    Clock::time_point last_{};
    size_t suppressed_ = 0;
};

}  // namespace colonies::server
