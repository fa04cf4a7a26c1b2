// The three checks of protocol.md 3.2 with upstream's messages.
#pragma once
#include <string>

#include "core/result.hpp"
#include "store/store.hpp"

namespace colonies::services {

Status require_server_owner(store::StoreTx& tx, const std::string& caller);
Status require_colony_owner(store::StoreTx& tx, const std::string& colony,
                            const std::string& caller);
// Member: an executor of the colony with id == caller (APPROVED when `approved`), or a user.
// A member executor's request counts as a heartbeat (lastheardfromtime, 6.10 quirk).
Status require_member(store::StoreTx& tx, const std::string& colony, const std::string& caller,
                      bool approved, Time now);

// Name shown as a submitter (protocol.md 6.2): the caller's executor name (any colony), else its
// user name in `colony`, else "".
std::string initiator_name(store::StoreTx& tx, const std::string& caller,
                           const std::string& colony);

}  // namespace colonies::services
