// A process's ColonyFS mounts (features.md 4.5) for the OS executor: parsed from the spec's `fs`
// with `{processid}` substituted, synced in before the command runs and out after it ends, under
// the executor's fs directory (EXECUTOR_FS_DIR). Uses the same fs/colonyfs.hpp as the CLI.
#pragma once
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/types.hpp"
#include "fs/colonyfs.hpp"

namespace colonies::executors {

struct SnapshotMount {
    std::string snapshotid, label, dir;
    bool keepfiles = false, keepsnapshot = false;
};

struct DirMount {
    std::string label, dir;
    bool keepfiles = false;
    bool onstart_keeplocal = false, onclose_keeplocal = false;
};

struct FsMounts {
    std::string mount;  // "" = nothing to do
    std::vector<SnapshotMount> snapshots;
    std::vector<DirMount> dirs;
    bool active() const { return !mount.empty(); }
};

// The spec's `fs` blob; a malformed one is an error naming the field.
Result<FsMounts> parse_fs_mounts(const boost::json::value& fs, const std::string& processid);

// Before the command: snapshots downloaded into <root><dir>, then each dir synced with its
// label (onstart.keeplocal).
Status fs_before(fs::ColonyFs& cfs, const FsMounts& m, const std::string& root,
                 const std::string& colony, const std::string& prvkey);
// After the command: snapshots removed unless keepsnapshot (their directories unless
// keepfiles), dirs synced again (onclose.keeplocal), then removed unless keepfiles.
Status fs_after(fs::ColonyFs& cfs, const FsMounts& m, const std::string& root,
                const std::string& colony, const std::string& prvkey);

}  // namespace colonies::executors
