// Wall-clock instants as the protocol carries them (protocol.md 0): nanoseconds since the Unix
// epoch, with a distinct "zero" value for Go's zero time 0001-01-01T00:00:00Z ("unset").
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace colonies {

struct Time {
    static constexpr int64_t kZero = INT64_MIN;
    int64_t ns = kZero;

    bool is_zero() const { return ns == kZero; }
    static Time zero() { return {}; }
    static Time from_ns(int64_t n) { return Time{n}; }
    static Time now();
    // Saturates instead of wrapping: a deadline too far out to represent is the last
    // representable instant (year 2262), never one in the past (issue 13.4).
    // In 128 bits: s in nanoseconds may pass the int64 range while the sum, from an instant
    // before 1970, does not (found by fuzz/durations.cpp).
    Time plus_seconds(int64_t s) const {
        if (is_zero()) return *this;
        const __int128 r = static_cast<__int128>(ns) + static_cast<__int128>(s) * 1000000000;
        if (r > INT64_MAX) return Time{INT64_MAX};
        if (r <= kZero) return Time{kZero + 1};
        return Time{static_cast<int64_t>(r)};
    }
    int64_t unix_seconds() const { return ns / 1000000000LL; }
    auto operator<=>(const Time&) const = default;
};

// The longest a server timer waits for a client-given timeout (long-poll assign, subscriptions):
// longer ones are held this long, which no connection outlives, because steady_clock arithmetic
// in nanoseconds wraps around past about 292 years.
inline constexpr int64_t kMaxWaitSeconds = 100LL * 365 * 86400;
inline std::chrono::seconds bounded_wait(int64_t seconds) {
    return std::chrono::seconds(seconds < kMaxWaitSeconds ? seconds : kMaxWaitSeconds);
}

// "2025-01-02T03:04:05.123456789Z", trailing fraction zeros dropped; zero -> 0001-01-01T00:00:00Z.
std::string format_rfc3339(Time t);
// Any RFC 3339 time (fraction optional, Z or +hh:mm / -hh:mm offset, years 0001..9999). nullopt
// if malformed; an instant outside the int64 nanosecond range is the zero time.
std::optional<Time> parse_rfc3339(std::string_view s);

}  // namespace colonies
