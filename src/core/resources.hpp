// Resource strings of protocol.md 4.2 and the normalisation applied to a FunctionSpec before it
// is stored (6.2, 6.6 quirk). Pure functions.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/types.hpp"

namespace colonies {

// "500m" -> 500; "" -> 0; "2" (no m) -> 0; "m"/"xm" -> 400 "Error converting CPU to int".
Result<int64_t> parse_cpu_millis(std::string_view s);
// "1Gi" -> 1073741824 (exact-case units of 4.2 plus GB); "" -> 0;
// bad -> 400 "error converting memory to int: <detail>".
Result<int64_t> parse_memory_bytes(std::string_view s);
std::string format_cpu(int64_t millis);   // "500m"
std::string format_memory(int64_t bytes);  // "<bytes/1048576>Mi"

// What the scheduler needs from a spec, parsed once.
struct SpecRequirements {
    int64_t cpu_millis = 0;
    int64_t mem_bytes = 0;
    int64_t storage_bytes = 0;
};

// Normalise a spec for storage: maxexectime 0 -> -1 (documented deviation), executornames
// ["*"] -> any (empty), cpu/mem/storage/gpu.mem strings re-rendered canonically. Checks the
// priority range (400 "Failed to submit function spec, priority outside range [-50000, 50000]")
// and resource strings (400 as above).
Result<SpecRequirements> normalize_function_spec(FunctionSpec& spec);

// prioritytime = submission_ns - priority * 1 day in ns (protocol.md 6.5).
int64_t priority_time(int64_t submission_ns, int64_t priority);

}  // namespace colonies
