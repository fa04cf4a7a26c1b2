#include "core/go_syntax.hpp"

#include <array>
#include <cstdio>
#include <optional>
#include <tuple>
#include <utility>

namespace colonies {
namespace {

// One UTF-8 sequence at the front of `s`: the code point and its length, or nullopt for a byte
// that does not start a valid sequence (overlong forms and surrogates are invalid, as in Go).
std::optional<std::pair<char32_t, size_t>> decode_utf8(std::string_view s) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (b0 >= 0xF8 || b0 < 0xC2 || len > s.size()) return std::nullopt;
    char32_t cp = b0 & (0x7F >> len);
    for (size_t i = 1; i < len; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if ((b & 0xC0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr std::array<char32_t, 5> kMin{0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    return std::pair{cp, len};
}

void append_hex(std::string& out, const char* format, unsigned long v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, format, v);
    out += buf;
}

// Go's strconv.IsPrint for what a cron expression can hold: ASCII graphics and space, and every
// code point above the Latin-1 controls but the soft hyphen.
bool printable(char32_t c) {
    if (c < 0x80) return c >= 0x20 && c < 0x7F;
    return c >= 0xA0 && c != 0xAD;
}

void append_escaped(std::string& out, char32_t c, std::string_view raw) {
    if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
    } else if (printable(c)) {
        out += raw;
    } else {
        static constexpr std::string_view kShort = "\a\b\f\n\r\t\v";
        static constexpr std::string_view kLetter = "abfnrtv";
        const auto at = c < 0x80 ? kShort.find(static_cast<char>(c)) : std::string_view::npos;
        if (at != std::string_view::npos) {
            out += '\\';
            out += kLetter[at];
        } else if (c < 0x80) {
            append_hex(out, "\\x%02x", c);
        } else {
            append_hex(out, c < 0x10000 ? "\\u%04x" : "\\U%08x", c);
        }
    }
}

// The time package quotes on its own: every byte of a control or non-ASCII character as \xNN.
std::string time_quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto b = static_cast<unsigned char>(ch);
        if (b < 0x20 || b >= 0x80) {
            append_hex(out, "\\x%02x", b);
            continue;
        }
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    out += '"';
    return out;
}

constexpr uint64_t kTwo63 = uint64_t{1} << 63;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Digits at the front of `s` (consumed); nullopt when the value passes 2^63.
std::optional<uint64_t> leading_int(std::string_view& s) {
    uint64_t v = 0;
    while (!s.empty() && is_digit(s.front())) {
        if (v > kTwo63 / 10) return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(s.front() - '0');
        if (v > kTwo63) return std::nullopt;
        s.remove_prefix(1);
    }
    return v;
}

// Fraction digits after a '.': the digits that fit (value f / scale); the rest are consumed
// and ignored, as Go does.
std::pair<uint64_t, double> leading_fraction(std::string_view& s) {
    uint64_t f = 0;
    double scale = 1;
    bool full = false;
    while (!s.empty() && is_digit(s.front())) {
        const uint64_t d = static_cast<uint64_t>(s.front() - '0');
        s.remove_prefix(1);
        if (full || f > (kTwo63 - 1) / 10 || f * 10 + d > kTwo63) {
            full = true;
            continue;
        }
        f = f * 10 + d;
        scale *= 10;
    }
    return {f, scale};
}

std::optional<uint64_t> unit_ns(std::string_view u) {
    static constexpr std::array<std::pair<std::string_view, uint64_t>, 8> kUnits{{
        {"ns", 1},
        {"us", 1000},
        {"\u00b5s", 1000},  // micro sign
        {"\u03bcs", 1000},  // Greek mu
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", 60000000000},
        {"h", 3600000000000},
    }};
    for (const auto& [name, ns] : kUnits)
        if (name == u) return ns;
    return std::nullopt;
}

std::string atoi_error(std::string_view s, const char* what) {
    return "strconv.Atoi: parsing " + go_quote(s) + ": " + what;
}

}  // namespace

std::string go_quote(std::string_view s) {
    std::string out = "\"";
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            append_escaped(out, b, s.substr(i, 1));
            ++i;
        } else if (auto r = decode_utf8(s.substr(i))) {
            append_escaped(out, r->first, s.substr(i, r->second));
            i += r->second;
        } else {
            append_hex(out, "\\x%02x", b);
            ++i;
        }
    }
    out += '"';
    return out;
}

GoParsed go_atoi(std::string_view s) {
    const bool negative = !s.empty() && s[0] == '-';
    std::string_view digits = s;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) digits.remove_prefix(1);
    if (digits.empty()) return atoi_error(s, "invalid syntax");
    // Go stops at the first digit that takes the value past 64 bits unsigned ("out of range",
    // whatever follows); the signed limit is checked after the whole text is read.
    uint64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return atoi_error(s, "invalid syntax");
        const uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return atoi_error(s, "value out of range");
        v = v * 10 + d;
    }
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    if (v > limit) return atoi_error(s, "value out of range");
    return negative ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v);
}

namespace {

// One "<number><unit>" element at the front of `s` (consumed), in nanoseconds; an error text
// otherwise. `orig` is the whole input, which Go's messages quote.
GoParsed duration_element(std::string_view& s, std::string_view orig) {
    const std::string invalid = "time: invalid duration " + time_quote(orig);
    if (!is_digit(s.front()) && s.front() != '.') return invalid;
    const size_t before = s.size();
    const auto whole = leading_int(s);
    if (!whole) return invalid;
    const bool pre = s.size() != before;
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s.front() == '.') {
        s.remove_prefix(1);
        const size_t at = s.size();
        std::tie(f, scale) = leading_fraction(s);
        post = s.size() != at;
    }
    if (!pre && !post) return invalid;
    size_t n = 0;
    while (n < s.size() && !is_digit(s[n]) && s[n] != '.') ++n;
    if (n == 0) return "time: missing unit in duration " + time_quote(orig);
    const std::string_view u = s.substr(0, n);
    s.remove_prefix(n);
    const auto unit = unit_ns(u);
    if (!unit) return "time: unknown unit " + time_quote(u) + " in duration " + time_quote(orig);
    if (*whole > kTwo63 / *unit) return invalid;
    uint64_t v = *whole * *unit;
    if (f > 0) {
        // In double, as Go computes it, so that "1.1h" rounds the same way.
        v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(*unit) / scale));
        if (v > kTwo63) return invalid;
    }
    return static_cast<int64_t>(v);
}

}  // namespace

GoParsed go_parse_duration(std::string_view s) {
    const std::string_view orig = s;
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return int64_t{0};
    const std::string invalid = "time: invalid duration " + time_quote(orig);
    if (s.empty()) return invalid;
    uint64_t total = 0;
    while (!s.empty()) {
        auto element = duration_element(s, orig);
        if (auto* e = std::get_if<std::string>(&element)) return std::move(*e);
        // Each element is at most 2^63, so the sum cannot wrap before this check.
        total += static_cast<uint64_t>(std::get<int64_t>(element));
        if (total > kTwo63) return invalid;
    }
    if (negative) return static_cast<int64_t>(~total + 1);
    if (total > kTwo63 - 1) return invalid;
    return static_cast<int64_t>(total);
}

}  // namespace colonies
