// Parsing follows the reference's parser rule for rule (its texts, its order of checks and its
// leniencies, e.g. empty list items are dropped and `*-5` is `*`); the search for the next run
// is ours: the first instant after "now" whose local wall clock matches, with the departures at
// daylight-saving changes that docs/cron-expressions.md describes.
#include "core/cron_schedule.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <optional>
#include <vector>

#include "core/go_syntax.hpp"

namespace colonies {
namespace {

using Bits = uint64_t;
constexpr int64_t kDay = 86400;

struct Bounds {
    uint64_t min, max;
    const std::array<std::string_view, 12>* names;  // names[i] is min + i; null if none
};
constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kDayNames{"sun", "mon", "tue", "wed", "thu", "fri",
                                                     "sat", "",    "",    "",    "",    ""};
constexpr std::array<Bounds, 6> kFields{{
    {0, 59, nullptr},       // second
    {0, 59, nullptr},       // minute
    {0, 23, nullptr},       // hour
    {1, 31, nullptr},       // day of month
    {1, 12, &kMonthNames},  // month
    {0, 6, &kDayNames},     // day of week
}};

Bits bits_between(uint64_t lo, uint64_t hi, uint64_t step) {
    Bits b = 0;
    for (uint64_t i = lo; i <= hi; i += step) b |= Bits{1} << i;
    return b;
}

// Go's strings.Fields / TrimSpace separators: ASCII white space and Unicode's space characters.
size_t space_at(std::string_view s, size_t i) {
    static constexpr std::string_view kAscii = " \t\n\v\f\r";
    if (kAscii.find(s[i]) != std::string_view::npos) return 1;
    static constexpr std::array<std::string_view, 18> kWide{
        "\u0085", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
        "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f"};
    const std::string_view rest = s.substr(i);
    for (auto w : kWide)
        if (rest.starts_with(w)) return w.size();
    if (rest.starts_with("\u3000")) return 3;
    return 0;
}

std::vector<std::string_view> split_fields(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0, start = std::string_view::npos;
    while (i < s.size()) {
        if (const size_t n = space_at(s, i)) {
            if (start != std::string_view::npos) out.push_back(s.substr(start, i - start));
            start = std::string_view::npos;
            i += n;
        } else {
            if (start == std::string_view::npos) start = i;
            ++i;
        }
    }
    if (start != std::string_view::npos) out.push_back(s.substr(start));
    return out;
}

std::string_view trim_space(std::string_view s) {
    auto fields = split_fields(s);
    if (fields.empty()) return {};
    return {fields.front().data(), static_cast<size_t>(fields.back().data() + fields.back().size() -
                                                       fields.front().data())};
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

Result<uint64_t> parse_number(std::string_view s) {
    auto parsed = go_atoi(s);
    if (auto* e = std::get_if<std::string>(&parsed))
        return bad_request("failed to parse int from " + std::string(s) + ": " + *e);
    const int64_t n = std::get<int64_t>(parsed);
    if (n < 0)
        return bad_request("negative number (" + std::to_string(n) +
                           ") not allowed: " + std::string(s));
    return uint64_t{static_cast<uint64_t>(n)};
}

Result<uint64_t> parse_number_or_name(std::string_view s, const Bounds& b) {
    if (b.names && s.size() == 3) {
        std::string lower(s);
        for (char& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        for (size_t i = 0; i < b.names->size(); ++i)
            if ((*b.names)[i] == lower) return uint64_t{b.min + i};
    }
    return parse_number(s);
}

struct FieldBits {
    Bits bits = 0;
    bool star = false;  // a `*` or `?` without a step above 1 (the day rule looks at it)
};

// Range bounds are checked in the reference's order, so that one input gets one message.
Result<FieldBits> check_range(uint64_t start, uint64_t end, uint64_t step, bool star,
                              const Bounds& b, std::string_view expr) {
    const std::string e(expr);
    if (start < b.min)
        return bad_request("beginning of range (" + std::to_string(start) + ") below minimum (" +
                           std::to_string(b.min) + "): " + e);
    if (end > b.max)
        return bad_request("end of range (" + std::to_string(end) + ") above maximum (" +
                           std::to_string(b.max) + "): " + e);
    if (start > end)
        return bad_request("beginning of range (" + std::to_string(start) +
                           ") beyond end of range (" + std::to_string(end) + "): " + e);
    if (step == 0) return bad_request("step of range should be a positive number: " + e);
    return FieldBits{bits_between(start, end, step), star};
}

// One list item: `*`, `?`, `N` or `N-M`, each optionally with `/STEP`.
Result<FieldBits> parse_range(std::string_view expr, const Bounds& b) {
    const auto slashes = split(expr, '/');
    const auto hyphens = split(slashes[0], '-');
    uint64_t start = b.min, end = b.max, step = 1;
    // The reference looks only at what comes before a hyphen when it is a star: `*-5` is `*`.
    bool star = hyphens[0] == "*" || hyphens[0] == "?";
    if (!star) {
        auto lo = parse_number_or_name(hyphens[0], b);
        if (!lo) return lo.error();
        start = end = *lo;
        if (hyphens.size() > 2) return bad_request("too many hyphens: " + std::string(expr));
        if (hyphens.size() == 2) {
            auto hi = parse_number_or_name(hyphens[1], b);
            if (!hi) return hi.error();
            end = *hi;
        }
    }
    if (slashes.size() > 2) return bad_request("too many slashes: " + std::string(expr));
    if (slashes.size() == 2) {
        auto st = parse_number(slashes[1]);
        if (!st) return st.error();
        step = *st;
        if (hyphens.size() == 1) end = b.max;  // `N/STEP` is `N-max/STEP`
        if (step > 1) star = false;
    }
    return check_range(start, end, step, star, b, expr);
}

// A comma-separated list; empty items are skipped (so `1,,2` is `1,2`, and `,` matches nothing).
Result<FieldBits> parse_field(std::string_view field, const Bounds& b) {
    FieldBits out;
    for (auto item : split(field, ',')) {
        if (item.empty()) continue;
        auto r = parse_range(item, b);
        if (!r) return r.error();
        out.bits |= r->bits;
        out.star = out.star || r->star;
    }
    return out;
}

int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

date::year_month_day civil(int64_t day) {
    return date::year_month_day{date::sys_days{date::days{day}}};
}

int64_t day_number(date::year_month_day ymd) {
    return date::sys_days{ymd}.time_since_epoch().count();
}

// The lowest set bit at or above `from`, or -1.
int first_bit(Bits b, int from) {
    if (from > 63) return -1;
    const Bits rest = b & (~Bits{0} << from);
    return rest ? std::countr_zero(rest) : -1;
}

// Seconds since the epoch as a Time; the zero time (none) past the nanosecond range (year 2262).
Time instant(int64_t s) {
    constexpr int64_t kNs = 1000000000;
    if (s > INT64_MAX / kNs || s < INT64_MIN / kNs) return Time::zero();
    return Time::from_ns(s * kNs);
}

// A stretch of time with one UTC offset (seconds since the epoch; `end` excluded).
struct Period {
    int64_t begin, end, offset;
};

Period period_at(const date::time_zone* zone, int64_t t) {
    if (!zone) return {INT64_MIN, INT64_MAX, 0};
    const auto info = zone->get_info(date::sys_seconds{std::chrono::seconds{t}});
    return {info.begin.time_since_epoch().count(), info.end.time_since_epoch().count(),
            info.offset.count()};
}

// Go's time.LoadLocation: "" and "UTC" are UTC (null here), "Local" the server's zone.
Result<const date::time_zone*> load_zone(std::string_view name);

const date::time_zone* local_zone() {
    // As Go decides time.Local: TZ unset is /etc/localtime, TZ empty is UTC, and a TZ that
    // names no zone falls back to UTC.
    const char* tz = std::getenv("TZ");
    try {
        if (!tz) return date::current_zone();
        std::string_view name = tz;
        if (name.starts_with(':')) name.remove_prefix(1);
        if (name.starts_with("/usr/share/zoneinfo/")) name.remove_prefix(20);
        if (name == "Local") return nullptr;
        auto zone = load_zone(name);
        return zone ? *zone : nullptr;
    } catch (const std::exception&) {
        return nullptr;
    }
}

Result<const date::time_zone*> load_zone(std::string_view name) {
    if (name.empty() || name == "UTC") return static_cast<const date::time_zone*>(nullptr);
    if (name == "Local") return local_zone();
    if (name.find("..") != std::string_view::npos || name[0] == '/' || name[0] == '\\')
        return bad_request("time: invalid location name");
    try {
        const auto* zone = date::locate_zone(name);
        // Reads the zone's file now, so that a broken one fails here and not in next_after.
        (void)zone->get_info(date::sys_seconds{});
        return zone;
    } catch (const std::exception&) {
        return bad_request("unknown time zone " + std::string(name));
    }
}

}  // namespace

struct CronSchedule::Impl {
    int64_t every_seconds = 0;  // > 0: an `@every` schedule, else the fields below
    std::array<Bits, 6> bits{};
    bool dom_star = false, dow_star = false;
    const date::time_zone* zone = nullptr;  // null: UTC

    Status set_fields(std::string_view spec);
    Status set_descriptor(std::string_view spec);
    bool day_matches(int64_t day) const;
    std::optional<int64_t> next_time_of_day(int64_t tod) const;
    std::optional<int64_t> first_local_match(int64_t lo, int64_t hi) const;
    Time next_matching(int64_t t0) const;
};

Status CronSchedule::Impl::set_fields(std::string_view spec) {
    const auto fields = split_fields(spec);
    if (fields.size() != kFields.size()) {
        std::string list;
        for (auto f : fields) list += (list.empty() ? "" : " ") + std::string(f);
        return bad_request("expected exactly 6 fields, found " + std::to_string(fields.size()) +
                           ": [" + list + "]");
    }
    for (size_t i = 0; i < fields.size(); ++i) {
        auto f = parse_field(fields[i], kFields[i]);
        if (!f) return f.error();
        bits[i] = f->bits;
        if (i == 3) dom_star = f->star;
        if (i == 5) dow_star = f->star;
    }
    return ok_status();
}

Status CronSchedule::Impl::set_descriptor(std::string_view spec) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kNamed{{
        {"@yearly", "0 0 0 1 1 *"},
        {"@annually", "0 0 0 1 1 *"},
        {"@monthly", "0 0 0 1 * *"},
        {"@weekly", "0 0 0 * * 0"},
        {"@daily", "0 0 0 * * *"},
        {"@midnight", "0 0 0 * * *"},
        {"@hourly", "0 0 * * * *"},
    }};
    for (const auto& [name, fields] : kNamed)
        if (spec == name) return set_fields(fields);
    constexpr std::string_view kEvery = "@every ";
    if (!spec.starts_with(kEvery))
        return bad_request("unrecognized descriptor: " + std::string(spec));
    auto d = go_parse_duration(spec.substr(kEvery.size()));
    if (auto* e = std::get_if<std::string>(&d))
        return bad_request("failed to parse duration " + std::string(spec) + ": " + *e);
    // Whole seconds only, and at least one.
    every_seconds = std::max<int64_t>(std::get<int64_t>(d) / 1000000000, 1);
    return ok_status();
}

bool CronSchedule::Impl::day_matches(int64_t day) const {
    const auto ymd = civil(day);
    const bool dom = bits[3] >> static_cast<unsigned>(ymd.day()) & 1;
    const bool dow = bits[5] >> date::weekday{date::sys_days{date::days{day}}}.c_encoding() & 1;
    return dom_star || dow_star ? dom && dow : dom || dow;
}

std::optional<int64_t> CronSchedule::Impl::next_time_of_day(int64_t tod) const {
    const int h0 = static_cast<int>(tod / 3600), m0 = static_cast<int>(tod / 60 % 60),
              s0 = static_cast<int>(tod % 60);
    for (int h = first_bit(bits[2], h0); h >= 0; h = first_bit(bits[2], h + 1)) {
        for (int m = first_bit(bits[1], h == h0 ? m0 : 0); m >= 0; m = first_bit(bits[1], m + 1)) {
            const int s = first_bit(bits[0], h == h0 && m == m0 ? s0 : 0);
            if (s >= 0) return h * 3600 + m * 60 + s;
        }
    }
    return std::nullopt;
}

// The first wall-clock time in [lo, hi) (local seconds) that the fields match.
std::optional<int64_t> CronSchedule::Impl::first_local_match(int64_t lo, int64_t hi) const {
    int64_t t = lo;
    while (t < hi) {
        const int64_t day = floor_div(t, kDay);
        const auto ymd = civil(day);
        if (!(bits[4] >> static_cast<unsigned>(ymd.month()) & 1)) {
            const auto next = date::year_month{ymd.year(), ymd.month()} + date::months{1};
            t = day_number(next / 1) * kDay;
            continue;
        }
        if (day_matches(day)) {
            if (auto tod = next_time_of_day(t - day * kDay)) {
                const int64_t found = day * kDay + *tod;
                return found < hi ? std::optional(found) : std::nullopt;
            }
        }
        t = (day + 1) * kDay;
    }
    return std::nullopt;
}

// The first instant from t0 (inclusive, seconds) whose wall clock matches, walking the zone's
// periods of constant offset. Schedules that do not run every hour get Vixie cron's treatment
// of daylight-saving changes: a wall-clock time skipped by a jump forward runs once at the end
// of the jump, and one repeated by a jump back runs only the first time.
Time CronSchedule::Impl::next_matching(int64_t t0) const {
    const int64_t year =
        static_cast<int>(civil(floor_div(t0 + period_at(zone, t0).offset, kDay)).year());
    // The reference gives up after the fifth year following the current one.
    const int64_t limit = day_number(date::year{static_cast<int>(year + 6)} / 1 / 1) * kDay;
    const bool every_hour = (bits[2] & 0xFFFFFF) == 0xFFFFFF;
    int64_t t = t0;
    for (;;) {
        const Period p = period_at(zone, t);
        int64_t lo = t + p.offset;
        if (lo >= limit) return Time::zero();
        const int64_t hi = p.end >= limit - p.offset ? limit : p.end + p.offset;
        if (!every_hour && zone && p.begin > INT64_MIN / 2) {
            const int64_t shift = p.offset - period_at(zone, p.begin - 1).offset;
            if (shift > 0 && t == p.begin && first_local_match(lo - shift, lo)) return instant(t);
            if (shift < 0 && t < p.begin - shift) lo = p.begin - shift + p.offset;
        }
        if (auto found = first_local_match(lo, hi)) return instant(*found - p.offset);
        if (hi >= limit) return Time::zero();
        t = p.end;
    }
}

CronSchedule::CronSchedule(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CronSchedule::CronSchedule(const CronSchedule& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
CronSchedule::CronSchedule(CronSchedule&&) noexcept = default;
CronSchedule& CronSchedule::operator=(const CronSchedule& o) {
    if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
    return *this;
}
CronSchedule& CronSchedule::operator=(CronSchedule&&) noexcept = default;
CronSchedule::~CronSchedule() = default;

Result<CronSchedule> CronSchedule::parse(std::string_view spec) {
    if (spec.empty()) return bad_request("empty cron expression string");
    auto impl = std::make_unique<Impl>();
    if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
        // The zone ends at the first space; with none, the whole rest is the zone and no
        // fields follow (the reference fails on that input without a message).
        const size_t eq = spec.find('='), space = spec.find(' ');
        const std::string_view name = space == std::string_view::npos
                                          ? spec.substr(eq + 1)
                                          : spec.substr(eq + 1, space - eq - 1);
        auto zone = load_zone(name);
        if (!zone)
            return bad_request("provided bad location " + std::string(name) + ": " +
                               zone.error().message);
        impl->zone = *zone;
        spec =
            space == std::string_view::npos ? std::string_view{} : trim_space(spec.substr(space));
    } else {
        impl->zone = local_zone();
    }
    const Status st = spec.starts_with('@') ? impl->set_descriptor(spec) : impl->set_fields(spec);
    if (!st) return st.error();
    return CronSchedule(std::move(impl));
}

Time CronSchedule::next_after(Time now) const {
    if (now.is_zero()) return Time::zero();
    const int64_t second = floor_div(now.ns, 1000000000);
    if (impl_->every_seconds > 0) {
        // now + the delay, less now's fraction of a second.
        if (second > INT64_MAX / 1000000000 - impl_->every_seconds) return Time::zero();
        return instant(second + impl_->every_seconds);
    }
    try {
        return impl_->next_matching(second + 1);
    } catch (const std::exception&) {
        return Time::zero();  // the zone's data became unreadable after parse
    }
}

int64_t CronSchedule::every_seconds() const {
    return impl_->every_seconds;
}

Result<Time> next_cron_run(std::string_view expression, int64_t interval, bool random,
                           int64_t random_draw, Time now) {
    if (interval == 0) return bad_request("Cron interval must be -1 (disabled) or larger than 0");
    if (interval < -1)
        return bad_request("Cron interval must be -1 (disabled) or larger than 0, not " +
                           std::to_string(interval));
    if (interval > 0) {
        if (!random) return now.plus_seconds(interval);
        return now.plus_seconds(std::clamp<int64_t>(random_draw, 0, interval - 1));
    }
    auto schedule = CronSchedule::parse(expression);
    if (!schedule) return schedule.error();
    if (random) return bad_request("Random cron is only supported when specifying intervals");
    return schedule->next_after(now);
}

}  // namespace colonies
