// The SDK's cron, generator and channel calls (features.md 1, 2 and 5), beside client.cpp.
#include "client/client.hpp"
#include "client/replies.hpp"
#include "core/channel.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace json = boost::json;
using namespace replies;

// ---- crons ----

Result<Cron> Client::add_cron(const Cron& c, const std::string& prvkey) {
    return decode_one(call("addcronmsg", {{"cron", to_json(c)}}, prvkey), &cron_from_json);
}

Result<Cron> Client::get_cron(const std::string& id, const std::string& prvkey) {
    return decode_one(call("getcronmsg", {{"cronid", id}}, prvkey), &cron_from_json);
}

Result<std::vector<Cron>> Client::get_crons(const std::string& colony, int count,
                                            const std::string& prvkey) {
    return decode_many(call("getcronsmsg", {{"colonyname", colony}, {"count", count}}, prvkey),
                       &cron_from_json);
}

Result<Cron> Client::run_cron(const std::string& id, const std::string& prvkey) {
    return decode_one(call("runcronmsg", {{"cronid", id}}, prvkey), &cron_from_json);
}

Status Client::remove_cron(const std::string& id, const std::string& prvkey) {
    return to_status(call("removecronmsg", {{"cronid", id}, {"all", false}}, prvkey));
}

// ---- generators ----

Result<Generator> Client::add_generator(const Generator& g, const std::string& prvkey) {
    return decode_one(call("addgeneratormsg", {{"generator", to_json(g)}}, prvkey),
                      &generator_from_json);
}

Result<Generator> Client::get_generator(const std::string& id, const std::string& prvkey) {
    return decode_one(call("getgeneratormsg", {{"generatorid", id}}, prvkey), &generator_from_json);
}

Result<std::vector<Generator>> Client::get_generators(const std::string& colony, int count,
                                                      const std::string& prvkey) {
    return decode_many(call("getgeneratorsmsg", {{"colonyname", colony}, {"count", count}}, prvkey),
                       &generator_from_json);
}

Result<Generator> Client::resolve_generator(const std::string& colony, const std::string& name,
                                            const std::string& prvkey) {
    return decode_one(
        call("resolvegeneratormsg", {{"colonyname", colony}, {"generatorname", name}}, prvkey),
        &generator_from_json);
}

Status Client::pack_generator(const std::string& id, const std::string& arg,
                              const std::string& prvkey) {
    return to_status(call("packgeneratormsg", {{"generatorid", id}, {"arg", arg}}, prvkey));
}

Status Client::remove_generator(const std::string& id, const std::string& prvkey) {
    return to_status(call("removegeneratormsg", {{"generatorid", id}, {"all", false}}, prvkey));
}

Status Client::channel_append(const std::string& processid, const std::string& name,
                              int64_t sequence, const std::string& payload,
                              const std::string& prvkey, int64_t inreplyto,
                              const std::string& type) {
    boost::json::object msg{{"processid", processid},
                            {"name", name},
                            {"sequence", sequence},
                            {"inreplyto", inreplyto},
                            {"payload", base64_of_bytes(payload)},
                            {"payloadtype", type}};
    auto r = call("channelappendmsg", std::move(msg), prvkey);
    if (!r) return r.error();
    return ok_status();
}

Result<std::vector<ChannelEntry>> Client::channel_read(const std::string& processid,
                                                       const std::string& name, int64_t afterseq,
                                                       int64_t limit, const std::string& prvkey) {
    return decode_many(
        call("channelreadmsg",
             {{"processid", processid}, {"name", name}, {"afterseq", afterseq}, {"limit", limit}},
             prvkey),
        &channel_entry_from_json);
}

}  // namespace colonies::client
