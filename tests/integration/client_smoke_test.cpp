// Smoke test of the harness and the SDK: a real server starts, answers /health and versionmsg.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace colonies::it {
namespace {

TEST(ClientSmoke, HealthAndVersion) {
    ServerProcess server;
    ASSERT_GT(server.port(), 0);

    auto client = server.make_client();
    EXPECT_TRUE(client.health());

    auto version = client.version();
    ASSERT_TRUE(version.ok()) << version.error().status << " " << version.error().message;
    EXPECT_FALSE(version->empty());

    // The same keep-alive connection serves a second request.
    EXPECT_TRUE(client.health());
}

}  // namespace
}  // namespace colonies::it
