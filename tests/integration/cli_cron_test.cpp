// `colonies cron ...` through the real binary: the example of docs/crons-and-generators.md, run
// as written (its JSON file and its commands are read from the document), then the JSON output
// and the errors.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

const std::string kDoc = std::string(COLONIES_SOURCE_DIR) + "/docs/crons-and-generators.md";

// The "## Crons" section of the document.
std::string crons_section() {
    const std::string doc = read_file(kDoc);
    auto start = doc.find("\n## Crons");
    auto end = doc.find("\n## ", start + 1);
    EXPECT_NE(start, std::string::npos) << kDoc;
    return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The body of the first ```<lang> block after `after`.
std::string block(const std::string& text, const std::string& lang, const std::string& after) {
    auto at = text.find(after);
    auto open = text.find("```" + lang + "\n", at == std::string::npos ? 0 : at);
    if (open == std::string::npos) return "";
    open += 4 + lang.size();
    return text.substr(open, text.find("```", open) - open);
}

// A command line split as a shell would (double quotes only), without the leading "colonies".
std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false, any = false;
    for (char ch : line) {
        if (ch == '"') {
            quoted = !quoted;
            any = true;
        } else if (ch == ' ' && !quoted) {
            if (any) out.push_back(cur);
            cur.clear();
            any = false;
        } else {
            cur += ch;
            any = true;
        }
    }
    if (any) out.push_back(cur);
    if (!out.empty() && out[0] == "colonies") out.erase(out.begin());
    return out;
}

TEST(CliCron, TheDocumentedExampleRunsAsWritten) {
    DevServer dev;
    const std::string section = crons_section();
    const std::string json = block(section, "json", "`tick.json`");
    ASSERT_FALSE(json.empty());
    write_file(dev.dir() + "/tick.json", json);
    const std::string commands = block(section, "sh", "### Example");
    ASSERT_FALSE(commands.empty());

    std::string cronid;
    std::istringstream lines(commands);
    int ran = 0;
    for (std::string line; std::getline(lines, line);) {
        auto args = words(line);
        if (args.empty()) continue;
        for (auto& a : args) {
            if (a == "<cronid>") a = cronid;
            if (a == "tick.json") a = dev.dir() + "/tick.json";
        }
        auto r = dev.run(args);
        ASSERT_EQ(r.code, 0) << line << "\n" << r.out << r.err;
        ++ran;
        const std::string cmd = args[0] + " " + args[1];
        if (cmd == "cron add") {
            cronid = field(r.err, "CronID");
            ASSERT_EQ(cronid.size(), 64u) << r.err;
            EXPECT_NE(r.err.find("Waiting for previous processgraph to finish"), std::string::npos);
        } else if (cmd == "cron ls") {
            EXPECT_NE(r.out.find(cronid), std::string::npos) << r.out;
            EXPECT_NE(r.out.find("tick"), std::string::npos);
        } else if (cmd == "cron get") {
            for (const char* key : {"CronId", "0/5 * * * * *", "NextRun", "CheckerPeriod", "1000",
                                    "Function Specification", "echo"})
                EXPECT_NE(r.out.find(key), std::string::npos) << key << "\n" << r.out;
        } else if (cmd == "cron run") {
            EXPECT_NE(r.err.find("Running cron"), std::string::npos) << r.err;
        } else if (cmd == "workflow psw") {
            EXPECT_NE(r.out.find("WORKFLOWID"), std::string::npos) << r.out;
        } else if (cmd == "cron remove") {
            auto ls = dev.run({"cron", "ls"});
            EXPECT_EQ(ls.code, 0);
            EXPECT_NE(ls.err.find("No crons found"), std::string::npos) << ls.err;
        }
    }
    EXPECT_EQ(ran, 6);
    // `cron run` started one workflow; with --waitprevious and nobody to run it, no second
    // one started before the cron was removed.
    auto c = dev.client();
    auto graphs =
        c.call("getprocessgraphsmsg", {{"colonyname", "dev"}, {"count", 10}, {"state", 0}},
               dev.env().at("COLONIES_PRVKEY"));
    ASSERT_TRUE(graphs.ok()) << graphs.error().message;
    EXPECT_EQ(graphs->as_array().size(), 1u);
}

TEST(CliCron, JsonOutputAndErrors) {
    DevServer dev;
    write_file(dev.dir() + "/wf.json",
               R"([{"nodename": "a", "funcname": "echo", "conditions": {"executortype": "cli"}}])");
    auto add = dev.run({"cron", "add", "--name", "hourly", "--spec", dev.dir() + "/wf.json",
                        "--interval", "3600", "--random", "--json"});
    ASSERT_EQ(add.code, 0) << add.err;
    auto v = boost::json::parse(add.out).as_object();
    const std::string id(v.at("cronid").as_string());
    EXPECT_EQ(v.at("interval").as_int64(), 3600);
    EXPECT_TRUE(v.at("random").as_bool());
    EXPECT_EQ(v.at("colonyname").as_string(), "dev");
    // The stored workflow is the file wrapped as a WorkflowSpec of the colony.
    auto wf = boost::json::parse(v.at("workflowspec").as_string()).as_object();
    EXPECT_EQ(wf.at("colonyname").as_string(), "dev");
    EXPECT_EQ(wf.at("functionspecs").as_array().size(), 1u);

    auto get = dev.run({"cron", "get", "--cronid", id, "--json"});
    ASSERT_EQ(get.code, 0) << get.err;
    EXPECT_EQ(boost::json::parse(get.out).as_object().at("checkerperiod").as_int64(), 1000);
    auto ls = dev.run({"cron", "ls", "--json"});
    ASSERT_EQ(ls.code, 0) << ls.err;
    EXPECT_EQ(boost::json::parse(ls.out).as_array().size(), 1u);

    // Server validation errors are shown as errors.
    auto dup = dev.run(
        {"cron", "add", "--name", "hourly", "--spec", dev.dir() + "/wf.json", "--interval", "5"});
    EXPECT_EQ(dup.code, 255);
    EXPECT_NE(dup.err.find("Cron with name <hourly> in Colony <dev> already exists"),
              std::string::npos)
        << dup.err;
    auto bad = dev.run(
        {"cron", "add", "--name", "bad", "--spec", dev.dir() + "/wf.json", "--cron", "* * *"});
    EXPECT_EQ(bad.code, 255);
    EXPECT_NE(bad.err.find("expected exactly 6 fields, found 3"), std::string::npos) << bad.err;
    auto zero = dev.run(
        {"cron", "add", "--name", "z", "--spec", dev.dir() + "/wf.json", "--interval", "0"});
    EXPECT_EQ(zero.code, 255);
    EXPECT_NE(zero.err.find("Cron interval must be -1 (disabled) or larger than 0"),
              std::string::npos);
    auto missing = dev.run({"cron", "get", "--cronid", std::string(64, '0')});
    EXPECT_EQ(missing.code, 255);
    EXPECT_NE(missing.err.find("Failed to get cron, cron is nil"), std::string::npos);
    auto usage = dev.run({"cron", "add", "--name", "x"});
    EXPECT_EQ(usage.code, 1);
    EXPECT_NE(usage.err.find("spec"), std::string::npos) << usage.err;
}

}  // namespace
}  // namespace colonies::it::cli
