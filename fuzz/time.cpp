// RFC 3339 times (core/time.hpp), in every document the server and the SDK read.
// Properties: a parsed time formats to the canonical UTC form, which parses to the same instant
// and formats to the same text; the zero time is the only instant formatted as year 0001;
// anything parse accepts has the RFC 3339 shape (and every shape check in parse holds).
// The input's first 8 bytes, when there are 8, also give an instant to format and parse back.
#include <cstdint>
#include <cstring>

#include "check.hpp"
#include "core/time.hpp"

using namespace colonies;

namespace {

void check_canonical(Time t) {
    const std::string text = format_rfc3339(t);
    FUZZ_CHECK(text.size() >= 20 && text.size() <= 30);
    FUZZ_CHECK(text.back() == 'Z' && text[10] == 'T');
    FUZZ_CHECK(text.starts_with("0001-") == t.is_zero());
    auto back = parse_rfc3339(text);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(back->ns == t.ns);
    FUZZ_CHECK(format_rfc3339(*back) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run([&] {
        const auto text = fuzz::as_text(data, size);
        if (auto t = parse_rfc3339(text)) {
            // The fixed part of the grammar: date, 'T', time, then a zone.
            FUZZ_CHECK(text.size() >= 20);
            FUZZ_CHECK(text[4] == '-' && text[7] == '-' && text[13] == ':' && text[16] == ':');
            FUZZ_CHECK(text[10] == 'T' || text[10] == 't');
            const char last = text.back();
            FUZZ_CHECK(last == 'Z' || last == 'z' || (last >= '0' && last <= '9'));
            check_canonical(*t);
            // Upper and lower case 'T' and 'Z' are the same instant.
            std::string lower(text);
            lower[10] = 't';
            if (lower.back() == 'Z') lower.back() = 'z';
            auto same = parse_rfc3339(lower);
            FUZZ_CHECK(same && same->ns == t->ns);
        }
        if (size >= 8) {
            int64_t ns;
            std::memcpy(&ns, data, sizeof ns);
            check_canonical(Time::from_ns(ns));
        }
    });
}
