// ColonyFS messages (protocol.md 5.12, features.md 4): file revisions, labels and snapshots. The
// server keeps only these records; it never talks to the object store (features.md 4.7).
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

Status member(OpContext& ctx, const std::string& colony) {
    return require_member(ctx.tx, colony, ctx.caller, true, ctx.now);
}

// Labels of features.md 4.2: every label starting with `name`; with `exact`, only `name` itself
// and the labels below it (`name/...`), and none at all when `name` itself has no files
// (upstream's rule, which snapshots inherit).
std::vector<FileLabel> labels_named(store::StoreTx& tx, const std::string& colony,
                                    const std::string& name, bool exact) {
    auto all = tx.file_labels(colony, name);
    if (!exact) return all;
    std::vector<FileLabel> out;
    bool has_itself = false;
    const std::string below = name + "/";
    for (auto& l : all) {
        if (l.name == name) has_itself = true;
        if (l.name == name || l.name.compare(0, below.size(), below) == 0)
            out.push_back(std::move(l));
    }
    if (!has_itself) out.clear();
    return out;
}

std::string snapshot_not_found(const std::string& by, const std::string& what,
                               const std::string& colony) {
    return "Snapshot not found with " + by + " <" + what + "> in Colony <" + colony +
           "> does not exists";
}

}  // namespace

OpResult op_add_file(OpContext& ctx, const boost::json::object& msg) {
    auto f = required_object<File>(ctx, msg, "file", file_from_json,
                                   "Failed to add file, msg.File is nil");
    if (!f) return f.error();
    if (auto s = member(ctx, f->colonyname); !s) return s.error();
    f->fileid = crypto::generate_private_key();  // 64 unpredictable hex characters
    f->added = ctx.now;
    f->sequencenr = ctx.tx.add_file(*f);
    return to_json(*f);
}

OpResult op_get_file(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto fileid = in.str("fileid");
    auto label = in.str("label");
    auto name = in.str("name");
    auto latest = in.boolean("latest");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    std::vector<File> files;
    if (!fileid.empty()) {
        auto f = ctx.tx.file(colony, fileid);
        if (!f) return bad_request("Failed to get file");
        files.push_back(std::move(*f));
    } else if (!label.empty() && !name.empty()) {
        files = ctx.tx.file_revisions(colony, label, name);
        if (latest && files.size() > 1) files.resize(1);
    } else {
        return internal_error("malformatted get file msg");
    }
    if (files.empty()) return not_found("Failed to get file");
    return to_json(files);
}

OpResult op_get_files(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto label = in.str("label");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    std::vector<FileData> out;
    for (const auto& f : ctx.tx.latest_files(colony, label))
        out.push_back(FileData{f.name, f.checksum, f.size, f.ref.s3object.object});
    return to_json(out);
}

OpResult op_get_file_labels(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto name = in.str("name");
    auto exact = in.boolean("exact");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    return to_json(labels_named(ctx.tx, colony, name, exact && !name.empty()));
}

OpResult op_remove_file(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto fileid = in.str("fileid");
    auto label = in.str("label");
    auto name = in.str("name");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    if (!fileid.empty()) {
        ctx.tx.remove_file(colony, fileid);
    } else if (!label.empty() && !name.empty()) {
        ctx.tx.remove_file_revisions(colony, label, name);
    } else {
        return bad_request("malformatted remove file msg");
    }
    return empty_reply();
}

OpResult op_create_snapshot(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto label = in.str("label");
    auto name = in.str("name");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    const auto taken = [&] {
        return conflict("Snapshot with name <" + name + "> in Colony <" + colony +
                        "> already exists");
    };
    if (ctx.tx.snapshot_by_name(colony, name)) return taken();
    if (!label.empty() && label.back() == '/') label.pop_back();
    Snapshot snap;
    snap.snapshotid = crypto::generate_private_key();
    snap.colonyname = colony;
    snap.label = label;
    snap.name = name;
    snap.added = ctx.now;
    for (const auto& l : labels_named(ctx.tx, colony, label, true))
        for (const auto& f : ctx.tx.latest_files(colony, l.name)) snap.fileids.push_back(f.fileid);
    if (!ctx.tx.add_snapshot(snap)) return taken();  // a concurrent create won the name
    return to_json(snap);
}

OpResult op_get_snapshot(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto id = in.str("snapshotid");
    auto name = in.str("name");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    std::optional<Snapshot> snap;
    if (!id.empty()) {
        snap = ctx.tx.snapshot(colony, id);
        if (!snap) return not_found(snapshot_not_found("Id", id, colony));
    } else if (!name.empty()) {
        snap = ctx.tx.snapshot_by_name(colony, name);
        if (!snap) return not_found(snapshot_not_found("name", name, colony));
    } else {
        return internal_error("Failed to get snapshot, malformatted msg");
    }
    return to_json(*snap);
}

OpResult op_get_snapshots(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    return to_json(ctx.tx.snapshots(colony));
}

OpResult op_remove_snapshot(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    auto id = in.str("snapshotid");
    auto name = in.str("name");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    if (!id.empty()) {
        ctx.tx.remove_snapshot(colony, id);
    } else if (!name.empty()) {
        ctx.tx.remove_snapshot_by_name(colony, name);
    } else {
        return internal_error("Failed to remove snapsnot, malformatted msg");
    }
    return empty_reply();
}

OpResult op_remove_all_snapshots(OpContext& ctx, const boost::json::object& msg) {
    JsonFields in(msg);
    auto colony = in.str("colonyname");
    if (!in.ok()) return invalid_json(ctx);
    if (auto s = member(ctx, colony); !s) return s.error();
    for (const auto& snap : ctx.tx.snapshots(colony))
        ctx.tx.remove_snapshot(colony, snap.snapshotid);
    return empty_reply();
}

}  // namespace colonies::services
