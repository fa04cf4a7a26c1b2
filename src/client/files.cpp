// The ColonyFS messages of the SDK (protocol.md 5.12).
#include "client/client.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace {

namespace json = boost::json;

template <class T>
Result<std::vector<T>> many(Result<json::value> r, Result<T> (*decode)(const json::value&)) {
    if (!r) return r.error();
    std::vector<T> out;
    if (r->is_null()) return out;  // empty lists may come as null (protocol.md 1.3)
    if (!r->is_array()) return internal_error("invalid reply from server: expected an array");
    for (const auto& item : r->get_array()) {
        auto x = decode(item);
        if (!x) return x.error();
        out.push_back(std::move(x).value());
    }
    return out;
}

template <class T>
Result<T> one(Result<json::value> r, Result<T> (*decode)(const json::value&)) {
    if (!r) return r.error();
    return decode(*r);
}

Status done(Result<json::value> r) {
    if (!r) return r.error();
    return ok_status();
}

}  // namespace

Result<File> Client::add_file(const File& f, const std::string& prvkey) {
    return one(call("addfilemsg", {{"file", to_json(f)}}, prvkey), &file_from_json);
}

Result<File> Client::get_file(const std::string& colony, const std::string& fileid,
                              const std::string& prvkey) {
    auto files = many(call("getfilemsg",
                           {{"colonyname", colony},
                            {"fileid", fileid},
                            {"label", ""},
                            {"name", ""},
                            {"latest", false}},
                           prvkey),
                      &file_from_json);
    if (!files) return files.error();
    if (files->size() != 1) return internal_error("Failed to get file info");
    return std::move(files->front());
}

Result<std::vector<File>> Client::get_file_revisions(const std::string& colony,
                                                     const std::string& label,
                                                     const std::string& name, bool latest,
                                                     const std::string& prvkey) {
    return many(call("getfilemsg",
                     {{"colonyname", colony},
                      {"fileid", ""},
                      {"label", label},
                      {"name", name},
                      {"latest", latest}},
                     prvkey),
                &file_from_json);
}

Result<std::vector<FileData>> Client::get_file_data(const std::string& colony,
                                                    const std::string& label,
                                                    const std::string& prvkey) {
    return many(call("getfilesmsg", {{"colonyname", colony}, {"label", label}}, prvkey),
                &file_data_from_json);
}

Result<std::vector<FileLabel>> Client::get_file_labels(const std::string& colony,
                                                       const std::string& name, bool exact,
                                                       const std::string& prvkey) {
    return many(call("getfilelabelsmsg", {{"colonyname", colony}, {"name", name}, {"exact", exact}},
                     prvkey),
                &file_label_from_json);
}

Status Client::remove_file(const std::string& colony, const std::string& fileid,
                           const std::string& label, const std::string& name,
                           const std::string& prvkey) {
    return done(call("removefilemsg",
                     {{"colonyname", colony}, {"fileid", fileid}, {"label", label}, {"name", name}},
                     prvkey));
}

Result<Snapshot> Client::create_snapshot(const std::string& colony, const std::string& label,
                                         const std::string& name, const std::string& prvkey) {
    return one(call("createsnapshotmsg", {{"colonyname", colony}, {"label", label}, {"name", name}},
                    prvkey),
               &snapshot_from_json);
}

Result<Snapshot> Client::get_snapshot(const std::string& colony, const std::string& snapshotid,
                                      const std::string& name, const std::string& prvkey) {
    return one(call("getsnapshotmsg",
                    {{"colonyname", colony}, {"snapshotid", snapshotid}, {"name", name}}, prvkey),
               &snapshot_from_json);
}

Result<std::vector<Snapshot>> Client::get_snapshots(const std::string& colony,
                                                    const std::string& prvkey) {
    return many(call("getsnapshotsmsg", {{"colonyname", colony}}, prvkey), &snapshot_from_json);
}

Status Client::remove_snapshot(const std::string& colony, const std::string& snapshotid,
                               const std::string& name, const std::string& prvkey) {
    return done(call("removesnapshotmsg",
                     {{"colonyname", colony}, {"snapshotid", snapshotid}, {"name", name}}, prvkey));
}

Status Client::remove_all_snapshots(const std::string& colony, const std::string& prvkey) {
    return done(call("removeallsnapshotmsg", {{"colonyname", colony}}, prvkey));
}

}  // namespace colonies::client
