#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "core/json.hpp"

namespace json = boost::json;
using colonies::read_json_text;

namespace {

json::value read(std::string_view text) {
    boost::system::error_code ec;
    json::value v = read_json_text(text, ec);
    EXPECT_FALSE(ec) << text << ": " << ec.message();
    return v;
}

uint64_t bits(double d) {
    uint64_t b;
    std::memcpy(&b, &d, sizeof b);
    return b;
}

// The correctly rounded reading of a number's text, by the C library.
double rounded(const std::string& text) {
    return std::strtod(text.c_str(), nullptr);
}

}  // namespace

// The number a fuzz run found: Boost.JSON 1.81's own parser reads it one unit off, so a
// location's latitude changed between the server's reply and the client's next request.
TEST(ReadJsonText, ReadsLongNumbersCorrectlyRounded) {
    const std::string big = "-47" + std::string(69, '0');
    for (const std::string& text :
         {big, std::string("-4.7E70"), std::string("0.12345678901234567890123"),
          std::string("2.2250738585072011e-308"), std::string("5e-324"),
          std::string("1.7976931348623157e308"), std::string("9007199254740993.0"),
          std::string("0.1e1")}) {
        json::value v = read(text);
        ASSERT_TRUE(v.is_double()) << text;
        EXPECT_EQ(bits(v.get_double()), bits(rounded(text))) << text;
    }
}

TEST(ReadJsonText, EveryDoubleTheSerializerWritesReadsBackToItself) {
    std::mt19937_64 random(20261206);
    int checked = 0;
    for (int i = 0; i < 200000; ++i) {
        uint64_t b = random();
        double d;
        std::memcpy(&d, &b, sizeof d);
        if (!std::isfinite(d)) continue;
        const std::string text = json::serialize(json::value(d));
        json::value v = read(text);
        ASSERT_TRUE(v.is_double()) << text;
        ASSERT_EQ(bits(v.get_double()), b) << text;
        ++checked;
    }
    EXPECT_GT(checked, 190000);
}

TEST(ReadJsonText, ALocationEchoedThroughItsTextStaysTheSame) {
    auto loc = colonies::location_from_json(read(
        R"({"name":"dev","description":"d","long":8.5417,"lat":-47)" + std::string(69, '0') + "}"));
    ASSERT_TRUE(loc.ok());
    const json::value first = colonies::to_json(*loc);
    EXPECT_EQ(read(colonies::to_text(first)), first);
}

TEST(ReadJsonText, KeepsTheKindOfEveryOtherValue) {
    const std::string text =
        R"({"s":"a\u00e9\n\"b","i":-9223372036854775808,"u":18446744073709551615,"z":-0.0,)"
        R"("t":true,"f":false,"n":null,"a":[1,[2,{"k":[]}],{}],"e":"","x":1.5})";
    json::value v = read(text);
    EXPECT_EQ(v, json::parse(text));
    EXPECT_TRUE(v.at("i").is_int64());
    EXPECT_TRUE(v.at("u").is_uint64());
    EXPECT_TRUE(std::signbit(v.at("z").as_double()));
    EXPECT_EQ(v.at("s").as_string(), "a\xc3\xa9\n\"b");
}

TEST(ReadJsonText, RefusesWhatIsNotOneWholeDocument) {
    for (std::string_view bad : {"", "[1,", R"({"a":1} x)", "{\"a\":1}{}", "01", "1.", "-", "[1e]",
                                 R"({"a" 1})", "nul", "\"\\x\""}) {
        boost::system::error_code ec;
        json::value v = read_json_text(bad, ec);
        EXPECT_TRUE(ec) << bad;
        EXPECT_TRUE(v.is_null()) << bad;
    }
    EXPECT_TRUE(read("  [1]\n\t").is_array());  // surrounding white space is fine
}

// Go refuses a number a double cannot hold; Boost.JSON would read an infinity and write it back as
// `Infinity`, which no JSON reader takes (a stored document that could no longer be read).
TEST(ReadJsonText, RefusesNumbersTooLargeForADoubleAndReadsTinyOnesAsZero) {
    for (std::string_view big : {"1e400", "[-1e400]", R"({"lat":1.7976939348623157e308})",
                                 "1797693134862315900000000000000000000000000000000000000000000"
                                 "0000000000000000000000000000000000000000000000000000000000000"
                                 "0000000000000000000000000000000000000000000000000000000000000"
                                 "0000000000000000000000000000000000000000000000000000000000000"
                                 "0000000000000000000000000000000000000000000000000000000000000"
                                 "0000"}) {
        boost::system::error_code ec;
        read_json_text(big, ec);
        EXPECT_EQ(ec, json::error::exponent_overflow) << big;
    }
    EXPECT_EQ(bits(read("1.7976931348623157e308").as_double()), bits(1.7976931348623157e308));
    EXPECT_EQ(bits(read("1e-400").as_double()), bits(0.0));
    EXPECT_EQ(bits(read("-1e-400").as_double()), bits(-0.0));
    EXPECT_EQ(bits(read("4e-324").as_double()), bits(5e-324));  // the least subnormal
}

// Go's decoder takes 10000 levels; Boost.JSON's default stops at 32.
TEST(ReadJsonText, NestsAsDeepAsGoAllows) {
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_TRUE(read(nested(10000)).is_array());
    boost::system::error_code ec;
    read_json_text(nested(10001), ec);
    EXPECT_EQ(ec, json::error::too_deep);
    read_json_text(nested(40), ec, {}, 32);
    EXPECT_EQ(ec, json::error::too_deep);
}

TEST(ReadJsonText, TellsWhereItStopped) {
    boost::system::error_code ec;
    std::size_t stopped_at = 0;
    read_json_text("{\"a\": [1, 2,, 3]}", ec, stopped_at);
    EXPECT_TRUE(ec);
    EXPECT_EQ(stopped_at, 12u);
    read_json_text("[1] [2]", ec, stopped_at);
    EXPECT_EQ(ec, json::error::extra_data);
    EXPECT_EQ(stopped_at, 4u);
}

TEST(ReadJsonText, BuildsTheTreeFromTheGivenStorage) {
    json::monotonic_resource arena;
    json::storage_ptr sp(&arena);
    boost::system::error_code ec;
    json::value v = read_json_text(R"({"k":["a long string that is not stored inline"]})", ec, sp);
    ASSERT_FALSE(ec);
    EXPECT_EQ(v.storage(), sp);
    EXPECT_EQ(v.at("k").storage(), sp);
}
