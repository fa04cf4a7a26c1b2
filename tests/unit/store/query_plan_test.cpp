// The full-scan guard: every statement of the store's catalogue is planned on a filled SQLite
// store, and none may read the whole processes table unless the catalogue says it is meant to
// (StatementInfo::scans_processes). A new statement is covered by being in the catalogue.
//
// Plans are taken with EXPLAIN QUERY PLAN on the database the store wrote, without ANALYZE (the
// store never runs it), so the planner decides as it does in production; without statistics it
// does not look at bound values, so the statements are planned unbound.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <regex>
#include <string>
#include <vector>

#include "store/sql/statements.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_dir.hpp"

using namespace colonies;
using namespace colonies::store;

namespace {

constexpr int kColonies = 3;
constexpr int kProcessesPerColony = 1200;
constexpr int kCronsPerColony = 500;

Process make_process(int colony, int i) {
    Process p;
    p.processid = "p" + std::to_string(colony) + "_" + std::to_string(i);
    p.state = static_cast<ProcessState>(i % 5);
    p.prioritytime = i;
    p.waitforparents = i % 7 == 0;
    p.starttime = Time::from_ns(i);
    p.endtime = Time::from_ns(i + 10);
    p.execdeadline = p.state == ProcessState::Running ? Time::from_ns(i + 100) : Time{};
    p.waitdeadline = p.state == ProcessState::Waiting ? Time::from_ns(i + 100) : Time{};
    p.assignedexecutorid = p.state == ProcessState::Running ? "e" + std::to_string(i % 10) : "";
    p.processgraphid =
        i % 3 == 0 ? "g" + std::to_string(colony) + "_" + std::to_string(i / 30) : "";
    p.initiatorname = "user" + std::to_string(i % 4);
    p.spec.label = i % 2 ? "even" : "odd";
    p.spec.funcname = "fn";
    auto& c = p.spec.conditions;
    c.colonyname = "colony" + std::to_string(colony);
    c.executortype = "type" + std::to_string(i % 3);
    c.cpu = "0m";
    c.mem = "0Mi";
    c.storage = "0Mi";
    return p;
}

void fill(StoreTx& tx, int colony) {
    const std::string name = "colony" + std::to_string(colony);
    tx.add_colony(Colony{"id" + name, name});
    for (int u = 0; u < 5; ++u)
        tx.add_user(User{name, "uid" + std::to_string(u), "user" + std::to_string(u), "", ""});
    for (int e = 0; e < 10; ++e) {
        Executor ex;
        ex.executorid = name + "e" + std::to_string(e);
        ex.executorname = "executor" + std::to_string(e);
        ex.executortype = "type" + std::to_string(e % 3);
        ex.colonyname = name;
        ex.state = static_cast<ExecutorState>(e % 3);
        ex.lastheardfromtime = Time::from_ns(e);
        tx.save_executor(ex);
        Function f;
        f.functionid = ex.executorid + "f";
        f.executorname = ex.executorname;
        f.colonyname = name;
        f.funcname = "fn";
        tx.add_function(f);
    }
    for (int i = 0; i < kProcessesPerColony; ++i) {
        auto p = make_process(colony, i);
        tx.save_process(p, {});
        if (i % 4 == 0)
            tx.add_attribute(Attribute{"a" + p.processid, p.processid, name, p.processgraphid,
                                       p.state, AttributeType::Out, "k", "v"});
        if (i % 2 == 0) tx.add_log(Log{p.processid, name, "executor1", "line", i});
    }
    for (int i = 0; i < kCronsPerColony; ++i) {
        Cron c;
        c.cronid = name + "cron" + std::to_string(i);
        c.colonyname = name;
        c.name = "cron" + std::to_string(i);
        c.checkat = Time::from_ns(i);
        tx.add_cron(c);
    }
    for (int g = 0; g < kProcessesPerColony / 30; ++g) {
        ProcessGraph graph;
        graph.processgraphid = "g" + std::to_string(colony) + "_" + std::to_string(g);
        graph.colonyname = name;
        graph.state = static_cast<ProcessState>(g % 5);
        graph.submissiontime = Time::from_ns(g);
        tx.save_graph(graph);
    }
}

class QueryPlan : public ::testing::Test {
  protected:
    void SetUp() override {
        auto store = open_sqlite_store({dir_.file("plan.db")});
        for (int c = 0; c < kColonies; ++c)
            ASSERT_TRUE(store->run_sync([c](StoreTx& tx) {
                fill(tx, c);
                return true;
            }));
        store.reset();  // releases the exclusive lock
        ASSERT_EQ(
            sqlite3_open_v2(dir_.file("plan.db").c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
    }
    void TearDown() override { sqlite3_close(db_); }

    void exec(const char* sql) {
        ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db_);
    }

    // The plan lines of one statement.
    std::vector<std::string> plan(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        const std::string eqp = "EXPLAIN QUERY PLAN " + sql;
        EXPECT_EQ(sqlite3_prepare_v2(db_, eqp.c_str(), -1, &s, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db_) << " in " << sql;
        std::vector<std::string> lines;
        while (s && sqlite3_step(s) == SQLITE_ROW)
            lines.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 3)));
        sqlite3_finalize(s);
        return lines;
    }

    // "name: plan line" for every statement that scans processes without being meant to.
    std::vector<std::string> unexpected_scans() {
        // "SCAN processes", "SCAN TABLE processes" (older SQLite), "... USING [COVERING] INDEX":
        // all read every row (or index entry) of the table.
        static const std::regex full_scan(R"(^SCAN (TABLE )?processes\b)");
        std::vector<std::string> out;
        for (const auto& st : sql::catalogue()) {
            if (!st.sqlite || st.scans_processes) continue;
            for (const auto& line : plan(sql::sql(sql::Dialect::Sqlite, st.id)))
                if (std::regex_search(line, full_scan)) out.push_back(st.name + (": " + line));
        }
        return out;
    }

    TempDir dir_;
    sqlite3* db_ = nullptr;
};

TEST_F(QueryPlan, NoStatementScansProcessesUnlessMeantTo) {
    int planned = 0;
    for (const auto& st : sql::catalogue()) planned += st.sqlite;
    EXPECT_GT(planned, 60);
    const auto scans = unexpected_scans();
    EXPECT_TRUE(scans.empty()) << [&] {
        std::string all;
        for (const auto& s : scans) all += s + "\n";
        return all;
    }();
}

TEST_F(QueryPlan, StatementsMeantToScanDoScan) {
    // Keeps the exemption list honest: an exempt statement that no longer scans should lose it.
    for (const auto& st : sql::catalogue()) {
        if (!st.scans_processes) continue;
        bool scans = false;
        for (const auto& line : plan(sql::sql(sql::Dialect::Sqlite, st.id)))
            scans = scans || line.rfind("SCAN processes", 0) == 0;
        EXPECT_TRUE(scans) << st.name;
    }
}

// The cron evaluation pass runs every second on the leader: it and every other cron statement
// go through an index (the due crons only, never the whole table).
TEST_F(QueryPlan, NoStatementScansCrons) {
    static const std::regex full_scan(R"(^SCAN (TABLE )?crons\b)");
    int planned = 0;
    for (const auto& st : sql::catalogue()) {
        const std::string text = sql::sql(sql::Dialect::Sqlite, st.id);
        if (text.find("crons") == std::string::npos) continue;
        ++planned;
        for (const auto& line : plan(text))
            EXPECT_FALSE(std::regex_search(line, full_scan)) << st.name << ": " << line;
    }
    EXPECT_GE(planned, 8);
    const auto due = plan(sql::sql(sql::Dialect::Sqlite, sql::Stmt::DueCrons));
    ASSERT_FALSE(due.empty());
    EXPECT_NE(due.front().find("crons_due"), std::string::npos) << due.front();
    // And the guard fails without the index.
    exec("DROP INDEX crons_due");
    const auto without = plan(sql::sql(sql::Dialect::Sqlite, sql::Stmt::DueCrons));
    ASSERT_FALSE(without.empty());
    EXPECT_TRUE(std::regex_search(without.front(), full_scan)) << without.front();
}

// Generator statements read through their indexes: a queue size or a due look-up never reads
// every generator or every queued argument. The look-up of full generators walks a partial index
// that holds only those.
TEST_F(QueryPlan, GeneratorStatementsUseTheirIndexes) {
    static const std::regex scan(R"(^SCAN (TABLE )?generator(s|_args)\b)");
    static const std::regex allowed(R"(^SCAN (TABLE )?generators USING INDEX generators_full)");
    int planned = 0;
    for (const auto& st : sql::catalogue()) {
        if (std::string(st.name).find("Generator") == std::string::npos) continue;
        ++planned;
        for (const auto& line : plan(sql::sql(sql::Dialect::Sqlite, st.id)))
            EXPECT_FALSE(std::regex_search(line, scan) && !std::regex_search(line, allowed))
                << st.name << ": " << line;
    }
    EXPECT_GE(planned, 15);
    // Each way of being due has its own index (the timeout one on the deadline expression).
    auto uses = [&](sql::Stmt s, const std::string& index) {
        for (const auto& line : plan(sql::sql(sql::Dialect::Sqlite, s)))
            if (line.find(index) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(uses(sql::Stmt::FullGenerators, "generators_full"));
    EXPECT_TRUE(uses(sql::Stmt::TimedOutGenerators, "generators_timeout"));
}

// History, the transitions ledger and retention read through indexes on every table they touch
// (issue 14): a retention pass or a history read never walks a whole table.
TEST_F(QueryPlan, HistoryLedgerAndRetentionStatementsScanNoTable) {
    static const std::regex any_scan(R"(^SCAN (TABLE )?\w+)");
    using sql::Stmt;
    for (Stmt s : {Stmt::ProcessHistory, Stmt::ProcessHistoryOfExecutor, Stmt::Transitions,
                   Stmt::DeleteProcessTransitions, Stmt::DeleteProcessesTransitions,
                   Stmt::DeleteGraphTransitions, Stmt::DeleteColonyTransitions, Stmt::ColonyPaused,
                   Stmt::OldSuccessfulProcesses, Stmt::OldSuccessfulGraphs, Stmt::DeleteOldLogs}) {
        for (const auto& line : plan(sql::sql(sql::Dialect::Sqlite, s)))
            EXPECT_FALSE(std::regex_search(line, any_scan)) << sql::info(s).name << ": " << line;
    }
    // And the retention candidates use the submission index, not a sort of the state index.
    bool by_submission = false;
    for (const auto& line : plan(sql::sql(sql::Dialect::Sqlite, Stmt::OldSuccessfulProcesses)))
        by_submission = by_submission || line.find("processes_by_submission") != std::string::npos;
    EXPECT_TRUE(by_submission);
}

// The guard itself: without the partial graph index, the graph statements scan, and it says so.
TEST_F(QueryPlan, GuardFailsWhenAnIndexIsDropped) {
    ASSERT_TRUE(unexpected_scans().empty());
    exec("DROP INDEX processes_by_graph");
    const auto scans = unexpected_scans();
    auto named = [&](const std::string& name) {
        for (const auto& s : scans)
            if (s.rfind(name + ":", 0) == 0) return true;
        return false;
    };
    EXPECT_TRUE(named("ProcessesOfGraph"));
    EXPECT_TRUE(named("DeleteGraphProcesses"));
    EXPECT_TRUE(named("DeleteGraphAttributes"));
}

}  // namespace
