// Cron expressions (core/cron_schedule.hpp), which any member sends in addcronmsg.
// Properties: parse never throws and fails only with a 400 and a message; when it parses,
// next_after from each of a few instants (around DST changes, the epoch, the ends of the
// representable range) is the zero time or strictly later, on a whole second. A calendar
// schedule's next run depends on the clock only: from any instant between "now" and the run it
// found, the same run is found (so a run is never skipped or found twice when the cron loop asks
// again before it); an @every schedule's is now, less its fraction, plus the period.
#include <array>
#include <cstdint>

#include "check.hpp"
#include "core/cron_schedule.hpp"

using namespace colonies;

namespace {

constexpr int64_t kSec = 1000000000LL;

void check_next(const CronSchedule& s, Time now) {
    const Time next = s.next_after(now);
    if (next.is_zero()) return;
    FUZZ_CHECK(next > now);
    FUZZ_CHECK(next.ns % kSec == 0);
    FUZZ_CHECK(s.next_after(now) == next);
    if (const int64_t every = s.every_seconds()) {
        FUZZ_CHECK(every >= 1);
        const int64_t floor = now.ns - ((now.ns % kSec) + kSec) % kSec;
        FUZZ_CHECK(next.ns - floor == every * kSec);
        return;
    }
    const Time before = Time::from_ns(next.ns - kSec);
    if (before >= now) FUZZ_CHECK(s.next_after(before) == next);
    const Time middle = Time::from_ns(now.ns + (next.ns - now.ns) / 2);
    FUZZ_CHECK(s.next_after(middle) == next);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return 0;  // parse is linear; long inputs only slow the search down
    return fuzz::run([&] {
        auto s = CronSchedule::parse(fuzz::as_text(data, size));
        if (!s) {
            FUZZ_CHECK(s.error().is(ErrorKind::Invalid) && s.error().status == 400);
            FUZZ_CHECK(!s.error().message.empty());
            return;
        }
        static constexpr std::array<int64_t, 8> kNow{
            1774745999LL * kSec + 500000000,  // 2026-03-29T00:59:59.5Z (Europe: spring forward)
            1792886400LL * kSec,              // 2026-10-25T00:00:00Z (Europe: fall back)
            1793512800LL * kSec - 1,          // just before 2026-11-01T06:00Z (US: fall back)
            0,                                // the epoch
            -1,                               // just before it
            -9000000000LL * kSec,             // 1684, near the low end of the range
            9200000000LL * kSec,              // 2261, near the high end
            1767225600LL * kSec,              // 2026-01-01T00:00:00Z
        };
        for (int64_t ns : kNow) check_next(*s, Time::from_ns(ns));
        FUZZ_CHECK(s->next_after(Time::zero()).is_zero());
    });
}
