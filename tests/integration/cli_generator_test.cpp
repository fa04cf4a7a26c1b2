// The generator walk of docs/crons-and-generators.md through the real binary against
// `colonies dev`: the workflow file and every command are taken from the document (the test
// fails when the document no longer contains them), then run as a user would.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

// __FILE__ is relative to the build directory (the compiler's working directory), which is the
// parent of this binary's directory.
std::string doc_text() {
    std::filesystem::path source(__FILE__);
    if (source.is_relative())
        source =
            std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / source;
    const auto root = source.parent_path().parent_path().parent_path();
    return read_file((root / "docs" / "crons-and-generators.md").string());
}

// The exact file of the document.
const char* kBatch = R"([
  {
    "nodename": "collect",
    "funcname": "echo",
    "conditions": {"executortype": "cli", "dependencies": []}
  },
  {
    "nodename": "report",
    "funcname": "echo",
    "args": ["done"],
    "conditions": {"executortype": "cli", "dependencies": ["collect"]}
  }
]
)";

boost::json::value json_of(const RunResult& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.out;
    return v;
}

// The `args` of the "collect" process of every waiting workflow, oldest first.
std::vector<boost::json::array> collect_args(const DevServer& dev) {
    std::vector<std::pair<std::string, boost::json::array>> found;
    auto graphs = json_of(dev.run({"workflow", "psw", "--json"}));
    if (!graphs.is_array()) return {};
    for (const auto& g : graphs.get_array()) {
        for (const auto& pid : g.at("processids").as_array()) {
            auto p =
                json_of(dev.run({"process", "get", "-p", std::string(pid.as_string()), "--json"}));
            if (p.at("spec").at("nodename").as_string() != "collect") continue;
            found.emplace_back(std::string(p.at("submissiontime").as_string()),
                               p.at("spec").at("args").as_array());
        }
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<boost::json::array> out;
    for (auto& f : found) out.push_back(f.second);
    return out;
}

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(200ms);
    }
    return cond();
}

TEST(CliGenerator, TheDocumentedWalk) {
    const std::string doc = doc_text();
    ASSERT_NE(doc.find("## Generators"), std::string::npos);
    ASSERT_NE(doc.find(std::string("```json\n") + kBatch + "```"), std::string::npos)
        << "docs/crons-and-generators.md no longer shows the tested batch.json";
    const std::vector<std::string> commands = {
        "colonies generator add --spec batch.json --name batcher --trigger 2 --timeout 10",
        "colonies generator pack --generatorid $GEN --arg img1.png",
        "colonies generator pack --generatorid $GEN --arg img2.png",
        "colonies generator pack --generatorid $GEN --arg img3.png",
        "colonies generator get --generatorid $GEN",
        "colonies generator ls",
        "colonies generator remove --generatorid $GEN"};
    for (const auto& c : commands)
        ASSERT_NE(doc.find(c), std::string::npos) << "not in the document: " << c;

    DevServer dev;
    write_file(dev.dir() + "/batch.json", kBatch);
    // The documented command lines, run in the directory of batch.json with $GEN filled in.
    std::string gen;
    auto run_doc = [&](const std::string& line) {
        std::vector<std::string> args;
        std::istringstream words(line.substr(std::string("colonies ").size()));
        for (std::string w; words >> w;) {
            if (w == "$GEN") w = gen;
            if (w == "batch.json") w = dev.dir() + "/batch.json";
            args.push_back(w);
        }
        return dev.run(args);
    };

    auto added = run_doc(commands[0]);
    ASSERT_EQ(added.code, 0) << added.err;
    EXPECT_NE(added.err.find("Generator added"), std::string::npos) << added.err;
    gen = field(added.err, "GeneratorID");
    ASSERT_EQ(gen.size(), 64u) << added.err;
    for (int i = 1; i <= 3; ++i) {
        auto packed = run_doc(commands[i]);
        ASSERT_EQ(packed.code, 0) << packed.err;
        EXPECT_NE(packed.err.find("Packing arg to generator"), std::string::npos) << packed.err;
    }
    ASSERT_TRUE(eventually([&] { return collect_args(dev).size() == 1; }, 5s));
    EXPECT_EQ(collect_args(dev)[0], (boost::json::array{"img1.png", "img2.png"}));

    auto table = run_doc(commands[4]);
    ASSERT_EQ(table.code, 0) << table.err;
    EXPECT_NE(table.out.find("QueueSize"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("Function Specification"), std::string::npos) << table.out;
    auto g = json_of(dev.run({"generator", "get", "--generatorid", gen, "--json"}));
    EXPECT_EQ(g.at("queuesize").as_int64(), 1);
    EXPECT_EQ(g.at("checkerperiod").as_int64(), 1000);
    EXPECT_EQ(g.at("name").as_string(), "batcher");

    // The timeout (10 s after the first workflow) starts the leftover alone.
    ASSERT_TRUE(eventually([&] { return collect_args(dev).size() == 2; }, 16s));
    EXPECT_EQ(collect_args(dev)[1], (boost::json::array{"img3.png"}));
    g = json_of(dev.run({"generator", "get", "--generatorid", gen, "--json"}));
    EXPECT_EQ(g.at("queuesize").as_int64(), 0);

    auto ls = run_doc(commands[5]);
    ASSERT_EQ(ls.code, 0) << ls.err;
    EXPECT_NE(ls.out.find(gen), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find("batcher"), std::string::npos) << ls.out;
    auto lsj = json_of(dev.run({"generator", "ls", "--json"}));
    ASSERT_TRUE(lsj.is_array());
    EXPECT_EQ(lsj.as_array().size(), 1u);

    auto removed = run_doc(commands[6]);
    ASSERT_EQ(removed.code, 0) << removed.err;
    EXPECT_NE(removed.err.find("Removing generator"), std::string::npos) << removed.err;
    auto gone = dev.run({"generator", "get", "--generatorid", gen});
    EXPECT_EQ(gone.code, 0);  // upstream: an error line, exit 0
    EXPECT_NE(gone.err.find("Generator not found"), std::string::npos) << gone.err;
    auto none = dev.run({"generator", "ls"});
    EXPECT_EQ(none.code, 0);
    EXPECT_NE(none.err.find("No generators found"), std::string::npos) << none.err;
    EXPECT_EQ(collect_args(dev).size(), 2u);  // started workflows stay
}

TEST(CliGenerator, AddErrors) {
    DevServer dev;
    write_file(dev.dir() + "/batch.json", kBatch);
    const std::string spec = dev.dir() + "/batch.json";
    auto unset = dev.run({"generator", "add", "--spec", spec, "--name", "x", "--trigger", "-1"});
    EXPECT_EQ(unset.code, 255);
    EXPECT_NE(unset.err.find("Generator trigger not specified"), std::string::npos) << unset.err;
    auto zero = dev.run({"generator", "add", "--spec", spec, "--name", "x", "--trigger", "0"});
    EXPECT_EQ(zero.code, 255);
    EXPECT_NE(zero.err.find("trigger must be at least 1"), std::string::npos) << zero.err;
    auto missing = dev.run({"generator", "add", "--spec", spec, "--name", "x"});
    EXPECT_EQ(missing.code, 1);  // a required flag: usage error
    auto ok =
        dev.run({"generator", "add", "--spec", spec, "--name", "x", "--trigger", "3", "--json"});
    auto g = json_of(ok);
    EXPECT_EQ(g.at("trigger").as_int64(), 3);
    EXPECT_EQ(g.at("timeout").as_int64(), -1);
    auto dup = dev.run({"generator", "add", "--spec", spec, "--name", "x", "--trigger", "3"});
    EXPECT_EQ(dup.code, 255);
    EXPECT_NE(dup.err.find("Generator with name <x> in Colony <dev> already exists"),
              std::string::npos)
        << dup.err;
}

}  // namespace
}  // namespace colonies::it::cli
