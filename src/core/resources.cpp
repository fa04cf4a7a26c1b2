#include "core/resources.hpp"

#include <charconv>

namespace colonies {
namespace {

constexpr int64_t kKiB = 1024, kMiB = kKiB * kKiB, kGiB = kMiB * kKiB, kTiB = kGiB * kKiB;

// Go strconv.ParseInt(s, 10, 64): optional sign, then one or more decimal digits.
enum class IntParse { Ok, Syntax, Range };
IntParse parse_int(std::string_view s, int64_t& out) {
    std::string_view body = s;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
    if (body.empty() || body.find_first_not_of("0123456789") != std::string_view::npos)
        return IntParse::Syntax;
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() ? IntParse::Ok : IntParse::Range;
}

struct MemUnit {
    std::string_view suffix;
    int64_t factor;
};
// protocol.md 4.2, exact case (no unit is a suffix of another, so order does not matter).
// clang-format off
constexpr MemUnit kUnits[] = {
    {"Ki", kKiB}, {"KiB", kKiB}, {"Mi", kMiB}, {"MiB", kMiB}, {"Gi", kGiB}, {"GiB", kGiB},
    {"TiB", kTiB},
    {"K", 1000LL}, {"KB", 1000LL}, {"Kb", 1000LL},
    {"M", 1000000LL}, {"MB", 1000000LL}, {"Mb", 1000000LL},
    {"G", 1000000000LL}, {"Gb", 1000000000LL}, {"GB", 1000000000LL},
    {"TB", 1000000000000LL}, {"Tb", 1000000000000LL},
};
// clang-format on

Error memory_error(std::string_view num, const char* what) {
    return bad_request("error converting memory to int: strconv.ParseInt: parsing \"" +
                       std::string(num) + "\": " + what);
}

}  // namespace

Result<int64_t> parse_cpu_millis(std::string_view s) {
    if (s.empty() || s.back() != 'm') return int64_t{0};
    int64_t v = 0;
    if (parse_int(s.substr(0, s.size() - 1), v) != IntParse::Ok)
        return bad_request("Error converting CPU to int");
    return v;
}

Result<int64_t> parse_memory_bytes(std::string_view s) {
    if (s.empty()) return int64_t{0};
    std::string_view num;  // stays empty when no unit matches, like upstream
    int64_t factor = 0;
    for (const MemUnit& u : kUnits) {
        if (s.size() >= u.suffix.size() && s.substr(s.size() - u.suffix.size()) == u.suffix) {
            num = s.substr(0, s.size() - u.suffix.size());
            factor = u.factor;
            break;
        }
    }
    int64_t v = 0;
    switch (parse_int(num, v)) {
        case IntParse::Syntax:
            return memory_error(num, "invalid syntax");
        case IntParse::Range:
            return memory_error(num, "value out of range");
        case IntParse::Ok:
            break;
    }
    int64_t bytes = 0;
    if (__builtin_mul_overflow(v, factor, &bytes)) return memory_error(num, "value out of range");
    return bytes;
}

std::string format_cpu(int64_t millis) {
    return std::to_string(millis) + "m";
}
std::string format_memory(int64_t bytes) {
    return std::to_string(bytes / kMiB) + "Mi";
}

Result<SpecRequirements> normalize_function_spec(FunctionSpec& spec) {
    if (spec.priority < kMinPriority || spec.priority > kMaxPriority)
        return bad_request(
            "Failed to submit function spec, priority outside range [-50000, 50000]");
    Conditions& c = spec.conditions;
    auto cpu = parse_cpu_millis(c.cpu);
    if (!cpu) return cpu.error();
    // Canonicalise a memory string in place; returns the bytes of the canonical form, so a
    // later re-parse of the stored spec yields the same requirement.
    auto canon_mem = [](std::string& field) -> Result<int64_t> {
        auto b = parse_memory_bytes(field);
        if (!b) return b.error();
        field = format_memory(*b);
        return *b / kMiB * kMiB;
    };
    auto mem = canon_mem(c.mem);
    if (!mem) return mem.error();
    auto storage = canon_mem(c.storage);
    if (!storage) return storage.error();
    auto gpu_mem = canon_mem(c.gpu.mem);
    if (!gpu_mem) return gpu_mem.error();
    c.cpu = format_cpu(*cpu);

    if (spec.maxexectime == 0) spec.maxexectime = -1;
    if (c.executornames.size() == 1 && c.executornames[0] == "*") c.executornames.clear();
    return SpecRequirements{*cpu, *mem, *storage};
}

int64_t priority_time(int64_t submission_ns, int64_t priority) {
    return submission_ns - priority * kPriorityUnitNs;
}

}  // namespace colonies
