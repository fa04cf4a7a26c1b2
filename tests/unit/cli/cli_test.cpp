// Pure parts of the CLI and the OS executor: tables, text helpers, spec parsing errors,
// configuration precedence (cli.md 2.2), and the command line/environment of a process.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "cli/context.hpp"
#include "cli/output.hpp"
#include "cli/server_command.hpp"
#include "cli/spec_file.hpp"
#include "executors/os_executor.hpp"

namespace colonies::cli {
namespace {

TEST(Table, AlignsColumnsAndUppercasesHeaders) {
    Table t({"Name", "Type"});
    t.add_row({"a", "cli"});
    t.add_row({"longer", "x"});
    EXPECT_EQ(t.render(false, true),
              "+--------+------+\n"
              "| NAME   | TYPE |\n"
              "+--------+------+\n"
              "| a      | cli  |\n"
              "| longer | x    |\n"
              "+--------+------+\n");
}

TEST(Table, KeyValueWithTitleAndUnicodeBox) {
    KeyValueTable t("Process");
    t.add("Id", "1");
    EXPECT_EQ(t.render(false, false),
              "╭─────────╮\n"
              "│ Process │\n"
              "├────┬────┤\n"
              "│ Id │ 1  │\n"
              "╰────┴────╯\n");
    // Colour adds escapes but keeps the alignment of the plain text, also for painted cells.
    std::string coloured = t.render(true, false);
    EXPECT_NE(coloured.find("\033["), std::string::npos);
    KeyValueTable painted;
    painted.add("State", paint("Running", Colour::Blue, true));
    KeyValueTable plain;
    plain.add("State", "Running");
    auto strip = [](std::string s) {
        for (size_t p; (p = s.find('\033')) != std::string::npos;)
            s.erase(p, s.find('m', p) - p + 1);
        return s;
    };
    EXPECT_EQ(strip(painted.render(true, true)), plain.render(false, true));
}

TEST(Text, DurationsLikeGo) {
    EXPECT_EQ(duration_text(0), "0s");
    EXPECT_EQ(duration_text(9712000), "9.712ms");
    EXPECT_EQ(duration_text(62500000000), "1m2.5s");
    EXPECT_EQ(duration_text(1500), "1.5µs");
}

TEST(Text, ValuesAndTruncation) {
    EXPECT_EQ(value_text(boost::json::value("s")), "s");
    EXPECT_EQ(value_text(boost::json::value(3)), "3");
    EXPECT_EQ(value_text(boost::json::value(1.5)), "1.5");
    EXPECT_EQ(value_text(boost::json::value(true)), "true");
    EXPECT_EQ(truncate("abcdef", 3), "abc...");
    EXPECT_EQ(truncate("abc", 3), "abc");
}

TEST(Text, WrapsWordsAtTheWidth) {
    EXPECT_EQ(wrap_words("  step one   done\n", 8), (std::vector<std::string>{"step one", "done"}));
    EXPECT_EQ(wrap_words("a averyveryverylongword b", 5),
              (std::vector<std::string>{"a", "averyveryverylongword", "b"}));
    EXPECT_EQ(wrap_words("åäö åäö", 7), (std::vector<std::string>{"åäö åäö"}));  // code points
    EXPECT_TRUE(wrap_words(" \n ", 10).empty());
}

TEST(SpecFile, SyntaxErrorsNameLineAndColumn) {
    try {
        parse_json_text("{\n  \"a\": 1,\n  \"b\": ]\n}", "f.json");
        FAIL();
    } catch (const CliError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("f.json:3:", 0), 0u) << e.what();
        EXPECT_EQ(e.code, kExitError);
    }
}

TEST(Context, PrecedenceOfFlagsAndEnvironment) {
    setenv("COLONIES_SERVER_HOST", "envhost", 1);
    setenv("COLONIES_SERVER_PORT", "4000", 1);
    unsetenv("COLONIES_SERVER_HTTP_PORT");
    setenv("COLONIES_TLS", "false", 1);
    setenv("COLONIES_PRVKEY", "envkey", 1);
    Context ctx;
    ctx.host = "flaghost";
    auto o = ctx.client_options();
    EXPECT_EQ(o.host, "envhost");  // env wins for the host (upstream)
    EXPECT_EQ(o.port, 4000);
    EXPECT_FALSE(o.tls);
    ctx.port = 5000;
    EXPECT_EQ(ctx.client_options().port, 5000);  // the flag wins for the port
    EXPECT_EQ(ctx.need_prvkey(), "envkey");
    ctx.prvkey = "flagkey";
    EXPECT_EQ(ctx.need_prvkey(), "flagkey");
    setenv("COLONIES_SERVER_PORT", "nope", 1);
    ctx.port = -1;
    EXPECT_THROW(ctx.client_options(), CliError);
    unsetenv("COLONIES_SERVER_PORT");
    try {
        ctx.client_options();
        FAIL();
    } catch (const CliError& e) {
        EXPECT_EQ(e.code, kExitUsage);
    }
    unsetenv("COLONIES_TLS");
    EXPECT_TRUE(ctx.tls());  // upstream default: TLS unless --insecure
    ctx.insecure = true;
    EXPECT_FALSE(ctx.tls());
    unsetenv("COLONIES_SERVER_HOST");
    unsetenv("COLONIES_PRVKEY");
}

TEST(Context, BackendFromFlagOrClientBackendsAndItsPort) {
    setenv("COLONIES_SERVER_PORT", "4000", 1);
    setenv("COLONIES_CLIENT_BACKENDS", "coap,http", 1);
    setenv("COLONIES_SERVER_COAP_PORT", "6000", 1);
    unsetenv("COLONIES_CLIENT_COAP_PORT");
    Context ctx;
    auto o = ctx.client_options();
    EXPECT_EQ(o.backend, "coap");  // the first of the list
    EXPECT_EQ(o.backend_port, 6000);
    EXPECT_EQ(o.port, 4000);  // subscriptions keep the HTTP port
    setenv("COLONIES_CLIENT_COAP_PORT", "6001", 1);
    EXPECT_EQ(ctx.client_options().backend_port, 6001);  // the client's variable first
    ctx.backend = "grpc";
    o = ctx.client_options();
    EXPECT_EQ(o.backend, "grpc");  // the flag wins
    EXPECT_EQ(o.backend_port, 50051);
    ctx.backend = "libp2p";
    EXPECT_THROW(ctx.client_options(), CliError);
    ctx.backend = "";
    setenv("COLONIES_CLIENT_BACKENDS", "gin", 1);
    EXPECT_EQ(ctx.client_options().backend, "http");
    unsetenv("COLONIES_CLIENT_BACKENDS");
    unsetenv("COLONIES_SERVER_COAP_PORT");
    unsetenv("COLONIES_CLIENT_COAP_PORT");
    unsetenv("COLONIES_SERVER_PORT");
}

TEST(ServerOptions, BackendsListAndPorts) {
    setenv("COLONIES_SERVER_BACKENDS", " grpc , COAP", 1);
    setenv("COLONIES_SERVER_GRPC_PORT", "7051", 1);
    unsetenv("COLONIES_SERVER_COAP_PORT");
    auto o = server_options_from_env(50080);
    EXPECT_FALSE(o.serve_http);  // only what the list names
    EXPECT_TRUE(o.serve_grpc);
    EXPECT_TRUE(o.serve_coap);
    EXPECT_EQ(o.grpc_port, 7051);
    EXPECT_EQ(o.coap_port, 5683);
    setenv("COLONIES_SERVER_BACKENDS", "http,libp2p", 1);
    EXPECT_THROW(server_options_from_env(50080), CliError);
    setenv("COLONIES_SERVER_BACKENDS", "http,grpc", 1);
    setenv("COLONIES_SERVER_GRPC_PORT", "0", 1);
    EXPECT_THROW(server_options_from_env(50080), CliError);
    unsetenv("COLONIES_SERVER_BACKENDS");
    unsetenv("COLONIES_SERVER_GRPC_PORT");
    o = server_options_from_env(50080);
    EXPECT_TRUE(o.serve_http);
    EXPECT_FALSE(o.serve_grpc || o.serve_coap);
}

TEST(OsExecutor, CommandLineIsFuncnameAndArgs) {
    FunctionSpec s;
    s.funcname = "echo";
    s.args = {"hello world", 3, 1.5, true};
    EXPECT_EQ(executors::command_line(s), "echo hello world 3 1.5 true");
}

TEST(OsExecutor, EnvironmentDropsOwnerKeysAndAddsProcessVariables) {
    Process p;
    p.processid = "pid";
    p.spec.env = {{"A", "spec"}, {"COLONIES_PROCESS_ID", "spoofed"}};
    executors::OsExecutorOptions o;
    o.colony = "dev";
    o.server.host = "h";
    o.server.port = 7;
    o.executor_prvkey = "k";
    o.name = "n";
    o.type = "t";
    auto env = executors::command_env(
        {"PATH=/bin", "A=base", "COLONIES_COLONY_PRVKEY=secret", "COLONIES_SERVER_PRVKEY=secret"},
        p, o, "eid");
    auto has = [&](const std::string& kv) {
        return std::find(env.begin(), env.end(), kv) != env.end();
    };
    EXPECT_TRUE(has("PATH=/bin"));
    EXPECT_TRUE(has("A=spec"));
    EXPECT_TRUE(has("COLONIES_PROCESS_ID=pid"));
    EXPECT_TRUE(has("COLONIES_PRVKEY=k"));
    EXPECT_TRUE(has("COLONIES_EXECUTOR_ID=eid"));
    EXPECT_TRUE(has("COLONIES_SERVER_PORT=7"));
    for (const auto& kv : env) EXPECT_EQ(kv.find("secret"), std::string::npos) << kv;
}

}  // namespace
}  // namespace colonies::cli

namespace colonies::cli {
namespace {

std::string failure_text(const Error& e) {
    try {
        fail(e);
    } catch (const CliError& c) {
        return c.what();
    }
    return "";
}

// The hint only where no connection could be made: after a reset, a timeout or a TLS failure
// the server was there.
TEST(Fail, AsksWhetherTheServerRunsOnlyWhenItCouldNotBeReached) {
    const std::string hint = " (is the server running?)";
    EXPECT_EQ(failure_text(Error(ErrorKind::Unreachable, "cannot reach server at h:1: x")),
              "cannot reach server at h:1: x" + hint);
    for (ErrorKind k : {ErrorKind::Transport, ErrorKind::Timeout, ErrorKind::NotFound,
                        ErrorKind::Unauthorised, ErrorKind::Internal})
        EXPECT_EQ(failure_text(Error(k, "m")), "m");
    EXPECT_EQ(failure_text(Error(ErrorKind::Transport, "server at h:1: TLS handshake failed: y")),
              "server at h:1: TLS handshake failed: y");
}

}  // namespace
}  // namespace colonies::cli
