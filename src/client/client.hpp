// The C++ SDK: signed RPC calls to a Colonies server over HTTP(S) keep-alive (protocol.md 1-2).
// One Client holds one connection and is not thread-safe: give each thread its own. Every call
// takes the private key that signs it (the server recovers the caller id from the signature).
// Errors: the server's {status, message} (kind from the status); a request that got no reply is
// Unreachable (no connection), Transport or Timeout, its message saying what failed
// (client/transport_error.hpp).
#pragma once
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/channel.hpp"
#include "core/result.hpp"
#include "core/types.hpp"

namespace colonies::client {

// The request got no reply: no connection, a broken one, or a reply that did not come in time
// (a Timeout can also be a server's own reply, as assign's 408 while paused).
inline bool is_connection_failure(const Error& e) {
    return e.is(ErrorKind::Unreachable) || e.is(ErrorKind::Transport) || e.is(ErrorKind::Timeout);
}

struct Options {
    std::string host = "localhost";
    int port = 50080;
    bool tls = false;
    bool skip_tls_verify = false;
    std::chrono::seconds connect_timeout{10};
    // The door for RPC calls (issue 20; client/rpc_transport.hpp): "http" (default), "grpc" or
    // "coap", the latter two on `backend_port` of `host`. health() and post_raw() use it too;
    // get_raw() and subscriptions stay on HTTP at `port`.
    std::string backend = "http";
    int backend_port = 0;
};

class Client {
  public:
    explicit Client(Options opts);
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    // Low level: send {msg..., "msgtype": msgtype} signed with prvkey; the reply payload JSON.
    // `read_timeout` bounds the wait for the reply (long polls pass their own).
    Result<boost::json::value> call(const std::string& msgtype, boost::json::object msg,
                                    const std::string& prvkey,
                                    std::chrono::seconds read_timeout = std::chrono::seconds(60));
    // Send an arbitrary body to POST /api and return (http status, body) - for tests of bad input.
    Result<std::pair<int, std::string>> post_raw(const std::string& body);
    // GET `target` (e.g. "/metrics") and return (http status, body).
    Result<std::pair<int, std::string>> get_raw(const std::string& target);
    bool health();  // GET /health == 200

    Result<std::string> version();  // buildversion (unsigned versionmsg)
    Result<ServerInfo> server_info();

    // Colonies (server owner key).
    Result<Colony> add_colony(const Colony& c, const std::string& prvkey);
    Status remove_colony(const std::string& name, const std::string& prvkey);
    Result<std::vector<Colony>> get_colonies(const std::string& prvkey);
    Result<Colony> get_colony(const std::string& name, const std::string& prvkey);
    Result<Statistics> get_colony_statistics(const std::string& name, const std::string& prvkey);
    Result<Statistics> get_statistics(const std::string& prvkey);
    // getclustermsg (server owner): {"nodes": [Node], "leader": Node} as the server sent it.
    Result<boost::json::value> get_cluster(const std::string& prvkey);

    // Users (colony owner key to add/remove).
    Result<User> add_user(const User& u, const std::string& prvkey);
    Result<std::vector<User>> get_users(const std::string& colony, const std::string& prvkey);
    Result<User> get_user(const std::string& colony, const std::string& name,
                          const std::string& prvkey);
    Status remove_user(const std::string& colony, const std::string& name,
                       const std::string& prvkey);

    // Executors (colony owner key to add/approve/reject/remove).
    Result<Executor> add_executor(const Executor& e, const std::string& prvkey);
    Result<std::vector<Executor>> get_executors(const std::string& colony,
                                                const std::string& prvkey);
    Result<Executor> get_executor(const std::string& colony, const std::string& name,
                                  const std::string& prvkey);
    Status approve_executor(const std::string& colony, const std::string& name,
                            const std::string& prvkey);
    Status reject_executor(const std::string& colony, const std::string& name,
                           const std::string& prvkey);
    Status remove_executor(const std::string& colony, const std::string& name,
                           const std::string& prvkey);
    Result<Function> add_function(const Function& f, const std::string& prvkey);
    Result<Executor> get_executor_by_id(const std::string& colony, const std::string& id,
                                        const std::string& prvkey);
    // Functions of the colony, or of one executor when `executorname` is not empty.
    Result<std::vector<Function>> get_functions(const std::string& colony,
                                                const std::string& executorname,
                                                const std::string& prvkey);

    // Processes.
    Result<Process> submit(const FunctionSpec& spec, const std::string& prvkey);
    // Long poll: waits up to timeout_s seconds (<0: do not wait). NotFound when nothing came.
    Result<Process> assign(const std::string& colony, int timeout_s, const std::string& prvkey,
                           const std::string& available_cpu = "",
                           const std::string& available_mem = "");
    Result<Process> get_process(const std::string& id, const std::string& prvkey);
    Result<std::vector<Process>> get_processes(const std::string& colony, ProcessState state,
                                               int count, const std::string& prvkey);
    // getprocessesmsg with its optional filters (only one applies: executortype > initiator >
    // label, protocol.md 5.6).
    struct ProcessFilter {
        std::string executortype, label, initiator;
    };
    Result<std::vector<Process>> get_processes(const std::string& colony, ProcessState state,
                                               int count, const ProcessFilter& filter,
                                               const std::string& prvkey);
    Status cancel_process(const std::string& id, const std::string& prvkey);
    Status remove_process(const std::string& id, const std::string& prvkey);
    Status remove_all_processes(const std::string& colony, int state, const std::string& prvkey);
    Status close_successful(const std::string& id, const boost::json::array& out,
                            const std::string& prvkey);
    Status close_failed(const std::string& id, const std::vector<std::string>& errors,
                        const std::string& prvkey);
    Status set_output(const std::string& id, const boost::json::array& out,
                      const std::string& prvkey);
    Result<Attribute> add_attribute(const Attribute& a, const std::string& prvkey);
    Result<Attribute> get_attribute(const std::string& id, const std::string& prvkey);

    // Workflows.
    Result<ProcessGraph> submit_workflow(const WorkflowSpec& spec, const std::string& prvkey);
    Result<ProcessGraph> get_process_graph(const std::string& id, const std::string& prvkey);

    // Logs.
    Status add_log(const std::string& processid, const std::string& message,
                   const std::string& prvkey);
    Result<std::vector<Log>> get_logs(const std::string& colony, const std::string& processid,
                                      int count, int64_t since_ns, const std::string& prvkey);
    // getlogsmsg in full (features.md 3.3): by executor name when set, else by process id;
    // `latest` returns the newest `count` entries (oldest first).
    struct LogQuery {
        std::string colony, processid, executorname;
        int count = 100;
        int64_t since_ns = 0;
        bool latest = false;
    };
    Result<std::vector<Log>> get_logs(const LogQuery& q, const std::string& prvkey);
    // searchlogsmsg (features.md 3.4): up to `count` (max 100) entries of the colony from the
    // last `days` (max 30) days whose message contains `text` (case-sensitive), in no order.
    Result<std::vector<Log>> search_logs(const std::string& colony, const std::string& text,
                                         int days, int count, const std::string& prvkey);

    // Crons (features.md 1.5). run_cron replies with the cron as it was before the run.
    Result<Cron> add_cron(const Cron& c, const std::string& prvkey);
    Result<Cron> get_cron(const std::string& id, const std::string& prvkey);
    Result<std::vector<Cron>> get_crons(const std::string& colony, int count,
                                        const std::string& prvkey);
    Result<Cron> run_cron(const std::string& id, const std::string& prvkey);
    Status remove_cron(const std::string& id, const std::string& prvkey);
    // Generators (features.md 2). get_generator fills `queuesize` and `checkerperiod`.
    Result<Generator> add_generator(const Generator& g, const std::string& prvkey);
    Result<Generator> get_generator(const std::string& id, const std::string& prvkey);
    Result<std::vector<Generator>> get_generators(const std::string& colony, int count,
                                                  const std::string& prvkey);
    Result<Generator> resolve_generator(const std::string& colony, const std::string& name,
                                        const std::string& prvkey);
    // Queues one argument; durable when this returns.
    Status pack_generator(const std::string& id, const std::string& arg, const std::string& prvkey);
    Status remove_generator(const std::string& id, const std::string& prvkey);
    // Locations (features.md 7.1; colony owner key to add/remove). add_location keeps the
    // location's `locationid` (the CLI makes a random one).
    Result<Location> add_location(const Location& l, const std::string& prvkey);
    Result<std::vector<Location>> get_locations(const std::string& colony,
                                                const std::string& prvkey);
    Result<Location> get_location(const std::string& colony, const std::string& name,
                                  const std::string& prvkey);
    Status remove_location(const std::string& colony, const std::string& name,
                           const std::string& prvkey);

    // Key rotation (protocol.md 5.15): each moves the signer's own record to `new_id` (the id of
    // the new key); from then on only the new key works. Colony: colony owner key; server:
    // server owner key; user and executor: their own key.
    Status change_user_id(const std::string& colony, const std::string& new_id,
                          const std::string& prvkey);
    Status change_executor_id(const std::string& colony, const std::string& new_id,
                              const std::string& prvkey);
    Status change_colony_id(const std::string& colony, const std::string& new_id,
                            const std::string& prvkey);
    Status change_server_id(const std::string& new_id, const std::string& prvkey);
    // Process history, pause, executor capabilities (issue 14; client_ledger.cpp).
    // getprocesshistmsg: processes of the colony (or assigned to `executorid` when not "") in
    // `state` submitted within the last `seconds`, oldest first.
    Result<std::vector<Process>> get_process_history(const std::string& colony,
                                                     const std::string& executorid, int64_t seconds,
                                                     ProcessState state, const std::string& prvkey);
    // getprocesstransitionsmsg (ours): the submission, then every state change.
    Result<std::vector<ProcessTransition>> get_process_transitions(const std::string& processid,
                                                                   const std::string& prvkey);
    // Colony owner key.
    Status pause_assignments(const std::string& colony, const std::string& prvkey);
    Status resume_assignments(const std::string& colony, const std::string& prvkey);
    Result<bool> get_pause_status(const std::string& colony, const std::string& prvkey);
    // Signed by the executor itself: {"hardware": [...], "software": [...]} and
    // {"projects": {...}} (features.md 7.5).
    Status update_executor_capabilities(const std::string& colony, const std::string& name,
                                        const boost::json::object& capabilities,
                                        const std::string& prvkey);
    Status report_allocations(const std::string& colony, const std::string& name,
                              const boost::json::object& allocations, const std::string& prvkey);
    // Channels (features.md 5): the submitter of a process and its executor exchange entries.
    // `payload` is bytes (sent base64); `type` "" is "data" (also "end", "error").
    Status channel_append(const std::string& processid, const std::string& name, int64_t sequence,
                          const std::string& payload, const std::string& prvkey,
                          int64_t inreplyto = 0, const std::string& type = "");
    // Entries at log positions [afterseq, afterseq + limit) (limit 0: to the end).
    Result<std::vector<ChannelEntry>> channel_read(const std::string& processid,
                                                   const std::string& name, int64_t afterseq,
                                                   int64_t limit, const std::string& prvkey);
    // ColonyFS records (features.md 4; client/files.cpp). The bytes go through fs/ (S3).
    Result<File> add_file(const File& f, const std::string& prvkey);
    Result<File> get_file(const std::string& colony, const std::string& fileid,
                          const std::string& prvkey);
    // Revisions of (label, name), newest first; only the newest with `latest`.
    Result<std::vector<File>> get_file_revisions(const std::string& colony,
                                                 const std::string& label, const std::string& name,
                                                 bool latest, const std::string& prvkey);
    Result<std::vector<FileData>> get_file_data(const std::string& colony, const std::string& label,
                                                const std::string& prvkey);
    Result<std::vector<FileLabel>> get_file_labels(const std::string& colony,
                                                   const std::string& name, bool exact,
                                                   const std::string& prvkey);
    // By id when `fileid` is set, else every revision of (label, name).
    Status remove_file(const std::string& colony, const std::string& fileid,
                       const std::string& label, const std::string& name,
                       const std::string& prvkey);
    Result<Snapshot> create_snapshot(const std::string& colony, const std::string& label,
                                     const std::string& name, const std::string& prvkey);
    // By id when `snapshotid` is set, else by name.
    Result<Snapshot> get_snapshot(const std::string& colony, const std::string& snapshotid,
                                  const std::string& name, const std::string& prvkey);
    Result<std::vector<Snapshot>> get_snapshots(const std::string& colony,
                                                const std::string& prvkey);
    Status remove_snapshot(const std::string& colony, const std::string& snapshotid,
                           const std::string& name, const std::string& prvkey);
    Status remove_all_snapshots(const std::string& colony, const std::string& prvkey);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace colonies::client
