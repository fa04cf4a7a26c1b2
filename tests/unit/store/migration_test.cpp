// Schema versions: databases written by earlier releases keep opening, and a store migrates them
// with the one shared migration list (store/sql/schema.hpp).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sql/schema.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_dir.hpp"

using namespace colonies;
using namespace colonies::store;

namespace {

// The SQLite schema as the releases before the shared list wrote it, user_version 1 to 3.
const char* const kLegacySteps[] = {
    R"sql(
CREATE TABLE server (id INTEGER PRIMARY KEY CHECK (id = 1), serverid TEXT NOT NULL);
CREATE TABLE colonies (name TEXT PRIMARY KEY, colonyid TEXT NOT NULL);
CREATE TABLE users (colonyname TEXT NOT NULL, name TEXT NOT NULL, userid TEXT NOT NULL,
  email TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (colonyname, name));
CREATE INDEX users_by_id ON users (userid);
CREATE TABLE executors (colonyname TEXT NOT NULL, executorname TEXT NOT NULL,
  executorid TEXT NOT NULL, state INTEGER NOT NULL, lastheard INTEGER NOT NULL,
  doc TEXT NOT NULL, PRIMARY KEY (colonyname, executorname));
CREATE INDEX executors_by_id ON executors (executorid);
CREATE TABLE functions (functionid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX functions_by_executor ON functions (colonyname, executorname);
CREATE TABLE processes (processid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  executortype TEXT NOT NULL, state INTEGER NOT NULL, waitforparents INTEGER NOT NULL,
  prioritytime INTEGER NOT NULL, executornames TEXT NOT NULL, locationname TEXT NOT NULL,
  cpu INTEGER NOT NULL, mem INTEGER NOT NULL, nodes INTEGER NOT NULL,
  starttime INTEGER NOT NULL, endtime INTEGER NOT NULL, waitdeadline INTEGER NOT NULL,
  execdeadline INTEGER NOT NULL, assignedexecutorid TEXT NOT NULL,
  processgraphid TEXT NOT NULL, label TEXT NOT NULL, initiatorname TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX processes_ready ON processes (colonyname, executortype, prioritytime)
  WHERE state = 0 AND waitforparents = 0;
CREATE INDEX processes_by_state ON processes (colonyname, state, prioritytime);
CREATE INDEX processes_running ON processes (execdeadline) WHERE state = 1;
CREATE INDEX processes_waiting_deadline ON processes (waitdeadline) WHERE state = 0;
CREATE INDEX processes_by_executor ON processes (assignedexecutorid) WHERE state = 1;
CREATE TABLE attributes (attributeid TEXT PRIMARY KEY, targetid TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX attributes_by_target ON attributes (targetid);
)sql",
    R"sql(
CREATE TABLE logs (id INTEGER PRIMARY KEY, processid TEXT NOT NULL, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, message TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE INDEX logs_by_process ON logs (processid, ts);
CREATE INDEX logs_by_executor ON logs (colonyname, executorname, ts);
)sql",
    R"sql(
CREATE TABLE processgraphs (processgraphid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  state INTEGER NOT NULL, submissiontime INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX processgraphs_by_state ON processgraphs (colonyname, state, submissiontime);
CREATE INDEX processes_by_graph ON processes (processgraphid) WHERE processgraphid != '';
)sql",
};

void exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
}

int64_t user_version(const std::string& path) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

// A database as an earlier release left it after `steps` migrations, with one colony in it.
void make_legacy(const std::string& path, int steps) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    for (int i = 0; i < steps; ++i) exec(db, kLegacySteps[i]);
    exec(db, "INSERT INTO colonies (name, colonyid) VALUES ('dev', 'colonyid1')");
    exec(db, "PRAGMA user_version = " + std::to_string(steps));
    sqlite3_close(db);
}

// Everything the later migrations added works on the migrated database.
void use_every_table(Store& s) {
    ASSERT_TRUE(s.run_sync([](StoreTx& tx) {
        EXPECT_EQ(tx.colony("dev").value_or(Colony{}).colonyid, "colonyid1");
        Process p;
        p.processid = "p1";
        p.processgraphid = "g1";
        p.spec.conditions.colonyname = "dev";
        tx.save_process(p, {});
        EXPECT_TRUE(tx.add_attribute(Attribute{"a1", "p1", "dev", "g1", ProcessState::Waiting,
                                               AttributeType::In, "k", "v"}));
        ProcessGraph g;
        g.processgraphid = "g1";
        g.colonyname = "dev";
        tx.save_graph(g);
        tx.add_log(Log{"p1", "dev", "e1", "hello", 5});
        tx.append_channel_entry("p1", "chat", 0, 0, ChannelEntry{});
        return true;
    }));
    ASSERT_TRUE(s.run_sync([](StoreTx& tx) {
        auto ps = tx.processes_of_graph("g1");
        EXPECT_EQ(ps.size(), 1u);
        if (!ps.empty()) {
            EXPECT_EQ(ps[0].attributes.size(), 1u);
        }
        EXPECT_TRUE(tx.graph("g1"));
        EXPECT_EQ(tx.logs("dev", "p1", "", 10, 0, false).size(), 1u);
        EXPECT_EQ(tx.channel_tail("p1", "chat").count, 1);
        return true;
    }));
}

TEST(SchemaVersions, FreshDatabaseRecordsEveryMigration) {
    TempDir dir;
    open_sqlite_store({dir.file("db")});
    EXPECT_EQ(user_version(dir.file("db")), static_cast<int64_t>(sql::migrations().size()));
    EXPECT_GE(sql::migrations().size(), 3u);
}

TEST(SchemaVersions, DatabaseOfTheLastReleaseOpensUnchanged) {
    TempDir dir;
    make_legacy(dir.file("db"), 3);
    auto s = open_sqlite_store({dir.file("db")});
    use_every_table(*s);
    s.reset();
    EXPECT_EQ(user_version(dir.file("db")), static_cast<int64_t>(sql::migrations().size()));
}

TEST(SchemaVersions, OlderDatabaseGetsTheMissingSteps) {
    TempDir dir;
    make_legacy(dir.file("db"), 1);
    auto s = open_sqlite_store({dir.file("db")});
    use_every_table(*s);
    s.reset();
    EXPECT_EQ(user_version(dir.file("db")), static_cast<int64_t>(sql::migrations().size()));
}

TEST(SchemaVersions, PostgresSingleStepNumberingMapsToTheSharedList) {
    EXPECT_EQ(sql::shared_version(sql::Dialect::Postgres, 0), 0);
    EXPECT_EQ(sql::shared_version(sql::Dialect::Postgres, 1), 3);
    EXPECT_EQ(sql::shared_version(sql::Dialect::Postgres, 3), 3);
    EXPECT_EQ(sql::shared_version(sql::Dialect::Sqlite, 1), 1);
}

}  // namespace
