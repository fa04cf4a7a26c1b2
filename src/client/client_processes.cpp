// The SDK's process, workflow and log calls (protocol.md 5.5-5.9), beside client.cpp, which holds
// the transport and the colony, user, executor and function calls.
#include "client/client.hpp"
#include "client/replies.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace json = boost::json;
using namespace replies;

// ---- processes ----

Result<Process> Client::submit(const FunctionSpec& spec, const std::string& prvkey) {
    return decode_one(call("submitfuncspecmsg", {{"spec", to_json(spec)}}, prvkey),
                      &process_from_json);
}

Result<Process> Client::assign(const std::string& colony, int timeout_s, const std::string& prvkey,
                               const std::string& available_cpu, const std::string& available_mem) {
    json::object msg{{"colonyname", colony},
                     {"timeout", timeout_s},
                     {"availablecpu", available_cpu},
                     {"availablemem", available_mem}};
    // The server holds the request up to timeout_s; leave it a margin to answer.
    const auto wait =
        std::chrono::seconds(timeout_s > 0 ? timeout_s : 0) + std::chrono::seconds(10);
    return decode_one(call("assignprocessmsg", std::move(msg), prvkey, wait), &process_from_json);
}

Result<Process> Client::get_process(const std::string& id, const std::string& prvkey) {
    return decode_one(call("getprocessmsg", {{"processid", id}}, prvkey), &process_from_json);
}

Result<std::vector<Process>> Client::get_processes(const std::string& colony, ProcessState state,
                                                   int count, const std::string& prvkey) {
    return decode_many(
        call("getprocessesmsg",
             {{"colonyname", colony}, {"count", count}, {"state", static_cast<int>(state)}},
             prvkey),
        &process_from_json);
}

Result<std::vector<Process>> Client::get_processes(const std::string& colony, ProcessState state,
                                                   int count, const ProcessFilter& filter,
                                                   const std::string& prvkey) {
    json::object msg{{"colonyname", colony}, {"count", count}, {"state", static_cast<int>(state)}};
    if (!filter.executortype.empty()) msg["executortype"] = filter.executortype;
    if (!filter.label.empty()) msg["label"] = filter.label;
    if (!filter.initiator.empty()) msg["initiator"] = filter.initiator;
    return decode_many(call("getprocessesmsg", std::move(msg), prvkey), &process_from_json);
}

Status Client::cancel_process(const std::string& id, const std::string& prvkey) {
    return to_status(call("cancelprocessmsg", {{"processid", id}}, prvkey));
}

Status Client::remove_process(const std::string& id, const std::string& prvkey) {
    return to_status(call("removeprocessmsg", {{"processid", id}, {"all", false}}, prvkey));
}

Status Client::remove_all_processes(const std::string& colony, int state,
                                    const std::string& prvkey) {
    return to_status(
        call("removeallprocessesmsg", {{"colonyname", colony}, {"state", state}}, prvkey));
}

Status Client::close_successful(const std::string& id, const json::array& out,
                                const std::string& prvkey) {
    return to_status(call("closesuccessfulmsg", {{"processid", id}, {"out", out}}, prvkey));
}

Status Client::close_failed(const std::string& id, const std::vector<std::string>& errors,
                            const std::string& prvkey) {
    json::array errs;
    errs.reserve(errors.size());
    for (const auto& e : errors) errs.emplace_back(e);
    return to_status(
        call("closefailedmsg", {{"processid", id}, {"errors", std::move(errs)}}, prvkey));
}

Status Client::set_output(const std::string& id, const json::array& out,
                          const std::string& prvkey) {
    return to_status(call("setoutputmsg", {{"processid", id}, {"out", out}}, prvkey));
}

Result<Attribute> Client::add_attribute(const Attribute& a, const std::string& prvkey) {
    return decode_one(call("addattributemsg", {{"attribute", to_json(a)}}, prvkey),
                      &attribute_from_json);
}

Result<Attribute> Client::get_attribute(const std::string& id, const std::string& prvkey) {
    return decode_one(call("getattributemsg", {{"attributeid", id}}, prvkey), &attribute_from_json);
}

// ---- workflows ----

Result<ProcessGraph> Client::submit_workflow(const WorkflowSpec& spec, const std::string& prvkey) {
    return decode_one(call("submitworkflowspecmsg", {{"spec", to_json(spec)}}, prvkey),
                      &process_graph_from_json);
}

Result<ProcessGraph> Client::get_process_graph(const std::string& id, const std::string& prvkey) {
    return decode_one(call("getprocessgraphmsg", {{"processgraphid", id}}, prvkey),
                      &process_graph_from_json);
}

// ---- logs ----

Status Client::add_log(const std::string& processid, const std::string& message,
                       const std::string& prvkey) {
    return to_status(call("addlogmsg", {{"processid", processid}, {"message", message}}, prvkey));
}

Result<std::vector<Log>> Client::get_logs(const std::string& colony, const std::string& processid,
                                          int count, int64_t since_ns, const std::string& prvkey) {
    return decode_many(call("getlogsmsg",
                            {{"colonyname", colony},
                             {"processid", processid},
                             {"executorname", ""},
                             {"count", count},
                             {"since", since_ns},
                             {"latest", false}},
                            prvkey),
                       &log_from_json);
}

Result<std::vector<Log>> Client::get_logs(const LogQuery& q, const std::string& prvkey) {
    return decode_many(call("getlogsmsg",
                            {{"colonyname", q.colony},
                             {"processid", q.processid},
                             {"executorname", q.executorname},
                             {"count", q.count},
                             {"since", q.since_ns},
                             {"latest", q.latest}},
                            prvkey),
                       &log_from_json);
}

Result<std::vector<Log>> Client::search_logs(const std::string& colony, const std::string& text,
                                             int days, int count, const std::string& prvkey) {
    return decode_many(
        call("searchlogsmsg",
             {{"colonyname", colony}, {"text", text}, {"days", days}, {"count", count}}, prvkey),
        &log_from_json);
}

}  // namespace colonies::client
