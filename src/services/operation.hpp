// Domain operations: each message of the catalogue (protocol.md 5) as a function that runs on
// the store thread inside one transaction (store/store.hpp), so validation, authorisation and
// the state change see one consistent state and commit together. No sockets here: the server
// decodes the envelope, runs the operation and encodes the reply.
#pragma once
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/channel.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/types.hpp"
#include "scheduler/waiters.hpp"
#include "store/store.hpp"

namespace colonies::services {

class TokenBuckets;  // services/channels_ops.hpp

struct Config {
    std::string build_version = "dev";
    std::string build_time;
    std::string http_host = "0.0.0.0";
    int64_t http_port = 50080;
    bool tls = false;
    bool allow_executor_reregister = false;
    int64_t stale_executor_seconds = 600;   // COLONIES_STALE_EXECUTOR_DURATION
    int64_t cleanup_interval_seconds = 60;  // COLONIES_CLEANUP_INTERVAL
    int64_t cron_checker_period_ms = 1000;  // COLONIES_CRON_CHECKER_PERIOD
    // Crons started at most per evaluation pass (a pass holds the store thread while it runs).
    int64_t crons_per_pass = 100;
    // The server log (set by the server command; null: lines are dropped).
    std::function<void(const std::string&)> log;
    // COLONIES_GENERATOR_CHECKER_PERIOD: milliseconds between the leader's generator passes.
    int64_t generator_checker_period_ms = 1000;
    // Retention (features.md 12.1): COLONIES_RETENTION, COLONIES_RETENTION_POLICY (seconds),
    // COLONIES_RETENTION_INTERVAL (ours: seconds between passes), rows of each kind per pass.
    bool retention = false;
    int64_t retention_policy_seconds = 0;
    int64_t retention_interval_seconds = 60;
    int retention_batch = 1000;
    // COLONIES_PROCESS_LEDGER (ours): record every state change of a process (getprocess-
    // transitionsmsg). Off by default: it costs about a tenth of the server's CPU per process
    // under W2 (docs/performance.md); without it the history is read from the process record.
    bool process_ledger = false;
    // getclustermsg's reply (the server fills it in; thread-safe).
    std::function<boost::json::value()> cluster_view;
    // Channels (features.md 5, 12.4): payload bytes one channel may hold
    // (COLONIES_CHANNEL_MAX_BYTES), and the per-process append rate, shared by the operations.
    int64_t channel_max_bytes = 32LL << 20;
    std::shared_ptr<TokenBuckets> channel_rate;  // null: upstream's 500 burst, 100/s
};

// A channel's news after a commit (features.md 5.4): the entry appended at `index` (the entry
// itself may be left out when it is too large to relay; subscribers then read it), or, with
// `ended`, the end of every channel of the process.
struct ChannelNews {
    std::string processid;
    std::string name;  // "" when ended
    int64_t index = 0;
    std::optional<ChannelEntry> entry;
    bool ended = false;
};

// What an operation changed that others must hear about after the commit.
struct Effects {
    std::vector<scheduler::ReadyProcess> ready;  // processes that became assignable
    std::vector<Process> events;  // processes as saved after a state change (6.11), in order
    // Colonies removed: their parked executors are released (their next look fails).
    std::vector<std::string> removed_colonies;
    // Lines for the server log, written only once the change is committed (a job that rolls
    // back, or runs again on PostgreSQL, must not report what did not happen).
    std::vector<std::string> log;
    // Colonies where an executor's key changed: their parked executors look again, so a poll of
    // the old key ends (refused) and takes no wake-up meant for the new key.
    std::vector<std::string> rekeyed_colonies;
    // Colonies whose assignments were resumed: their parked executors look again, here and on
    // the other servers of a cluster.
    std::vector<std::string> resumed_colonies;
    std::vector<ChannelNews> channels;  // entries appended, channels ended, in order
};

struct OpContext {
    store::StoreTx& tx;
    const std::string& caller;  // id recovered from the signature
    Time now;
    const Config& cfg;
    std::string_view error_prefix = "Failed";  // of the running operation
    Effects fx;
};

using OpResult = Result<boost::json::value>;
using OpFn = OpResult (*)(OpContext&, const boost::json::object& msg);

struct OpInfo {
    std::string_view payloadtype;
    std::string_view error_prefix;     // "<prefix>, invalid JSON"
    OpFn fn;                           // nullptr for operations the server runs itself (assign)
    std::string_view reply_type = {};  // the reply's payloadtype when not the request's
};

// nullptr for payload types not served on /api.
const OpInfo* find_operation(std::string_view payloadtype);
// The whole catalogue, in a fixed order (find_operation's results point into it).
std::span<const OpInfo> operations();

// Assign, first half (6.3 steps 1 and 3): authorise, validate, record the heartbeat and claim the
// best matching process. `claimed` empty: nothing to take now; the caller waits per `waiter`.
struct AssignAttempt {
    std::optional<Process> claimed;
    scheduler::WaiterSpec waiter;
    int64_t timeout_s = 0;
    bool paused = false;  // the colony's assignments are paused (features.md 7.6)
};
Result<AssignAttempt> try_assign(OpContext& ctx, const boost::json::object& msg);

// The deadline sweep (6.6): requeue or fail RUNNING processes past their exec deadline, fail
// WAITING ones past their wait deadline. Returns how many processes changed.
int sweep_deadlines(OpContext& ctx);

// Stale executor cleanup (6.10, features.md 12.2): executors silent for longer than
// cfg.stale_executor_seconds are unregistered and their running processes requeued. Returns how
// many were unregistered.
int cleanup_stale_executors(OpContext& ctx);

scheduler::ReadyProcess ready_of(const Process& p, const SpecRequirements& req);

}  // namespace colonies::services
