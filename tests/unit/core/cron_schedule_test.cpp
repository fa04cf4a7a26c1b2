#include "core/cron_schedule.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace colonies {
namespace {

constexpr int64_t kSec = 1000000000LL;

Time at(std::string_view rfc3339) {
    auto t = parse_rfc3339(rfc3339);
    EXPECT_TRUE(t.has_value()) << rfc3339;
    return t.value_or(Time::zero());
}

std::string show(Time t) {
    return t.is_zero() ? "zero" : format_rfc3339(t);
}

struct Case {
    const char* now;
    const char* expression;
    const char* next;  // nullptr: the zero time (nothing within five years)
};

void expect_next(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        auto s = CronSchedule::parse(c.expression);
        ASSERT_TRUE(s.ok()) << c.expression << ": " << s.error().message;
        const Time want = c.next ? at(c.next) : Time::zero();
        EXPECT_EQ(show(s->next_after(at(c.now))), show(want)) << c.expression << " after " << c.now;
    }
}

// The reference's documented examples (features.md 1.2) and its own table of next times.
TEST(CronSchedule, ReferenceExamples) {
    expect_next({
        {"2026-01-01T10:00:00.5Z", "TZ=UTC 0/1 * * * * *", "2026-01-01T10:00:01Z"},
        {"2026-01-01T10:00:01Z", "TZ=UTC 0/5 * * * * *", "2026-01-01T10:00:05Z"},
        {"2026-01-01T10:00:30Z", "TZ=UTC 30 * * * * *", "2026-01-01T10:01:30Z"},
        {"2026-01-01T10:00:29.9Z", "TZ=UTC 30 * * * * *", "2026-01-01T10:00:30Z"},
        // Mondays at 15:03:59 (day of month `*`: the day of week decides).
        {"2026-01-01T00:00:00Z", "TZ=UTC 59 3 15 * * MON", "2026-01-05T15:03:59Z"},
        {"2026-01-12T15:03:59Z", "TZ=UTC 59 3 15 * * MON", "2026-01-19T15:03:59Z"},
        {"2026-01-01T00:00:00Z", "TZ=UTC 0 0 15 24 12 *", "2026-12-24T15:00:00Z"},
        {"2026-12-24T15:00:00Z", "TZ=UTC 0 0 15 24 12 *", "2027-12-24T15:00:00Z"},
        {"2012-07-09T14:45:00Z", "TZ=UTC 0 0/15 * * * *", "2012-07-09T15:00:00Z"},
        {"2012-07-09T14:59:00Z", "TZ=UTC 0 0/15 * * * *", "2012-07-09T15:00:00Z"},
        {"2012-07-09T14:59:59Z", "TZ=UTC 0 0/15 * * * *", "2012-07-09T15:00:00Z"},
        {"2012-07-09T15:45:00Z", "TZ=UTC 0 20-35/15 * * * *", "2012-07-09T16:20:00Z"},
        {"2012-07-09T23:46:00Z", "TZ=UTC 0 */15 * * * *", "2012-07-10T00:00:00Z"},
        {"2012-07-09T23:45:00Z", "TZ=UTC 0 20-35/15 * * * *", "2012-07-10T00:20:00Z"},
        {"2012-07-09T23:35:51Z", "TZ=UTC 15/35 20-35/15 * * * *", "2012-07-10T00:20:15Z"},
        {"2012-07-09T23:35:51Z", "TZ=UTC 15/35 20-35/15 1/2 * * *", "2012-07-10T01:20:15Z"},
        {"2012-07-09T23:35:51Z", "TZ=UTC 15/35 20-35/15 10-12 * * *", "2012-07-10T10:20:15Z"},
        {"2012-07-09T23:35:51Z", "TZ=UTC 15/35 20-35/15 1/2 */2 * *", "2012-07-11T01:20:15Z"},
        {"2012-07-09T23:35:51Z", "TZ=UTC 15/35 20-35/15 * 9-20 * *", "2012-07-10T00:20:15Z"},
        {"2012-07-09T23:35:51Z", "TZ=UTC 15/35 20-35/15 * 9-20 Jul *", "2012-07-10T00:20:15Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 9 Apr-Oct ?", "2012-08-09T00:00:00Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 */5 Apr,Aug,Oct Mon", "2012-08-01T00:00:00Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 */5 Oct Mon", "2012-10-01T00:00:00Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 * Feb Mon", "2013-02-04T00:00:00Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 * Feb Mon/2", "2013-02-01T00:00:00Z"},
        {"2012-12-31T23:59:45Z", "TZ=UTC 0 * * * * *", "2013-01-01T00:00:00Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 29 Feb ?", "2016-02-29T00:00:00Z"},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 30 Feb ?", nullptr},
        {"2012-07-09T23:35:00Z", "TZ=UTC 0 0 0 31 Apr ?", nullptr},
        {"2012-11-04T00:00:00-04:00", "TZ=America/New_York 0 0 3 3 * ?",
         "2012-12-03T03:00:00-05:00"},
        // Midnight does not exist on a DST day in Sao Paulo (the reference's issue 157).
        {"2018-10-17T05:00:00-04:00", "TZ=America/Sao_Paulo 0 0 9 10 * ?",
         "2018-11-10T06:00:00-05:00"},
        {"2018-02-14T05:00:00-05:00", "TZ=America/Sao_Paulo 0 0 9 22 * ?",
         "2018-02-22T07:00:00-05:00"},
    });
}

// The examples in docs/cron-expressions.md.
TEST(CronSchedule, DocumentedExamples) {
    const char* fri = "2026-05-15T17:30:00Z";
    expect_next({
        {fri, "TZ=UTC 0 0 12 * * mon-fri", "2026-05-18T12:00:00Z"},
        {fri, "TZ=UTC 0 0 12 1,15 * *", "2026-06-01T12:00:00Z"},
        {fri, "TZ=UTC 0 0 12 1,15 * mon", "2026-05-18T12:00:00Z"},
        {"2026-05-18T12:00:00Z", "TZ=UTC 0 0 12 1,15 * mon", "2026-05-25T12:00:00Z"},
        {"2026-05-25T12:00:00Z", "TZ=UTC 0 0 12 1,15 * mon", "2026-06-01T12:00:00Z"},
        {fri, "TZ=UTC 15/20 * * * * *", "2026-05-15T17:30:15Z"},
        {"2026-05-15T17:30:35Z", "TZ=UTC 15/20 * * * * *", "2026-05-15T17:30:55Z"},
        {"2026-05-15T17:30:55Z", "TZ=UTC 15/20 * * * * *", "2026-05-15T17:31:15Z"},
        {fri, "TZ=UTC 0 0 9-17 * * mon-fri", "2026-05-18T09:00:00Z"},
        {"2026-05-18T16:59:59Z", "TZ=UTC 0 0 9-17 * * mon-fri", "2026-05-18T17:00:00Z"},
        {fri, "TZ=Europe/Stockholm 0 30 7 * * mon-fri", "2026-05-18T05:30:00Z"},
        {fri, "CRON_TZ=America/New_York @daily", "2026-05-16T04:00:00Z"},
        {fri, "TZ=Asia/Tokyo 0 0 9 * * *", "2026-05-16T00:00:00Z"},
    });
    auto l = CronSchedule::parse("0 0 0 L * *");
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(l.error().message,
              "failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax");
}

TEST(CronSchedule, Descriptors) {
    const char* now = "2026-05-15T10:20:30.7Z";  // a Friday
    expect_next({
        {now, "TZ=UTC @yearly", "2027-01-01T00:00:00Z"},
        {now, "TZ=UTC @annually", "2027-01-01T00:00:00Z"},
        {now, "TZ=UTC @monthly", "2026-06-01T00:00:00Z"},
        {now, "TZ=UTC @weekly", "2026-05-17T00:00:00Z"},
        {now, "TZ=UTC @daily", "2026-05-16T00:00:00Z"},
        {now, "TZ=UTC @midnight", "2026-05-16T00:00:00Z"},
        {now, "TZ=UTC @hourly", "2026-05-15T11:00:00Z"},
        {"2026-05-15T11:00:00Z", "TZ=UTC @hourly", "2026-05-15T12:00:00Z"},
        {now, "TZ=Europe/Stockholm @daily", "2026-05-15T22:00:00Z"},
        // @every: now, less its fraction of a second, plus the duration in whole seconds.
        {now, "@every 1h30m", "2026-05-15T11:50:30Z"},
        {now, "@every 10s", "2026-05-15T10:20:40Z"},
        {now, "@every 1.5h", "2026-05-15T11:50:30Z"},
        {now, "@every 1.5s", "2026-05-15T10:20:31Z"},
        {now, "@every 300ms", "2026-05-15T10:20:31Z"},
        {now, "@every 0", "2026-05-15T10:20:31Z"},
        {now, "@every -5m", "2026-05-15T10:20:31Z"},
        {now, "@every 2m0.9s", "2026-05-15T10:22:30Z"},
        {now, "@every 1000000us", "2026-05-15T10:20:31Z"},
        {now, "@every 61\u00b5s", "2026-05-15T10:20:31Z"},
        {now, "@every 24h", "2026-05-16T10:20:30Z"},
        {now, "TZ=Asia/Tokyo @every 1m", "2026-05-15T10:21:30Z"},
    });
}

TEST(CronSchedule, MonthEndsAndLeapYears) {
    expect_next({
        {"2026-04-01T00:00:00Z", "TZ=UTC 0 0 0 31 * *", "2026-05-31T00:00:00Z"},
        {"2026-02-01T00:00:00Z", "TZ=UTC 0 0 0 31 * *", "2026-03-31T00:00:00Z"},
        {"2026-06-15T00:00:00Z", "TZ=UTC 0 0 0 31 * *", "2026-07-31T00:00:00Z"},
        {"2026-02-27T00:00:00Z", "TZ=UTC 0 0 0 29,30 * *", "2026-03-29T00:00:00Z"},
        {"2026-01-01T00:00:00Z", "TZ=UTC 0 0 0 29 2 *", "2028-02-29T00:00:00Z"},
        {"2028-02-29T00:00:00Z", "TZ=UTC 0 0 0 29 2 *", "2032-02-29T00:00:00Z"},
        {"2028-02-28T23:59:59Z", "TZ=UTC 0 0 0 29 feb *", "2028-02-29T00:00:00Z"},
        {"2100-01-01T00:00:00Z", "TZ=UTC 0 0 0 29 2 *", "2104-02-29T00:00:00Z"},  // 2100: no
        {"2026-12-31T23:59:59Z", "TZ=UTC 0 0 0 * * *", "2027-01-01T00:00:00Z"},
    });
}

// Five years after the current one, the search gives up with the zero time.
TEST(CronSchedule, GivesUpAfterFiveYears) {
    expect_next({
        {"2026-06-01T00:00:00Z", "TZ=UTC 0 0 0 30 2 *", nullptr},
        {"2026-06-01T00:00:00Z", "TZ=UTC 0 0 0 31 2,4,6,9,11 *", nullptr},
        {"2026-06-01T00:00:00Z", "TZ=UTC , * * * * *", nullptr},  // an empty list
        // Leap days eight years apart (2100 is not a leap year): the search reaches the end of
        // the fifth year after the current one, and no further.
        {"2099-03-01T00:00:00Z", "TZ=UTC 0 0 0 29 2 *", "2104-02-29T00:00:00Z"},
        {"2096-03-01T00:00:00Z", "TZ=UTC 0 0 0 29 2 *", nullptr},
    });
}

TEST(CronSchedule, DayNamesRangesAndTheVixieRule) {
    const char* sat = "2026-05-02T00:00:00Z";
    expect_next({
        {sat, "TZ=UTC 0 0 0 * * mon-fri", "2026-05-04T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 * * MON-FRI", "2026-05-04T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 * * Sat,sun", "2026-05-03T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 ? * 1-5", "2026-05-04T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 * * 0", "2026-05-03T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 * * 6", "2026-05-09T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 1 JAN,jul *", "2026-07-01T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 1 Aug-DEC/2 *", "2026-08-01T00:00:00Z"},
        {"2026-08-01T00:00:00Z", "TZ=UTC 0 0 0 1 Aug-DEC/2 *", "2026-10-01T00:00:00Z"},
        // Both day fields restricted: either one matches.
        {sat, "TZ=UTC 0 0 0 1,15 * Sun", "2026-05-03T00:00:00Z"},
        {"2026-05-03T00:00:00Z", "TZ=UTC 0 0 0 1,15 * Sun", "2026-05-10T00:00:00Z"},
        {"2026-05-10T00:00:00Z", "TZ=UTC 0 0 0 1,15 * Sun", "2026-05-15T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 15 * Fri", "2026-05-08T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 */2 * Sun", "2026-05-03T00:00:00Z"},  // */2 is restricted
        // A star (or */1, or ?) in one of them: both must match.
        {sat, "TZ=UTC 0 0 0 15 * *", "2026-05-15T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 * * Fri", "2026-05-08T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 */1 * Fri", "2026-05-08T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 ? * Fri", "2026-05-08T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 15 * ?", "2026-05-15T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 15 * */1", "2026-05-15T00:00:00Z"},
        {sat, "TZ=UTC 0 0 0 1-31 * Fri", "2026-05-03T00:00:00Z"},  // 1-31 is restricted
    });
}

TEST(CronSchedule, StepsListsAndRanges) {
    const char* t = "2026-05-02T10:00:00Z";
    expect_next({
        {t, "TZ=UTC 0 10-40/15 * * * *", "2026-05-02T10:10:00Z"},
        {"2026-05-02T10:10:00Z", "TZ=UTC 0 10-40/15 * * * *", "2026-05-02T10:25:00Z"},
        {"2026-05-02T10:25:00Z", "TZ=UTC 0 10-40/15 * * * *", "2026-05-02T10:40:00Z"},
        {"2026-05-02T10:40:00Z", "TZ=UTC 0 10-40/15 * * * *", "2026-05-02T11:10:00Z"},
        {t, "TZ=UTC 25/25 * * * * *", "2026-05-02T10:00:25Z"},
        {"2026-05-02T10:00:50Z", "TZ=UTC */25 * * * * *", "2026-05-02T10:01:00Z"},
        {t, "TZ=UTC 0 0 1-3,20-22 * * *", "2026-05-02T20:00:00Z"},
        {"2026-05-02T22:00:00Z", "TZ=UTC 0 0 1-3,20-22 * * *", "2026-05-03T01:00:00Z"},
        {t, "TZ=UTC 0 0 0 1,,15 * *", "2026-05-15T00:00:00Z"},
        {t, "TZ=UTC 0 0 12 * * *-3", "2026-05-02T12:00:00Z"},  // `*-3` is `*`, as upstream
        {t, "TZ=UTC 0 5 * * * *", "2026-05-02T10:05:00Z"},
        {t, "TZ=UTC 00 05 +11 * * *", "2026-05-02T11:05:00Z"},
        {t, "TZ=UTC 0 0 0 1 */3 *", "2026-07-01T00:00:00Z"},
    });
}

TEST(CronSchedule, TimeZonePrefixes) {
    expect_next({
        {"2025-12-31T23:00:00Z", "TZ=Asia/Tokyo 0 0 9 * * *", "2026-01-01T00:00:00Z"},
        {"2025-12-31T23:00:00Z", "CRON_TZ=Asia/Tokyo 0 0 9 * * *", "2026-01-01T00:00:00Z"},
        {"2026-07-01T00:00:00Z", "CRON_TZ=America/New_York 0 0 12 * * *", "2026-07-01T16:00:00Z"},
        {"2026-01-01T00:00:00Z", "CRON_TZ=America/New_York 0 0 12 * * *", "2026-01-01T17:00:00Z"},
        {"2026-01-01T00:00:00Z", "CRON_TZ=UTC  0 5 * * * *", "2026-01-01T00:05:00Z"},
        {"2026-01-01T00:00:00Z", "TZ=  0 5 * * * *", "2026-01-01T00:05:00Z"},  // "" is UTC
        {"2026-01-01T00:00:00Z", "TZ=Asia/Kolkata 0 0 * * * *", "2026-01-01T00:30:00Z"},
    });
}

// Without a prefix the zone is the server's: the TZ environment variable, as Go reads it.
TEST(CronSchedule, LocalZoneFromTheEnvironment) {
    const char* old = std::getenv("TZ");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    ::setenv("TZ", "America/New_York", 1);
    auto ny = CronSchedule::parse("0 0 12 * * *");
    auto local = CronSchedule::parse("TZ=Local 0 0 12 * * *");
    ::setenv("TZ", "", 1);
    auto utc = CronSchedule::parse("0 0 12 * * *");
    ::setenv("TZ", "No/Such_Zone", 1);
    auto fallback = CronSchedule::parse("0 0 12 * * *");
    if (saved)
        ::setenv("TZ", saved->c_str(), 1);
    else
        ::unsetenv("TZ");
    ASSERT_TRUE(ny.ok() && local.ok() && utc.ok() && fallback.ok());
    const Time now = at("2026-01-01T00:00:00Z");
    EXPECT_EQ(show(ny->next_after(now)), "2026-01-01T17:00:00Z");
    EXPECT_EQ(show(local->next_after(now)), "2026-01-01T17:00:00Z");
    EXPECT_EQ(show(utc->next_after(now)), "2026-01-01T12:00:00Z");
    EXPECT_EQ(show(fallback->next_after(now)), "2026-01-01T12:00:00Z");
}

// Schedules that run every hour follow the clock as the reference does; the others run once per
// wall-clock time on DST days: a time skipped by the jump forward runs when the jump ends, a time
// repeated by the jump back runs the first time only (the reference skips the first and runs the
// second twice; docs/compat.md).
TEST(CronSchedule, DaylightSavingNewYork) {
    const char* ny = "TZ=America/New_York ";
    auto e = [&](const char* rest) { return std::string(ny) + rest; };
    const std::vector<std::pair<std::string, std::vector<std::pair<const char*, const char*>>>>
        chains{
            // Spring forward 2012-03-11: 02:00 EST becomes 03:00 EDT.
            {e("0 0 * * * ?"),
             {{"2012-03-11T00:00:00-05:00", "2012-03-11T01:00:00-05:00"},
              {"2012-03-11T01:00:00-05:00", "2012-03-11T03:00:00-04:00"},
              {"2012-03-11T03:00:00-04:00", "2012-03-11T04:00:00-04:00"}}},
            {e("0 0 1 * * ?"),
             {{"2012-03-11T00:00:00-05:00", "2012-03-11T01:00:00-05:00"},
              {"2012-03-11T01:00:00-05:00", "2012-03-12T01:00:00-04:00"}}},
            {e("0 0 2 * * ?"),
             {{"2012-03-11T00:00:00-05:00", "2012-03-11T03:00:00-04:00"},
              {"2012-03-11T03:00:00-04:00", "2012-03-12T02:00:00-04:00"}}},
            {e("0 30 2 11 Mar ?"),
             {{"2012-03-11T00:00:00-05:00", "2012-03-11T03:00:00-04:00"},
              {"2012-03-11T03:00:00-04:00", "2013-03-11T02:30:00-04:00"}}},
            // Fall back 2012-11-04: 02:00 EDT becomes 01:00 EST.
            {e("0 0 * * * ?"),
             {{"2012-11-04T00:00:00-04:00", "2012-11-04T01:00:00-04:00"},
              {"2012-11-04T01:00:00-04:00", "2012-11-04T01:00:00-05:00"},
              {"2012-11-04T01:00:00-05:00", "2012-11-04T02:00:00-05:00"}}},
            {e("0 0 1 * * ?"),
             {{"2012-11-04T00:00:00-04:00", "2012-11-04T01:00:00-04:00"},
              {"2012-11-04T01:00:00-04:00", "2012-11-05T01:00:00-05:00"},
              {"2012-11-04T01:30:00-05:00", "2012-11-05T01:00:00-05:00"}}},
            {e("0 30 1 04 Nov ?"), {{"2012-11-04T01:45:00-04:00", "2013-11-04T01:30:00-05:00"}}},
            {e("0 0 2 * * ?"),
             {{"2012-11-04T00:00:00-04:00", "2012-11-04T02:00:00-05:00"},
              {"2012-11-04T02:00:00-05:00", "2012-11-05T02:00:00-05:00"}}},
            {e("0 30 2 04 Nov ?"), {{"2012-11-04T00:00:00-04:00", "2012-11-04T02:30:00-05:00"}}},
            {e("0 0 3 * * ?"),
             {{"2012-11-04T00:00:00-04:00", "2012-11-04T03:00:00-05:00"},
              {"2012-11-04T03:00:00-05:00", "2012-11-05T03:00:00-05:00"}}},
        };
    for (const auto& [expr, steps] : chains) {
        std::vector<Case> cases;
        for (const auto& [now, next] : steps) cases.push_back({now, expr.c_str(), next});
        expect_next(cases);
    }
}

TEST(CronSchedule, DaylightSavingStockholm) {
    // 2026-03-29 01:00Z: 02:00 CET becomes 03:00 CEST; 2026-10-25 01:00Z: 03:00 CEST becomes
    // 02:00 CET.
    const std::string nightly = "TZ=Europe/Stockholm 0 30 2 * * *";
    const std::string half_past = "TZ=Europe/Stockholm 0 30 * * * *";
    const std::string hourly = "TZ=Europe/Stockholm @hourly";
    const std::string quarter = "TZ=Europe/Stockholm 0 */15 2 * * *";
    expect_next({
        {"2026-03-28T12:00:00Z", nightly.c_str(), "2026-03-29T03:00:00+02:00"},
        {"2026-03-29T03:00:00+02:00", nightly.c_str(), "2026-03-30T02:30:00+02:00"},
        {"2026-03-29T01:30:00+01:00", half_past.c_str(), "2026-03-29T03:30:00+02:00"},
        {"2026-03-29T01:59:59+01:00", hourly.c_str(), "2026-03-29T03:00:00+02:00"},
        // Every quarter of the gap hour collapses into one run when the gap ends.
        {"2026-03-29T01:00:00+01:00", quarter.c_str(), "2026-03-29T03:00:00+02:00"},
        {"2026-03-29T03:00:00+02:00", quarter.c_str(), "2026-03-30T02:00:00+02:00"},
        {"2026-10-25T00:00:00+02:00", nightly.c_str(), "2026-10-25T02:30:00+02:00"},
        {"2026-10-25T02:30:00+02:00", nightly.c_str(), "2026-10-26T02:30:00+01:00"},
        {"2026-10-25T02:10:00+01:00", nightly.c_str(), "2026-10-26T02:30:00+01:00"},
        {"2026-10-25T02:45:00+02:00", quarter.c_str(), "2026-10-26T02:00:00+01:00"},
        {"2026-10-25T02:30:00+02:00", half_past.c_str(), "2026-10-25T02:30:00+01:00"},
        {"2026-10-25T02:00:00+02:00", hourly.c_str(), "2026-10-25T02:00:00+01:00"},
        {"2026-10-25T02:00:00+01:00", hourly.c_str(), "2026-10-25T03:00:00+01:00"},
    });
}

// A nightly job across a whole year in both zones runs exactly once on every local day.
TEST(CronSchedule, FixedTimeRunsOncePerDayThroughDstChanges) {
    for (const char* expr : {"TZ=Europe/Stockholm 0 30 2 * * *", "TZ=America/New_York 0 30 1 * * *",
                             "TZ=America/New_York 0 0 2 * * *"}) {
        auto s = CronSchedule::parse(expr);
        ASSERT_TRUE(s.ok());
        Time t = at("2026-01-01T00:00:00Z");
        int runs = 0;
        Time prev = Time::zero();
        while (true) {
            t = s->next_after(t);
            ASSERT_FALSE(t.is_zero());
            if (t >= at("2027-01-01T00:00:00Z")) break;
            ++runs;
            if (!prev.is_zero()) {
                EXPECT_GT(t.ns - prev.ns, 22 * 3600 * kSec) << expr << " at " << show(t);
            }
            prev = t;
        }
        EXPECT_EQ(runs, 365) << expr;
    }
}

// "Every 2 s": each due time computed from the previous one is exactly 2 s later, no drift.
TEST(CronSchedule, EveryTwoSecondsDoesNotDrift) {
    for (const char* expr :
         {"TZ=UTC */2 * * * * *", "@every 2s", "TZ=Europe/Stockholm */2 * * * * *"}) {
        auto s = CronSchedule::parse(expr);
        ASSERT_TRUE(s.ok());
        Time t = s->next_after(at("2026-10-25T00:59:50.25Z"));
        EXPECT_EQ(t.ns % (2 * kSec), 0) << expr;
        for (int i = 0; i < 5000; ++i) {
            const Time next = s->next_after(t);
            ASSERT_EQ(next.ns - t.ns, 2 * kSec) << expr << " after " << show(t);
            t = next;
        }
    }
}

TEST(CronSchedule, InvalidExpressions) {
    const std::vector<std::pair<const char*, const char*>> cases{
        {"", "empty cron expression string"},
        {"* * * * *", "expected exactly 6 fields, found 5: [* * * * *]"},
        {"* * * * * * *", "expected exactly 6 fields, found 7: [* * * * * * *]"},
        {"   ", "expected exactly 6 fields, found 0: []"},
        {"TZ=UTC", "expected exactly 6 fields, found 0: []"},
        {"60 * * * * *", "end of range (60) above maximum (59): 60"},
        {"* 0-60 * * * *", "end of range (60) above maximum (59): 0-60"},
        {"* * 24 * * *", "end of range (24) above maximum (23): 24"},
        {"* * * 0 * *", "beginning of range (0) below minimum (1): 0"},
        {"* * * 32 * *", "end of range (32) above maximum (31): 32"},
        {"* * * * 0 *", "beginning of range (0) below minimum (1): 0"},
        {"* * * * 13 *", "end of range (13) above maximum (12): 13"},
        {"* * * * * 7", "end of range (7) above maximum (6): 7"},
        {"* * * * * 1-7", "end of range (7) above maximum (6): 1-7"},
        {"5-3 * * * * *", "beginning of range (5) beyond end of range (3): 5-3"},
        {"* * * * dec-jan *", "beginning of range (12) beyond end of range (1): dec-jan"},
        {"*/0 * * * * *", "step of range should be a positive number: */0"},
        {"1-5/0 * * * * *", "step of range should be a positive number: 1-5/0"},
        {"* * * * foo *",
         "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax"},
        {"* * * * * sunday",
         "failed to parse int from sunday: strconv.Atoi: parsing \"sunday\": invalid syntax"},
        {"jan * * * * *",
         "failed to parse int from jan: strconv.Atoi: parsing \"jan\": invalid syntax"},
        {"* * * * jan-x *",
         "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"},
        {"5--5 * * * * *", "too many hyphens: 5--5"},
        {"1-2-3 * * * * *", "too many hyphens: 1-2-3"},
        {"*//2 * * * * *", "too many slashes: *//2"},
        {"1/2/3 * * * * *", "too many slashes: 1/2/3"},
        {"-5 * * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"},
        {"*/-12 * * * * *", "negative number (-12) not allowed: -12"},
        {"*/x * * * * *",
         "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"},
        {"99999999999999999999 * * * * *",
         "failed to parse int from 99999999999999999999: strconv.Atoi: parsing "
         "\"99999999999999999999\": value out of range"},
        {"9223372036854775807 * * * * *",
         "end of range (9223372036854775807) above maximum (59): 9223372036854775807"},
        {"@every Xm", "failed to parse duration @every Xm: time: invalid duration \"Xm\""},
        {"@every 5", "failed to parse duration @every 5: time: missing unit in duration \"5\""},
        {"@every 5y",
         "failed to parse duration @every 5y: time: unknown unit \"y\" in duration \"5y\""},
        {"@every ", "failed to parse duration @every : time: invalid duration \"\""},
        {"@every .s", "failed to parse duration @every .s: time: invalid duration \".s\""},
        {"@every 9999999999h",
         "failed to parse duration @every 9999999999h: time: invalid duration \"9999999999h\""},
        {"@every", "unrecognized descriptor: @every"},
        {"@unrecognized", "unrecognized descriptor: @unrecognized"},
        {"@Daily", "unrecognized descriptor: @Daily"},
        {"@daily ", "unrecognized descriptor: @daily "},
        {"TZ=Foo/Bar * * * * * *", "provided bad location Foo/Bar: unknown time zone Foo/Bar"},
        {"CRON_TZ=europe/stockholm @daily",
         "provided bad location europe/stockholm: unknown time zone europe/stockholm"},
        {"TZ=../etc/passwd * * * * * *",
         "provided bad location ../etc/passwd: time: invalid location name"},
        {"TZ=Mars", "provided bad location Mars: unknown time zone Mars"},
        // The zone ends at the first space, not at other white space.
        {"TZ=UTC\t0 0 12 * * *", "provided bad location UTC\t0: unknown time zone UTC\t0"},
    };
    for (const auto& [expr, text] : cases) {
        auto s = CronSchedule::parse(expr);
        ASSERT_FALSE(s.ok()) << expr;
        EXPECT_EQ(s.error().message, text) << expr;
        EXPECT_TRUE(s.error().is(ErrorKind::Invalid)) << expr;
        EXPECT_EQ(s.error().status, 400) << expr;
    }
}

TEST(CronSchedule, CopiesAreIndependent) {
    auto a = CronSchedule::parse("TZ=UTC 0 0 12 * * *");
    auto b = CronSchedule::parse("@every 5s");
    ASSERT_TRUE(a.ok() && b.ok());
    CronSchedule c = *a;
    c = *b;
    CronSchedule d = std::move(c);
    const Time now = at("2026-01-01T00:00:00Z");
    EXPECT_EQ(show(a->next_after(now)), "2026-01-01T12:00:00Z");
    EXPECT_EQ(show(d.next_after(now)), "2026-01-01T00:00:05Z");
    EXPECT_TRUE(a->next_after(Time::zero()).is_zero());
    EXPECT_EQ(a->every_seconds(), 0);
    EXPECT_EQ(d.every_seconds(), 5);
}

TEST(NextCronRun, IntervalsRandomAndExpressions) {
    const Time now = at("2026-01-01T00:00:00.25Z");
    auto plain = next_cron_run("", 60, false, 0, now);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->ns, now.ns + 60 * kSec);  // not aligned, fraction kept
    auto garbage = next_cron_run("not an expression", 10, false, 0, now);
    ASSERT_TRUE(garbage.ok());  // the expression is not looked at for interval crons
    EXPECT_EQ(garbage->ns, now.ns + 10 * kSec);
    auto random = next_cron_run("", 60, true, 17, now);
    ASSERT_TRUE(random.ok());
    EXPECT_EQ(random->ns, now.ns + 17 * kSec);
    auto clamped = next_cron_run("", 60, true, 600, now);
    ASSERT_TRUE(clamped.ok());
    EXPECT_EQ(clamped->ns, now.ns + 59 * kSec);
    auto expr = next_cron_run("TZ=UTC 0 0 12 * * *", -1, false, 0, now);
    ASSERT_TRUE(expr.ok());
    EXPECT_EQ(show(*expr), "2026-01-01T12:00:00Z");
}

TEST(NextCronRun, Errors) {
    const Time now = at("2026-01-01T00:00:00Z");
    struct Bad {
        const char* expr;
        int64_t interval;
        bool random;
        const char* text;
    };
    for (const Bad& b : std::vector<Bad>{
             {"* * * * * *", 0, false, "Cron interval must be -1 (disabled) or larger than 0"},
             {"", 0, true, "Cron interval must be -1 (disabled) or larger than 0"},
             {"* * * * * *", -2, false,
              "Cron interval must be -1 (disabled) or larger than 0, not -2"},
             {"* * * * * *", -1, true, "Random cron is only supported when specifying intervals"},
             {"* * * * *", -1, true, "expected exactly 6 fields, found 5: [* * * * *]"},
             {"", -1, false, "empty cron expression string"},
         }) {
        auto r = next_cron_run(b.expr, b.interval, b.random, 0, now);
        ASSERT_FALSE(r.ok()) << b.expr << " " << b.interval;
        EXPECT_EQ(r.error().message, b.text);
        EXPECT_EQ(r.error().status, 400);
    }
}

}  // namespace
}  // namespace colonies
