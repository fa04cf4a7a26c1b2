#include "core/resources.hpp"

#include <gtest/gtest.h>

namespace colonies {
namespace {

constexpr int64_t Ki = 1024, Mi = Ki * Ki, Gi = Mi * Ki, Ti = Gi * Ki;

TEST(Resources, CpuParsing) {
    EXPECT_EQ(*parse_cpu_millis("500m"), 500);
    EXPECT_EQ(*parse_cpu_millis("0m"), 0);
    EXPECT_EQ(*parse_cpu_millis("12000m"), 12000);
    EXPECT_EQ(*parse_cpu_millis(""), 0);
    EXPECT_EQ(*parse_cpu_millis("2"), 0);     // quirk: no "m" counts as 0
    EXPECT_EQ(*parse_cpu_millis("1.5"), 0);   // also no "m"
    EXPECT_EQ(*parse_cpu_millis("500M"), 0);  // unit is case-sensitive
    for (const char* bad : {"m", "xm", "1.5m", "5mm", " 5m", "99999999999999999999m"}) {
        auto r = parse_cpu_millis(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message, "Error converting CPU to int");
    }
}

TEST(Resources, MemoryUnitTable) {
    const std::pair<const char*, int64_t> table[] = {
        {"", 0},
        {"3Ki", 3 * Ki},
        {"3KiB", 3 * Ki},
        {"3Mi", 3 * Mi},
        {"3MiB", 3 * Mi},
        {"3Gi", 3 * Gi},
        {"3GiB", 3 * Gi},
        {"3TiB", 3 * Ti},
        {"3K", 3000},
        {"3KB", 3000},
        {"3Kb", 3000},
        {"3M", 3000000},
        {"3MB", 3000000},
        {"3Mb", 3000000},
        {"3G", 3000000000},
        {"3Gb", 3000000000},
        {"3GB", 3000000000},
        {"3TB", 3000000000000},
        {"3Tb", 3000000000000},
        {"0Mi", 0},
        {"1024Mi", Gi},
    };
    for (const auto& [text, bytes] : table) {
        auto r = parse_memory_bytes(text);
        ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
        EXPECT_EQ(*r, bytes) << text;
    }
}

TEST(Resources, MemoryErrors) {
    // "Ti" is not in the spec's unit list; units are exact-case.
    for (const char* bad : {"1Ti", "1gi", "1mi", "1GIB", "1kb", "1gb", "100", "Mi", "1.5Gi", "x1Gi",
                            "1 Gi", "1B", "1Gix", "99999999999999999999Mi", "9999999999TiB"}) {
        auto r = parse_memory_bytes(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message.rfind("error converting memory to int: ", 0), 0u)
            << r.error().message;
    }
    EXPECT_EQ(parse_memory_bytes("1.5Gi").error().message,
              "error converting memory to int: strconv.ParseInt: parsing \"1.5\": invalid syntax");
    EXPECT_EQ(parse_memory_bytes("100").error().message,
              "error converting memory to int: strconv.ParseInt: parsing \"\": invalid syntax");
}

TEST(Resources, Formatting) {
    EXPECT_EQ(format_cpu(0), "0m");
    EXPECT_EQ(format_cpu(500), "500m");
    EXPECT_EQ(format_memory(0), "0Mi");
    EXPECT_EQ(format_memory(Gi), "1024Mi");
    EXPECT_EQ(format_memory(Mi - 1), "0Mi");  // integer division
    EXPECT_EQ(format_memory(3000000000), "2861Mi");
}

FunctionSpec sample_spec() {
    FunctionSpec s;
    s.conditions.cpu = "1500m";
    s.conditions.mem = "1Gi";
    s.conditions.storage = "2GB";
    s.conditions.gpu.mem = "";
    s.conditions.nodes = 3;
    s.conditions.processes = 4;
    s.conditions.processespernode = 5;
    return s;
}

TEST(Resources, NormalizeCanonicalisesResources) {
    FunctionSpec s = sample_spec();
    auto r = normalize_function_spec(s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->cpu_millis, 1500);
    EXPECT_EQ(r->mem_bytes, Gi);
    EXPECT_EQ(r->storage_bytes, 1907 * Mi);  // 2 GB rounded down to whole MiB, as stored
    EXPECT_EQ(s.conditions.cpu, "1500m");
    EXPECT_EQ(s.conditions.mem, "1024Mi");
    EXPECT_EQ(s.conditions.storage, "1907Mi");
    EXPECT_EQ(s.conditions.gpu.mem, "0Mi");
    EXPECT_EQ(s.conditions.nodes, 3);
    EXPECT_EQ(s.conditions.processes, 4);
    EXPECT_EQ(s.conditions.processespernode, 5);

    // Idempotent: normalising a stored spec yields the same strings and requirements.
    FunctionSpec again = s;
    auto r2 = normalize_function_spec(again);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->mem_bytes, r->mem_bytes);
    EXPECT_EQ(r2->storage_bytes, r->storage_bytes);
    EXPECT_EQ(again.conditions.storage, s.conditions.storage);
}

TEST(Resources, NormalizeEmptyAndQuirkyCpu) {
    FunctionSpec s;
    s.conditions.cpu = "2";
    ASSERT_TRUE(normalize_function_spec(s).ok());
    EXPECT_EQ(s.conditions.cpu, "0m");
    EXPECT_EQ(s.conditions.mem, "0Mi");
    EXPECT_EQ(s.conditions.storage, "0Mi");
    EXPECT_EQ(s.conditions.gpu.mem, "0Mi");
}

TEST(Resources, NormalizeMaxExecTimeAndExecutorNames) {
    FunctionSpec s;
    s.maxexectime = 0;
    s.maxwaittime = 0;
    s.maxretries = 0;
    s.conditions.executornames = {"*"};
    s.conditions.executornames_null = false;
    ASSERT_TRUE(normalize_function_spec(s).ok());
    EXPECT_EQ(s.maxexectime, -1);
    EXPECT_EQ(s.maxwaittime, 0);
    EXPECT_EQ(s.maxretries, 0);
    EXPECT_TRUE(s.conditions.executornames.empty());
    EXPECT_FALSE(s.conditions.executornames_null);  // echoed as []

    FunctionSpec t;
    t.maxexectime = 30;
    t.conditions.executornames = {"a", "*"};
    ASSERT_TRUE(normalize_function_spec(t).ok());
    EXPECT_EQ(t.maxexectime, 30);
    EXPECT_EQ(t.conditions.executornames, (std::vector<std::string>{"a", "*"}));
}

TEST(Resources, NormalizeErrors) {
    const std::string range_msg =
        "Failed to submit function spec, priority outside range [-50000, 50000]";
    for (int64_t p : {-50001LL, 50001LL, 1LL << 40}) {
        FunctionSpec s;
        s.priority = p;
        auto r = normalize_function_spec(s);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message, range_msg);
    }
    for (int64_t p : {-50000LL, 0LL, 50000LL}) {
        FunctionSpec s;
        s.priority = p;
        EXPECT_TRUE(normalize_function_spec(s).ok()) << p;
    }
    auto fails_with = [](auto mutate, const std::string& prefix) {
        FunctionSpec s;
        mutate(s);
        auto r = normalize_function_spec(s);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message.rfind(prefix, 0), 0u) << r.error().message;
    };
    fails_with([](FunctionSpec& s) { s.conditions.cpu = "m"; }, "Error converting CPU to int");
    fails_with([](FunctionSpec& s) { s.conditions.mem = "1Ti"; }, "error converting memory");
    fails_with([](FunctionSpec& s) { s.conditions.storage = "10"; }, "error converting memory");
    fails_with([](FunctionSpec& s) { s.conditions.gpu.mem = "lots"; }, "error converting memory");
}

TEST(Resources, PriorityTime) {
    const int64_t day = 86400LL * 1000000000LL;
    const int64_t now = 1735787045123456789LL;
    EXPECT_EQ(priority_time(now, 0), now);
    EXPECT_EQ(priority_time(now, 1), now - day);
    EXPECT_EQ(priority_time(now, -2), now + 2 * day);
    EXPECT_EQ(priority_time(now, 50000), now - 50000 * day);
    EXPECT_EQ(priority_time(now, -50000), now + 50000 * day);  // stays within int64
    // A priority-1 process submitted now is served before a priority-0 one from 23 h ago.
    EXPECT_LT(priority_time(now, 1), priority_time(now - 23 * 3600 * 1000000000LL, 0));
}

}  // namespace
}  // namespace colonies
