#include "store/sql/statements.hpp"

#include <array>
#include <stdexcept>

#include "store/sql/schema.hpp"

namespace colonies::store::sql {
namespace {

// A statement: neutral SQL, or an INSERT generated from its table's columns.
struct Def {
    Stmt id;
    const char* text = nullptr;
    const char* insert_into = nullptr;
    OnConflict on_conflict = OnConflict::Fail;
    bool sqlite = true, postgres = true, scans_processes = false;
};

constexpr Def text(Stmt id, const char* sql) {
    return Def{id, sql};
}
constexpr Def insert(Stmt id, const char* table, OnConflict c = OnConflict::Fail) {
    return Def{id, nullptr, table, c};
}
constexpr Def only_postgres(Def d) {
    d.sqlite = false;
    return d;
}
constexpr Def scans(Def d) {
    d.scans_processes = true;
    return d;
}

#define USER_COLUMNS "SELECT colonyname, userid, name, email, phone FROM users "
#define EXECUTOR_COLUMNS "SELECT doc, state, lastheard FROM executors "
#define CRON_COLUMNS "SELECT doc, checkat FROM crons "
#define FILE_COLUMNS "SELECT doc, seqnr FROM files "
#define LOG_COLUMNS "SELECT processid, colonyname, executorname, message, ts FROM logs "
// $1 colony, $2 state, $3 count, $4 executortype, $5 initiatorname, $6 label ('' = any).
#define LIST_PROCESSES(order)                                                             \
    "SELECT doc{process_attrs} FROM processes WHERE colonyname = $1 AND state = $2::int " \
    "AND ($4 = '' OR executortype = $4) AND ($5 = '' OR initiatorname = $5) "             \
    "AND ($6 = '' OR label = $6) ORDER BY " order " LIMIT $3::bigint"
// `processgraphid <> ''` lets the planner use the partial index processes_by_graph: it cannot
// tell that a bound parameter is never empty, and without it every graph step scanned the whole
// processes table.
#define OF_GRAPH "processgraphid = $1 AND processgraphid <> ''"
#define GENERATOR_COLUMNS                                                                      \
    "SELECT generatorid, colonyname, name, workflowspec, triggersize, timeoutsec, firstpack, " \
    "lastrun, initiatorid, initiatorname, queued FROM generators "
// The first process an executor may take ($1 colony, $2 type, $3 name between \x1f marks, $4
// location, $5 cpu, $6 memory): FindAssignable's and ClaimAssignable's condition.
#define ASSIGNABLE                                                                \
    "colonyname = $1 AND executortype = $2 AND state = 0 AND waitforparents = 0 " \
    "AND (executornames = '' OR {instr}(executornames, $3) > 0) "                 \
    "AND (locationname = '' OR locationname = $4) "                               \
    "AND cpu <= $5::bigint AND mem <= $6::bigint AND nodes <= 127 "               \
    "ORDER BY prioritytime LIMIT 1"
// Function statistics fields (RecordFunctionRun): the run count before this run, a min or max
// that the first run sets, and upstream's running average.
#define FN_FIELD(name) "(doc::jsonb ->> '" name "')::float8"
#define FN_COUNT "COALESCE((doc::jsonb ->> 'counter')::bigint, 0)"
#define FN_FIRST_OR(fn, name, v)                                                       \
    "CASE WHEN " FN_COUNT " = 0 THEN " v "::float8 ELSE " fn "(" FN_FIELD(name) ", " v \
                                                                                "::float8) END"
#define FN_AVG(name, v)                                                           \
    "CASE WHEN COALESCE(" FN_FIELD(name) ", 0) = 0 THEN " v                       \
                                         "::float8 ELSE (" FN_FIELD(name) " + " v \
                                                                          "::float8) / 2 END"
// The min, max and average keys of one kind of time ("wait" or "exec") after a run taking v.
#define FN_STATS(kind, v) \
    "'min" kind "time', " FN_FIRST_OR("LEAST", "min" kind "time", v) ", "    \
    "'max" kind "time', " FN_FIRST_OR("GREATEST", "max" kind "time", v) ", " \
    "'avg" kind "time', " FN_AVG("avg" kind "time", v)
// Log reads: $1 colony, $2 process, $3 executor, $4 since, $5 count. Each names all five (a
// prepared PostgreSQL statement must type every parameter) so one bind sequence serves them.

using S = Stmt;
const Def kDefs[] = {
    text(S::ServerId, "SELECT serverid FROM server WHERE id = 1"),
    insert(S::SetServerId, "server", OnConflict::Replace),

    text(S::Colony, "SELECT name, colonyid FROM colonies WHERE name = $1"),
    text(S::Colonies, "SELECT name, colonyid FROM colonies ORDER BY name"),
    insert(S::AddColony, "colonies"),
    text(S::DeleteColonyAttributes,
         "DELETE FROM attributes WHERE targetid IN "
         "(SELECT processid FROM processes WHERE colonyname = $1)"),
    text(S::DeleteColonyProcesses, "DELETE FROM processes WHERE colonyname = $1"),
    text(S::DeleteColonyLogs, "DELETE FROM logs WHERE colonyname = $1"),
    text(S::DeleteColonyGraphs, "DELETE FROM processgraphs WHERE colonyname = $1"),
    text(S::DeleteColonyFunctions, "DELETE FROM functions WHERE colonyname = $1"),
    text(S::DeleteColonyExecutors, "DELETE FROM executors WHERE colonyname = $1"),
    text(S::DeleteColonyUsers, "DELETE FROM users WHERE colonyname = $1"),
    text(S::DeleteColony, "DELETE FROM colonies WHERE name = $1"),

    text(S::User, USER_COLUMNS "WHERE colonyname = $1 AND name = $2"),
    text(S::UserById, USER_COLUMNS "WHERE colonyname = $1 AND userid = $2 LIMIT 1"),
    text(S::Users, USER_COLUMNS "WHERE colonyname = $1 ORDER BY name"),
    insert(S::AddUser, "users"),
    text(S::RemoveUser, "DELETE FROM users WHERE colonyname = $1 AND name = $2"),

    text(S::Executor, EXECUTOR_COLUMNS "WHERE colonyname = $1 AND executorname = $2"),
    // An UNREGISTERED record may share its id with a live one re-added under another name; the
    // live one is preferred. Two lookups rather than ORDER BY state = 3, which sorts on every
    // call (several per request).
    text(S::LiveExecutorById, EXECUTOR_COLUMNS "WHERE executorid = $1 AND state <> 3 LIMIT 1"),
    text(S::ExecutorById, EXECUTOR_COLUMNS "WHERE executorid = $1 LIMIT 1"),
    // Over the network the sort of the (at most few) rows of one id is cheaper than a second
    // round trip when the caller is not an executor (every user request).
    only_postgres(text(S::ExecutorByIdLiveFirst,
                       EXECUTOR_COLUMNS "WHERE executorid = $1 ORDER BY state = 3 LIMIT 1")),
    // A caller's executor record (live first) and its user record in colony $1, in one round
    // trip: kind 0 rows carry ExecutorByIdLiveFirst's columns, kind 1 rows UserById's.
    only_postgres(
        text(S::CallerRecords,
             "(SELECT 0 AS kind, doc, state::text, lastheard::text, '', '' FROM executors "
             "WHERE executorid = $2 ORDER BY state = 3 LIMIT 1) UNION ALL "
             "(SELECT 1, colonyname, userid, name, email, phone FROM users "
             "WHERE colonyname = $1 AND userid = $2 LIMIT 1)")),
    text(S::Executors, EXECUTOR_COLUMNS "WHERE colonyname = $1 ORDER BY executorname"),
    insert(S::SaveExecutor, "executors", OnConflict::Replace),
    // {greatest}: two servers touching at once must not move the time backwards.
    text(S::TouchExecutor,
         "UPDATE executors SET lastheard = {greatest}(lastheard, $1::bigint) "
         "WHERE executorid = $2 AND state <> 3"),
    text(S::SilentExecutors,
         EXECUTOR_COLUMNS "WHERE state <> 3 AND lastheard > $1::bigint AND lastheard < $2::bigint"),
    text(S::CountExecutors,
         "SELECT count(*) FROM executors WHERE ($1 = '' OR colonyname = $1) "
         "AND ($2::int = -1 OR state = $2::int)"),

    insert(S::AddFunction, "functions", OnConflict::Replace),
    text(S::Functions,
         "SELECT doc FROM functions WHERE colonyname = $1 ORDER BY executorname, functionid"),
    // Read to update an executor's run statistics: locked, so two closes on two servers do not
    // overwrite each other's counts.
    text(S::FunctionsOfExecutor,
         "SELECT doc FROM functions WHERE colonyname = $1 AND executorname = $2 "
         "ORDER BY functionid{for_update}"),
    text(S::Function, "SELECT doc FROM functions WHERE functionid = $1{for_update}"),
    text(S::RemoveFunction, "DELETE FROM functions WHERE functionid = $1"),
    text(S::RemoveFunctionsOf, "DELETE FROM functions WHERE colonyname = $1 AND executorname = $2"),
    // core/function_stats.hpp in SQL: a close updates the statistics without reading them first.
    // float8 as the C++ side computes (to_jsonb keeps 15 significant digits).
    // clang-format off
    only_postgres(text(S::RecordFunctionRun,
        "UPDATE functions SET doc = (doc::jsonb || jsonb_build_object('counter', " FN_COUNT " + 1, "
        FN_STATS("wait", "$4") ", " FN_STATS("exec", "$5") "))::text "
        "WHERE colonyname = $1 AND executorname = $2 AND doc::jsonb ->> 'funcname' = $3")),
    // clang-format on

    // The row lock serialises every read-modify-write of this process across servers.
    text(S::Process,
         "SELECT doc{process_attrs} FROM processes WHERE processid = $1{lock_processes}"),
    text(S::AttributesOf, "SELECT doc FROM attributes WHERE targetid = $1 ORDER BY {seq}"),
    insert(S::SaveProcess, "processes", OnConflict::Replace),
    text(S::DeleteProcessAttributes, "DELETE FROM attributes WHERE targetid = $1"),
    text(S::DeleteProcess, "DELETE FROM processes WHERE processid = $1"),
    // SKIP LOCKED: a process another transaction is claiming is passed over, not waited for.
    text(S::FindAssignable, "SELECT processid FROM processes WHERE " ASSIGNABLE "{skip_locked}"),
    // FindAssignable, the pause flag and the claimed process with its attributes (as Process
    // reads it) in one round trip: one row always, the process columns NULL when there is none
    // or the colony is paused.
    only_postgres(text(S::ClaimAssignable,
                       "SELECT p.doc, p.attrs, x.paused FROM (SELECT EXISTS (SELECT 1 FROM "
                       "paused_colonies WHERE colonyname = $1)::int AS paused) x LEFT JOIN LATERAL "
                       "(SELECT doc{process_attrs} AS attrs FROM processes WHERE x.paused = 0 "
                       "AND " ASSIGNABLE " FOR UPDATE OF processes SKIP LOCKED) p ON true")),
    text(S::ProcessesWaiting, LIST_PROCESSES("prioritytime")),
    text(S::ProcessesRunning, LIST_PROCESSES("starttime")),
    text(S::ProcessesFinished, LIST_PROCESSES("endtime DESC")),
    text(S::DeleteProcessesAttributes,
         "DELETE FROM attributes WHERE targetid IN (SELECT processid FROM processes "
         "WHERE colonyname = $1 AND processgraphid = '' AND ($2::int = -1 OR state = $2::int))"),
    text(S::DeleteProcesses,
         "DELETE FROM processes WHERE colonyname = $1 AND processgraphid = '' "
         "AND ($2::int = -1 OR state = $2::int)"),
    text(S::ExpiredRunning,
         "SELECT processid FROM processes WHERE state = 1 "
         "AND execdeadline > $1::bigint AND execdeadline < $2::bigint"),
    text(S::ExpiredWaiting,
         "SELECT processid FROM processes WHERE state = 0 "
         "AND waitdeadline > $1::bigint AND waitdeadline < $2::bigint"),
    text(S::RunningProcessesOf,
         "SELECT processid FROM processes WHERE state = 1 AND assignedexecutorid = $1"),
    // The server-wide statistics count every process.
    scans(text(S::CountProcessesAll, "SELECT state, count(*) FROM processes GROUP BY state")),
    text(S::CountProcesses,
         "SELECT state, count(*) FROM processes WHERE colonyname = $1 GROUP BY state"),

    insert(S::AddAttribute, "attributes", OnConflict::Ignore),
    text(S::Attribute, "SELECT doc FROM attributes WHERE attributeid = $1"),
    text(S::UpdateAttributeDoc, "UPDATE attributes SET doc = $1 WHERE attributeid = $2"),
    // In place, in one statement (jsonb rewrites the document's layout, not its content).
    only_postgres(text(
        S::SetAttributeStates,
        "UPDATE attributes SET doc = jsonb_set(doc::jsonb, '{state}', to_jsonb($2::int))::text "
        "WHERE targetid = $1 AND (doc::jsonb ->> 'state')::int IS DISTINCT FROM $2::int")),

    // Locked like a process: children finishing on two servers update the same graph.
    text(S::Graph, "SELECT doc FROM processgraphs WHERE processgraphid = $1{for_update}"),
    insert(S::SaveGraph, "processgraphs", OnConflict::Replace),
    text(S::Graphs,
         "SELECT doc FROM processgraphs WHERE colonyname = $1 AND state = $2::int "
         "ORDER BY submissiontime DESC LIMIT $3::bigint"),
    text(S::ProcessesOfGraph,
         "SELECT doc{process_attrs} FROM processes WHERE " OF_GRAPH " ORDER BY {seq}"),
    text(S::DeleteGraphAttributes,
         "DELETE FROM attributes WHERE targetid IN "
         "(SELECT processid FROM processes WHERE " OF_GRAPH ")"),
    text(S::DeleteGraphProcesses, "DELETE FROM processes WHERE " OF_GRAPH),
    text(S::DeleteGraph, "DELETE FROM processgraphs WHERE processgraphid = $1"),
    text(S::GraphIdsOf,
         "SELECT processgraphid FROM processgraphs WHERE colonyname = $1 "
         "AND ($2::int = -1 OR state = $2::int)"),
    text(S::CountGraphsAll, "SELECT state, count(*) FROM processgraphs GROUP BY state"),
    text(S::CountGraphs,
         "SELECT state, count(*) FROM processgraphs WHERE colonyname = $1 GROUP BY state"),

    insert(S::AddLog, "logs"),
    text(S::LogsOfProcess,
         LOG_COLUMNS "WHERE processid = $2 AND ts > $4::bigint AND $1::text IS NOT NULL "
                     "AND $3::text IS NOT NULL ORDER BY ts, id LIMIT $5::bigint"),
    text(S::LatestLogsOfProcess,
         LOG_COLUMNS "WHERE processid = $2 AND $1::text IS NOT NULL AND $3::text IS NOT NULL "
                     "AND $4::bigint IS NOT NULL ORDER BY ts DESC, id DESC LIMIT $5::bigint"),
    text(S::LogsOfExecutor,
         LOG_COLUMNS "WHERE colonyname = $1 AND executorname = $3 AND ts > $4::bigint "
                     "AND $2::text IS NOT NULL ORDER BY ts, id LIMIT $5::bigint"),
    text(S::LatestLogsOfExecutor,
         LOG_COLUMNS "WHERE colonyname = $1 AND executorname = $3 AND $2::text IS NOT NULL "
                     "AND $4::bigint IS NOT NULL ORDER BY ts DESC, id DESC LIMIT $5::bigint"),
    text(S::SearchLogs,
         LOG_COLUMNS "WHERE colonyname = $1 AND {instr}(message, $2) > 0 AND ts >= $3::bigint "
                     "ORDER BY ts DESC LIMIT $4::bigint"),

    insert(S::AddCron, "crons"),
    text(S::Cron, CRON_COLUMNS "WHERE cronid = $1"),
    // A manual run holds the row, so the evaluation pass of another server passes it over.
    text(S::LockCron, CRON_COLUMNS "WHERE cronid = $1{for_update}"),
    text(S::CronByName, CRON_COLUMNS "WHERE colonyname = $1 AND name = $2"),
    text(S::Crons, CRON_COLUMNS "WHERE colonyname = $1 ORDER BY name LIMIT $2::bigint"),
    // SKIP LOCKED: a cron another server is starting is left to it; once that commits, its new
    // checkat no longer matches, so it starts once per due time.
    text(S::DueCrons,
         CRON_COLUMNS "WHERE checkat <= $1::bigint ORDER BY checkat LIMIT $2::bigint{skip_locked}"),
    text(S::UpdateCron, "UPDATE crons SET checkat = $1::bigint, doc = $2 WHERE cronid = $3"),
    text(S::RemoveCron, "DELETE FROM crons WHERE cronid = $1"),
    text(S::DeleteColonyCrons, "DELETE FROM crons WHERE colonyname = $1"),
    // Generators (features.md 2). The row lock of Generator serialises packs and runs of one
    // generator across servers, so `queued` and the FIFO order stay exact.
    text(S::Generator, GENERATOR_COLUMNS "WHERE generatorid = $1{for_update}"),
    text(S::GeneratorByName,
         GENERATOR_COLUMNS "WHERE colonyname = $1 AND name = $2 ORDER BY {seq} LIMIT 1"),
    text(S::Generators, GENERATOR_COLUMNS "WHERE colonyname = $1 ORDER BY {seq} LIMIT $2::bigint"),
    insert(S::AddGenerator, "generators"),
    text(S::DeleteGeneratorArgs, "DELETE FROM generator_args WHERE generatorid = $1"),
    text(S::DeleteGenerator, "DELETE FROM generators WHERE generatorid = $1"),
    text(S::DeleteColonyGeneratorArgs, "DELETE FROM generator_args WHERE colonyname = $1"),
    text(S::DeleteColonyGenerators, "DELETE FROM generators WHERE colonyname = $1"),
    // $2 the zero time: the first pack ever sets firstpack; later ones leave it.
    text(S::PackGenerator,
         "UPDATE generators SET queued = queued + 1, firstpack = CASE WHEN firstpack = $2::bigint "
         "THEN $3::bigint ELSE firstpack END WHERE generatorid = $1"),
    insert(S::AddGeneratorArg, "generator_args"),
    text(S::GeneratorArgs,
         "SELECT generatorargid, generatorid, colonyname, arg FROM generator_args "
         "WHERE generatorid = $1 ORDER BY {seq} LIMIT $2::bigint"),
    text(S::ConsumeGeneratorArgs,
         "DELETE FROM generator_args WHERE generatorargid IN (SELECT generatorargid FROM "
         "generator_args WHERE generatorid = $1 ORDER BY {seq} LIMIT $2::bigint)"),
    text(S::GeneratorRan,
         "UPDATE generators SET queued = queued - $2::bigint, lastrun = $3::bigint "
         "WHERE generatorid = $1"),
    // features.md 2.3: generators with a trigger's worth of arguments, and generators with
    // arguments whose timeout has passed: now (s) > (lastrun, else firstpack) (s) + timeout.
    // lastrun, once set, is never before firstpack and an unset time is the smallest integer,
    // so the larger of the two is the base. Each reads only its own partial index; SKIP LOCKED:
    // a generator being packed on another server is taken next pass.
    text(S::FullGenerators, GENERATOR_COLUMNS
         "WHERE queued > 0 AND queued >= triggersize ORDER BY lastrun LIMIT $1::bigint"
         "{skip_locked}"),
    text(S::TimedOutGenerators, GENERATOR_COLUMNS
         "WHERE queued > 0 AND timeoutsec > 0 AND {greatest}(lastrun, firstpack) / 1000000000 "
         "+ timeoutsec < $1::bigint ORDER BY {greatest}(lastrun, firstpack) / 1000000000 + "
         "timeoutsec LIMIT $2::bigint{skip_locked}"),
    // Locations (features.md 7.1) and key rotation (protocol.md 5.15).
    text(S::Location, "SELECT doc FROM locations WHERE colonyname = $1 AND name = $2"),
    text(S::Locations, "SELECT doc FROM locations WHERE colonyname = $1 ORDER BY name"),
    insert(S::AddLocation, "locations"),
    text(S::RemoveLocation, "DELETE FROM locations WHERE colonyname = $1 AND name = $2"),
    text(S::DeleteColonyLocations, "DELETE FROM locations WHERE colonyname = $1"),
    text(S::ChangeColonyId, "UPDATE colonies SET colonyid = $1 WHERE name = $2"),
    text(S::ChangeUserId, "UPDATE users SET userid = $1 WHERE colonyname = $2 AND name = $3"),
    // Through processes_by_submission (colony, state), then a filter.
    text(S::LiveProcessesOfInitiator,
         "SELECT processid FROM processes WHERE colonyname = $1 AND state IN (0, 1) "
         "AND initiatorname = $2"),
    text(S::ChangeGeneratorsInitiator,
         "UPDATE generators SET initiatorid = $1 WHERE colonyname = $2 AND initiatorid = $3"),
    // Process history, pause flags, retention (issue 14).
    // $1 colony, $2 state, $3 since (ns); the executor variant adds $4 (the colony index, then
    // a filter: an executor's processes are a subset of its colony's).
    text(S::ProcessHistory,
         "SELECT doc{process_attrs} FROM processes WHERE colonyname = $1 AND state = $2::int "
         "AND submissiontime >= $3::bigint ORDER BY submissiontime"),
    text(S::ProcessHistoryOfExecutor,
         "SELECT doc{process_attrs} FROM processes WHERE colonyname = $1 AND state = $2::int "
         "AND submissiontime >= $3::bigint AND assignedexecutorid = $4 ORDER BY submissiontime"),
    insert(S::AddTransition, "process_transitions"),
    text(S::Transitions,
         "SELECT processid, state, event, executorid, time FROM process_transitions "
         "WHERE processid = $1 ORDER BY id"),
    text(S::DeleteProcessTransitions, "DELETE FROM process_transitions WHERE processid = $1"),
    text(S::DeleteProcessesTransitions,
         "DELETE FROM process_transitions WHERE processid IN (SELECT processid FROM processes "
         "WHERE colonyname = $1 AND processgraphid = '' AND ($2::int = -1 OR state = $2::int))"),
    text(S::DeleteGraphTransitions,
         "DELETE FROM process_transitions WHERE processid IN "
         "(SELECT processid FROM processes WHERE " OF_GRAPH ")"),
    text(S::DeleteColonyTransitions,
         "DELETE FROM process_transitions WHERE processid IN "
         "(SELECT processid FROM processes WHERE colonyname = $1)"),
    text(S::ColonyPaused, "SELECT colonyname FROM paused_colonies WHERE colonyname = $1"),
    insert(S::PauseColony, "paused_colonies", OnConflict::Ignore),
    text(S::ResumeColony, "DELETE FROM paused_colonies WHERE colonyname = $1"),
    text(S::OldSuccessfulProcesses,
         "SELECT processid FROM processes WHERE colonyname = $1 AND state = 2 "
         "AND submissiontime < $2::bigint AND processgraphid = '' "
         "ORDER BY submissiontime LIMIT $3::bigint"),
    text(S::OldSuccessfulGraphs,
         "SELECT processgraphid FROM processgraphs WHERE colonyname = $1 AND state = 2 "
         "AND submissiontime < $2::bigint ORDER BY submissiontime LIMIT $3::bigint"),
    // Bounded: a pass removes at most $2 entries, the oldest, through the time index.
    text(S::DeleteOldLogs,
         "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE ts < $1::bigint "
         "ORDER BY ts LIMIT $2::bigint)"),
    // Channels (features.md 5); the removals run before their processes are deleted.
    text(S::ChannelTail,
         "SELECT idx, total FROM channel_messages WHERE processid = $1 AND channel = $2 "
         "ORDER BY idx DESC LIMIT 1"),
    insert(S::AddChannelEntry, "channel_messages"),
    text(S::ChannelKeys,
         "SELECT senderid, sequence FROM channel_messages WHERE processid = $1 AND channel = $2 "
         "ORDER BY idx"),
    text(S::ChannelEntries,
         "SELECT idx, doc FROM channel_messages WHERE processid = $1 AND channel = $2 "
         "AND idx >= $3::bigint ORDER BY idx LIMIT $4::bigint"),
    text(S::DeleteProcessChannels, "DELETE FROM channel_messages WHERE processid = $1"),
    text(S::DeleteColonyChannels,
         "DELETE FROM channel_messages WHERE processid IN "
         "(SELECT processid FROM processes WHERE colonyname = $1)"),
    text(S::DeleteProcessesChannels,
         "DELETE FROM channel_messages WHERE processid IN (SELECT processid FROM processes "
         "WHERE colonyname = $1 AND processgraphid = '' AND ($2::int = -1 OR state = $2::int))"),
    text(S::DeleteGraphChannels,
         "DELETE FROM channel_messages WHERE processid IN "
         "(SELECT processid FROM processes WHERE " OF_GRAPH ")"),
    // ColonyFS (features.md 4).
    text(S::DeleteColonyFiles, "DELETE FROM files WHERE colonyname = $1"),
    text(S::DeleteColonySnapshots, "DELETE FROM snapshots WHERE colonyname = $1"),
    insert(S::AddFile, "files"),
    text(S::FileSeqNr, "SELECT seqnr FROM files WHERE fileid = $1"),
    text(S::File, FILE_COLUMNS "WHERE fileid = $1 AND colonyname = $2"),
    text(S::FileRevisions,
         FILE_COLUMNS "WHERE colonyname = $1 AND label = $2 AND name = $3 ORDER BY seqnr DESC"),
    // Every revision, newest first per name: the reader keeps the first of each name.
    text(S::FilesOfLabel,
         FILE_COLUMNS "WHERE colonyname = $1 AND label = $2 ORDER BY name, seqnr DESC"),
    // Labels starting with $2 ('' = all), literally (upstream's LIKE would read % and _).
    text(S::FileLabels,
         "SELECT label, count(*) FROM files WHERE colonyname = $1 "
         "AND {instr}(label, $2::text) = 1 GROUP BY label ORDER BY label"),
    text(S::RemoveFile, "DELETE FROM files WHERE fileid = $1 AND colonyname = $2"),
    text(S::RemoveFileRevisions,
         "DELETE FROM files WHERE colonyname = $1 AND label = $2 AND name = $3"),
    insert(S::AddSnapshot, "snapshots", OnConflict::Ignore),
    text(S::Snapshot, "SELECT doc FROM snapshots WHERE snapshotid = $1 AND colonyname = $2"),
    text(S::SnapshotByName, "SELECT doc FROM snapshots WHERE colonyname = $1 AND name = $2"),
    text(S::Snapshots,
         "SELECT doc FROM snapshots WHERE colonyname = $1 ORDER BY added DESC, snapshotid"),
    text(S::RemoveSnapshot, "DELETE FROM snapshots WHERE snapshotid = $1 AND colonyname = $2"),
    text(S::RemoveSnapshotByName, "DELETE FROM snapshots WHERE colonyname = $1 AND name = $2"),
    // Blueprints (features.md 6).
    text(S::BlueprintDefinition,
         "SELECT doc FROM blueprint_definitions WHERE colonyname = $1 AND name = $2"),
    text(S::BlueprintDefinitions,
         "SELECT doc FROM blueprint_definitions WHERE colonyname = $1 ORDER BY name"),
    text(S::BlueprintDefinitionByKind,
         "SELECT doc FROM blueprint_definitions WHERE colonyname = $1 AND kind = $2 "
         "ORDER BY name LIMIT 1"),
    insert(S::AddBlueprintDefinition, "blueprint_definitions", OnConflict::Ignore),
    text(S::RemoveBlueprintDefinition,
         "DELETE FROM blueprint_definitions WHERE colonyname = $1 AND name = $2"),
    text(S::DeleteColonyBlueprintDefinitions,
         "DELETE FROM blueprint_definitions WHERE colonyname = $1"),
    text(S::Blueprint, "SELECT doc FROM blueprints WHERE colonyname = $1 AND name = $2"),
    text(S::LockBlueprint,
         "SELECT doc FROM blueprints WHERE colonyname = $1 AND name = $2{for_update}"),
    text(S::BlueprintById, "SELECT doc FROM blueprints WHERE blueprintid = $1"),
    text(S::Blueprints, "SELECT doc FROM blueprints WHERE colonyname = $1 ORDER BY name"),
    text(S::BlueprintsOfKind,
         "SELECT doc FROM blueprints WHERE colonyname = $1 AND kind = $2 ORDER BY name"),
    text(S::BlueprintsOfKindAt,
         "SELECT doc FROM blueprints WHERE colonyname = $1 AND kind = $2 AND locationname = $3 "
         "ORDER BY name"),
    text(S::CountBlueprintsOfKind,
         "SELECT COUNT(*) FROM blueprints WHERE colonyname = $1 AND kind = $2"),
    insert(S::AddBlueprint, "blueprints", OnConflict::Ignore),
    insert(S::SaveBlueprint, "blueprints", OnConflict::Replace),
    text(S::RemoveBlueprint, "DELETE FROM blueprints WHERE blueprintid = $1"),
    text(S::DeleteColonyBlueprints, "DELETE FROM blueprints WHERE colonyname = $1"),
    insert(S::AddBlueprintHistory, "blueprint_history"),
    text(S::BlueprintHistory,
         "SELECT doc FROM blueprint_history WHERE blueprintid = $1 "
         "ORDER BY ts DESC, {seq} DESC LIMIT $2::bigint"),
    text(S::DeleteColonyBlueprintHistory, "DELETE FROM blueprint_history WHERE colonyname = $1"),
};
static_assert(std::size(kDefs) == kStatementCount, "one definition per Stmt");

constexpr bool in_order() {
    for (size_t i = 0; i < std::size(kDefs); ++i)
        if (static_cast<size_t>(kDefs[i].id) != i) return false;
    return true;
}

const char* const kNames[] = {
#define COLONIES_SQL_NAME(name) #name,
    COLONIES_SQL_STATEMENTS(COLONIES_SQL_NAME)
#undef COLONIES_SQL_NAME
};

std::array<StatementInfo, kStatementCount> make_catalogue() {
    if (!in_order()) throw std::logic_error("statement definitions out of Stmt order");
    std::array<StatementInfo, kStatementCount> out;
    for (size_t i = 0; i < kStatementCount; ++i) {
        const Def& d = kDefs[i];
        out[i] = StatementInfo{d.id, kNames[i], d.sqlite, d.postgres, d.scans_processes};
    }
    return out;
}

std::array<std::string, kStatementCount> render_all(Dialect dialect) {
    std::array<std::string, kStatementCount> out;
    for (size_t i = 0; i < kStatementCount; ++i) {
        const Def& d = kDefs[i];
        out[i] = d.insert_into ? insert_sql(dialect, table(d.insert_into), d.on_conflict)
                               : render(dialect, d.text);
    }
    return out;
}

}  // namespace

std::span<const StatementInfo> catalogue() {
    static const auto kCatalogue = make_catalogue();
    return kCatalogue;
}

const StatementInfo& info(Stmt s) {
    return catalogue()[static_cast<size_t>(s)];
}

const std::string& sql(Dialect d, Stmt s) {
    static const auto kSqlite = render_all(Dialect::Sqlite);
    static const auto kPostgres = render_all(Dialect::Postgres);
    return (d == Dialect::Sqlite ? kSqlite : kPostgres)[static_cast<size_t>(s)];
}

}  // namespace colonies::store::sql
