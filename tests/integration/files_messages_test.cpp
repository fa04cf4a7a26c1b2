// ColonyFS messages on the wire (protocol.md 5.12, features.md 4): revisions and sequence
// numbers, latest, labels (prefix and exact), file data, removal, snapshots by id and name,
// upstream's errors, membership, and colony removal taking the records along.
#include <gtest/gtest.h>

#include <set>

#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

namespace json = boost::json;

class FilesMessages : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }
    File add(const std::string& label, const std::string& name, const std::string& checksum) {
        File f;
        f.colonyname = "dev";
        f.label = label;
        f.name = name;
        f.size = 3;
        f.checksum = checksum;
        f.checksumalg = "SHA256";
        f.ref.protocol = "s3";
        f.ref.s3object =
            S3Object{"localhost:9000",  -1,      false, "ak", "sk", "us-east-1", "", "",
                     "obj-" + checksum, "bucket"};
        auto r = c_->add_file(f, key_);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? *r : File{};
    }
    json::value call(const std::string& type, json::object msg) {
        auto r = c_->call(type, std::move(msg), key_);
        EXPECT_TRUE(r.ok()) << type << ": " << r.error().message;
        return r.ok() ? *r : json::value();
    }
    Error fails(const std::string& type, json::object msg, const std::string& key) {
        auto r = c_->call(type, std::move(msg), key);
        EXPECT_FALSE(r.ok()) << type;
        return r.ok() ? Error(ErrorKind::Internal, "") : r.error();
    }
    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
    const std::string key_ = DevIdentity::executor_prvkey;
};

TEST_F(FilesMessages, RevisionsLatestDataAndLabels) {
    auto a1 = add("/data", "a.txt", "c1");
    auto b1 = add("/data", "b.txt", "c2");
    auto a2 = add("/data", "a.txt", "c3");
    add("/data/sub", "c.txt", "c4");
    add("/datax", "d.txt", "c5");
    EXPECT_EQ(a1.fileid.size(), 64u);
    EXPECT_NE(a1.fileid, a2.fileid);
    EXPECT_LT(a1.sequencenr, b1.sequencenr);
    EXPECT_LT(b1.sequencenr, a2.sequencenr);
    EXPECT_FALSE(a1.added.is_zero());
    EXPECT_EQ(a1.ref.s3object.port, -1);
    EXPECT_EQ(a1.ref.s3object.secretkey, "sk");  // stored and returned as upstream

    // The reply's shape, key for key.
    auto raw = call("getfilemsg", {{"colonyname", "dev"}, {"fileid", a1.fileid}});
    ASSERT_TRUE(raw.is_array());
    ASSERT_EQ(raw.as_array().size(), 1u);
    const auto& obj = raw.as_array()[0].as_object();
    std::vector<std::string> keys;
    for (const auto& kv : obj) keys.emplace_back(kv.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"fileid", "colonyname", "label", "name", "size",
                                        "sequencenr", "checksum", "checksumalg", "ref", "added"}));
    EXPECT_EQ(obj.at("ref").at("s3object").at("object").as_string(), "obj-c1");

    auto revs = c_->get_file_revisions("dev", "/data", "a.txt", false, key_);
    ASSERT_TRUE(revs.ok());
    ASSERT_EQ(revs->size(), 2u);
    EXPECT_EQ((*revs)[0].fileid, a2.fileid);  // newest first
    auto latest = c_->get_file_revisions("dev", "/data", "a.txt", true, key_);
    ASSERT_TRUE(latest.ok());
    ASSERT_EQ(latest->size(), 1u);
    EXPECT_EQ((*latest)[0].checksum, "c3");

    auto data = c_->get_file_data("dev", "/data", key_);
    ASSERT_TRUE(data.ok());
    ASSERT_EQ(data->size(), 2u);
    EXPECT_EQ((*data)[0].name, "a.txt");
    EXPECT_EQ((*data)[0].checksum, "c3");
    EXPECT_EQ((*data)[0].s3filename, "obj-c3");

    auto all = c_->get_file_labels("dev", "", false, key_);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].name, "/data");
    EXPECT_EQ((*all)[0].files, 3);  // every revision
    auto prefix = c_->get_file_labels("dev", "/data", false, key_);
    ASSERT_TRUE(prefix.ok());
    EXPECT_EQ(prefix->size(), 3u);  // plain prefix: /datax too
    auto exact = c_->get_file_labels("dev", "/data", true, key_);
    ASSERT_TRUE(exact.ok());
    ASSERT_EQ(exact->size(), 2u);  // /data and /data/sub
    auto none = c_->get_file_labels("dev", "/data/sub/deeper", true, key_);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
}

TEST_F(FilesMessages, UpstreamErrorsAndRemoval) {
    auto a1 = add("/data", "a.txt", "c1");
    add("/data", "a.txt", "c2");
    auto b1 = add("/data", "b.txt", "c3");

    auto unknown = fails("getfilemsg", {{"colonyname", "dev"}, {"fileid", "nope"}}, key_);
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(unknown.message, "Failed to get file");
    auto empty = fails("getfilemsg", {{"colonyname", "dev"}, {"label", "/x"}, {"name", "y"}}, key_);
    EXPECT_EQ(empty.status, 404);
    EXPECT_EQ(empty.message, "Failed to get file");
    auto malformed = fails("getfilemsg", {{"colonyname", "dev"}, {"label", "/data"}}, key_);
    EXPECT_EQ(malformed.status, 500);
    EXPECT_EQ(malformed.message, "malformatted get file msg");
    auto nil = fails("addfilemsg", {}, key_);
    EXPECT_EQ(nil.status, 400);
    EXPECT_EQ(nil.message, "Failed to add file, msg.File is nil");
    auto bad_remove = fails("removefilemsg", {{"colonyname", "dev"}}, key_);
    EXPECT_EQ(bad_remove.status, 400);
    EXPECT_EQ(bad_remove.message, "malformatted remove file msg");

    ASSERT_TRUE(c_->remove_file("dev", b1.fileid, "", "", key_));
    EXPECT_FALSE(c_->get_file("dev", b1.fileid, key_).ok());
    ASSERT_TRUE(c_->remove_file("dev", "", "/data", "a.txt", key_));  // every revision
    EXPECT_FALSE(c_->get_file("dev", a1.fileid, key_).ok());
    auto labels = c_->get_file_labels("dev", "", false, key_);
    ASSERT_TRUE(labels.ok());
    EXPECT_TRUE(labels->empty());
}

TEST_F(FilesMessages, SnapshotsFreezeTheLatestRevisionsUnderALabel) {
    add("/in", "a.txt", "c1");
    auto a2 = add("/in", "a.txt", "c2");
    auto sub = add("/in/sub", "b.txt", "c3");
    add("/input", "x.txt", "c4");  // a prefix, not below /in

    auto s = c_->create_snapshot("dev", "/in/", "snap1", key_);  // one trailing / is stripped
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->label, "/in");
    EXPECT_EQ(s->name, "snap1");
    EXPECT_EQ(s->colonyname, "dev");
    std::set<std::string> ids(s->fileids.begin(), s->fileids.end());
    EXPECT_EQ(ids, (std::set<std::string>{a2.fileid, sub.fileid}));

    add("/in", "a.txt", "c5");  // later revisions do not change the snapshot
    auto by_name = c_->get_snapshot("dev", "", "snap1", key_);
    ASSERT_TRUE(by_name.ok());
    EXPECT_EQ(by_name->snapshotid, s->snapshotid);
    EXPECT_EQ(by_name->fileids.size(), 2u);
    auto by_id = c_->get_snapshot("dev", s->snapshotid, "", key_);
    ASSERT_TRUE(by_id.ok());
    EXPECT_EQ(by_id->name, "snap1");

    auto dup = c_->create_snapshot("dev", "/in", "snap1", key_);
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().message, "Snapshot with name <snap1> in Colony <dev> already exists");
    auto missing = fails("getsnapshotmsg", {{"colonyname", "dev"}, {"name", "nope"}}, key_);
    EXPECT_EQ(missing.message,
              "Snapshot not found with name <nope> in Colony <dev> does not exists");
    auto malformed = fails("getsnapshotmsg", {{"colonyname", "dev"}}, key_);
    EXPECT_EQ(malformed.status, 500);
    EXPECT_EQ(malformed.message, "Failed to get snapshot, malformatted msg");
    auto bad_remove = fails("removesnapshotmsg", {{"colonyname", "dev"}}, key_);
    EXPECT_EQ(bad_remove.message, "Failed to remove snapsnot, malformatted msg");

    ASSERT_TRUE(c_->create_snapshot("dev", "/in", "snap2", key_).ok());
    auto list = c_->get_snapshots("dev", key_);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "snap2");  // newest first
    ASSERT_TRUE(c_->remove_snapshot("dev", "", "snap2", key_));
    ASSERT_EQ(c_->get_snapshots("dev", key_)->size(), 1u);
    ASSERT_TRUE(c_->remove_all_snapshots("dev", key_));
    EXPECT_TRUE(c_->get_snapshots("dev", key_)->empty());
    EXPECT_TRUE(c_->get_file("dev", a2.fileid, key_).ok());  // files stay
}

TEST_F(FilesMessages, OnlyMembersOfTheColony) {
    auto f = add("/data", "a.txt", "c1");
    auto stranger = Identity::fresh();
    Fixture::setup_colony(*c_, "other", Identity::fresh().prvkey, DevIdentity::server_prvkey);
    const std::string denied = "Access denied, not a member of Colony with name dev";
    const std::vector<std::pair<std::string, json::object>> msgs = {
        {"addfilemsg", {{"file", to_json(f)}}},
        {"getfilemsg", {{"colonyname", "dev"}, {"fileid", f.fileid}}},
        {"getfilesmsg", {{"colonyname", "dev"}, {"label", "/data"}}},
        {"getfilelabelsmsg", {{"colonyname", "dev"}}},
        {"removefilemsg", {{"colonyname", "dev"}, {"fileid", f.fileid}}},
        {"createsnapshotmsg", {{"colonyname", "dev"}, {"label", "/data"}, {"name", "s"}}},
        {"getsnapshotmsg", {{"colonyname", "dev"}, {"name", "s"}}},
        {"getsnapshotsmsg", {{"colonyname", "dev"}}},
        {"removesnapshotmsg", {{"colonyname", "dev"}, {"name", "s"}}},
        {"removeallsnapshotmsg", {{"colonyname", "dev"}}},
    };
    for (const auto& [type, msg] : msgs) {
        auto e = fails(type, msg, stranger.prvkey);
        EXPECT_EQ(e.status, 403) << type;
        EXPECT_EQ(e.message, denied) << type;
    }
    EXPECT_TRUE(c_->get_file("dev", f.fileid, key_).ok());  // nothing changed
    EXPECT_TRUE(c_->get_snapshots("dev", key_)->empty());
}

TEST_F(FilesMessages, RemovingTheColonyRemovesItsRecords) {
    auto f = add("/data", "a.txt", "c1");
    ASSERT_TRUE(c_->create_snapshot("dev", "/data", "s", key_).ok());
    ASSERT_TRUE(c_->remove_colony("dev", DevIdentity::server_prvkey));
    Fixture::setup_dev(*c_);
    EXPECT_FALSE(c_->get_file("dev", f.fileid, key_).ok());
    auto labels = c_->get_file_labels("dev", "", false, key_);
    ASSERT_TRUE(labels.ok());
    EXPECT_TRUE(labels->empty());
    EXPECT_TRUE(c_->get_snapshots("dev", key_)->empty());
}

}  // namespace
}  // namespace colonies::it
