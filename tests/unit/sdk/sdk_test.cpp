// The installed SDK face (include/colonies/sdk.hpp) without a server: JSON texts, keys, and
// bad input refused before anything is sent. tests/packaging/sdk_example_test.sh runs it against
// a server through the installed package.
#include <gtest/gtest.h>

#include <colonies/sdk.hpp>

#include "child_process.hpp"

namespace sdk = colonies::sdk;

namespace {

// A client of a port nobody listens on: any request that reaches the network fails as a
// connection failure, so a 400 proves the SDK refused the input itself.
sdk::Client unreachable_client() {
    sdk::Options o;
    o.host = "127.0.0.1";
    o.port = colonies::testsupport::pick_free_port();
    o.connect_timeout_s = 2;
    return sdk::Client(o);
}

}  // namespace

TEST(SdkJsonText, ArgQuotesAndEscapesAndAsStringReadsItBack) {
    EXPECT_EQ(sdk::arg("world"), "\"world\"");
    EXPECT_EQ(sdk::arg("say \"hi\"\n"), R"("say \"hi\"\n")");
    EXPECT_EQ(sdk::as_string(sdk::arg("say \"hi\"\n")), "say \"hi\"\n");
    EXPECT_EQ(sdk::as_string("42"), "42");  // not a string: the text itself
    EXPECT_EQ(sdk::as_string("{\"a\":1}"), "{\"a\":1}");
    EXPECT_EQ(sdk::as_string("not json"), "not json");
}

TEST(SdkKeys, IdOfTheDevelopmentKeyAndOfAFreshKey) {
    // The development executor key and id of docs/getting-started.md.
    auto id = sdk::id_of("ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05");
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, "3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac");

    const std::string k1 = sdk::generate_private_key(), k2 = sdk::generate_private_key();
    EXPECT_EQ(k1.size(), 64u);
    EXPECT_NE(k1, k2);
    auto fresh = sdk::id_of(k1);
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ(fresh->size(), 64u);
}

TEST(SdkKeys, NotAKeyIsA400) {
    auto id = sdk::id_of("abcd");  // valid hex, 2 bytes
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().status, 400);
    EXPECT_FALSE(id.error().connection);
    EXPECT_EQ(id.error().message, "Invalid private key length, should be 256 bits");
}

TEST(SdkClient, NoServerIsAConnectionFailure) {
    auto c = unreachable_client();
    auto v = c.version();
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(v.error().connection);
    EXPECT_EQ(v.error().status, 502);
    EXPECT_FALSE(v.error().message.empty());
}

TEST(SdkClient, ArgumentsThatAreNotJsonTextAreRefusedBeforeSending) {
    auto c = unreachable_client();
    sdk::FunctionSpec spec;
    spec.colonyname = "dev";
    spec.funcname = "echo";
    spec.executortype = "cli";
    spec.args = {sdk::arg("fine"), "hello"};  // the second should have been arg("hello")
    auto p = c.submit(spec, sdk::generate_private_key());
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().status, 400);
    EXPECT_FALSE(p.error().connection);
    EXPECT_NE(p.error().message.find("argument 1"), std::string::npos) << p.error().message;

    spec.args = {};
    spec.kwargs = {{"n", "{broken"}};
    p = c.submit(spec, sdk::generate_private_key());
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().status, 400);
    EXPECT_NE(p.error().message.find("keyword argument n"), std::string::npos);

    auto closed = c.close_successful("0", {"not json"}, sdk::generate_private_key());
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().status, 400);
    EXPECT_FALSE(closed.error().connection);
}

TEST(SdkClient, RawCallNeedsAJsonObject) {
    auto c = unreachable_client();
    for (const char* bad : {"[1]", "{", "\"x\""}) {
        auto r = c.call("getprocessmsg", bad, sdk::generate_private_key());
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().status, 400) << bad;
        EXPECT_FALSE(r.error().connection) << bad;
    }
    // An empty message is {}: it goes out (and finds no server here).
    auto r = c.call("getprocessmsg", "", sdk::generate_private_key());
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().connection);
}
