// ColonyFS sync and clean planning (features.md 4.6), pure: local state and remote state in, a
// plan out. No file system, network or clock here; fs/colonyfs.hpp gathers the states and carries
// the plans out.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace colonies::fs {

// Strip leading and trailing '/', then prefix one '/' ("a/b/" -> "/a/b", "" -> "/").
std::string normalise_label(const std::string& label);

struct LocalFile {
    std::string name;
    std::string checksum;  // SHA-256 hex of the content
    int64_t size = 0;
};

struct PlannedFile {
    std::string name;
    std::string checksum;
    int64_t size = 0;
    std::string s3object;  // the object to download ("" for uploads)
};

// One directory <-> one label.
struct SyncPlan {
    std::string dir;
    std::string label;
    bool keeplocal = true;
    std::vector<PlannedFile> upload;     // only local
    std::vector<PlannedFile> download;   // only remote
    std::vector<PlannedFile> conflicts;  // both, different content: uploaded when keeplocal,
                                         // else downloaded over the local file
    bool empty() const { return upload.empty() && download.empty() && conflicts.empty(); }
};

// Files by name on both sides (the marker `.cfs` is the caller's to leave out). Lists come out
// sorted by name.
SyncPlan plan_sync(const std::string& dir, const std::string& label,
                   const std::vector<LocalFile>& local, const std::vector<FileData>& remote,
                   bool keeplocal);

// A directory to plan and the label it maps to.
struct SyncTarget {
    std::string dir;
    std::string label;
};

// The root and each local sub-directory (relative paths, e.g. "a", "a/b") map to `label` and
// `label/<path>`; remote labels below `label` (the exact label list of features.md 4.2) with no
// local directory are added so their files come down too. Sorted by label.
std::vector<SyncTarget> sync_targets(const std::string& root, const std::string& label,
                                     const std::vector<std::string>& local_subdirs,
                                     const std::vector<std::string>& remote_labels);

// `fs clean` of one directory: local files with no remote file of that name, and local
// sub-directories with no label `label/<sub>`. Entries are paths `dir/<name>`.
struct CleanPlan {
    std::string dir;
    std::string label;
    std::vector<std::string> files;
    std::vector<std::string> dirs;
    bool empty() const { return files.empty() && dirs.empty(); }
};
CleanPlan plan_clean(const std::string& dir, const std::string& label,
                     const std::vector<std::string>& local_files,
                     const std::vector<std::string>& local_subdirs,
                     const std::vector<std::string>& remote_names,
                     const std::vector<std::string>& remote_labels);

// Where a snapshot's file goes: `dir` + (file label minus the snapshot label).
std::string snapshot_file_dir(const std::string& dir, const std::string& snapshot_label,
                              const std::string& file_label);

// `{processid}` replaced by the process id, first occurrence only (features.md 4.5).
std::string substitute_processid(const std::string& s, const std::string& processid);

}  // namespace colonies::fs
