#include "executors/fs_mounts.hpp"

#include <filesystem>

#include "core/json.hpp"

namespace colonies::executors {
namespace stdfs = std::filesystem;

namespace {

bool keeplocal_of(JsonFields& conflicts, const char* phase) {
    const boost::json::object* p = conflicts.object(phase);
    if (!p) return false;
    JsonFields f(*p);
    return f.boolean("keeplocal");
}

Status sync_dir(fs::ColonyFs& cfs, const DirMount& d, const std::string& root, bool keeplocal) {
    const std::string dir = root + d.dir;
    std::error_code ec;
    stdfs::create_directories(dir, ec);
    if (ec) return bad_request("cannot create " + dir + ": " + ec.message());
    auto plans = cfs.plan_sync(dir, d.label, keeplocal);
    if (!plans) return plans.error();
    for (const auto& p : *plans)
        if (auto s = cfs.apply(p); !s) return s;
    return ok_status();
}

}  // namespace

Result<FsMounts> parse_fs_mounts(const boost::json::value& v, const std::string& processid) {
    FsMounts m;
    if (!v.is_object()) return m;
    JsonFields f(v.get_object());
    m.mount = f.str("mount");
    if (const auto* snaps = f.array("snapshots")) {
        for (const auto& e : *snaps) {
            if (!e.is_object()) return bad_request("fs.snapshots: expected objects");
            JsonFields s(e.get_object());
            SnapshotMount sm{s.str("snapshotid"), s.str("label"), s.str("dir"),
                             s.boolean("keepfiles"), s.boolean("keepsnapshot")};
            if (!s.ok()) return bad_request("fs.snapshots: " + s.error());
            sm.label = fs::substitute_processid(sm.label, processid);
            sm.dir = fs::substitute_processid(sm.dir, processid);
            m.snapshots.push_back(std::move(sm));
        }
    }
    if (const auto* dirs = f.array("dirs")) {
        for (const auto& e : *dirs) {
            if (!e.is_object()) return bad_request("fs.dirs: expected objects");
            JsonFields d(e.get_object());
            DirMount dm{d.str("label"), d.str("dir"), d.boolean("keepfiles")};
            if (const auto* oc = d.object("onconflicts")) {
                JsonFields c(*oc);
                dm.onstart_keeplocal = keeplocal_of(c, "onstart");
                dm.onclose_keeplocal = keeplocal_of(c, "onclose");
            }
            if (!d.ok()) return bad_request("fs.dirs: " + d.error());
            dm.label = fs::substitute_processid(dm.label, processid);
            dm.dir = fs::substitute_processid(dm.dir, processid);
            m.dirs.push_back(std::move(dm));
        }
    }
    if (!f.ok()) return bad_request("fs: " + f.error());
    return m;
}

Status fs_before(fs::ColonyFs& cfs, const FsMounts& m, const std::string& root,
                 const std::string& colony, const std::string& prvkey) {
    for (const auto& sm : m.snapshots) {
        if (sm.snapshotid.empty()) continue;
        auto snap = cfs.client().get_snapshot(colony, sm.snapshotid, "", prvkey);
        if (!snap) return snap.error();
        if (auto s = cfs.download_snapshot(*snap, root + sm.dir); !s) return s;
    }
    for (const auto& d : m.dirs)
        if (auto s = sync_dir(cfs, d, root, d.onstart_keeplocal); !s) return s;
    return ok_status();
}

Status fs_after(fs::ColonyFs& cfs, const FsMounts& m, const std::string& root,
                const std::string& colony, const std::string& prvkey) {
    std::error_code ec;
    for (const auto& sm : m.snapshots) {
        if (sm.keepsnapshot || sm.snapshotid.empty()) continue;
        if (auto s = cfs.client().remove_snapshot(colony, sm.snapshotid, "", prvkey); !s) return s;
        if (!sm.keepfiles) stdfs::remove_all(root + sm.dir, ec);
    }
    for (const auto& d : m.dirs) {
        if (auto s = sync_dir(cfs, d, root, d.onclose_keeplocal); !s) return s;
        if (!d.keepfiles) stdfs::remove_all(root + d.dir, ec);
    }
    return ok_status();
}

}  // namespace colonies::executors
