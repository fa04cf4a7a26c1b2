// The /metrics exposition text (server/metrics.hpp).
#include "server/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace colonies::server {
namespace {

TEST(Metrics, EveryMetricHasHelpTypeAndOneSample) {
    auto text = render_metrics(Gauges{3, 2, 7, 11, 5});
    EXPECT_NE(text.find("# TYPE colonies_subscriptions gauge\ncolonies_subscriptions 3\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_assign_waiters gauge\ncolonies_assign_waiters 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_open_connections gauge\ncolonies_open_connections 7\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_signature_cache_hits_total counter\n"
                        "colonies_signature_cache_hits_total 11\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE colonies_channel_subscriptions gauge\n"
                        "colonies_channel_subscriptions 5\n"),
              std::string::npos)
        << text;
    // The exposition format: comment lines, or `name value`; the text ends with a newline.
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    std::istringstream lines(text);
    int samples = 0, helps = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# HELP colonies_", 0) == 0) ++helps;
        if (line[0] == '#') continue;
        auto space = line.find(' ');
        ASSERT_NE(space, std::string::npos) << line;
        EXPECT_EQ(line.find(' ', space + 1), std::string::npos) << line;
        ++samples;
    }
    EXPECT_EQ(samples, 5);
    EXPECT_EQ(helps, 5);
}

}  // namespace
}  // namespace colonies::server
