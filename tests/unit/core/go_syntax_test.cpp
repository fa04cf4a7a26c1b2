#include "core/go_syntax.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace colonies {
namespace {

int64_t value(const GoParsed& p) {
    EXPECT_TRUE(std::holds_alternative<int64_t>(p)) << std::get<std::string>(p);
    return std::holds_alternative<int64_t>(p) ? std::get<int64_t>(p) : -424242;
}

std::string error(const GoParsed& p) {
    EXPECT_TRUE(std::holds_alternative<std::string>(p));
    return std::holds_alternative<std::string>(p) ? std::get<std::string>(p) : "";
}

TEST(GoSyntax, QuoteLikeStrconv) {
    EXPECT_EQ(go_quote("abc"), "\"abc\"");
    EXPECT_EQ(go_quote(""), "\"\"");
    EXPECT_EQ(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(go_quote("\n\t\a\x01\x7f"), "\"\\n\\t\\a\\x01\\x7f\"");
    EXPECT_EQ(go_quote("\xc3\xa9t\xc3\xa9"), "\"\xc3\xa9t\xc3\xa9\"");  // été, printable
    EXPECT_EQ(go_quote("\xff"), "\"\\xff\"");                           // not UTF-8
    EXPECT_EQ(go_quote("\xc0\x80"), "\"\\xc0\\x80\"");                  // overlong
    EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"");                     // a C1 control
}

TEST(GoSyntax, Atoi) {
    EXPECT_EQ(value(go_atoi("12")), 12);
    EXPECT_EQ(value(go_atoi("007")), 7);
    EXPECT_EQ(value(go_atoi("+7")), 7);
    EXPECT_EQ(value(go_atoi("-7")), -7);
    EXPECT_EQ(value(go_atoi("9223372036854775807")), INT64_MAX);
    EXPECT_EQ(value(go_atoi("-9223372036854775808")), INT64_MIN);
    EXPECT_EQ(error(go_atoi("")), "strconv.Atoi: parsing \"\": invalid syntax");
    EXPECT_EQ(error(go_atoi("+")), "strconv.Atoi: parsing \"+\": invalid syntax");
    EXPECT_EQ(error(go_atoi("1_000")), "strconv.Atoi: parsing \"1_000\": invalid syntax");
    EXPECT_EQ(error(go_atoi(" 1")), "strconv.Atoi: parsing \" 1\": invalid syntax");
    EXPECT_EQ(error(go_atoi("9223372036854775808")),
              "strconv.Atoi: parsing \"9223372036854775808\": value out of range");
    EXPECT_EQ(error(go_atoi("-9223372036854775809")),
              "strconv.Atoi: parsing \"-9223372036854775809\": value out of range");
    // Past 64 bits the digits stop being read; below that, a later bad character counts.
    EXPECT_EQ(error(go_atoi("99999999999999999999x")),
              "strconv.Atoi: parsing \"99999999999999999999x\": value out of range");
    EXPECT_EQ(error(go_atoi("9223372036854775808x")),
              "strconv.Atoi: parsing \"9223372036854775808x\": invalid syntax");
}

TEST(GoSyntax, Durations) {
    constexpr int64_t s = 1000000000LL;
    EXPECT_EQ(value(go_parse_duration("1h30m")), 5400 * s);
    EXPECT_EQ(value(go_parse_duration("1.5h")), 5400 * s);
    EXPECT_EQ(value(go_parse_duration("1.1h")), 3960 * s);
    EXPECT_EQ(value(go_parse_duration("300ms")), 300000000);
    EXPECT_EQ(value(go_parse_duration("10s")), 10 * s);
    EXPECT_EQ(value(go_parse_duration("+10s")), 10 * s);
    EXPECT_EQ(value(go_parse_duration("-1.5h")), -5400 * s);
    EXPECT_EQ(value(go_parse_duration("0")), 0);
    EXPECT_EQ(value(go_parse_duration("-0")), 0);
    EXPECT_EQ(value(go_parse_duration("0s")), 0);
    EXPECT_EQ(value(go_parse_duration(".5s")), s / 2);
    EXPECT_EQ(value(go_parse_duration("5.s")), 5 * s);
    EXPECT_EQ(value(go_parse_duration("1h1m1s1ms1us1ns")), 3661001001001);
    EXPECT_EQ(value(go_parse_duration("1\xc2\xb5s")), 1000);  // micro sign
    EXPECT_EQ(value(go_parse_duration("1\xce\xbcs")), 1000);  // Greek mu
    EXPECT_EQ(value(go_parse_duration("1.0000000000000000000001s")), s);
    EXPECT_EQ(value(go_parse_duration("2562047h47m16.854775807s")), INT64_MAX);
    EXPECT_EQ(value(go_parse_duration("-2562047h47m16.854775808s")), INT64_MIN);
    EXPECT_EQ(error(go_parse_duration("2562047h47m16.854775808s")),
              "time: invalid duration \"2562047h47m16.854775808s\"");
    EXPECT_EQ(error(go_parse_duration("3000000h")), "time: invalid duration \"3000000h\"");
    EXPECT_EQ(error(go_parse_duration("")), "time: invalid duration \"\"");
    EXPECT_EQ(error(go_parse_duration("-")), "time: invalid duration \"-\"");
    EXPECT_EQ(error(go_parse_duration(".s")), "time: invalid duration \".s\"");
    EXPECT_EQ(error(go_parse_duration("h")), "time: invalid duration \"h\"");
    EXPECT_EQ(error(go_parse_duration("1")), "time: missing unit in duration \"1\"");
    EXPECT_EQ(error(go_parse_duration("1h2")), "time: missing unit in duration \"1h2\"");
    EXPECT_EQ(error(go_parse_duration("5y")), "time: unknown unit \"y\" in duration \"5y\"");
    EXPECT_EQ(error(go_parse_duration("1H")), "time: unknown unit \"H\" in duration \"1H\"");
    EXPECT_EQ(error(go_parse_duration("1h\n")),
              "time: unknown unit \"h\\x0a\" in duration \"1h\\x0a\"");
    EXPECT_EQ(error(go_parse_duration("1 h")), "time: unknown unit \" h\" in duration \"1 h\"");
    EXPECT_EQ(error(go_parse_duration("1\xc3\xa9")),
              "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"");
}

}  // namespace
}  // namespace colonies
