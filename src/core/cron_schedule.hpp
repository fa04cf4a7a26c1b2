// Cron schedules (features.md 1.2, 1.3): when a cron is next due. Pure: no clock, no I/O (the
// caller passes "now"; random interval crons take the random draw as an argument).
//
// Expressions are upstream's: exactly six fields (second minute hour day-of-month month
// day-of-week) with lists, ranges, steps, `*`, `?` and month/day names; the descriptors
// `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly` and `@every <Go
// duration>`; an optional `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix, else the server's local zone.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace colonies {

class CronSchedule {
  public:
    // 400-kind error with upstream's parser text (e.g. "expected exactly 6 fields, found 5:
    // [...]") when the expression is not valid.
    static Result<CronSchedule> parse(std::string_view expression);

    // The first matching instant strictly after `now`, on a whole second; the zero time when
    // nothing matches within five years (e.g. "0 0 0 30 2 *").
    Time next_after(Time now) const;

    // The period of an `@every` schedule in whole seconds (at least 1); 0 for a calendar one,
    // whose next run depends only on the wall clock, not on when it last ran.
    int64_t every_seconds() const;

    CronSchedule(const CronSchedule&);
    CronSchedule(CronSchedule&&) noexcept;
    CronSchedule& operator=(const CronSchedule&);
    CronSchedule& operator=(CronSchedule&&) noexcept;
    ~CronSchedule();

  private:
    struct Impl;
    explicit CronSchedule(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The next due time of a cron (features.md 1.3): `interval` > 0 is now + interval seconds (a
// random cron: now + `random_draw` seconds, where the caller draws uniformly from
// [0, interval)); `interval` == -1 follows `expression`. Errors as `CronSchedule::parse`, and a
// 400 for interval 0 or below -1.
Result<Time> next_cron_run(std::string_view expression, int64_t interval, bool random,
                           int64_t random_draw, Time now);

}  // namespace colonies
