// Durations. The protocol carries every duration (maxwaittime, maxexectime, an assign's or a
// subscription's timeout, ...) as a JSON integer of seconds: there is no duration string
// grammar, so this target covers their path instead: JsonFields::integer (core/json.hpp) on
// the JSON text, then what the server does with the seconds, Time::plus_seconds (deadlines) and
// bounded_wait (timers).
// Properties: integer() accepts exactly the JSON integers in int64 range (uint64 up to
// INT64_MAX) and names the field otherwise; a deadline never wraps: it moves the way the sign
// says, saturates at the ends of the range and is never the zero ("unset") time; a timer wait is
// the seconds asked for, capped at kMaxWaitSeconds.
#include <cstdint>
#include <limits>

#include "check.hpp"
#include "core/json.hpp"

using namespace colonies;
namespace json = boost::json;

namespace {

void check_deadline(Time base, int64_t s) {
    const Time d = base.plus_seconds(s);
    if (base.is_zero()) {
        FUZZ_CHECK(d.is_zero());
        return;
    }
    FUZZ_CHECK(!d.is_zero());
    if (s > 0) FUZZ_CHECK(d > base || base.ns == INT64_MAX);
    if (s < 0) FUZZ_CHECK(d < base || base.ns == Time::kZero + 1);
    if (s == 0) FUZZ_CHECK(d == base);
    // Exact when representable.
    __int128 exact = static_cast<__int128>(base.ns) + static_cast<__int128>(s) * 1000000000;
    if (exact > Time::kZero && exact <= INT64_MAX) FUZZ_CHECK(d.ns == static_cast<int64_t>(exact));
}

void check_wait(int64_t s) {
    const auto w = bounded_wait(s).count();
    FUZZ_CHECK(w <= kMaxWaitSeconds);
    FUZZ_CHECK(s > kMaxWaitSeconds ? w == kMaxWaitSeconds : w == s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run([&] {
        boost::system::error_code ec;
        json::value v = json::parse(fuzz::as_text(data, size), ec);
        if (ec) return;
        json::object o{{"timeout", v}};
        JsonFields f(o);
        const int64_t s = f.integer("timeout");
        const bool is_int =
            v.is_int64() || (v.is_uint64() && v.get_uint64() <= uint64_t(INT64_MAX));
        if (v.is_null()) {
            FUZZ_CHECK(f.ok() && s == 0);
        } else if (is_int) {
            FUZZ_CHECK(f.ok());
            FUZZ_CHECK(s == (v.is_int64() ? v.get_int64() : int64_t(v.get_uint64())));
        } else {
            FUZZ_CHECK(!f.ok() && f.error() == "field timeout: expected integer" && s == 0);
            return;
        }
        check_wait(s);
        for (int64_t base : {Time::kZero, Time::kZero + 1, int64_t{-1}, int64_t{0},
                             int64_t{1764979200LL * 1000000000LL}, INT64_MAX - 1, INT64_MAX})
            check_deadline(Time::from_ns(base), s);
    });
}
