#include "services/auth.hpp"

namespace colonies::services {

// A heartbeat write per request would cost a store write per read; once per few seconds is
// enough for stale-executor detection, whose threshold is minutes.
constexpr int64_t kHeartbeatGranularityNs = 5'000'000'000LL;

Status require_server_owner(store::StoreTx& tx, const std::string& caller) {
    auto id = tx.server_id();
    if (!id) return internal_error("No server id is stored: initialise the database with --initdb");
    if (*id != caller) return forbidden("Access denied, not server owner");
    return ok_status();
}

Status require_colony_owner(store::StoreTx& tx, const std::string& colony,
                            const std::string& caller) {
    if (colony.empty()) return forbidden("Empty Colony name");
    auto c = tx.colony(colony);
    if (!c) return forbidden("Colony with name " + colony + " does not exists");
    if (c->colonyid != caller) return forbidden("Access denied, not colony owner");
    return ok_status();
}

Status require_member(store::StoreTx& tx, const std::string& colony, const std::string& caller,
                      bool approved, Time now) {
    tx.prefetch_caller(colony, caller);
    if (auto e = tx.executor_by_id(caller); e && e->colonyname == colony) {
        if (!approved || e->state == ExecutorState::Approved) {
            if (e->state != ExecutorState::Unregistered &&
                (e->lastheardfromtime.is_zero() ||
                 now.ns - e->lastheardfromtime.ns > kHeartbeatGranularityNs))
                tx.touch_executor(caller, now);
            return ok_status();
        }
    }
    // A user row exists only in an existing colony, so the colony is read only to say why not.
    if (tx.user_by_id(colony, caller)) return ok_status();
    if (!tx.colony(colony)) return forbidden("Colony with name " + colony + " does not exists");
    return forbidden("Access denied, not a member of Colony with name " + colony);
}

std::string initiator_name(store::StoreTx& tx, const std::string& caller,
                           const std::string& colony) {
    if (auto e = tx.executor_by_id(caller)) return e->executorname;
    if (auto u = tx.user_by_id(colony, caller)) return u->name;
    return {};
}

}  // namespace colonies::services
