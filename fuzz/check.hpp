// Property checks for the fuzz targets: a failed check prints what broke and aborts, which
// libFuzzer reports as a crash with the input saved (scripts/fuzz.sh prints it).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                    \
        }                                                                                    \
    } while (0)

namespace colonies::fuzz {

// Runs one input; an exception escaping the code under test is a finding (the server would
// answer it with a dropped connection or a 500, not a decoder message).
template <class F>
int run(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "exception escaped: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "non-std exception escaped\n");
        std::abort();
    }
    return 0;
}

inline std::string_view as_text(const unsigned char* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace colonies::fuzz
