// Domain operations: each message of the catalogue (protocol.md 5) as a function that runs on
// the store thread inside one transaction (store/store.hpp), so validation, authorisation and
// the state change see one consistent state and commit together. No sockets here: the server
// decodes the envelope, runs the operation and encodes the reply.
#pragma once
#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
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
    std::string_view error_prefix;  // "<prefix>, invalid JSON"
    OpFn fn;                        // nullptr for operations the server runs itself (assign)
};

// nullptr for payload types not served on /api.
const OpInfo* find_operation(std::string_view payloadtype);

// Assign, first half (6.3 steps 1 and 3): authorise, validate, record the heartbeat and claim the
// best matching process. `claimed` empty: nothing to take now; the caller waits per `waiter`.
struct AssignAttempt {
    std::optional<Process> claimed;
    scheduler::WaiterSpec waiter;
    int64_t timeout_s = 0;
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
