// GET /metrics and the request log against a real server (docs/monitoring.md): upstream's
// statistics gauges read the store's counts after a few submits, each request is counted, timed
// and (with COLONIES_VERBOSE) logged, and `colonies monitor start` exports the same gauges.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cli_support.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

// All samples of the exposition by their full name with labels (`name{labels}` -> value).
std::map<std::string, double> scrape(client::Client& c) {
    auto res = c.get_raw("/metrics");
    if (!res || res->first != 200) throw std::runtime_error("GET /metrics failed");
    std::map<std::string, double> out;
    std::istringstream lines(res->second);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

double value(const std::map<std::string, double>& m, const std::string& key) {
    auto it = m.find(key);
    if (it == m.end()) throw std::runtime_error("no sample " + key);
    return it->second;
}

int count_substr(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

class Metrics : public ::testing::Test {
  protected:
    // Two processes run (one succeeds, one fails), one waits, and a one-process workflow waits.
    void run_workload(client::Client& c) {
        Fixture::setup_dev(c);
        const auto& key = DevIdentity::executor_prvkey;
        auto spec = Fixture::simple_spec("dev", "cli", "echo");
        ASSERT_TRUE(c.submit(spec, key).ok());
        ASSERT_TRUE(c.submit(spec, key).ok());
        auto first = c.assign("dev", 2, key);
        ASSERT_TRUE(first.ok()) << first.error().message;
        ASSERT_TRUE(c.close_successful(first->processid, {}, key).ok());
        auto second = c.assign("dev", 2, key);
        ASSERT_TRUE(second.ok()) << second.error().message;
        ASSERT_TRUE(c.close_failed(second->processid, {"boom"}, key).ok());
        ASSERT_TRUE(c.submit(spec, key).ok());
        spec.nodename = "a";
        auto g = c.submit_workflow(WorkflowSpec{"dev", {spec}}, key);
        ASSERT_TRUE(g.ok()) << g.error().message;
        // An error: no such process (404), from the executor.
        EXPECT_FALSE(c.get_process(std::string(64, 'a'), key).ok());
    }
};

TEST_F(Metrics, UpstreamGaugesRequestCountsAndProcessSeries) {
    ServerProcess server(
        ServerConfig{.extra_args = {}, .extra_env = {{"COLONIES_MONITOR_INTERVAL", "0"}}});
    auto c = server.make_client();
    run_workload(c);
    const auto m = scrape(c);
    EXPECT_EQ(value(m, "colonies_server_colonies"), 1);
    EXPECT_EQ(value(m, "colonies_server_executors"), 1);
    EXPECT_EQ(value(m, "colonies_server_processes_waiting"), 2);  // one alone, one of the workflow
    EXPECT_EQ(value(m, "colonies_server_processes_running"), 0);
    EXPECT_EQ(value(m, "colonies_server_processes_successful"), 1);
    EXPECT_EQ(value(m, "colonies_server_processes_failed"), 1);
    EXPECT_EQ(value(m, "colonies_server_workflows_waiting"), 1);
    EXPECT_EQ(value(m, "colonies_server_workflows_running"), 0);
    EXPECT_EQ(value(m, "colonies_server_workflows_successful"), 0);
    EXPECT_EQ(value(m, "colonies_server_workflows_failed"), 0);

    EXPECT_EQ(value(m, "colonies_requests_total{msgtype=\"submitfuncspecmsg\"}"), 3);
    EXPECT_EQ(value(m, "colonies_requests_total{msgtype=\"assignprocessmsg\"}"), 2);
    EXPECT_EQ(value(m, "colonies_requests_total{msgtype=\"submitworkflowspecmsg\"}"), 1);
    EXPECT_EQ(value(m, "colonies_request_duration_seconds_count{msgtype=\"submitfuncspecmsg\"}"),
              3);
    EXPECT_EQ(value(m,
                    "colonies_request_duration_seconds_bucket{msgtype=\"closefailedmsg\","
                    "le=\"+Inf\"}"),
              1);
    EXPECT_GT(value(m, "colonies_request_duration_seconds_sum{msgtype=\"submitfuncspecmsg\"}"), 0);
    EXPECT_EQ(value(m, "colonies_request_errors_total{msgtype=\"getprocessmsg\",status=\"404\"}"),
              1);
    EXPECT_EQ(
        m.count("colonies_request_errors_total{msgtype=\"submitfuncspecmsg\",status=\"404\"}"), 0u);
    EXPECT_EQ(m.count("colonies_requests_total{msgtype=\"removecolonymsg\"}"), 0u);  // never sent

    // Every request committed something or read inside a transaction: commits were timed.
    EXPECT_GE(value(m, "colonies_store_commit_duration_seconds_count"), 8);
    EXPECT_EQ(value(m, "colonies_store_queued_jobs"), 0);
    EXPECT_EQ(value(m, "colonies_server_leader"), 1);
    EXPECT_GT(value(m, "process_resident_memory_bytes"), 1 << 20);
    EXPECT_GT(value(m, "process_open_fds"), 3);
    EXPECT_GT(value(m, "process_cpu_seconds_total"), 0);
    EXPECT_GT(value(m, "process_start_time_seconds"), 1.7e9);

    // The docs list every family the server exports, and the dashboard uses only those.
    // A histogram's family is its name without _bucket, _sum and _count.
    auto is_histogram = [&m](const std::string& base) {
        auto it = m.lower_bound(base + "_bucket");
        return it != m.end() && it->first.rfind(base + "_bucket", 0) == 0;
    };
    auto family_of = [&](std::string name) {
        for (const std::string sfx : {"_bucket", "_sum", "_count"})
            if (name.ends_with(sfx) && is_histogram(name.substr(0, name.size() - sfx.size())))
                return name.substr(0, name.size() - sfx.size());
        return name;
    };
    std::set<std::string> families;
    for (const auto& [key, v] : m) families.insert(family_of(key.substr(0, key.find('{'))));
    const auto doc = cli::read_file(std::string(COLONIES_SOURCE_DIR) + "/docs/monitoring.md");
    for (const auto& f : families)
        EXPECT_NE(doc.find("`" + f), std::string::npos) << f << " is not in docs/monitoring.md";
    const auto dash =
        cli::read_file(std::string(COLONIES_SOURCE_DIR) + "/docs/grafana/colonies.json");
    ASSERT_FALSE(dash.empty());
    const std::regex series(R"(\b((colonies|process)_[a-z_]+))");
    int used = 0;
    for (std::sregex_iterator it(dash.begin(), dash.end(), series), end; it != end; ++it) {
        const auto name = family_of((*it)[1].str());
        EXPECT_TRUE(families.count(name)) << name << " in the dashboard is not exported";
        ++used;
    }
    EXPECT_GT(used, 20);
}

// The statistics are counted at most once per COLONIES_MONITOR_INTERVAL: a scrape soon after
// another shows the earlier count, not a fresh scan.
TEST_F(Metrics, StatisticsAreCachedForTheMonitorInterval) {
    ServerProcess server(
        ServerConfig{.extra_args = {}, .extra_env = {{"COLONIES_MONITOR_INTERVAL", "3600"}}});
    auto c = server.make_client();
    Fixture::setup_dev(c);
    EXPECT_EQ(value(scrape(c), "colonies_server_processes_waiting"), 0);
    auto spec = Fixture::simple_spec("dev", "cli", "echo");
    ASSERT_TRUE(c.submit(spec, DevIdentity::executor_prvkey).ok());
    const auto m = scrape(c);
    EXPECT_EQ(value(m, "colonies_server_processes_waiting"), 0);
    EXPECT_EQ(value(m, "colonies_requests_total{msgtype=\"submitfuncspecmsg\"}"), 1);
}

TEST_F(Metrics, VerboseServerLogsOneLinePerRequest) {
    ServerProcess server(
        ServerConfig{.extra_args = {}, .extra_env = {{"COLONIES_VERBOSE", "true"}}});
    auto c = server.make_client();
    run_workload(c);
    std::this_thread::sleep_for(200ms);  // the last line reaches the file
    const auto log = server.log_text();
    EXPECT_EQ(count_substr(log, "msg=\"API request\" MsgType=submitfuncspecmsg "), 3) << log;
    EXPECT_EQ(count_substr(log, "MsgType=closesuccessfulmsg Caller=" +
                                    DevIdentity::executor_id.substr(0, 8) + " Status=200 "),
              1)
        << log;
    EXPECT_EQ(count_substr(log, "MsgType=getprocessmsg Caller=" +
                                    DevIdentity::executor_id.substr(0, 8) + " Status=404 "),
              1)
        << log;
    EXPECT_EQ(count_substr(log, DevIdentity::executor_prvkey), 0);
    EXPECT_EQ(count_substr(log, DevIdentity::executor_id), 0);  // only its first characters
    EXPECT_EQ(count_substr(log, "level=info msg=\"Starting Colonies server\""), 1) << log;
}

TEST_F(Metrics, NotVerboseServerLogsNoRequestLines) {
    ServerProcess server;
    auto c = server.make_client();
    run_workload(c);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(count_substr(server.log_text(), "API request"), 0);
}

TEST_F(Metrics, JsonLogLinesParse) {
    ServerProcess server(
        ServerConfig{.extra_args = {},
                     .extra_env = {{"COLONIES_VERBOSE", "true"}, {"COLONIES_LOG_FORMAT", "json"}}});
    auto c = server.make_client();
    run_workload(c);
    server.stop();
    std::istringstream lines(server.log_text());
    int requests = 0, lines_seen = 0;
    for (std::string line; std::getline(lines, line);) {
        // The harness notes each start in the same file.
        if (line.empty() || line.rfind("=== harness:", 0) == 0) continue;
        ++lines_seen;
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << line;
        ASSERT_TRUE(v.is_object()) << line;
        const auto& o = v.as_object();
        ASSERT_TRUE(o.contains("time") && o.contains("level") && o.contains("msg")) << line;
        if (o.at("msg") == "API request") {
            ++requests;
            EXPECT_EQ(o.at("level"), "debug");
            EXPECT_TRUE(o.contains("MsgType") && o.contains("Status") && o.contains("Duration"));
        }
    }
    // setup_dev's 3 requests (add colony, add and approve executor) and run_workload's 9.
    EXPECT_EQ(requests, 12);
    EXPECT_GT(lines_seen, requests);  // start and stop lines too
}

TEST_F(Metrics, MonitorStartExportsUpstreamGauges) {
    ServerProcess server;
    auto c = server.make_client();
    run_workload(c);
    const auto dir = cli::make_temp_dir();
    const int port = pick_free_port();
    cli::Env env{{"COLONIES_SERVER_HOST", "127.0.0.1"},
                 {"COLONIES_SERVER_PORT", std::to_string(server.port())},
                 {"COLONIES_TLS", "false"},
                 {"COLONIES_SERVER_PRVKEY", DevIdentity::server_prvkey},
                 {"COLONIES_MONITOR_PORT", std::to_string(port)},
                 {"COLONIES_MONITOR_INTERVAL", "1"}};
    cli::Child monitor({"monitor", "start"}, env, dir, "monitor");
    client::Options o = server.client_options();
    o.port = port;
    client::Client exporter(o);
    std::map<std::string, double> m;
    for (auto end = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < end;
         std::this_thread::sleep_for(100ms)) {
        try {
            m = scrape(exporter);
            if (m["colonies_server_colonies"] == 1) break;
        } catch (const std::exception&) {
        }
    }
    EXPECT_EQ(m["colonies_server_colonies"], 1);
    EXPECT_EQ(m["colonies_server_processes_successful"], 1);
    EXPECT_EQ(m["colonies_server_processes_failed"], 1);
    EXPECT_EQ(m["colonies_server_workflows_waiting"], 1);
    EXPECT_EQ(m.size(), 10u);  // upstream's gauges and nothing else
    // A server that goes away: the gauges read -1.
    server.stop();
    bool unknown = false;
    for (auto end = std::chrono::steady_clock::now() + 10s;
         !unknown && std::chrono::steady_clock::now() < end; std::this_thread::sleep_for(200ms))
        unknown = scrape(exporter)["colonies_server_colonies"] == -1;
    EXPECT_TRUE(unknown);
}

TEST_F(Metrics, MonitorStartNeedsItsVariables) {
    const auto dir = cli::make_temp_dir();
    auto r = cli::run({"monitor", "start"}, {{"COLONIES_MONITOR_INTERVAL", "1"}}, dir);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("COLONIES_MONITORPORT environmental variable not set"), std::string::npos)
        << r.err;
    r = cli::run({"monitor", "start"}, {{"COLONIES_MONITOR_PORT", "1"}}, dir);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("COLONIES_MONITOR_INTERVAL environmental variable not set"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace colonies::it
