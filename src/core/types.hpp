// Domain types of protocol.md section 4. Member names are the JSON keys. Each wire type's
// BOOST_DESCRIBE_STRUCT lists its JSON fields once, in the order the keys go on the wire;
// core/json.cpp encodes and decodes from that list (a member left out is not on the wire). A new
// field goes in the struct and in its list. Free-form JSON (args, kwargs, in, out, fs) is kept as
// Boost.JSON values so it round-trips unchanged. No I/O here.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace colonies {

enum class ProcessState : int { Waiting = 0, Running = 1, Success = 2, Failed = 3, Cancelled = 4 };
// The state with wire number `wire`; nullopt for any number outside 0..4.
inline std::optional<ProcessState> parse_process_state(int64_t wire) {
    if (wire < static_cast<int64_t>(ProcessState::Waiting) ||
        wire > static_cast<int64_t>(ProcessState::Cancelled))
        return std::nullopt;
    return static_cast<ProcessState>(wire);
}
// SUCCESS, FAILED and CANCELLED: nothing but a workflow cascade leaves them (protocol.md 6.1).
inline bool is_final(ProcessState s) {
    return s == ProcessState::Success || s == ProcessState::Failed || s == ProcessState::Cancelled;
}
enum class ExecutorState : int { Pending = 0, Approved = 1, Rejected = 2, Unregistered = 3 };
enum class AttributeType : int { In = 0, Out = 1, Err = 2, Env = 3 };

constexpr int kMinPriority = -50000;
constexpr int kMaxPriority = 50000;
constexpr int64_t kPriorityUnitNs = 86400LL * 1000000000LL;

struct Colony {
    std::string colonyid;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Colony, (), (colonyid, name))

struct User {
    std::string colonyname;
    std::string userid;
    std::string name;
    std::string email;
    std::string phone;
};
BOOST_DESCRIBE_STRUCT(User, (), (colonyname, userid, name, email, phone))

struct GPU {
    std::string name;
    std::string mem;
    int64_t count = 0;
    int64_t nodecount = 0;
};
BOOST_DESCRIBE_STRUCT(GPU, (), (name, mem, count, nodecount))

struct Hardware {
    std::string model;
    int64_t nodes = 0;
    std::string cpu;
    int64_t cores = 0;
    std::string mem;
    std::string storage;
    GPU gpu;
    std::string platform;
    std::string architecture;
    std::vector<std::string> network;
};
BOOST_DESCRIBE_STRUCT(Hardware, (),
                      (model, nodes, cpu, cores, mem, storage, gpu, platform, architecture,
                       network))

struct Software {
    std::string name;
    std::string type;
    std::string version;
};
BOOST_DESCRIBE_STRUCT(Software, (), (name, type, version))

// Capabilities and allocations are informational only (never matched), so they are kept as the
// JSON the executor sent, normalised on output.
struct Executor {
    std::string executorid;
    std::string executortype;
    std::string executorname;
    std::string colonyname;
    ExecutorState state = ExecutorState::Pending;
    bool requirefuncreg = false;
    Time commissiontime;
    Time lastheardfromtime;
    std::string locationname;          // omit when empty
    boost::json::object capabilities;  // {"hardware": [...]|null, "software": [...]|null}
    boost::json::object allocations;   // {"projects": {...}|null}
    std::string blueprintid;           // omit when empty
    int64_t blueprintgen = 0;          // omit when 0
};
BOOST_DESCRIBE_STRUCT(Executor, (),
                      (executorid, executortype, executorname, colonyname, state, requirefuncreg,
                       commissiontime, lastheardfromtime, locationname, capabilities, allocations,
                       blueprintid, blueprintgen))

struct Conditions {
    std::string colonyname;
    std::vector<std::string> executornames;  // empty = any; ["*"] normalised to empty
    bool executornames_null = true;          // echo null when the client sent none
    std::string executortype;
    std::string locationname;  // omit when empty
    std::vector<std::string> dependencies;
    int64_t nodes = 0;
    std::string cpu;  // as stored: "<millicores>m"
    int64_t processes = 0;
    int64_t processespernode = 0;
    std::string mem;      // as stored: "<MiB>Mi"
    std::string storage;  // as stored: "<MiB>Mi"
    GPU gpu;
    int64_t walltime = 0;
};
BOOST_DESCRIBE_STRUCT(Conditions, (),
                      (colonyname, executornames, executortype, locationname, dependencies, nodes,
                       cpu, processes, processespernode, mem, storage, gpu, walltime))

struct FunctionSpec {
    std::string nodename;
    std::string funcname;
    boost::json::array args;
    boost::json::object kwargs;
    int64_t priority = 0;
    int64_t maxwaittime = 0;
    int64_t maxexectime = 0;
    int64_t maxretries = 0;
    Conditions conditions;
    std::string label;
    boost::json::value fs;  // Filesystem blob, echoed unchanged; null -> default shape
    std::map<std::string, std::string> env;
    std::vector<std::string> channels;  // omit when empty
};
BOOST_DESCRIBE_STRUCT(FunctionSpec, (),
                      (nodename, funcname, args, kwargs, priority, maxwaittime, maxexectime,
                       maxretries, conditions, label, fs, env, channels))

struct Attribute {
    std::string attributeid;
    std::string targetid;
    std::string targetcolonyname;
    std::string targetprocessgraphid;
    ProcessState state = ProcessState::Waiting;
    AttributeType attributetype = AttributeType::In;
    std::string key;
    std::string value;
};
BOOST_DESCRIBE_STRUCT(Attribute, (),
                      (attributeid, targetid, targetcolonyname, targetprocessgraphid, state,
                       attributetype, key, value))

struct Process {
    std::string processid;
    std::string initiatorid;
    std::string initiatorname;
    std::string assignedexecutorid;
    bool isassigned = false;
    ProcessState state = ProcessState::Waiting;
    int64_t prioritytime = 0;
    Time submissiontime;
    Time starttime;
    Time endtime;
    Time waitdeadline;
    Time execdeadline;
    int64_t retries = 0;
    std::vector<Attribute> attributes;
    FunctionSpec spec;
    bool waitforparents = false;
    std::vector<std::string> parents;
    std::vector<std::string> children;
    std::string processgraphid;
    boost::json::array in;
    boost::json::array out;
    std::vector<std::string> errors;
};
BOOST_DESCRIBE_STRUCT(Process, (),
                      (processid, initiatorid, initiatorname, assignedexecutorid, isassigned, state,
                       prioritytime, submissiontime, starttime, endtime, waitdeadline, execdeadline,
                       retries, attributes, spec, waitforparents, parents, children, processgraphid,
                       in, out, errors))

struct WorkflowSpec {
    std::string colonyname;
    std::vector<FunctionSpec> functionspecs;
};
BOOST_DESCRIBE_STRUCT(WorkflowSpec, (), (colonyname, functionspecs))

struct ProcessGraph {
    std::string processgraphid;
    std::string initiatorid;
    std::string initiatorname;
    std::string colonyname;
    std::vector<std::string> rootprocessids;
    ProcessState state = ProcessState::Waiting;
    Time submissiontime;
    Time starttime;
    Time endtime;
    std::vector<std::string> processids;
    boost::json::array nodes;
    boost::json::array edges;
};
BOOST_DESCRIBE_STRUCT(ProcessGraph, (),
                      (processgraphid, initiatorid, initiatorname, colonyname, rootprocessids,
                       state, submissiontime, starttime, endtime, processids, nodes, edges))

struct Function {
    std::string functionid;
    std::string executorname;
    std::string executortype;
    std::string colonyname;
    std::string funcname;
    std::string description;  // omit
    boost::json::array args;  // [FunctionArg], omit when empty
    int64_t counter = 0;
    double minwaittime = 0, maxwaittime = 0, minexectime = 0, maxexectime = 0;
    double avgwaittime = 0, avgexectime = 0;
    std::string locationname;  // omit
};
BOOST_DESCRIBE_STRUCT(Function, (),
                      (functionid, executorname, executortype, colonyname, funcname, description,
                       args, counter, minwaittime, maxwaittime, minexectime, maxexectime,
                       avgwaittime, avgexectime, locationname))

struct Log {
    std::string processid;
    std::string colonyname;
    std::string executorname;
    std::string message;
    int64_t timestamp = 0;  // Unix ns
};
BOOST_DESCRIBE_STRUCT(Log, (), (processid, colonyname, executorname, message, timestamp))

// features.md 2.1. `queuesize` and `checkerperiod` are not stored: getgeneratormsg fills them.
struct Generator {
    std::string generatorid;
    std::string initiatorid;
    std::string initiatorname;
    std::string colonyname;
    std::string name;
    std::string workflowspec;  // JSON text of a WorkflowSpec
    int64_t trigger = 0;
    int64_t timeout = 0;  // seconds; <= 0: no timeout
    Time firstpack;
    Time lastrun;
    int64_t queuesize = 0;
    int64_t checkerperiod = 0;
};
BOOST_DESCRIBE_STRUCT(Generator, (),
                      (generatorid, initiatorid, initiatorname, colonyname, name, workflowspec,
                       trigger, timeout, firstpack, lastrun, queuesize, checkerperiod))

// One packed argument of a generator (not a wire type).
struct GeneratorArg {
    std::string generatorargid;
    std::string generatorid;
    std::string colonyname;
    std::string arg;
};

struct Statistics {
    int64_t colonies = 0, executors = 0, activeexecutors = 0, unregisteredexecutors = 0;
    int64_t waitingprocesses = 0, runningprocesses = 0, successfulprocesses = 0,
            failedprocesses = 0, cancelledprocesses = 0;
    int64_t waitingworkflows = 0, runningworkflows = 0, successfulworkflows = 0,
            failedworkflows = 0, cancelledworkflows = 0;
};
BOOST_DESCRIBE_STRUCT(Statistics, (),
                      (colonies, executors, activeexecutors, unregisteredexecutors,
                       waitingprocesses, runningprocesses, successfulprocesses, failedprocesses,
                       cancelledprocesses, waitingworkflows, runningworkflows, successfulworkflows,
                       failedworkflows, cancelledworkflows))

// A stored workflow with a schedule (features.md 1.1). `workflowspec` is the WorkflowSpec as a
// JSON string. `checkat` is not on the wire: when the evaluation pass looks at the cron next
// (services/crons.hpp); normally nextrun, later while the previous graph blocks it, and the last
// representable instant when it never fires again.
struct Cron {
    std::string cronid;
    std::string initiatorid;
    std::string initiatorname;
    std::string colonyname;
    std::string name;
    std::string cronexpression;
    int64_t interval = 0;  // seconds; -1: use cronexpression
    bool random = false;
    Time nextrun;
    Time lastrun;
    std::string workflowspec;
    std::string prevprocessgraphid;
    bool waitforprevprocessgraph = false;
    int64_t checkerperiod = 0;  // ms, filled in by getcronmsg only
    Time checkat;
};
BOOST_DESCRIBE_STRUCT(Cron, (),
                      (cronid, initiatorid, initiatorname, colonyname, name, cronexpression,
                       interval, random, nextrun, lastrun, workflowspec, prevprocessgraphid,
                       waitforprevprocessgraph, checkerperiod))
// features.md 7.1. Not described: its JSON keys `long` and `lat` are no C++ member names
// (`long` is a keyword), so core/json.cpp maps it by hand.
struct Location {
    std::string locationid;
    std::string name;
    std::string colonyname;
    std::string description;
    double longitude = 0;  // "long"
    double latitude = 0;   // "lat"
};
// One state change of a process (our process history extension, docs/compat.md): the state it
// entered, the event that moved it (process_state.hpp's names), the executor it was assigned to
// then, and when.
struct ProcessTransition {
    std::string processid;
    ProcessState state = ProcessState::Waiting;
    std::string event;
    std::string executorid;
    Time time;
};
BOOST_DESCRIBE_STRUCT(ProcessTransition, (), (processid, state, event, executorid, time))
// ColonyFS (features.md 4): file revisions and snapshots. The server only keeps these records;
// the bytes live in an S3 object store the clients talk to.
struct S3Object {
    std::string server;  // endpoint "host:port" (AWS_S3_ENDPOINT)
    int64_t port = 0;    // upstream clients send -1
    bool tls = false;
    std::string accesskey;
    std::string secretkey;
    std::string region;
    std::string encryptionkey;
    std::string encryptionalg;
    std::string object;  // key in the bucket
    std::string bucket;
};
BOOST_DESCRIBE_STRUCT(S3Object, (),
                      (server, port, tls, accesskey, secretkey, region, encryptionkey,
                       encryptionalg, object, bucket))

struct FileRef {
    std::string protocol;  // "s3"
    S3Object s3object;
};
BOOST_DESCRIBE_STRUCT(FileRef, (), (protocol, s3object))

struct File {
    std::string fileid;
    std::string colonyname;
    std::string label;
    std::string name;
    int64_t size = 0;
    int64_t sequencenr = 0;
    std::string checksum;
    std::string checksumalg;
    FileRef ref;
    Time added;
};
BOOST_DESCRIBE_STRUCT(File, (),
                      (fileid, colonyname, label, name, size, sequencenr, checksum, checksumalg,
                       ref, added))

// The latest revision of one file name in a label (reply of getfilesmsg).
struct FileData {
    std::string name;
    std::string checksum;
    int64_t size = 0;
    std::string s3filename;
};
BOOST_DESCRIBE_STRUCT(FileData, (), (name, checksum, size, s3filename))

struct FileLabel {
    std::string name;
    int64_t files = 0;  // revisions with exactly this label
};
BOOST_DESCRIBE_STRUCT(FileLabel, (), (name, files))

struct Snapshot {
    std::string snapshotid;
    std::string colonyname;
    std::string label;
    std::string name;
    std::vector<std::string> fileids;
    Time added;
};
BOOST_DESCRIBE_STRUCT(Snapshot, (), (snapshotid, colonyname, label, name, fileids, added))

struct ServerInfo {
    std::string buildversion;
    std::string buildtime;
    std::string host;
    int64_t port = 0;
    bool tls = false;
};

}  // namespace colonies
