// The CLI habits of issue 19 through the real binary: tables that fit the terminal, short ids
// and id prefixes, submitted ids on stdout, clear errors for a busy port and for TLS against a
// plain server, a warning when a flag loses to the environment, shell completion, `function
// register|remove`, `executor create` and docs/workflows.md section 5 as written.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <set>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

// Display width of one line: one column per UTF-8 code point.
size_t display_width(const std::string& line) {
    size_t n = 0;
    for (unsigned char c : line) n += (c & 0xC0) != 0x80;
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// `n` processes run and closed through the SDK so that `process pss` has rows.
std::vector<std::string> successful_processes(const DevServer& dev, int n) {
    auto c = dev.client();
    const std::string key = dev.env().at("COLONIES_PRVKEY");
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
        FunctionSpec s = Fixture::simple_spec("dev", "cli", "echo");
        s.args.emplace_back("an argument that is long enough to be cut " + std::to_string(i));
        s.kwargs["key"] = "a keyword value";
        s.label = "some-label";
        c.submit(s, key).value();
        auto p = c.assign("dev", 5, key).value();
        EXPECT_TRUE(c.close_successful(p.processid, {"ok"}, key).ok());
        ids.push_back(p.processid);
    }
    return ids;
}

TEST(CliPolish, PssFitsEightyColumnsWithShortIdsThatCommandsAccept) {
    DevServer dev;
    const auto ids = successful_processes(dev, 3);
    Env narrow = dev.env();
    narrow["COLUMNS"] = "80";
    auto pss = run({"process", "pss"}, narrow, dev.dir());
    ASSERT_EQ(pss.code, 0) << pss.err;
    for (const auto& line : lines_of(pss.out)) EXPECT_LE(display_width(line), 80u) << pss.out;
    for (const auto& id : ids) {
        EXPECT_NE(pss.out.find(id.substr(0, 12)), std::string::npos) << pss.out;
        EXPECT_EQ(pss.out.find(id), std::string::npos) << pss.out;
    }
    // What matters stays: id, function, end time, executor; the keyword column went first.
    for (const char* h : {"ID", "FUNCNAME", "END TIME", "EXECUTOR NAME"})
        EXPECT_NE(pss.out.find(h), std::string::npos) << h << "\n" << pss.out;
    EXPECT_EQ(pss.out.find("KWARGS"), std::string::npos) << pss.out;

    // Unlimited (no COLUMNS, not a terminal): every column; -i: whole ids.
    auto wide = dev.run({"process", "pss", "-i"});
    EXPECT_NE(wide.out.find("KWARGS"), std::string::npos) << wide.out;
    for (const auto& id : ids) EXPECT_NE(wide.out.find(id), std::string::npos) << wide.out;

    // The short id shown is accepted wherever an id is.
    auto get = dev.run({"process", "get", "-p", ids[0].substr(0, 12), "--json"});
    ASSERT_EQ(get.code, 0) << get.err;
    EXPECT_EQ(boost::json::parse(get.out).at("processid").as_string(), ids[0]);
    auto out = dev.run({"process", "get", "-p", ids[1].substr(0, 7), "--out"});
    EXPECT_EQ(out.code, 0) << out.err;
    EXPECT_EQ(out.out, "ok\n");
}

TEST(CliPolish, AmbiguousOrUnknownPrefixesAreClearErrors) {
    DevServer dev;
    // 17 ids: two of them share their first digit.
    const auto ids = successful_processes(dev, 17);
    std::map<char, int> first;
    for (const auto& id : ids) ++first[id[0]];
    char shared = 0;
    for (const auto& [ch, n] : first)
        if (n > 1) shared = ch;
    ASSERT_NE(shared, 0);
    auto amb = dev.run({"process", "get", "-p", std::string(1, shared)});
    EXPECT_EQ(amb.code, 255);
    EXPECT_NE(amb.err.find("ambiguous process id " + std::string(1, shared)), std::string::npos)
        << amb.err;
    std::set<std::string> prefixes;
    for (const auto& id : ids) prefixes.insert(id.substr(0, 4));
    std::string unknown = "0000";
    for (int n = 0; prefixes.count(unknown); ++n) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04x", n);
        unknown = buf;
    }
    auto none = dev.run({"process", "cancel", "-p", unknown});
    EXPECT_EQ(none.code, 255);
    EXPECT_NE(none.err.find("no process id starts with " + unknown), std::string::npos) << none.err;
}

TEST(CliPolish, SubmittedIdsGoToStdout) {
    DevServer dev;
    write_file(dev.dir() + "/s.json",
               R"({"conditions": {"executortype": "cli"}, "funcname": "true"})");
    auto submit = dev.run({"function", "submit", "--spec", dev.dir() + "/s.json"});
    ASSERT_EQ(submit.code, 0) << submit.err;
    EXPECT_EQ(submit.out, field(submit.err, "ProcessId") + "\n");
    EXPECT_EQ(submit.out.size(), 65u);
    auto exec = dev.run({"function", "exec", "--func", "true", "--targettype", "cli"});
    EXPECT_EQ(exec.out, field(exec.err, "ProcessId") + "\n") << exec.err;

    write_file(dev.dir() + "/wf.json",
               R"([{"nodename": "a", "funcname": "true", "conditions": {"executortype": "cli"}}])");
    auto wf = dev.run({"workflow", "submit", "--spec", dev.dir() + "/wf.json"});
    ASSERT_EQ(wf.code, 0) << wf.err;
    EXPECT_EQ(wf.out, field(wf.err, "WorkflowID") + "\n");
}

TEST(CliPolish, WorkflowsDocSectionFiveCancelsAWaitingWorkflow) {
    DevServer dev;
    write_file(dev.dir() + "/wf.json",
               R"([{"nodename": "a", "funcname": "true", "conditions": {"executortype": "cli"}}])");
    const std::string done = dev.run({"workflow", "submit", "--spec", dev.dir() + "/wf.json"}).out;
    ASSERT_EQ(done.size(), 65u);
    auto c = dev.client();
    const std::string key = dev.env().at("COLONIES_PRVKEY");
    auto p = c.assign("dev", 5, key).value();
    ASSERT_TRUE(c.close_successful(p.processid, {}, key).ok());
    // The finished one cannot be cancelled (what section 5 used to do) ...
    auto late = dev.run({"workflow", "cancel", "--workflowid", done.substr(0, 64)});
    EXPECT_EQ(late.code, 255) << late.err;
    // ... the second one, submitted while nothing runs, can: section 5 as written now.
    const std::string wf2 = dev.run({"workflow", "submit", "--spec", dev.dir() + "/wf.json"}).out;
    ASSERT_EQ(wf2.size(), 65u);
    auto cancel = dev.run({"workflow", "cancel", "--workflowid", wf2.substr(0, 64)});
    EXPECT_EQ(cancel.code, 0) << cancel.err;
    auto psc = dev.run({"workflow", "psc"});
    EXPECT_NE(psc.out.find(wf2.substr(0, 12)), std::string::npos) << psc.out;
}

TEST(CliPolish, DevOnABusyPortFailsBeforeClaimingSuccess) {
    DevServer dev;
    const std::string other = make_temp_dir();
    auto busy = run({"dev", "--datadir", other + "/data", "--port", std::to_string(dev.port())},
                    Env{}, other);
    EXPECT_EQ(busy.code, 255) << busy.err;
    EXPECT_EQ(busy.out, "");  // no exports
    EXPECT_EQ(busy.err.find("Successfully started"), std::string::npos) << busy.err;
    EXPECT_EQ(busy.err.find("/usr/include"), std::string::npos) << busy.err;
    EXPECT_NE(busy.err.find("port " + std::to_string(dev.port()) + " on 127.0.0.1 is in use"),
              std::string::npos)
        << busy.err;
    std::filesystem::remove_all(other);
}

TEST(CliPolish, TlsAgainstAPlainServerSaysSo) {
    DevServer dev;
    Env tls = dev.env();
    tls["COLONIES_TLS"] = "true";
    auto r = run({"colony", "get"}, tls, dev.dir());
    EXPECT_EQ(r.code, 255);
    EXPECT_NE(r.err.find("plain HTTP, not TLS"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("is the server running"), std::string::npos) << r.err;
}

TEST(CliPolish, AFlagThatLosesToTheEnvironmentIsWarnedAbout) {
    DevServer dev;
    Env env = dev.env();
    env["COLONIES_SERVER_HOST"] = "127.0.0.1";
    auto r = run({"colony", "get", "--host", "localhost.invalid"}, env, dev.dir());
    EXPECT_EQ(r.code, 0) << r.err;  // the variable won, as upstream
    EXPECT_NE(r.err.find("--host is ignored: COLONIES_SERVER_HOST wins"), std::string::npos)
        << r.err;
    auto quiet = run({"colony", "get"}, env, dev.dir());
    EXPECT_EQ(quiet.err.find("ignored"), std::string::npos) << quiet.err;
}

TEST(CliPolish, BashAndZshCompletion) {
    DevServer dev;
    auto bash = dev.run({"completion", "bash"});
    ASSERT_EQ(bash.code, 0) << bash.err;
    write_file(dev.dir() + "/c.bash", bash.out);
    auto complete = [&](const std::string& words, int cword) {
        const std::string cmd = "bash -c 'source " + dev.dir() + "/c.bash; COMP_WORDS=(" + words +
                                "); COMP_CWORD=" + std::to_string(cword) +
                                "; _colonies; echo \"${COMPREPLY[*]}\"'";
        std::string out;
        if (FILE* f = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            while (size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
            ::pclose(f);
        }
        return out;
    };
    const std::string ps = complete("colonies process ps", 2);
    for (const char* w : {"ps", "psw", "pss", "psf", "psc"})
        EXPECT_NE((" " + ps).find(std::string(" ") + w), std::string::npos) << ps;
    EXPECT_EQ(ps.find("get"), std::string::npos) << ps;
    EXPECT_NE(complete("colonies server backup --o", 3).find("--output"), std::string::npos);
    EXPECT_NE(complete("colonies se", 1).find("server"), std::string::npos);
    EXPECT_NE(complete("colonies se", 1).find("security"), std::string::npos);

    auto zsh = dev.run({"completion", "zsh"});
    EXPECT_EQ(zsh.code, 0);
    EXPECT_EQ(zsh.out.rfind("#compdef colonies\n", 0), 0u) << zsh.out;
    EXPECT_NE(zsh.out.find("bashcompinit"), std::string::npos);
    EXPECT_EQ(dev.run({"completion", "fish"}).code, 1);
}

TEST(CliPolish, FunctionRegisterAndRemove) {
    DevServer dev;
    auto reg = dev.run({"function", "register", "--name", "myexecutor", "--func", "resize"});
    ASSERT_EQ(reg.code, 0) << reg.err;
    const std::string id = field(reg.err, "FunctionID");
    ASSERT_EQ(id.size(), 64u) << reg.err;
    EXPECT_EQ(reg.out, id + "\n");
    EXPECT_NE(dev.run({"function", "ls"}).out.find("resize"), std::string::npos);
    // Another executor's function is not ours to register.
    auto other = dev.run({"function", "register", "--name", "nobody", "--func", "x"});
    EXPECT_EQ(other.code, 255);
    auto rm = dev.run({"function", "remove", "--functionid", id});
    EXPECT_EQ(rm.code, 0) << rm.err;
    EXPECT_NE(rm.err.find("Function removed"), std::string::npos);
    EXPECT_EQ(dev.run({"function", "ls"}).out.find("resize"), std::string::npos);
    EXPECT_EQ(dev.run({"function", "remove", "--functionid", id}).code, 255);
}

TEST(CliPolish, ExecutorCreateWritesItsKeyAndRegisters) {
    DevServer dev;
    const std::string key = dev.dir() + "/e2.key", idp = dev.dir() + "/e2.id";
    auto r = dev.run({"executor", "create", "--name", "e2", "--type", "cli", "--approve",
                      "--keypath", key, "--idpath", idp});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("Generated Executor Id"), std::string::npos);
    const std::string prvkey = read_file(key).substr(0, 64), id = read_file(idp).substr(0, 64);
    EXPECT_EQ(Identity::from_prvkey(prvkey).id, id);
    EXPECT_EQ(field(r.err, "ExecutorID"), id);
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto ls = dev.run({"executor", "ls"});
    EXPECT_NE(ls.out.find("e2"), std::string::npos) << ls.out;
    // The new key works: it signs as an approved member.
    Env as_e2 = dev.env();
    as_e2["COLONIES_PRVKEY"] = prvkey;
    EXPECT_EQ(run({"colony", "get"}, as_e2, dev.dir()).code, 0);
    EXPECT_EQ(dev.run({"executor", "create", "--name", "e3", "--type", "cli"}).code, 1);
}

}  // namespace
}  // namespace colonies::it::cli
