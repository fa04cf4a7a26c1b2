// Client calls of process history, pause and executor capabilities (issue 14), beside client.cpp
// so that file stays small.
#include "client/client.hpp"
#include "client/replies.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace json = boost::json;
using namespace replies;

Result<std::vector<Process>> Client::get_process_history(const std::string& colony,
                                                         const std::string& executorid,
                                                         int64_t seconds, ProcessState state,
                                                         const std::string& prvkey) {
    return decode_many(call("getprocesshistmsg",
                            {{"colonyname", colony},
                             {"executorid", executorid},
                             {"seconds", seconds},
                             {"state", static_cast<int>(state)}},
                            prvkey),
                       &process_from_json);
}

Result<std::vector<ProcessTransition>> Client::get_process_transitions(const std::string& processid,
                                                                       const std::string& prvkey) {
    return decode_many(call("getprocesstransitionsmsg", {{"processid", processid}}, prvkey),
                       &process_transition_from_json);
}

Status Client::pause_assignments(const std::string& colony, const std::string& prvkey) {
    return to_status(call("pauseassignmentsmsg", {{"colonyname", colony}}, prvkey));
}

Status Client::resume_assignments(const std::string& colony, const std::string& prvkey) {
    return to_status(call("resumeassignmentsmsg", {{"colonyname", colony}}, prvkey));
}

Result<bool> Client::get_pause_status(const std::string& colony, const std::string& prvkey) {
    auto r = call("getpausestatusmsg", {{"colonyname", colony}}, prvkey);
    if (!r) return r.error();
    const auto* o = r->if_object();
    const auto* paused = o ? o->if_contains("ispaused") : nullptr;
    if (!paused || !paused->is_bool()) return bad_reply("pause status without ispaused");
    return paused->get_bool();
}

Status Client::update_executor_capabilities(const std::string& colony, const std::string& name,
                                            const json::object& capabilities,
                                            const std::string& prvkey) {
    return to_status(call(
        "updateexecutormsg",
        {{"colonyname", colony}, {"executorname", name}, {"capabilities", capabilities}}, prvkey));
}

Status Client::report_allocations(const std::string& colony, const std::string& name,
                                  const json::object& allocations, const std::string& prvkey) {
    return to_status(call(
        "reportallocationmsg",
        {{"colonyname", colony}, {"executorname", name}, {"allocations", allocations}}, prvkey));
}

}  // namespace colonies::client
