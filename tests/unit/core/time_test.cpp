#include "core/time.hpp"

#include <gtest/gtest.h>

namespace colonies {
namespace {

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t k20250102T030405 = 1735787045LL;  // 2025-01-02T03:04:05Z

Time parse(std::string_view s) {
    auto t = parse_rfc3339(s);
    EXPECT_TRUE(t.has_value()) << s;
    return t.value_or(Time::zero());
}

TEST(Time, ZeroTime) {
    EXPECT_TRUE(Time{}.is_zero());
    EXPECT_EQ(format_rfc3339(Time::zero()), "0001-01-01T00:00:00Z");
    EXPECT_TRUE(parse("0001-01-01T00:00:00Z").is_zero());
    EXPECT_TRUE(parse("0001-01-01T00:00:00.000Z").is_zero());
    EXPECT_TRUE(parse("0001-01-01T01:30:00+01:30").is_zero());  // same instant
    EXPECT_TRUE(Time::zero().plus_seconds(10).is_zero());
}

TEST(Time, FormatDropsTrailingFractionZeros) {
    const int64_t base = k20250102T030405 * kSec;
    EXPECT_EQ(format_rfc3339(Time::from_ns(base)), "2025-01-02T03:04:05Z");
    EXPECT_EQ(format_rfc3339(Time::from_ns(base + 123456789)), "2025-01-02T03:04:05.123456789Z");
    EXPECT_EQ(format_rfc3339(Time::from_ns(base + 123456000)), "2025-01-02T03:04:05.123456Z");
    EXPECT_EQ(format_rfc3339(Time::from_ns(base + 500000000)), "2025-01-02T03:04:05.5Z");
    EXPECT_EQ(format_rfc3339(Time::from_ns(base + 1)), "2025-01-02T03:04:05.000000001Z");
    EXPECT_EQ(format_rfc3339(Time::from_ns(0)), "1970-01-01T00:00:00Z");
}

TEST(Time, ParseFormatRoundTrip) {
    for (const char* s :
         {"2025-01-02T03:04:05Z", "2025-01-02T03:04:05.123456789Z", "2025-01-02T03:04:05.1Z",
          "1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z", "2000-03-01T00:00:00Z",
          "1969-12-31T23:59:59.5Z", "1900-01-01T12:00:00Z", "2262-01-01T00:00:00Z"}) {
        EXPECT_EQ(format_rfc3339(parse(s)), s);
    }
    EXPECT_EQ(parse("2025-01-02T03:04:05.123456789Z").ns, k20250102T030405 * kSec + 123456789);
    EXPECT_EQ(parse("1969-12-31T23:59:59.5Z").ns, -500000000);
}

TEST(Time, ParseNormalisesFractionAndOffsets) {
    const Time want = Time::from_ns(k20250102T030405 * kSec + 120000000);
    EXPECT_EQ(parse("2025-01-02T03:04:05.12Z"), want);
    EXPECT_EQ(parse("2025-01-02T03:04:05.120000000Z"), want);
    EXPECT_EQ(parse("2025-01-02t03:04:05.12z"), want);
    EXPECT_EQ(parse("2025-01-02T05:04:05.12+02:00"), want);
    EXPECT_EQ(parse("2025-01-01T21:34:05.12-05:30"), want);
    EXPECT_EQ(parse("2025-01-02T03:04:05.12+00:00"), want);
    EXPECT_EQ(format_rfc3339(parse("2025-01-02T05:04:05.12+02:00")), "2025-01-02T03:04:05.12Z");
}

TEST(Time, ParseRejectsMalformed) {
    for (const char* s : {"",
                          "2025-01-02",
                          "2025-01-02T03:04:05",
                          "2025-1-02T03:04:05Z",
                          "2025-01-02 03:04:05Z",
                          "2025-13-02T03:04:05Z",
                          "2025-00-02T03:04:05Z",
                          "2025-02-29T03:04:05Z",
                          "2025-04-31T03:04:05Z",
                          "2025-01-02T24:00:00Z",
                          "2025-01-02T03:60:05Z",
                          "2025-01-02T03:04:60Z",
                          "2025-01-02T03:04:05.Z",
                          "2025-01-02T03:04:05.1234567890Z",
                          "2025-01-02T03:04:05+0200",
                          "2025-01-02T03:04:05+02",
                          "2025-01-02T03:04:05+24:00",
                          "2025-01-02T03:04:05ZZ",
                          "2025-01-02T03:04:05Z ",
                          " 2025-01-02T03:04:05Z",
                          "2025-01-02T03:04:05.1x2Z",
                          "abcd-01-02T03:04:05Z"}) {
        EXPECT_FALSE(parse_rfc3339(s).has_value()) << s;
    }
}

// Issue 13.7: a Go server in Europe/Stockholm sends its zero time with the zone's local-mean-time
// offset; any year 0001..9999 parses, and instants outside int64 nanoseconds are "unset".
TEST(Time, OutOfRangeInstantsAreTheZeroTime) {
    for (const char* s :
         {"0001-01-01T01:12:12+01:12", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.5-05:30",
          "1677-01-01T00:00:00Z", "2263-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
          "9999-12-31T23:59:59+23:59"}) {
        auto t = parse_rfc3339(s);
        ASSERT_TRUE(t.has_value()) << s;
        EXPECT_TRUE(t->is_zero()) << s;
    }
    // The edges of the representable range stay exact.
    EXPECT_EQ(parse("1678-01-01T00:00:00Z").ns, -9214560000LL * kSec);
    EXPECT_EQ(parse("2262-01-01T00:00:00Z").ns, 9214646400LL * kSec);
    EXPECT_EQ(parse("1970-01-01T01:00:00+01:00").ns, 0);
}

TEST(Time, NowAndArithmetic) {
    const Time now = Time::now();
    EXPECT_GT(now.ns, parse("2024-01-01T00:00:00Z").ns);
    EXPECT_LT(now.ns, parse("2200-01-01T00:00:00Z").ns);
    EXPECT_EQ(now.plus_seconds(3).ns, now.ns + 3 * kSec);
    EXPECT_EQ(parse("2025-01-02T03:04:05.9Z").unix_seconds(), k20250102T030405);
    EXPECT_LT(Time::zero(), Time::from_ns(0));
}

}  // namespace
}  // namespace colonies

namespace colonies {
namespace {

// Issue 13.4: deadlines saturate instead of wrapping into the past.
TEST(Time, PlusSecondsSaturates) {
    const Time now = Time::now();
    EXPECT_EQ(now.plus_seconds(INT64_MAX).ns, INT64_MAX);
    EXPECT_EQ(now.plus_seconds(10000000000LL).ns, INT64_MAX);  // 1e10 s wrapped to 1759
    EXPECT_EQ(now.plus_seconds(int64_t{1} << 62).ns, INT64_MAX);
    EXPECT_GT(now.plus_seconds(INT64_MIN), Time::zero());  // never the "unset" marker
    EXPECT_LT(now.plus_seconds(INT64_MIN), now);
    EXPECT_EQ(now.plus_seconds(60).ns, now.ns + 60 * kSec);  // ordinary sums unchanged
    EXPECT_TRUE(Time::zero().plus_seconds(INT64_MAX).is_zero());
}

TEST(Time, BoundedWaitCapsTimersThatWouldWrap) {
    EXPECT_EQ(bounded_wait(30), std::chrono::seconds(30));
    EXPECT_EQ(bounded_wait(-1), std::chrono::seconds(-1));
    EXPECT_EQ(bounded_wait(int64_t{1} << 62), std::chrono::seconds(kMaxWaitSeconds));
    // The capped wait still fits steady_clock's nanoseconds.
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(bounded_wait(INT64_MAX));
    EXPECT_GT(ns.count(), 0);
}

// Found by fuzz/time.cpp: for the earliest instants (the last second before
// 1677-09-21T00:12:44Z) the whole seconds in nanoseconds pass the int64 range while the instant
// does not; formatting overflowed (UB) and parsing gave the zero time.
TEST(Time, EarliestInstantsFormatAndParseBack) {
    const Time earliest = Time::from_ns(Time::kZero + 1);
    EXPECT_EQ(format_rfc3339(earliest), "1677-09-21T00:12:43.145224193Z");
    EXPECT_EQ(parse("1677-09-21T00:12:43.145224193Z").ns, earliest.ns);
    EXPECT_EQ(parse("1677-09-21T00:12:43.999999999Z").ns, Time::kZero + 854775807);
    EXPECT_EQ(format_rfc3339(Time::from_ns(-9223372036000000000LL)), "1677-09-21T00:12:44Z");
    EXPECT_TRUE(parse("1677-09-21T00:12:43.145224191Z").is_zero());  // before the range
}

// Found by fuzz/durations.cpp: from an instant before 1970, seconds whose nanoseconds pass the
// int64 range may still give a representable deadline; it saturated to the year 2262.
TEST(Time, PlusSecondsIsExactWhenTheSumFits) {
    const Time earliest = Time::from_ns(Time::kZero + 1);
    // 14444444442 s = 2 x 7222222221 s, each of which fits in int64 nanoseconds.
    EXPECT_EQ(earliest.plus_seconds(14444444442LL).ns,
              Time::kZero + 1 + 7222222221LL * kSec + 7222222221LL * kSec);
    EXPECT_EQ(Time::from_ns(INT64_MAX).plus_seconds(-14444444442LL).ns,
              INT64_MAX - 7222222221LL * kSec - 7222222221LL * kSec);
    EXPECT_EQ(earliest.plus_seconds(-1).ns, Time::kZero + 1);  // saturates, never "unset"
}

}  // namespace
}  // namespace colonies
