#include "fs/sync_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace colonies::fs {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

std::string join(const std::string& dir, const std::string& rel) {
    if (rel.empty()) return dir;
    if (!dir.empty() && dir.back() == '/') return dir + rel;
    return dir + "/" + rel;
}

}  // namespace

std::string normalise_label(const std::string& label) {
    size_t b = 0, e = label.size();
    while (b < e && label[b] == '/') ++b;
    while (e > b && label[e - 1] == '/') --e;
    return "/" + label.substr(b, e - b);
}

SyncPlan plan_sync(const std::string& dir, const std::string& label,
                   const std::vector<LocalFile>& local, const std::vector<FileData>& remote,
                   bool keeplocal) {
    SyncPlan plan{dir, label, keeplocal, {}, {}, {}};
    std::map<std::string, const LocalFile*> here;
    std::map<std::string, const FileData*> there;
    for (const auto& l : local) here[l.name] = &l;
    for (const auto& r : remote) there[r.name] = &r;
    for (const auto& [name, l] : here) {
        auto it = there.find(name);
        if (it == there.end()) {
            plan.upload.push_back(PlannedFile{name, l->checksum, l->size, ""});
        } else if (it->second->checksum != l->checksum) {
            const FileData& r = *it->second;
            plan.conflicts.push_back(keeplocal
                                         ? PlannedFile{name, l->checksum, l->size, ""}
                                         : PlannedFile{name, r.checksum, r.size, r.s3filename});
        }
    }
    for (const auto& [name, r] : there)
        if (!here.count(name))
            plan.download.push_back(PlannedFile{name, r->checksum, r->size, r->s3filename});
    return plan;
}

std::vector<SyncTarget> sync_targets(const std::string& root, const std::string& label,
                                     const std::vector<std::string>& local_subdirs,
                                     const std::vector<std::string>& remote_labels) {
    std::map<std::string, std::string> by_label{{label, root}};
    const std::string base = label == "/" ? "" : label;
    for (const auto& sub : local_subdirs) by_label[base + "/" + sub] = join(root, sub);
    for (const auto& l : remote_labels) {
        if (by_label.count(l)) continue;
        if (l != label && !starts_with(l, base + "/")) continue;  // not below the label
        by_label[l] = join(root, l.substr(base.size() + 1));
    }
    std::vector<SyncTarget> out;
    for (const auto& [l, d] : by_label) out.push_back(SyncTarget{d, l});
    return out;
}

CleanPlan plan_clean(const std::string& dir, const std::string& label,
                     const std::vector<std::string>& local_files,
                     const std::vector<std::string>& local_subdirs,
                     const std::vector<std::string>& remote_names,
                     const std::vector<std::string>& remote_labels) {
    CleanPlan plan{dir, label, {}, {}};
    const std::set<std::string> names(remote_names.begin(), remote_names.end());
    const std::set<std::string> labels(remote_labels.begin(), remote_labels.end());
    const std::string base = label == "/" ? "" : label;
    for (const auto& f : local_files)
        if (f != ".cfs" && !names.count(f)) plan.files.push_back(join(dir, f));
    for (const auto& d : local_subdirs)
        if (!labels.count(base + "/" + d)) plan.dirs.push_back(join(dir, d));
    std::sort(plan.files.begin(), plan.files.end());
    std::sort(plan.dirs.begin(), plan.dirs.end());
    return plan;
}

std::string snapshot_file_dir(const std::string& dir, const std::string& snapshot_label,
                              const std::string& file_label) {
    std::string rel = file_label;
    if (starts_with(rel, snapshot_label)) rel = rel.substr(snapshot_label.size());
    while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
    return join(dir, rel);
}

std::string substitute_processid(const std::string& s, const std::string& processid) {
    static const std::string kToken = "{processid}";
    auto at = s.find(kToken);
    if (at == std::string::npos) return s;
    return s.substr(0, at) + processid + s.substr(at + kToken.size());
}

}  // namespace colonies::fs
