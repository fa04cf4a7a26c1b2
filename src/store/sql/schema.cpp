// The schema of both stores, written once.
//
// Adding a table (crons, generators, channels, files, ...) is one definition here:
//   1. declare it:   const Table kCrons{"crons", {{"cronid", T}, {"colonyname", T}, ...,
//                                       {"doc", T}}, {"cronid"}};
//      and add it to kTables (so table("crons") and the generated INSERTs find it);
//   2. append a migration that creates it and its indexes (never edit a released one):
//      {{&kCrons}, {"CREATE INDEX crons_by_colony ON crons (colonyname{seq_key})"}},
//   3. write its statements once in statements.cpp (insert_sql(...) gives the upsert) and its row
//      codec in rows.cpp; the SqlTx methods bind and read through those.
// Both stores then create it on their next start; the full-scan guard test checks its queries.
#include "store/sql/schema.hpp"

#include <stdexcept>

namespace colonies::store::sql {
namespace {

constexpr auto T = ColumnType::Text;
constexpr auto I = ColumnType::Int;
constexpr auto B = ColumnType::BigInt;

const Table kServer{"server", {{"id", I}, {"serverid", T}}, {"id"}, "id = 1"};
const Table kColonies{"colonies", {{"name", T}, {"colonyid", T}}, {"name"}};
const Table kUsers{"users",
                   {{"colonyname", T}, {"name", T}, {"userid", T}, {"email", T}, {"phone", T}},
                   {"colonyname", "name"}};
const Table kExecutors{"executors",
                       {{"colonyname", T},
                        {"executorname", T},
                        {"executorid", T},
                        {"state", I},
                        {"lastheard", B},
                        {"doc", T}},
                       {"colonyname", "executorname"}};
const Table kFunctions{"functions",
                       {{"functionid", T}, {"colonyname", T}, {"executorname", T}, {"doc", T}},
                       {"functionid"}};
// The columns beside `doc` are what the queries select and order by.
const Table kProcesses{"processes",
                       {{"processid", T},
                        {"seq", ColumnType::Seq},
                        {"colonyname", T},
                        {"executortype", T},
                        {"state", I},
                        {"waitforparents", I},
                        {"prioritytime", B},
                        {"executornames", T},
                        {"locationname", T},
                        {"cpu", B},
                        {"mem", B},
                        {"nodes", B},
                        {"starttime", B},
                        {"endtime", B},
                        {"waitdeadline", B},
                        {"execdeadline", B},
                        {"assignedexecutorid", T},
                        {"processgraphid", T},
                        {"label", T},
                        {"initiatorname", T},
                        {"doc", T},
                        {"submissiontime", B, true}},
                       {"processid"}};
const Table kAttributes{"attributes",
                        {{"attributeid", T}, {"seq", ColumnType::Seq}, {"targetid", T}, {"doc", T}},
                        {"attributeid"}};
const Table kLogs{"logs",
                  {{"id", ColumnType::Serial},
                   {"processid", T},
                   {"colonyname", T},
                   {"executorname", T},
                   {"message", T},
                   {"ts", B}},
                  {"id"}};
const Table kProcessGraphs{
    "processgraphs",
    {{"processgraphid", T}, {"colonyname", T}, {"state", I}, {"submissiontime", B}, {"doc", T}},
    {"processgraphid"}};

// Crons (features.md 1.6): `checkat` is when the evaluation pass looks at the cron next, so a
// pass reads only the due ones through crons_due.
const Table kCrons{"crons",
                   {{"cronid", T}, {"colonyname", T}, {"name", T}, {"checkat", B}, {"doc", T}},
                   {"cronid"}};
// ColonyFS (features.md 4). `seqnr` numbers revisions in insertion order across the server (the
// auto-numbered key: never reused on PostgreSQL; on SQLite only the number of a removed newest row
// can come back, which keeps "higher is newer" among the rows that exist).
const Table kFiles{"files",
                   {{"seqnr", ColumnType::Serial},
                    {"fileid", T},
                    {"colonyname", T},
                    {"label", T},
                    {"name", T},
                    {"added", B},
                    {"doc", T}},
                   {"seqnr"}};
const Table kSnapshots{
    "snapshots",
    {{"snapshotid", T}, {"colonyname", T}, {"name", T}, {"added", B}, {"doc", T}},
    {"snapshotid"}};

// Generators (features.md 2). `queued` counts the generator's rows in generator_args, kept by the
// statements that add and remove them, so a queue size and the due look-up read no argument rows.
const Table kGenerators{"generators",
                        {{"generatorid", T},
                         {"seq", ColumnType::Seq},
                         {"colonyname", T},
                         {"name", T},
                         {"workflowspec", T},
                         {"triggersize", B},
                         {"timeoutsec", B},
                         {"firstpack", B},
                         {"lastrun", B},
                         {"initiatorid", T},
                         {"initiatorname", T},
                         {"queued", B}},
                        {"generatorid"}};
// Packed arguments; {seq} is their FIFO order.
const Table kGeneratorArgs{"generator_args",
                           {{"generatorargid", T},
                            {"seq", ColumnType::Seq},
                            {"generatorid", T},
                            {"colonyname", T},
                            {"arg", T}},
                           {"generatorargid"}};

// features.md 7.1. Colony and name are columns of their own (upstream joins them as
// "<colony>:<name>" in one key, so a name with ':' could collide); long/lat live in `doc`.
const Table kLocations{"locations",
                       {{"colonyname", T}, {"name", T}, {"locationid", T}, {"doc", T}},
                       {"colonyname", "name"}};

// Process history (issue 14): one row per state change of a process, written in the
// transaction of the change (services/transitions.cpp), removed with the process.
const Table kProcessTransitions{"process_transitions",
                                {{"id", ColumnType::Serial},
                                 {"processid", T},
                                 {"state", I},
                                 {"event", T},
                                 {"executorid", T},
                                 {"time", B}},
                                {"id"}};
// Colonies whose assignments are paused (features.md 7.6): a row while paused.
const Table kPausedColonies{"paused_colonies", {{"colonyname", T}, {"since", B}}, {"colonyname"}};

// One row per channel entry (features.md 5): `idx` is the entry's 0-based append position in
// its channel, `total` the payload bytes of the channel up to and including it, `doc` the entry
// as it goes on the wire.
const Table kChannelMessages{"channel_messages",
                             {{"processid", T},
                              {"channel", T},
                              {"idx", B},
                              {"senderid", T},
                              {"sequence", B},
                              {"total", B},
                              {"doc", T}},
                             {"processid", "channel", "idx"}};

// Blueprints (features.md 6). Definitions are looked up by name and by the kind they define;
// blueprints by name and by (kind, location), `locationname` kept in lower case because the
// location match is case-insensitive. History rows carry their colony so that removing a
// colony finds them; {seq} orders entries of the same instant.
const Table kBlueprintDefinitions{
    "blueprint_definitions",
    {{"colonyname", T}, {"name", T}, {"blueprintdefinitionid", T}, {"kind", T}, {"doc", T}},
    {"colonyname", "name"}};
const Table kBlueprints{"blueprints",
                        {{"blueprintid", T},
                         {"colonyname", T},
                         {"name", T},
                         {"kind", T},
                         {"locationname", T},
                         {"doc", T}},
                        {"blueprintid"}};
const Table kBlueprintHistory{"blueprint_history",
                              {{"historyid", T},
                               {"seq", ColumnType::Seq},
                               {"blueprintid", T},
                               {"colonyname", T},
                               {"ts", B},
                               {"doc", T}},
                              {"historyid"}};

// One table per line, so that a new table is a one-line change.
// clang-format off
const Table* const kTables[] = {
    &kServer,
    &kColonies,
    &kUsers,
    &kExecutors,
    &kFunctions,
    &kProcesses,
    &kAttributes,
    &kLogs,
    &kProcessGraphs,
    &kCrons,
    &kGenerators,
    &kGeneratorArgs,
    &kLocations,
    &kProcessTransitions,
    &kPausedColonies,
    &kChannelMessages,
    &kFiles,
    &kSnapshots,
    &kBlueprintDefinitions,
    &kBlueprints,
    &kBlueprintHistory,
};
// clang-format on
// Versions 1-3 are SQLite's user_version 1-3 of before (PostgreSQL ran them as one step).
const std::vector<Migration> kMigrations = {
    {{&kServer, &kColonies, &kUsers, &kExecutors, &kFunctions, &kProcesses, &kAttributes},
     {
         "CREATE INDEX users_by_id ON users (userid)",
         "CREATE INDEX executors_by_id ON executors (executorid)",
         "CREATE INDEX functions_by_executor ON functions (colonyname, executorname)",
         "CREATE INDEX processes_ready ON processes (colonyname, executortype, prioritytime) "
         "WHERE state = 0 AND waitforparents = 0",
         "CREATE INDEX processes_by_state ON processes (colonyname, state, prioritytime)",
         "CREATE INDEX processes_running ON processes (execdeadline) WHERE state = 1",
         "CREATE INDEX processes_waiting_deadline ON processes (waitdeadline) WHERE state = 0",
         "CREATE INDEX processes_by_executor ON processes (assignedexecutorid) WHERE state = 1",
         "CREATE INDEX attributes_by_target ON attributes (targetid{seq_key})",
     }},
    {{&kLogs},
     {
         "CREATE INDEX logs_by_process ON logs (processid, ts)",
         "CREATE INDEX logs_by_executor ON logs (colonyname, executorname, ts)",
     }},
    {{&kProcessGraphs},
     {
         "CREATE INDEX processgraphs_by_state ON processgraphs (colonyname, state, submissiontime)",
         // Graph queries add `processgraphid <> ''` so the planner may use this partial index.
         "CREATE INDEX processes_by_graph ON processes (processgraphid{seq_key}) "
         "WHERE processgraphid <> ''",
     }},
    // Crons.
    {{&kCrons},
     {
         "CREATE UNIQUE INDEX crons_by_name ON crons (colonyname, name)",
         "CREATE INDEX crons_due ON crons (checkat)",
     }},
    // Generators: by colony in insertion order, by name, FIFO arguments, and the leader's
    // look-up of due generators.
    {{&kGenerators, &kGeneratorArgs},
     {
         "CREATE INDEX generators_by_colony ON generators (colonyname{seq_key})",
         "CREATE UNIQUE INDEX generators_by_name ON generators (colonyname, name)",
         // The two ways to be due (features.md 2.3), each its own small index: a pass reads
         // the due generators only, however many others have arguments queued.
         "CREATE INDEX generators_full ON generators (lastrun) "
         "WHERE queued > 0 AND queued >= triggersize",
         "CREATE INDEX generators_timeout ON generators "
         "(({greatest}(lastrun, firstpack) / 1000000000 + timeoutsec)) "
         "WHERE queued > 0 AND timeoutsec > 0",
         "CREATE INDEX generator_args_fifo ON generator_args (generatorid{seq_key})",
         "CREATE INDEX generator_args_by_colony ON generator_args (colonyname)",
     }},
    // Locations (features.md 7.1): the primary key (colonyname, name) serves every query.
    {{&kLocations}, {}},
    // Process history, pause flags, retention (issue 14).
    {{&kProcessTransitions, &kPausedColonies},
     {
         "UPDATE processes SET submissiontime = {submissiontime_of_doc}",
         // getprocesshistmsg (by colony, state, time) and retention (per colony, SUCCESS, time).
         "CREATE INDEX processes_by_submission ON processes (colonyname, state, submissiontime)",
         "CREATE INDEX logs_by_time ON logs (ts)",
         "CREATE INDEX process_transitions_by_process ON process_transitions (processid, id)",
     },
     {{&kProcesses, "submissiontime"}}},
    // Channels: the primary key (processid, channel, idx) serves every channel query.
    {{&kChannelMessages}, {}},
    // ColonyFS: files and snapshots.
    {{&kFiles, &kSnapshots},
     {
         "CREATE UNIQUE INDEX files_by_id ON files (fileid)",
         "CREATE INDEX files_by_name ON files (colonyname, label, name, seqnr)",
         "CREATE UNIQUE INDEX snapshots_by_name ON snapshots (colonyname, name)",
         "CREATE INDEX snapshots_by_added ON snapshots (colonyname, added)",
     }},
    // Blueprints: definitions by kind, blueprints by name and by kind and location, history
    // newest first per blueprint.
    {{&kBlueprintDefinitions, &kBlueprints, &kBlueprintHistory},
     {
         "CREATE INDEX blueprint_definitions_by_kind ON blueprint_definitions (colonyname, kind)",
         "CREATE UNIQUE INDEX blueprints_by_name ON blueprints (colonyname, name)",
         "CREATE INDEX blueprints_by_kind ON blueprints (colonyname, kind, locationname)",
         "CREATE INDEX blueprint_history_by_blueprint ON blueprint_history "
         "(blueprintid, ts{seq_key})",
         "CREATE INDEX blueprint_history_by_colony ON blueprint_history (colonyname)",
     }},
};

bool generated(const Column& c) {
    return c.type == ColumnType::Seq || c.type == ColumnType::Serial;
}

std::string column_sql(Dialect d, const Table& t, const Column& c) {
    const bool pg = d == Dialect::Postgres;
    const bool sole_key = t.key.size() == 1 && t.key[0] == c.name;
    std::string s(c.name);
    switch (c.type) {
        case ColumnType::Text:
            s += " TEXT";
            break;
        case ColumnType::Int:
            s += " INTEGER";
            break;
        case ColumnType::BigInt:
            s += pg ? " BIGINT" : " INTEGER";
            break;
        case ColumnType::Seq:
            return pg ? s + " BIGSERIAL" : std::string();
        case ColumnType::Serial:
            return s + (pg ? " BIGSERIAL PRIMARY KEY" : " INTEGER PRIMARY KEY");
    }
    return s + (sole_key ? " PRIMARY KEY" : " NOT NULL");
}

std::string create_table(Dialect d, const Table& t) {
    std::string s = "CREATE TABLE " + std::string(t.name) + " (";
    bool first = true;
    for (const auto& c : t.columns) {
        if (c.added_later) continue;
        auto col = column_sql(d, t, c);
        if (col.empty()) continue;
        s += (first ? "" : ", ") + col;
        first = false;
    }
    if (t.key.size() > 1) {
        s += ", PRIMARY KEY (";
        for (size_t i = 0; i < t.key.size(); ++i) s += (i ? ", " : "") + std::string(t.key[i]);
        s += ")";
    }
    if (!t.check.empty()) s += ", CHECK (" + std::string(t.check) + ")";
    return s + ")";
}

std::string add_column(Dialect d, const Table& t, std::string_view name) {
    for (const auto& c : t.columns) {
        if (c.name != name) continue;
        if (!c.added_later || generated(c))
            throw std::logic_error("column " + std::string(name) + " is not added later");
        const std::string fallback = c.type == ColumnType::Text ? " DEFAULT ''" : " DEFAULT 0";
        return "ALTER TABLE " + std::string(t.name) + " ADD COLUMN " + column_sql(d, t, c) +
               fallback;
    }
    throw std::logic_error("unknown column " + std::string(name));
}

}  // namespace

const Table& table(std::string_view name) {
    for (const auto* t : kTables)
        if (t->name == name) return *t;
    throw std::logic_error("unknown table " + std::string(name));
}

const std::vector<Migration>& migrations() {
    return kMigrations;
}

std::string render(Dialect d, const Migration& m) {
    std::string s;
    for (const auto* t : m.tables) s += create_table(d, *t) + ";\n";
    for (const auto& [t, column] : m.added_columns) s += add_column(d, *t, column) + ";\n";
    for (auto stmt : m.statements) s += render(d, stmt) + ";\n";
    return s;
}

int64_t shared_version(Dialect d, int64_t recorded) {
    return d == Dialect::Postgres && recorded == 1 ? 3 : recorded;
}

std::string insert_sql(Dialect d, const Table& t, OnConflict on_conflict) {
    std::string cols, values, updates;
    int n = 0;
    for (const auto& c : t.columns) {
        if (generated(c)) continue;
        const std::string name(c.name);
        cols += (n ? ", " : "") + name;
        values += (n ? ",$" : "$") + std::to_string(n + 1);
        ++n;
        bool key = false;
        for (auto k : t.key) key = key || k == c.name;
        if (!key) updates += (updates.empty() ? "" : ", ") + name + " = EXCLUDED." + name;
    }
    std::string keys;
    for (size_t i = 0; i < t.key.size(); ++i) keys += (i ? ", " : "") + std::string(t.key[i]);
    std::string verb = "INSERT INTO ";
    std::string tail;
    if (d == Dialect::Sqlite) {
        // REPLACE gives the row a new rowid: {seq} order is the order of the last save, which
        // the SQLite store has always had (bench/profile.md: an in-place upsert was not kept).
        if (on_conflict == OnConflict::Replace) verb = "INSERT OR REPLACE INTO ";
        if (on_conflict == OnConflict::Ignore) verb = "INSERT OR IGNORE INTO ";
    } else if (on_conflict == OnConflict::Replace) {
        tail = " ON CONFLICT (" + keys + ") DO UPDATE SET " + updates;
    } else if (on_conflict == OnConflict::Ignore) {
        tail = " ON CONFLICT (" + keys + ") DO NOTHING";
    }
    return render(d, verb + std::string(t.name) + " (" + cols + ") VALUES (" + values + ")" + tail);
}

}  // namespace colonies::store::sql
