// Channel entries (features.md 5.2): the payload in its two wire shapes, the entry's JSON and
// the order and slicing of a log (5.3).
#include "core/channel.hpp"

#include <gtest/gtest.h>

using namespace colonies;

namespace {

TEST(ChannelPayload, AcceptsBase64AndByteArraysAndNull) {
    boost::json::value s = "aGk=";
    auto a = channel_payload_from_json(&s);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->base64.value_or(""), "aGk=");
    EXPECT_EQ(a->bytes, 2);
    boost::json::value arr = boost::json::array{104, 105};
    auto b = channel_payload_from_json(&arr);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->base64.value_or(""), "aGk=");
    boost::json::value empty = boost::json::array{};
    EXPECT_EQ(channel_payload_from_json(&empty)->base64.value_or("<none>"), "");
    boost::json::value null;
    EXPECT_FALSE(channel_payload_from_json(&null)->base64.has_value());
    EXPECT_FALSE(channel_payload_from_json(nullptr)->base64.has_value());
    boost::json::value wrapped = "aG\nk=";  // Go skips line breaks
    EXPECT_EQ(channel_payload_from_json(&wrapped)->base64.value_or(""), "aGk=");
    for (boost::json::value bad :
         {boost::json::value("aGk"), boost::json::value("a=Gk"),
          boost::json::value(boost::json::array{256}), boost::json::value(boost::json::array{-1}),
          boost::json::value(boost::json::array{"1"}), boost::json::value(7)})
        EXPECT_FALSE(channel_payload_from_json(&bad).ok()) << boost::json::serialize(bad);
}

TEST(ChannelPayload, Base64RoundTripsEveryByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (size_t n : {0u, 1u, 2u, 3u, 256u}) {
        const auto part = all.substr(0, n);
        EXPECT_EQ(bytes_of_base64(base64_of_bytes(part)).value_or("<bad>"), part) << n;
    }
    EXPECT_EQ(base64_of_bytes("hello"), "aGVsbG8=");
}

TEST(ChannelEntryJson, OmitsEmptyFieldsAndKeepsNullPayload) {
    ChannelEntry e;
    e.sequence = 3;
    e.senderid = "s";
    auto o = to_json(e);
    EXPECT_EQ(boost::json::serialize(o),
              R"({"sequence":3,"timestamp":"0001-01-01T00:00:00Z","senderid":"s","payload":null})");
    e.inreplyto = 2;
    e.payload = "aGk=";
    e.type = "end";
    auto back = channel_entry_from_json(to_json(e));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->inreplyto, 2);
    EXPECT_EQ(back->payload.value_or(""), "aGk=");
    EXPECT_EQ(back->type, "end");
}

TEST(ChannelOrder, SendersKeepTheirPlacesAndSortTheirSequences) {
    // Append order: a3 b1 a1 a2 b0  ->  a1 b0 a2 a3 b1
    std::vector<ChannelKey> keys{{"a", 3}, {"b", 1}, {"a", 1}, {"a", 2}, {"b", 0}};
    EXPECT_EQ(channel_order(keys), (std::vector<int64_t>{2, 4, 3, 0, 1}));
    // Growing sequences leave the append order; equal ones keep it.
    std::vector<ChannelKey> plain{{"a", 1}, {"b", 1}, {"a", 2}, {"a", 2}};
    EXPECT_EQ(channel_order(plain), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(ChannelOrder, SliceIsAfterseqAndLimit) {
    const std::vector<int64_t> order{5, 6, 7};
    EXPECT_EQ(channel_slice(order, 0, 0), order);
    EXPECT_EQ(channel_slice(order, 1, 0), (std::vector<int64_t>{6, 7}));
    EXPECT_EQ(channel_slice(order, 1, 1), (std::vector<int64_t>{6}));
    EXPECT_EQ(channel_slice(order, -3, 2), (std::vector<int64_t>{5, 6}));
    EXPECT_TRUE(channel_slice(order, 3, 0).empty());
    EXPECT_EQ(channel_slice(order, 0, -1), order);
}

}  // namespace
