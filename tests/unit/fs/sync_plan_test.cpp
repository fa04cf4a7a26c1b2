// The pure ColonyFS planning of fs/sync_plan.hpp (features.md 4.5, 4.6).
#include "fs/sync_plan.hpp"

#include <gtest/gtest.h>

using namespace colonies;
using namespace colonies::fs;

namespace {

std::vector<std::string> names(const std::vector<PlannedFile>& v) {
    std::vector<std::string> out;
    for (const auto& f : v) out.push_back(f.name);
    return out;
}

TEST(SyncPlan, NormalisesLabels) {
    EXPECT_EQ(normalise_label("a/b/"), "/a/b");
    EXPECT_EQ(normalise_label("//a//"), "/a");
    EXPECT_EQ(normalise_label("/a/b"), "/a/b");
    EXPECT_EQ(normalise_label(""), "/");
}

TEST(SyncPlan, UploadsDownloadsAndConflicts) {
    const std::vector<LocalFile> local{{"same", "s", 1}, {"mine", "m", 2}, {"both", "L", 3}};
    const std::vector<FileData> remote{
        {"same", "s", 1, "o1"}, {"theirs", "t", 4, "o2"}, {"both", "R", 5, "o3"}};
    auto keep = plan_sync("/d", "/l", local, remote, true);
    EXPECT_EQ(names(keep.upload), (std::vector<std::string>{"mine"}));
    EXPECT_EQ(names(keep.download), (std::vector<std::string>{"theirs"}));
    ASSERT_EQ(keep.conflicts.size(), 1u);
    EXPECT_EQ(keep.conflicts[0].checksum, "L");  // keeplocal: the local file goes up
    EXPECT_EQ(keep.conflicts[0].size, 3);
    EXPECT_EQ(keep.conflicts[0].s3object, "");
    EXPECT_EQ(keep.download[0].s3object, "o2");

    auto take = plan_sync("/d", "/l", local, remote, false);
    ASSERT_EQ(take.conflicts.size(), 1u);
    EXPECT_EQ(take.conflicts[0].checksum, "R");  // the remote file comes down
    EXPECT_EQ(take.conflicts[0].s3object, "o3");
    EXPECT_FALSE(take.empty());
    EXPECT_TRUE(plan_sync("/d", "/l", {{"x", "c", 1}}, {{"x", "c", 1, "o"}}, true).empty());
}

TEST(SyncPlan, TargetsCoverLocalDirectoriesAndRemoteLabelsBelow) {
    auto t = sync_targets("/w", "/data", {"a", "a/b"}, {"/data", "/data/a", "/data/r/s", "/datax"});
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[0].label, "/data");
    EXPECT_EQ(t[0].dir, "/w");
    EXPECT_EQ(t[1].label, "/data/a");
    EXPECT_EQ(t[1].dir, "/w/a");
    EXPECT_EQ(t[2].label, "/data/a/b");
    EXPECT_EQ(t[3].label, "/data/r/s");  // remote only: planned so its files come down
    EXPECT_EQ(t[3].dir, "/w/r/s");
}

TEST(SyncPlan, CleanRemovesWhatHasNoRemoteCounterpart) {
    auto p = plan_clean("/w", "/data", {"keep", "stray", ".cfs"}, {"sub", "junk"}, {"keep"},
                        {"/data", "/data/sub"});
    EXPECT_EQ(p.files, (std::vector<std::string>{"/w/stray"}));
    EXPECT_EQ(p.dirs, (std::vector<std::string>{"/w/junk"}));
    EXPECT_TRUE(plan_clean("/w", "/data", {"keep"}, {}, {"keep"}, {"/data"}).empty());
}

TEST(SyncPlan, SnapshotDirectoriesAndProcessIds) {
    EXPECT_EQ(snapshot_file_dir("/dl", "/in", "/in"), "/dl");
    EXPECT_EQ(snapshot_file_dir("/dl/", "/in", "/in/a/b"), "/dl/a/b");
    EXPECT_EQ(substitute_processid("/out/{processid}/x/{processid}", "p1"),
              "/out/p1/x/{processid}");  // the first occurrence only, as upstream
    EXPECT_EQ(substitute_processid("/out", "p1"), "/out");
}

}  // namespace
