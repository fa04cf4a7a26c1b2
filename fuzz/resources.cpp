// Resource strings (core/resources.hpp): the cpu, memory, storage and gpu.mem conditions of
// every submitted function spec. The input is split at newlines into cpu, mem, storage, gpu.mem
// and a priority.
// Properties: a cpu or memory string either parses or fails with 400 and the upstream message;
// formatted values parse back (cpu exactly, memory to whole MiB); a spec that normalises
// normalises again to itself with the same requirements, and its priority time is defined.
#include <charconv>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "core/resources.hpp"

using namespace colonies;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

void check_cpu(std::string_view s) {
    auto v = parse_cpu_millis(s);
    if (!v) {
        FUZZ_CHECK(v.error().status == 400 && v.error().message == "Error converting CPU to int");
        return;
    }
    auto back = parse_cpu_millis(format_cpu(*v));
    FUZZ_CHECK(back && *back == *v);
}

void check_memory(std::string_view s) {
    auto v = parse_memory_bytes(s);
    if (!v) {
        FUZZ_CHECK(v.error().status == 400);
        FUZZ_CHECK(v.error().message.starts_with("error converting memory to int: "));
        return;
    }
    auto back = parse_memory_bytes(format_memory(*v));
    FUZZ_CHECK(back && *back == *v / kMiB * kMiB);
}

void check_spec(const std::vector<std::string_view>& parts) {
    FunctionSpec spec;
    spec.conditions.cpu = parts[0];
    spec.conditions.mem = parts[1];
    spec.conditions.storage = parts[2];
    spec.conditions.gpu.mem = parts[3];
    std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), spec.priority);
    auto req = normalize_function_spec(spec);
    if (!req) return;
    FUZZ_CHECK(spec.priority >= kMinPriority && spec.priority <= kMaxPriority);
    FunctionSpec again = spec;
    auto req2 = normalize_function_spec(again);
    FUZZ_CHECK(req2.ok());
    FUZZ_CHECK(again.conditions.cpu == spec.conditions.cpu);
    FUZZ_CHECK(again.conditions.mem == spec.conditions.mem);
    FUZZ_CHECK(again.conditions.storage == spec.conditions.storage);
    FUZZ_CHECK(again.conditions.gpu.mem == spec.conditions.gpu.mem);
    FUZZ_CHECK(req2->cpu_millis == req->cpu_millis && req2->mem_bytes == req->mem_bytes &&
               req2->storage_bytes == req->storage_bytes);
    // A submission up to the year 2100 with an accepted priority: UBSan flags an overflow.
    constexpr int64_t kYear2100Ns = 4102444800LL * 1000000000LL;
    FUZZ_CHECK(priority_time(kYear2100Ns, spec.priority) ==
               kYear2100Ns - spec.priority * kPriorityUnitNs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run([&] {
        std::string_view text = fuzz::as_text(data, size);
        std::vector<std::string_view> parts;
        while (parts.size() < 4) {
            auto nl = text.find('\n');
            parts.push_back(text.substr(0, nl));
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        }
        parts.push_back(text);
        for (size_t i = 0; i < 4; ++i) {
            check_cpu(parts[i]);
            check_memory(parts[i]);
        }
        check_spec(parts);
    });
}
