// The /metrics exposition text (server/metrics.hpp).
#include "server/metrics.hpp"

#include "server/dispatcher.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace colonies::server {
namespace {

TEST(Metrics, EveryMetricHasHelpTypeAndOneSample) {
    auto text = render_metrics(Gauges{3, 2, 7, 11, 5});
    EXPECT_NE(text.find("# TYPE colonies_subscriptions gauge\ncolonies_subscriptions 3\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_assign_waiters gauge\ncolonies_assign_waiters 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_open_connections gauge\ncolonies_open_connections 7\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_signature_cache_hits_total counter\n"
                        "colonies_signature_cache_hits_total 11\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_channel_subscriptions gauge\n"
                        "colonies_channel_subscriptions 5\n"),
              std::string::npos)
        << text;
    // The exposition format: comment lines, or `name value`; the text ends with a newline.
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    std::istringstream lines(text);
    int samples = 0, helps = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# HELP colonies_", 0) == 0) ++helps;
        if (line[0] == '#') continue;
        auto space = line.find(' ');
        ASSERT_NE(space, std::string::npos) << line;
        EXPECT_EQ(line.find(' ', space + 1), std::string::npos) << line;
        ++samples;
    }
    EXPECT_EQ(samples, 5);
    EXPECT_EQ(helps, 5);
}

// Checks the text exposition format as Prometheus parses it: each family's HELP and TYPE once and
// before its samples, every sample `name{labels} value` of a declared family (histograms add
// _bucket, _sum and _count), values that parse as numbers. Returns the samples.
std::map<std::string, double> parse_exposition(const std::string& text) {
    std::map<std::string, std::string> types;
    std::set<std::string> helps;
    std::map<std::string, double> samples;
    EXPECT_EQ(text.back(), '\n');
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_FALSE(line.empty());
        if (line.rfind("# HELP ", 0) == 0) {
            auto name = line.substr(7, line.find(' ', 7) - 7);
            EXPECT_TRUE(helps.insert(name).second) << "second HELP for " << name;
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            auto rest = line.substr(7);
            auto name = rest.substr(0, rest.find(' '));
            EXPECT_TRUE(helps.count(name)) << "TYPE before HELP: " << line;
            EXPECT_TRUE(types.emplace(name, rest.substr(rest.find(' ') + 1)).second) << line;
            continue;
        }
        EXPECT_NE(line[0], '#') << line;
        const auto space = line.rfind(' ');
        const auto key = line.substr(0, space);
        auto name = key.substr(0, key.find('{'));
        if (!types.count(name)) {
            for (const char* suffix : {"_bucket", "_sum", "_count"}) {
                const std::string sfx = suffix;
                if (name.size() > sfx.size() && name.ends_with(sfx) &&
                    types[name.substr(0, name.size() - sfx.size())] == "histogram")
                    name = name.substr(0, name.size() - sfx.size());
            }
        }
        EXPECT_TRUE(types.count(name)) << "sample of an undeclared family: " << line;
        if (key.find('{') != std::string::npos) {
            EXPECT_EQ(key.back(), '}') << line;
        }
        const auto v = line.substr(space + 1);
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        EXPECT_EQ(*end, '\0') << "bad value: " << line;
        EXPECT_TRUE(samples.emplace(key, d).second) << "duplicate sample: " << line;
    }
    return samples;
}

TEST(Histogram, BucketsByUpperBoundInclusive) {
    Histogram h;
    h.observe(std::chrono::microseconds(250));  // exactly the first bound
    h.observe(std::chrono::microseconds(251));  // the second bucket
    h.observe(std::chrono::nanoseconds(-5));    // clock noise counts as zero
    h.observe(std::chrono::seconds(3600));      // past the last bound
    const auto s = h.snapshot();
    EXPECT_EQ(s.count, 4u);
    EXPECT_EQ(s.buckets[0], 2u);
    EXPECT_EQ(s.buckets[1], 1u);
    EXPECT_EQ(s.buckets.back(), 1u);
    EXPECT_NEAR(s.sum_seconds, 3600.000501, 1e-9);
}

TEST(Metrics, HistogramIsCumulativeWithLabelsAndInf) {
    Histogram h;
    h.observe(std::chrono::microseconds(900));  // le 0.001
    h.observe(std::chrono::milliseconds(20));   // le 0.025
    h.observe(std::chrono::milliseconds(20));
    std::string out;
    render_histogram(out, "x_seconds", "Help.", {{"msgtype=\"a\"", h.snapshot()}, {"", {}}});
    const auto m = parse_exposition(out);
    EXPECT_EQ(m.at("x_seconds_bucket{msgtype=\"a\",le=\"0.0005\"}"), 0);
    EXPECT_EQ(m.at("x_seconds_bucket{msgtype=\"a\",le=\"0.001\"}"), 1);
    EXPECT_EQ(m.at("x_seconds_bucket{msgtype=\"a\",le=\"0.01\"}"), 1);
    EXPECT_EQ(m.at("x_seconds_bucket{msgtype=\"a\",le=\"0.025\"}"), 3);
    EXPECT_EQ(m.at("x_seconds_bucket{msgtype=\"a\",le=\"60\"}"), 3);
    EXPECT_EQ(m.at("x_seconds_bucket{msgtype=\"a\",le=\"+Inf\"}"), 3);
    EXPECT_EQ(m.at("x_seconds_count{msgtype=\"a\"}"), 3);
    EXPECT_NEAR(m.at("x_seconds_sum{msgtype=\"a\"}"), 0.0409, 1e-12);
    // A series without labels.
    EXPECT_EQ(m.at("x_seconds_bucket{le=\"+Inf\"}"), 0);
    EXPECT_EQ(m.at("x_seconds_count"), 0);
    EXPECT_NE(out.find("# TYPE x_seconds histogram\n"), std::string::npos);
}

TEST(Metrics, UpstreamStatisticsGaugesWithTheirNamesAndHelp) {
    Statistics st;
    st.colonies = 2;
    st.executors = 3;
    st.waitingprocesses = 4;
    st.runningprocesses = 5;
    st.successfulprocesses = 6;
    st.failedprocesses = 7;
    st.cancelledprocesses = 99;  // not one of upstream's gauges
    st.waitingworkflows = 8;
    st.runningworkflows = 9;
    st.successfulworkflows = 10;
    st.failedworkflows = 11;
    std::string out;
    render_statistics(out, st);
    const auto m = parse_exposition(out);
    const std::map<std::string, double> want{{"colonies_server_colonies", 2},
                                             {"colonies_server_executors", 3},
                                             {"colonies_server_processes_waiting", 4},
                                             {"colonies_server_processes_running", 5},
                                             {"colonies_server_processes_successful", 6},
                                             {"colonies_server_processes_failed", 7},
                                             {"colonies_server_workflows_waiting", 8},
                                             {"colonies_server_workflows_running", 9},
                                             {"colonies_server_workflows_successful", 10},
                                             {"colonies_server_workflows_failed", 11}};
    EXPECT_EQ(m, want);
    EXPECT_NE(out.find("# HELP colonies_server_colonies Number of colonies\n"
                       "# TYPE colonies_server_colonies gauge\n"),
              std::string::npos);
    EXPECT_NE(out.find("# HELP colonies_server_processes_waiting Number of waiting processes\n"),
              std::string::npos);
    EXPECT_NE(out.find("# HELP colonies_server_workflows_failed Number of failed workflows\n"),
              std::string::npos);

    std::string unknown;
    render_statistics(unknown, std::nullopt);
    for (const auto& [name, v] : parse_exposition(unknown)) EXPECT_EQ(v, -1) << name;
}

TEST(Metrics, RequestsCountedByTypeAndErrorsByStatus) {
    RequestMetrics r({"submitfuncspecmsg", "getprocessmsg", "removecolonymsg"});
    ASSERT_EQ(r.slot_count(), 4u);
    EXPECT_EQ(r.name(r.invalid_slot()), "invalid");
    r.record(0, 200, std::chrono::milliseconds(3));
    r.record(0, 200, std::chrono::milliseconds(4));
    r.record(1, 404, std::chrono::microseconds(100));
    r.record(1, 418, std::chrono::microseconds(100));   // a status not listed: "other"
    r.record(99, 403, std::chrono::microseconds(100));  // a slot out of range: "invalid"
    std::string out;
    r.render(out);
    const auto m = parse_exposition(out);
    EXPECT_EQ(m.at("colonies_requests_total{msgtype=\"submitfuncspecmsg\"}"), 2);
    EXPECT_EQ(m.at("colonies_requests_total{msgtype=\"getprocessmsg\"}"), 2);
    EXPECT_EQ(m.at("colonies_requests_total{msgtype=\"invalid\"}"), 1);
    EXPECT_EQ(m.count("colonies_requests_total{msgtype=\"removecolonymsg\"}"), 0u);
    EXPECT_EQ(m.at("colonies_request_errors_total{msgtype=\"getprocessmsg\",status=\"404\"}"), 1);
    EXPECT_EQ(m.at("colonies_request_errors_total{msgtype=\"getprocessmsg\",status=\"other\"}"), 1);
    EXPECT_EQ(m.at("colonies_request_errors_total{msgtype=\"invalid\",status=\"403\"}"), 1);
    EXPECT_EQ(m.count("colonies_request_errors_total{msgtype=\"submitfuncspecmsg\","
                      "status=\"404\"}"),
              0u);
    EXPECT_EQ(m.at("colonies_request_duration_seconds_count{msgtype=\"submitfuncspecmsg\"}"), 2);
    EXPECT_EQ(m.at("colonies_request_duration_seconds_bucket{msgtype=\"submitfuncspecmsg\","
                   "le=\"0.0025\"}"),
              0);
    EXPECT_EQ(m.at("colonies_request_duration_seconds_bucket{msgtype=\"submitfuncspecmsg\","
                   "le=\"0.005\"}"),
              2);
    EXPECT_NEAR(m.at("colonies_request_duration_seconds_sum{msgtype=\"submitfuncspecmsg\"}"), 0.007,
                1e-12);
}

TEST(Metrics, LabelValuesAreEscaped) {
    EXPECT_EQ(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(label_value("plain"), "plain");
}

TEST(Metrics, ProcessSeriesFromProc) {
    const auto p = read_process_stats();
    ASSERT_TRUE(p.ok);
    EXPECT_GT(p.resident_bytes, 1 << 20);
    EXPECT_GE(p.virtual_bytes, p.resident_bytes);
    EXPECT_GE(p.open_fds, 3);  // stdin, stdout, stderr at least
    EXPECT_GT(p.max_fds, 0);
    EXPECT_GE(p.threads, 1);
    EXPECT_GE(p.cpu_seconds, 0);
    const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
    EXPECT_LE(p.start_time_seconds, now + 1);
    EXPECT_GT(p.start_time_seconds, now - 24 * 3600);  // a test process started today
    std::string out;
    render_process(out, p);
    const auto m = parse_exposition(out);
    EXPECT_EQ(m.at("process_resident_memory_bytes"), static_cast<double>(p.resident_bytes));
    EXPECT_EQ(m.at("process_open_fds"), static_cast<double>(p.open_fds));
    EXPECT_NE(out.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
    std::string none;
    render_process(none, ProcessStats{});
    EXPECT_TRUE(none.empty());
}

TEST(Metrics, WholeExpositionIsWellFormed) {
    std::string out = render_metrics(Gauges{1, 2, 3, 4, 5});
    render_statistics(out, Statistics{});
    RequestMetrics r(request_slot_names());
    r.record(0, 200, std::chrono::milliseconds(1));
    r.render(out);
    render_gauge(out, "colonies_store_queued_jobs", "Queue.", 0);
    render_process(out, read_process_stats());
    const auto m = parse_exposition(out);
    EXPECT_GT(m.size(), 40u);
}

TEST(Metrics, OneRequestSlotPerMessageType) {
    const auto names = request_slot_names();
    const std::set<std::string> unique(names.begin(), names.end());
    EXPECT_EQ(unique.size(), names.size());
    EXPECT_TRUE(unique.count("versionmsg"));
    EXPECT_TRUE(unique.count("getserverinfomsg"));
    EXPECT_TRUE(unique.count("assignprocessmsg"));
    EXPECT_FALSE(unique.count("invalid"));  // RequestMetrics adds it
}

}  // namespace
}  // namespace colonies::server
