// Wall-clock instants as the protocol carries them (protocol.md 0): nanoseconds since the Unix
// epoch, with a distinct "zero" value for Go's zero time 0001-01-01T00:00:00Z ("unset").
#pragma once
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
    Time plus_seconds(int64_t s) const { return is_zero() ? *this : Time{ns + s * 1000000000LL}; }
    int64_t unix_seconds() const { return ns / 1000000000LL; }
    auto operator<=>(const Time&) const = default;
};

// "2025-01-02T03:04:05.123456789Z", trailing fraction zeros dropped; zero -> 0001-01-01T00:00:00Z.
std::string format_rfc3339(Time t);
// Any RFC 3339 time (fraction optional, Z or +hh:mm / -hh:mm offset, years 0001..9999). nullopt
// if malformed; an instant outside the int64 nanosecond range is the zero time.
std::optional<Time> parse_rfc3339(std::string_view s);

}  // namespace colonies
