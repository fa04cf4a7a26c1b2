// The catalogue of every statement the stores run, each written once (neutral SQL, dialect.hpp)
// and rendered once per dialect. Backends prepare and cache statements by Stmt.
#pragma once
#include <cstddef>
#include <span>
#include <string>

#include "store/sql/dialect.hpp"

namespace colonies::store::sql {

// One X(name) per statement. clang-format cannot keep an X-macro list stable, so it stays out.
// clang-format off
#define COLONIES_SQL_STATEMENTS(X) \
    X(ServerId) \
    X(SetServerId) \
    X(Colony) \
    X(Colonies) \
    X(AddColony) \
    X(DeleteColonyAttributes) \
    X(DeleteColonyProcesses) \
    X(DeleteColonyLogs) \
    X(DeleteColonyGraphs) \
    X(DeleteColonyFunctions) \
    X(DeleteColonyExecutors) \
    X(DeleteColonyUsers) \
    X(DeleteColony) \
    X(User) \
    X(UserById) \
    X(Users) \
    X(AddUser) \
    X(RemoveUser) \
    X(Executor) \
    X(LiveExecutorById) \
    X(ExecutorById) \
    X(ExecutorByIdLiveFirst) \
    X(CallerRecords) \
    X(Executors) \
    X(SaveExecutor) \
    X(TouchExecutor) \
    X(SilentExecutors) \
    X(CountExecutors) \
    X(AddFunction) \
    X(Functions) \
    X(FunctionsOfExecutor) \
    X(Function) \
    X(RemoveFunction) \
    X(RemoveFunctionsOf) \
    X(RecordFunctionRun) \
    X(Process) \
    X(AttributesOf) \
    X(SaveProcess) \
    X(DeleteProcessAttributes) \
    X(DeleteProcess) \
    X(FindAssignable) \
    X(ClaimAssignable) \
    X(ProcessesWaiting) \
    X(ProcessesRunning) \
    X(ProcessesFinished) \
    X(DeleteProcessesAttributes) \
    X(DeleteProcesses) \
    X(ExpiredRunning) \
    X(ExpiredWaiting) \
    X(RunningProcessesOf) \
    X(CountProcessesAll) \
    X(CountProcesses) \
    X(AddAttribute) \
    X(Attribute) \
    X(UpdateAttributeDoc) \
    X(SetAttributeStates) \
    X(Graph) \
    X(SaveGraph) \
    X(Graphs) \
    X(ProcessesOfGraph) \
    X(DeleteGraphAttributes) \
    X(DeleteGraphProcesses) \
    X(DeleteGraph) \
    X(GraphIdsOf) \
    X(CountGraphsAll) \
    X(CountGraphs) \
    X(AddLog) \
    X(LogsOfProcess) \
    X(LatestLogsOfProcess) \
    X(LogsOfExecutor) \
    X(LatestLogsOfExecutor) \
    X(SearchLogs) \
    X(AddCron) \
    X(Cron) \
    X(LockCron) \
    X(CronByName) \
    X(Crons) \
    X(DueCrons) \
    X(UpdateCron) \
    X(RemoveCron) \
    X(DeleteColonyCrons) \
    X(Generator) \
    X(GeneratorByName) \
    X(Generators) \
    X(AddGenerator) \
    X(DeleteGeneratorArgs) \
    X(DeleteGenerator) \
    X(DeleteColonyGeneratorArgs) \
    X(DeleteColonyGenerators) \
    X(PackGenerator) \
    X(AddGeneratorArg) \
    X(GeneratorArgs) \
    X(ConsumeGeneratorArgs) \
    X(GeneratorRan) \
    X(FullGenerators) \
    X(TimedOutGenerators) \
    X(Location) \
    X(Locations) \
    X(AddLocation) \
    X(RemoveLocation) \
    X(DeleteColonyLocations) \
    X(ChangeColonyId) \
    X(ChangeUserId) \
    X(LiveProcessesOfInitiator) \
    X(ChangeGeneratorsInitiator) \
    X(ProcessHistory) \
    X(ProcessHistoryOfExecutor) \
    X(AddTransition) \
    X(Transitions) \
    X(DeleteProcessTransitions) \
    X(DeleteProcessesTransitions) \
    X(DeleteGraphTransitions) \
    X(DeleteColonyTransitions) \
    X(ColonyPaused) \
    X(PauseColony) \
    X(ResumeColony) \
    X(OldSuccessfulProcesses) \
    X(OldSuccessfulGraphs) \
    X(DeleteOldLogs) \
    X(ChannelTail) \
    X(AddChannelEntry) \
    X(ChannelKeys) \
    X(ChannelEntries) \
    X(DeleteProcessChannels) \
    X(DeleteColonyChannels) \
    X(DeleteProcessesChannels) \
    X(DeleteGraphChannels) \
    X(DeleteColonyFiles) \
    X(DeleteColonySnapshots) \
    X(AddFile) \
    X(FileSeqNr) \
    X(File) \
    X(FileRevisions) \
    X(FilesOfLabel) \
    X(FileLabels) \
    X(RemoveFile) \
    X(RemoveFileRevisions) \
    X(AddSnapshot) \
    X(Snapshot) \
    X(SnapshotByName) \
    X(Snapshots) \
    X(RemoveSnapshot) \
    X(RemoveSnapshotByName) \
    X(BlueprintDefinition) \
    X(BlueprintDefinitions) \
    X(BlueprintDefinitionByKind) \
    X(AddBlueprintDefinition) \
    X(RemoveBlueprintDefinition) \
    X(DeleteColonyBlueprintDefinitions) \
    X(Blueprint) \
    X(LockBlueprint) \
    X(BlueprintById) \
    X(Blueprints) \
    X(BlueprintsOfKind) \
    X(BlueprintsOfKindAt) \
    X(CountBlueprintsOfKind) \
    X(AddBlueprint) \
    X(SaveBlueprint) \
    X(RemoveBlueprint) \
    X(DeleteColonyBlueprints) \
    X(AddBlueprintHistory) \
    X(BlueprintHistory) \
    X(DeleteColonyBlueprintHistory)
// clang-format on

enum class Stmt : unsigned short {
#define COLONIES_SQL_ENUM(name) name,
    COLONIES_SQL_STATEMENTS(COLONIES_SQL_ENUM)
#undef COLONIES_SQL_ENUM
};

inline constexpr size_t kStatementCount = 0
#define COLONIES_SQL_COUNT(name) +1
    COLONIES_SQL_STATEMENTS(COLONIES_SQL_COUNT)
#undef COLONIES_SQL_COUNT
    ;

struct StatementInfo {
    Stmt id;
    const char* name;
    // Only this dialect runs it (the other one has a different way); both when unset.
    bool sqlite = true, postgres = true;
    // Meant to read the whole processes table (checked by the full-scan guard test).
    bool scans_processes = false;
};

std::span<const StatementInfo> catalogue();
const StatementInfo& info(Stmt s);

// The statement's SQL in dialect d, rendered on first use and kept.
const std::string& sql(Dialect d, Stmt s);

}  // namespace colonies::store::sql
