#include "core/time.hpp"

#include <chrono>
#include <cstdio>

namespace colonies {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;
constexpr int64_t kSecPerDay = 86400;

int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Days since 1970-01-01 of a proleptic Gregorian date (the classic era/day-of-era method).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
    int64_t y;
    unsigned m, d;
};

Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n decimal digits at s[pos]; false if any is not a digit.
bool digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
}

bool is_char(std::string_view s, size_t pos, char c) {
    return pos < s.size() && s[pos] == c;
}

// Writes v as exactly n decimal digits (zero-padded) at out.
void put_digits(char* out, unsigned v, int n) {
    for (int i = n - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
}

// ".fffffffff" without trailing zeros (nothing when frac is 0), then the zone.
void append_fraction(std::string& out, int64_t frac) {
    if (frac != 0) {
        char f[10];
        f[0] = '.';
        put_digits(f + 1, static_cast<unsigned>(frac), 9);
        size_t n = 10;
        while (f[n - 1] == '0') --n;
        out.append(f, n);
    }
    out += 'Z';
}

}  // namespace

Time Time::now() {
    auto d = std::chrono::system_clock::now().time_since_epoch();
    return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()};
}

std::string format_rfc3339(Time t) {
    if (t.is_zero()) return "0001-01-01T00:00:00Z";
    // The fraction by remainder: secs * kNsPerSec itself passes the int64 range for instants in
    // the last second before 1677-09-21T00:12:44Z (found by fuzz/time.cpp).
    const int64_t secs = floor_div(t.ns, kNsPerSec);
    const int64_t frac = t.ns % kNsPerSec < 0 ? t.ns % kNsPerSec + kNsPerSec : t.ns % kNsPerSec;
    const int64_t days = floor_div(secs, kSecPerDay);
    const int64_t sod = secs - days * kSecPerDay;
    const Civil c = civil_from_days(days);
    // By hand rather than snprintf: a process document carries five times and is rendered on
    // every save and reply. int64 nanoseconds stay within years 1677..2262; snprintf keeps any
    // other year right should Time ever widen.
    if (c.y < 0 || c.y > 9999) {
        char buf[64];
        int n =
            std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                          static_cast<long long>(c.y), c.m, c.d, static_cast<long long>(sod / 3600),
                          static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
        std::string out(buf, static_cast<size_t>(n));
        append_fraction(out, frac);
        return out;
    }
    char buf[20];
    put_digits(buf, static_cast<unsigned>(c.y), 4);
    buf[4] = '-';
    put_digits(buf + 5, c.m, 2);
    buf[7] = '-';
    put_digits(buf + 8, c.d, 2);
    buf[10] = 'T';
    put_digits(buf + 11, static_cast<unsigned>(sod / 3600), 2);
    buf[13] = ':';
    put_digits(buf + 14, static_cast<unsigned>(sod / 60 % 60), 2);
    buf[16] = ':';
    put_digits(buf + 17, static_cast<unsigned>(sod % 60), 2);
    std::string out;
    out.reserve(31);
    out.append(buf, 19);
    append_fraction(out, frac);
    return out;
}

std::optional<Time> parse_rfc3339(std::string_view s) {
    unsigned year, mon, day, hh, mm, ss;
    if (!digits(s, 0, 4, year) || !is_char(s, 4, '-') || !digits(s, 5, 2, mon) ||
        !is_char(s, 7, '-') || !digits(s, 8, 2, day) ||
        !(is_char(s, 10, 'T') || is_char(s, 10, 't')) || !digits(s, 11, 2, hh) ||
        !is_char(s, 13, ':') || !digits(s, 14, 2, mm) || !is_char(s, 16, ':') ||
        !digits(s, 17, 2, ss))
        return std::nullopt;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hh > 23 || mm > 59 ||
        ss > 59)
        return std::nullopt;
    size_t pos = 19;
    int64_t frac = 0;
    if (is_char(s, pos, '.')) {
        size_t n = 0;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
            if (n >= 9) return std::nullopt;
            frac = frac * 10 + (s[pos] - '0');
        }
        if (n == 0) return std::nullopt;
        for (; n < 9; ++n) frac *= 10;
    }
    int64_t offset = 0;
    if (is_char(s, pos, 'Z') || is_char(s, pos, 'z')) {
        ++pos;
    } else if (is_char(s, pos, '+') || is_char(s, pos, '-')) {
        unsigned oh, om;
        if (!digits(s, pos + 1, 2, oh) || !is_char(s, pos + 3, ':') || !digits(s, pos + 4, 2, om) ||
            oh > 23 || om > 59)
            return std::nullopt;
        offset = (s[pos] == '-' ? -1 : 1) * static_cast<int64_t>(oh * 3600 + om * 60);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;

    const int64_t secs =
        days_from_civil(year, mon, day) * kSecPerDay + hh * 3600 + mm * 60 + ss - offset;
    // Instants outside int64 nanoseconds (years ~1678..2262) become the zero time, as Go's
    // clients treat them: a Go server in a zone with a local-mean-time offset sends its zero time
    // as e.g. 0001-01-01T01:12:12+01:12 (the offset's seconds are lost in RFC 3339), which is
    // not exactly the zero instant but means "unset" all the same.
    // In 128 bits: secs * kNsPerSec alone leaves the int64 range for instants in the second
    // before the earliest one (1677-09-21T00:12:43.145224192Z), whose sum with the fraction does
    // not (found by fuzz/time.cpp).
    const __int128 ns = static_cast<__int128>(secs) * kNsPerSec + frac;
    if (ns < INT64_MIN || ns > INT64_MAX) return Time::zero();
    return Time::from_ns(static_cast<int64_t>(ns));
}

}  // namespace colonies
