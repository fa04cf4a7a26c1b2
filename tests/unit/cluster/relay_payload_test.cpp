// The NOTIFY payloads servers exchange (cluster/cluster.hpp): what one server encodes another
// decodes to the same wake-ups, each payload fits PostgreSQL's 8000-byte limit, a process too
// large to travel is named for the receiver to read, and a server ignores its own messages.
#include <gtest/gtest.h>

#include <set>

#include "cluster/cluster.hpp"
#include "cluster/etcd_client.hpp"

using namespace colonies;
using colonies::cluster::decode_change;
using colonies::cluster::encode_change;
using colonies::cluster::sent_by;

namespace {

Process process(const std::string& id, ProcessState s, size_t arg_bytes = 0) {
    Process p;
    p.processid = id;
    p.state = s;
    p.spec.funcname = "fn";
    p.spec.conditions.colonyname = "dev";
    p.spec.conditions.executortype = "cli";
    if (arg_bytes) p.spec.args.push_back(boost::json::string(std::string(arg_bytes, 'x')));
    return p;
}

}  // namespace

TEST(RelayPayload, RoundTripsReadyProcessesAndEvents) {
    services::Effects fx;
    fx.ready.push_back({"dev", "cli", {"e1", "e2"}, "lab", 500, 1 << 20});
    fx.events.push_back(process("p1", ProcessState::Running));
    auto payloads = encode_change("serverA/1", fx);
    ASSERT_EQ(payloads.size(), 1u);
    auto got = decode_change("serverB/2", payloads[0]);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->ready.size(), 1u);
    EXPECT_EQ(got->ready[0].colonyname, "dev");
    EXPECT_EQ(got->ready[0].executortype, "cli");
    EXPECT_EQ(got->ready[0].executornames, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_EQ(got->ready[0].locationname, "lab");
    EXPECT_EQ(got->ready[0].cpu_millis, 500);
    EXPECT_EQ(got->ready[0].mem_bytes, 1 << 20);
    ASSERT_EQ(got->events.size(), 1u);
    EXPECT_EQ(got->events[0].processid, "p1");
    EXPECT_EQ(got->events[0].state, ProcessState::Running);
    EXPECT_TRUE(got->reload.empty());
}

TEST(RelayPayload, RekeyedColoniesTravelApartFromRemovedOnes) {
    services::Effects fx;
    fx.rekeyed_colonies = {"dev"};
    auto payloads = encode_change("serverA/1", fx);
    ASSERT_EQ(payloads.size(), 1u);
    auto got = decode_change("serverB/2", payloads[0]);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->rekeyed_colonies, (std::vector<std::string>{"dev"}));
    EXPECT_TRUE(got->removed_colonies.empty());
    EXPECT_TRUE(got->ready.empty());
}

TEST(RelayPayload, RemovedColoniesTravel) {
    services::Effects fx;
    fx.removed_colonies = {"dev", "lab"};
    auto payloads = encode_change("serverA/1", fx);
    ASSERT_EQ(payloads.size(), 1u);
    auto got = decode_change("serverB/2", payloads[0]);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->removed_colonies, (std::vector<std::string>{"dev", "lab"}));
    EXPECT_TRUE(got->ready.empty());
    EXPECT_TRUE(got->events.empty());
    // Other changes' payloads carry no removal key.
    services::Effects other;
    other.events.push_back(process("p1", ProcessState::Running));
    auto plain = encode_change("serverA/1", other);
    ASSERT_EQ(plain.size(), 1u);
    EXPECT_EQ(plain[0].find("\"x\""), std::string::npos);
}

TEST(RelayPayload, ResumedColoniesTravel) {
    services::Effects fx;
    fx.resumed_colonies = {"dev"};
    auto payloads = encode_change("serverA/1", fx);
    ASSERT_EQ(payloads.size(), 1u);
    auto got = decode_change("serverB/2", payloads[0]);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->resumed_colonies, (std::vector<std::string>{"dev"}));
    EXPECT_TRUE(got->removed_colonies.empty());
    services::Effects other;
    other.events.push_back(process("p1", ProcessState::Running));
    EXPECT_EQ(encode_change("serverA/1", other)[0].find("\"u\""), std::string::npos);
}

TEST(RelayPayload, OwnAndMalformedMessagesAreIgnored) {
    services::Effects fx;
    fx.events.push_back(process("p1", ProcessState::Success));
    auto payloads = encode_change("me", fx);
    ASSERT_EQ(payloads.size(), 1u);
    EXPECT_FALSE(decode_change("me", payloads[0]));
    EXPECT_FALSE(decode_change("other", "not json"));
    EXPECT_FALSE(decode_change("other", "{\"r\": []}"));  // no origin
    EXPECT_TRUE(encode_change("me", services::Effects{}).empty());
}

TEST(RelayPayload, LargeChangesAreSplitUnderTheLimitAndHugeProcessesNamed) {
    services::Effects fx;
    for (int i = 0; i < 40; ++i)
        fx.events.push_back(process("p" + std::to_string(i), ProcessState::Success, 500));
    fx.events.push_back(process("huge", ProcessState::Failed, 20000));
    for (int i = 0; i < 100; ++i) fx.ready.push_back({"dev", "cli", {}, "", 0, 0});
    auto payloads = encode_change("origin", fx);
    EXPECT_GT(payloads.size(), 1u);
    std::set<std::string> events, reload;
    size_t ready = 0;
    for (const auto& p : payloads) {
        EXPECT_LT(p.size(), 8000u);
        auto c = decode_change("receiver", p);
        ASSERT_TRUE(c);
        for (const auto& e : c->events) events.insert(e.processid);
        reload.insert(c->reload.begin(), c->reload.end());
        ready += c->ready.size();
    }
    EXPECT_EQ(events.size(), 40u);
    EXPECT_EQ(reload, std::set<std::string>{"huge"});
    EXPECT_EQ(ready, 100u);
}

TEST(EtcdEndpoints, SplitsCommaListsAndDropsSchemes) {
    EXPECT_EQ(cluster::split_endpoints(" a:1, http://b:2,,c:3 "),
              (std::vector<std::string>{"a:1", "b:2", "c:3"}));
    EXPECT_TRUE(cluster::split_endpoints("").empty());
}

// Channel news travel in order; an entry too large for a notification is left out (the receiver
// reads it from the store) while its index still travels.
TEST(RelayPayload, ChannelNewsCarryEntriesThatFit) {
    services::Effects fx;
    ChannelEntry small;
    small.sequence = 1;
    small.senderid = "s";
    small.payload = "aGk=";
    small.type = "data";
    ChannelEntry large = small;
    large.payload = std::string(12000, 'A');
    fx.channels.push_back({"p1", "chat", 0, small, false});
    fx.channels.push_back({"p1", "chat", 1, large, false});
    fx.channels.push_back({"p1", "", 0, std::nullopt, true});
    std::vector<services::ChannelNews> got;
    for (const auto& payload : encode_change("serverA/1", fx)) {
        EXPECT_LT(payload.size(), 8000u);
        auto c = decode_change("serverB/2", payload);
        ASSERT_TRUE(c);
        got.insert(got.end(), c->channels.begin(), c->channels.end());
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].processid, "p1");
    EXPECT_EQ(got[0].name, "chat");
    ASSERT_TRUE(got[0].entry);
    EXPECT_EQ(got[0].entry->payload.value_or(""), "aGk=");
    EXPECT_EQ(got[1].index, 1);
    EXPECT_FALSE(got[1].entry);
    EXPECT_TRUE(got[2].ended);
}

// A server skips its own notifications by their first bytes, without parsing them; another
// server's, also one whose origin starts with the same characters, still count.
TEST(RelayPayload, OwnMessagesAreKnownByTheirFirstBytes) {
    services::Effects fx;
    fx.events.push_back(process("p1", ProcessState::Running));
    fx.ready.push_back({"dev", "cli", {}, "", 0, 0});
    for (const std::string origin : {"serverA/1", "odd \"name\"/7"}) {
        auto payloads = encode_change(origin, fx);
        ASSERT_EQ(payloads.size(), 1u);
        EXPECT_TRUE(sent_by(origin, payloads[0])) << payloads[0];
        EXPECT_FALSE(sent_by(origin + "2", payloads[0]));
        EXPECT_FALSE(sent_by("serverB/1", payloads[0]));
    }
    EXPECT_FALSE(sent_by("serverA/1", encode_change("serverA/12", fx).at(0)));
    EXPECT_FALSE(sent_by("serverA/1", ""));
}
