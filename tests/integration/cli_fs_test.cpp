// `colonies fs` against a real S3-protocol server (s3rver on loopback, signatures checked) and a
// `colonies dev` server: sync up, a second sync that moves only what changed, download into an
// empty directory, conflicts both ways, --dry, snapshots downloaded bit-identical, remove, label
// remove and clean (features.md 4.6, cli.md 3.18).
#include <gtest/gtest.h>

#include <filesystem>

#include "child_process.hpp"
#include "cli_support.hpp"
#include "fs/s3.hpp"
#include "s3rver_process.hpp"

namespace colonies::it::cli {
namespace {

namespace stdfs = std::filesystem;

class CliFs : public ::testing::Test {
  protected:
    void SetUp() override {
        env_ = dev_.env();
        for (const auto& [k, v] : s3_.env("colonies-test")) env_[k] = v;
        root_ = dev_.dir() + "/work";
        stdfs::create_directories(root_);
    }
    RunResult cfs(std::vector<std::string> args, const std::string& in = "") {
        args.insert(args.begin(), "fs");
        return cli::run(args, env_, dev_.dir(), in, 60s);
    }
    // A directory of files a.txt .. and sub/c.txt with known contents.
    std::string make_tree(const std::string& name, int files) {
        const std::string d = root_ + "/" + name;
        stdfs::create_directories(d + "/sub");
        for (int i = 0; i < files; ++i)
            write_file(d + "/f" + std::to_string(i) + ".txt",
                       std::string(100 + i * 37, static_cast<char>('a' + i % 26)));
        write_file(d + "/sub/c.txt", "in a sub-directory\n");
        write_file(d + "/empty.txt", "");
        return d;
    }
    // Every regular file below `d` (relative path -> content), .cfs left out.
    static std::map<std::string, std::string> tree(const std::string& d) {
        std::map<std::string, std::string> out;
        for (const auto& e : stdfs::recursive_directory_iterator(d))
            if (e.is_regular_file() && e.path().filename() != ".cfs")
                out[stdfs::relative(e.path(), d).string()] = read_file(e.path().string());
        return out;
    }
    colonies::fs::S3Config check_config() const {
        colonies::fs::S3Config c;
        c.endpoint = s3_.endpoint();
        c.accesskey = c.secretkey = "S3RVER";
        c.region = "us-east-1";
        c.bucket = "colonies-test";
        return c;
    }
    std::vector<File> revisions(const std::string& label, const std::string& name) {
        auto c = dev_.client();
        auto r = c.get_file_revisions("dev", label, name, false, env_.at("COLONIES_PRVKEY"));
        return r.ok() ? *r : std::vector<File>{};
    }
    testsupport::S3rverProcess s3_;
    DevServer dev_;
    Env env_;
    std::string root_;
};

TEST_F(CliFs, SyncUploadsThenOnlyWhatChangedThenDownloadsIntoAnEmptyDirectory) {
    const std::string src = make_tree("src", 10);
    auto up = cfs({"sync", "-l", "/data", "-d", src, "--yes"});
    ASSERT_EQ(up.code, 0) << up.err;
    EXPECT_NE(up.err.find("Uploading /data: 11 files"), std::string::npos) << up.err;
    EXPECT_NE(up.err.find("Uploading /data/sub: 1 files"), std::string::npos) << up.err;
    EXPECT_NE(read_file(src + "/.cfs").find("\"label\":\"/data\""), std::string::npos);
    ASSERT_EQ(revisions("/data", "f3.txt").size(), 1u);

    auto again = cfs({"sync", "-d", src, "--yes"});  // the label comes from .cfs
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_NE(again.err.find("nothing to do, already synchronized"), std::string::npos);

    for (const char* n : {"f1.txt", "f4.txt", "f7.txt"}) write_file(src + "/" + n, "changed\n");
    auto dry = cfs({"sync", "-d", src, "--dry"});
    ASSERT_EQ(dry.code, 0) << dry.err;
    EXPECT_NE(dry.err.find("Conflicts=3"), std::string::npos) << dry.err;
    EXPECT_NE(dry.err.find("Upload=0"), std::string::npos) << dry.err;
    EXPECT_EQ(revisions("/data", "f1.txt").size(), 1u);  // --dry changed nothing

    auto three = cfs({"sync", "-d", src, "--yes"});
    ASSERT_EQ(three.code, 0) << three.err;
    EXPECT_NE(three.err.find("Uploading /data: 3 files"), std::string::npos) << three.err;
    EXPECT_EQ(three.err.find("Uploading /data/sub"), std::string::npos) << three.err;
    EXPECT_EQ(revisions("/data", "f1.txt").size(), 2u);
    EXPECT_EQ(revisions("/data", "f2.txt").size(), 1u);

    const std::string copy = root_ + "/copy";
    auto down = cfs({"sync", "-l", "data/", "-d", copy, "--yes"});
    ASSERT_EQ(down.code, 0) << down.err;
    EXPECT_EQ(tree(copy), tree(src));  // bit-identical, sub-directory and empty file included

    auto ls = cfs({"ls", "-l", "/data"});
    ASSERT_EQ(ls.code, 0) << ls.err;
    EXPECT_NE(ls.out.find("f1.txt"), std::string::npos);
    auto labels = cfs({"label", "ls"});
    ASSERT_EQ(labels.code, 0) << labels.err;
    EXPECT_NE(labels.out.find("/data/sub"), std::string::npos);
}

TEST_F(CliFs, ConflictsKeepLocalOrTakeRemote) {
    const std::string a = make_tree("a", 3);
    ASSERT_EQ(cfs({"sync", "-l", "/c", "-d", a, "--yes"}).code, 0);
    const std::string b = root_ + "/b";
    ASSERT_EQ(cfs({"sync", "-l", "/c", "-d", b, "--yes"}).code, 0);

    write_file(a + "/f0.txt", "from a\n");
    // Without --yes the plan is shown and applied only on "yes" or "y".
    auto no = cfs({"sync", "-d", a}, "no\n");
    ASSERT_EQ(no.code, 0) << no.err;
    EXPECT_NE(no.out.find("Are you sure you want to continue? (yes,no): "), std::string::npos);
    EXPECT_EQ(revisions("/c", "f0.txt").size(), 1u);
    auto y = cfs({"sync", "-d", a}, "y\n");
    ASSERT_EQ(y.code, 0) << y.err;
    EXPECT_EQ(revisions("/c", "f0.txt").size(), 2u);
    write_file(b + "/f0.txt", "from b\n");
    write_file(b + "/f1.txt", "b's own\n");
    // Without --keeplocal the remote file replaces the local one.
    auto take = cfs({"sync", "-d", b, "--keeplocal=false", "--yes"});
    ASSERT_EQ(take.code, 0) << take.err;
    EXPECT_EQ(read_file(b + "/f0.txt"), "from a\n");
    EXPECT_EQ(read_file(b + "/f1.txt"), std::string(137, 'b'));
    EXPECT_EQ(revisions("/c", "f1.txt").size(), 1u);

    // With it (the default) the local file becomes the newest revision.
    write_file(b + "/f1.txt", "b's own\n");
    auto keep = cfs({"sync", "-d", b, "--yes"});
    ASSERT_EQ(keep.code, 0) << keep.err;
    auto revs = revisions("/c", "f1.txt");
    ASSERT_EQ(revs.size(), 2u);
    ASSERT_EQ(cfs({"sync", "-d", a, "--keeplocal=false", "--yes"}).code, 0);
    EXPECT_EQ(read_file(a + "/f1.txt"), "b's own\n");
}

TEST_F(CliFs, SnapshotDownloadsBitIdenticalAndOutlivesNewRevisions) {
    const std::string src = make_tree("snapsrc", 6);
    ASSERT_EQ(cfs({"sync", "-l", "/snap", "-d", src, "--yes"}).code, 0);
    const auto frozen = tree(src);
    auto created = cfs({"snapshot", "create", "-l", "/snap", "-n", "s1"});
    ASSERT_EQ(created.code, 0) << created.err;
    EXPECT_NE(created.err.find("Snapshot created"), std::string::npos);
    EXPECT_NE(created.out.find("f5.txt"), std::string::npos) << created.out;

    write_file(src + "/f2.txt", "newer\n");
    ASSERT_EQ(cfs({"sync", "-d", src, "--yes"}).code, 0);
    const std::string dl = root_ + "/dl";
    auto got = cfs({"snapshot", "download", "-n", "s1", "-d", dl});
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(tree(dl), frozen);
    auto twice = cfs({"snapshot", "download", "-n", "s1", "-d", dl});  // all present: skipped
    ASSERT_EQ(twice.code, 0) << twice.err;
    EXPECT_EQ(twice.err.find("Downloading snapshot"), std::string::npos) << twice.err;

    auto ls = cfs({"snapshot", "ls"});
    EXPECT_NE(ls.out.find("s1"), std::string::npos);
    ASSERT_EQ(cfs({"snapshot", "remove", "-n", "s1"}).code, 0);
    auto none = cfs({"snapshot", "ls"});
    EXPECT_NE(none.err.find("No snapshots found"), std::string::npos);
    ASSERT_EQ(cfs({"snapshot", "create", "-l", "/snap", "-n", "s2"}).code, 0);
    auto aborted = cfs({"snapshot", "removeall"}, "no\n");
    EXPECT_EQ(aborted.code, 0);
    ASSERT_EQ(cfs({"snapshot", "removeall"}, "YES\n").code, 0);
    EXPECT_NE(cfs({"snapshot", "ls"}).err.find("No snapshots found"), std::string::npos);
}

TEST_F(CliFs, RemoveDeletesObjectsAndRecordsCleanRemovesStrays) {
    const std::string src = make_tree("rm", 4);
    ASSERT_EQ(cfs({"sync", "-l", "/rm", "-d", src, "--yes"}).code, 0);
    auto revs = revisions("/rm", "f2.txt");
    ASSERT_EQ(revs.size(), 1u);
    colonies::fs::S3Client s3(check_config());
    ASSERT_TRUE(s3.exists(revs[0].ref.s3object.object).value());

    auto removed = cfs({"remove", "-l", "/rm", "-n", "f2.txt"});
    ASSERT_EQ(removed.code, 0) << removed.err;
    EXPECT_NE(removed.err.find("Removed file (local file is not removed)"), std::string::npos);
    EXPECT_TRUE(revisions("/rm", "f2.txt").empty());
    EXPECT_FALSE(s3.exists(revs[0].ref.s3object.object).value());
    EXPECT_TRUE(stdfs::exists(src + "/f2.txt"));

    // f2.txt now has no remote counterpart; add a stray file and directory too.
    write_file(src + "/stray.txt", "x");
    stdfs::create_directories(src + "/junk");
    write_file(src + "/junk/j.txt", "j");
    auto dry = cfs({"clean", "-d", src, "--dry", "--cleanplans"});
    ASSERT_EQ(dry.code, 0) << dry.err;
    // f2.txt, stray.txt, junk/ and junk/j.txt (each directory is planned, as upstream).
    EXPECT_NE(dry.err.find("FilesToRemove=4"), std::string::npos) << dry.err;
    EXPECT_TRUE(stdfs::exists(src + "/stray.txt"));
    auto cleaned = cfs({"clean", "-d", src, "--yes"});
    ASSERT_EQ(cleaned.code, 0) << cleaned.err;
    EXPECT_FALSE(stdfs::exists(src + "/stray.txt"));
    EXPECT_FALSE(stdfs::exists(src + "/f2.txt"));
    EXPECT_FALSE(stdfs::exists(src + "/junk"));
    EXPECT_TRUE(stdfs::exists(src + "/f1.txt"));
    EXPECT_TRUE(stdfs::exists(src + "/sub/c.txt"));

    auto label_rm = cfs({"label", "remove", "-l", "/rm", "--yes"});
    ASSERT_EQ(label_rm.code, 0) << label_rm.err;
    EXPECT_TRUE(revisions("/rm", "f1.txt").empty());
    EXPECT_TRUE(revisions("/rm/sub", "c.txt").empty());
}

TEST_F(CliFs, ByteMovingCommandsNeedTheObjectStore) {
    const std::string src = make_tree("nos3", 1);
    Env no_s3 = dev_.env();
    auto r = cli::run({"fs", "sync", "-l", "/x", "-d", src, "--yes"}, no_s3, dev_.dir());
    EXPECT_EQ(r.code, 255);
    EXPECT_NE(r.err.find("AWS_S3_ENDPOINT is not set"), std::string::npos) << r.err;
    auto ls = cli::run({"fs", "label", "ls"}, no_s3, dev_.dir());  // metadata only: fine
    EXPECT_EQ(ls.code, 0) << ls.err;
    Env wrong_secret = env_;  // the store checks every request's signature
    wrong_secret["AWS_S3_SECRETKEY"] = "not-the-secret";
    auto refused =
        cli::run({"fs", "sync", "-l", "/x", "-d", src, "--yes"}, wrong_secret, dev_.dir());
    EXPECT_EQ(refused.code, 255);
    EXPECT_NE(refused.err.find("403"), std::string::npos) << refused.err;
    no_s3["AWS_S3_ENDPOINT"] = "127.0.0.1:1";
    no_s3["AWS_S3_BUCKET"] = "b";
    auto down = cli::run({"fs", "sync", "-l", "/x", "-d", src, "--yes"}, no_s3, dev_.dir());
    EXPECT_EQ(down.code, 255);
    EXPECT_NE(down.err.find("S3 HEAD"), std::string::npos) << down.err;
    EXPECT_FALSE(stdfs::exists(src + "/.cfs"));  // nothing was done
}

// The worked example of docs/files-and-channels.md, run as written: sync, snapshot, an OS
// executor whose process reads the snapshot and writes into /example/out/{processid}, and the
// result downloaded. Its environment is what a user has: dev's exports and AWS_S3_*.
TEST_F(CliFs, DocumentedExampleRunsAsWritten) {
    const std::string doc =
        read_file(std::string(COLONIES_SOURCE_DIR) + "/docs/files-and-channels.md");
    auto at = doc.find("<!-- example:files -->");
    ASSERT_NE(at, std::string::npos);
    const auto begin = doc.find("```sh\n", at) + 6;
    const auto end = doc.find("\n```", begin);
    const std::string script = doc.substr(begin, end - begin);
    ASSERT_NE(script.find("colonies fs snapshot create"), std::string::npos);

    const std::string work = root_ + "/example";
    stdfs::create_directories(work);
    write_file(work + "/example.sh", script + "\n");
    for (const auto& [k, v] : env_) ::setenv(k.c_str(), v.c_str(), 1);
    const std::string bin_dir = stdfs::path(server_binary()).parent_path().string();
    ::setenv("PATH", (bin_dir + ":" + std::getenv("PATH")).c_str(), 1);
    const int code = testsupport::run_command(
        {"/bin/bash", "-c", "cd " + work + " && bash -eo pipefail example.sh > out.txt"},
        work + "/err.txt");
    for (const auto& [k, v] : env_) ::unsetenv(k.c_str());
    ASSERT_EQ(code, 0) << read_file(work + "/err.txt") << read_file(work + "/executor.log");
    const std::string out = read_file(work + "/out.txt");
    ASSERT_GE(out.size(), 3u) << out;
    EXPECT_EQ(out.substr(out.size() - 3), "42\n") << out;  // the last thing it prints
    auto c = dev_.client();
    auto snap = c.get_snapshot("dev", "", "example-input", env_.at("COLONIES_PRVKEY"));
    EXPECT_TRUE(snap.ok());
    auto labels = c.get_file_labels("dev", "/example/out", false, env_.at("COLONIES_PRVKEY"));
    ASSERT_TRUE(labels.ok());
    ASSERT_EQ(labels->size(), 1u);
    const std::string out_label = labels->at(0).name;
    EXPECT_EQ(out_label.size(), std::string("/example/out/").size() + 64);
    // The snapshot and its directory stay (keepsnapshot); the out directory was synced and
    // removed (keepfiles false).
    EXPECT_TRUE(stdfs::exists(work + "/executor-fs/in/numbers.txt"));
    EXPECT_TRUE(stdfs::exists(work + "/executor-fs/out"));
    EXPECT_FALSE(stdfs::exists(work + "/executor-fs" + out_label.substr(8)));  // "/out/<id>"
}

// A process whose mounts cannot be synced in fails before its command runs, with the reason.
TEST_F(CliFs, ExecutorFailsAProcessWhoseSnapshotIsMissing) {
    Env ex_env = env_;
    ex_env["EXECUTOR_FS_DIR"] = root_ + "/exfs";
    Child ex(
        {"executor", "os", "start", "--name", "fs-ex", "--executortype", "cli", "--timeout", "5"},
        ex_env, dev_.dir(), "fs-ex");
    FunctionSpec spec = Fixture::simple_spec("dev", "cli", "touch " + root_ + "/ran");
    spec.fs = boost::json::object{
        {"mount", "/cfs"},
        {"snapshots", boost::json::array{boost::json::object{
                          {"snapshotid", "0000"}, {"label", "/x"}, {"dir", "/x"}}}},
        {"dirs", nullptr}};
    auto c = dev_.client();
    const std::string key = env_.at("COLONIES_PRVKEY");
    auto p = c.submit(spec, key);
    ASSERT_TRUE(p.ok()) << p.error().message;
    Process done;
    for (int i = 0; i < 200; ++i) {
        done = c.get_process(p->processid, key).value();
        if (done.state == ProcessState::Failed || done.state == ProcessState::Success) break;
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(done.state, ProcessState::Failed) << ex.err();
    ASSERT_FALSE(done.errors.empty());
    EXPECT_EQ(done.errors[0].rfind("ColonyFS: Snapshot not found with Id <0000>", 0), 0u)
        << done.errors[0];
    EXPECT_FALSE(stdfs::exists(root_ + "/ran"));  // the command never ran
}

}  // namespace
}  // namespace colonies::it::cli
