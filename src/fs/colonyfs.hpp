// ColonyFS on the client side (features.md 4.6, 4.7): the one place that moves bytes between a
// local directory and the object store and registers them with the server. Used by the CLI's
// `fs` commands and by the OS executor's `fs` mounts (features.md 4.5).
//
// open() creates the S3 client and checks (or creates) the bucket before anything else, as
// upstream: without a reachable store every byte-moving operation fails there. Transfers run on
// up to `workers` threads, each with its own server connection and S3 handle; the first failure
// stops the rest and is returned. Not thread-safe itself: one caller at a time.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "client/client.hpp"
#include "fs/s3.hpp"
#include "fs/sync_plan.hpp"

namespace colonies::fs {

struct FsOptions {
    client::Options server;
    std::string colony;
    std::string prvkey;  // signs every message (a member of the colony)
    S3Config s3;
    bool quiet = false;  // no progress bars
    int workers = 50;
};

class ColonyFs {
  public:
    static Result<std::unique_ptr<ColonyFs>> open(FsOptions opts);

    // One plan per directory under `dir` and per remote label under `label` (normalised).
    Result<std::vector<SyncPlan>> plan_sync(const std::string& dir, const std::string& label,
                                            bool keeplocal);
    // Writes `<dir>/.cfs` with the label, then uploads and downloads.
    Status apply(const SyncPlan& plan);

    Result<std::vector<CleanPlan>> plan_clean(const std::string& dir, const std::string& label);
    Status apply(const CleanPlan& plan);

    // One revision into `dir` under its own name.
    Status download(const File& f, const std::string& dir);
    // Every file of the snapshot into `dir` + (its label minus the snapshot's label); files
    // present with the same checksum are left alone.
    Status download_snapshot(const Snapshot& s, const std::string& dir);
    // The objects of the given revisions, then their records.
    Status remove_revisions(const std::vector<File>& revisions);
    // Every file with a label starting with `label` (all revisions, objects first).
    Status remove_label(const std::string& label);

    client::Client& client() { return client_; }

  private:
    explicit ColonyFs(FsOptions opts);
    struct Task;
    Status run_tasks(std::vector<Task> tasks, const std::string& message);
    Status upload_one(client::Client& c, S3Client& s3, const SyncPlan& plan, const PlannedFile& f,
                      const Progress& progress);

    FsOptions opts_;
    client::Client client_;
    S3Client s3_;
};

// SHA-256 of a file's content, hex.
Result<std::string> file_checksum(const std::string& path);

}  // namespace colonies::fs
