// The tables and indexes of both stores, and the one versioned list of migrations they run.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/dialect.hpp"

namespace colonies::store::sql {

enum class ColumnType {
    Text,
    Int,     // small numbers: states, flags
    BigInt,  // times (Unix nanoseconds, Time::kZero when unset), sizes, counts
    Seq,     // insertion order: PostgreSQL's `seq BIGSERIAL`; SQLite uses the rowid (no column)
    Serial,  // an auto-numbered primary key (SQLite's INTEGER PRIMARY KEY, PostgreSQL's BIGSERIAL)
};

struct Column {
    std::string_view name;
    ColumnType type;
    // Added to an existing table by a later migration (Migration::added_columns), so the table's
    // CREATE TABLE leaves it out. Such a column is BIGINT/INTEGER NOT NULL DEFAULT 0 or TEXT
    // NOT NULL DEFAULT ''.
    bool added_later = false;
};

struct Table {
    std::string_view name;
    std::vector<Column> columns;
    std::vector<std::string_view> key;  // primary key
    std::string_view check = {};        // a table CHECK constraint, neutral SQL
};

// One schema version: the tables it creates and its other statements (indexes), neutral SQL.
struct Migration {
    std::vector<const Table*> tables;
    std::vector<std::string_view> statements;
    // Columns marked added_later that this step adds (before its statements run, so they may
    // fill and index them): (table, column).
    std::vector<std::pair<const Table*, std::string_view>> added_columns = {};
};

// The tables by name; throws std::logic_error for an unknown one.
const Table& table(std::string_view name);

// Versions in order: version v (1-based) is migrations()[v - 1]. Only ever append.
const std::vector<Migration>& migrations();

// The SQL of one migration, statements separated by ";\n".
std::string render(Dialect d, const Migration& m);

// A store records the number of migrations that ran. PostgreSQL stores written before the
// migration list was shared recorded their single, complete step as 1: that maps to the first
// three shared versions (the same schema). Returns the shared version.
int64_t shared_version(Dialect d, int64_t recorded);

// INSERT statements of a table's columns (all but Seq/Serial), values $1.. in column order.
enum class OnConflict { Fail, Replace, Ignore };
std::string insert_sql(Dialect d, const Table& t, OnConflict on_conflict);

}  // namespace colonies::store::sql
