#include "cli/ids.hpp"

#include <algorithm>
#include <cctype>

#include "core/json.hpp"

namespace colonies::cli {
namespace {

constexpr int kListed = 100;  // the server's largest count (protocol.md 5.6)
constexpr ProcessState kStates[] = {ProcessState::Waiting, ProcessState::Running,
                                    ProcessState::Success, ProcessState::Failed,
                                    ProcessState::Cancelled};

bool all_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string where_listed(const std::string& plural) {
    return "among the " + std::to_string(kListed) + " newest " + plural +
           " of each state; pass the whole id (tables show it with -i)";
}

}  // namespace

std::string short_id(const std::string& id, bool full) {
    return full || id.size() <= kShortIdLength ? id : id.substr(0, kShortIdLength);
}

bool is_full_id(const std::string& s) {
    return s.size() == 64 && all_hex(s);
}

bool is_id_prefix(const std::string& s) {
    return !s.empty() && s.size() < 64 && all_hex(s);
}

std::string match_prefix(const std::string& prefix, const std::vector<std::string>& ids,
                         const std::string& noun, const std::string& where) {
    const std::string p = lower(prefix);
    std::vector<std::string> found;
    for (const auto& id : ids)
        if (id.starts_with(p) && std::find(found.begin(), found.end(), id) == found.end())
            found.push_back(id);
    if (found.size() == 1) return found.front();
    if (found.empty())
        throw CliError("no " + noun + " id starts with " + prefix + " (" + where + ")");
    std::string names;
    for (size_t i = 0; i < found.size() && i < 5; ++i)
        names += (i ? ", " : "") + short_id(found[i], false) + "...";
    if (found.size() > 5) names += ", ...";
    throw CliError("ambiguous " + noun + " id " + prefix + ": " + std::to_string(found.size()) +
                   " ids start with it (" + names + "); give more of it");
}

std::string resolve_process_id(const Context& ctx, const std::string& id) {
    if (!is_id_prefix(id)) return id;
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto c = ctx.client();
    std::vector<std::string> ids;
    for (ProcessState s : kStates)
        for (const auto& p : check(c.get_processes(colony, s, kListed, key)))
            ids.push_back(p.processid);
    return match_prefix(id, ids, "process", where_listed("processes"));
}

std::string resolve_workflow_id(const Context& ctx, const std::string& id) {
    if (!is_id_prefix(id)) return id;
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto c = ctx.client();
    std::vector<std::string> ids;
    for (ProcessState s : kStates) {
        auto reply = check(c.call(
            "getprocessgraphsmsg",
            {{"colonyname", colony}, {"count", kListed}, {"state", static_cast<int>(s)}}, key));
        if (!reply.is_array()) continue;
        for (const auto& g : reply.get_array())
            if (const auto* o = g.if_object())
                if (const auto* gid = o->if_contains("processgraphid"); gid && gid->is_string())
                    ids.emplace_back(gid->get_string());
    }
    return match_prefix(id, ids, "workflow", where_listed("workflows"));
}

}  // namespace colonies::cli
