// The log's layouts and settings (log/log.hpp).
#include "log/log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <regex>

namespace colonies::log {
namespace {

TEST(Log, TextLineIsLogrusLayout) {
    const auto line = format_line(Format::Text, false, false, Level::Info, "Starting \"server\"",
                                  {{"Port", "50080"}, {"Database", "a b"}, {"Empty", ""}});
    const std::regex want(
        R"(time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}" level=info msg="Starting \\"server\\"" )"
        R"(Port=50080 Database="a b" Empty=)");
    EXPECT_TRUE(std::regex_match(line, want)) << line;
    EXPECT_NE(format_line(Format::Text, false, false, Level::Warn, "m", {}).find(" level=warning "),
              std::string::npos);
}

TEST(Log, TerminalLineHasTagAndSeconds) {
    const auto line =
        format_line(Format::Text, true, false, Level::Debug, "API request", {{"Status", "200"}});
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(DEBU\[\d{4}\] API request +Status=200)")))
        << line;
    const auto coloured = format_line(Format::Text, true, true, Level::Error, "bad", {});
    EXPECT_NE(coloured.find("\033["), std::string::npos);
}

TEST(Log, JsonLineParsesWithEveryField) {
    const auto line =
        format_line(Format::Json, false, false, Level::Debug, "quote \" and \n",
                    {{"MsgType", "submitfuncspecmsg"}, {"Odd", std::string("\x01\\")}});
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    const auto& o = v.as_object();
    EXPECT_EQ(o.at("level"), "debug");
    EXPECT_EQ(o.at("msg"), "quote \" and \n");
    EXPECT_EQ(o.at("MsgType"), "submitfuncspecmsg");
    EXPECT_EQ(o.at("Odd"), "\x01\\");
    EXPECT_TRUE(std::regex_match(std::string(o.at("time").as_string()),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
    EXPECT_EQ(line.find('\n'), std::string::npos);  // one line
}

TEST(Log, SettingsFromEnvironment) {
    ::unsetenv("COLONIES_LOG_FORMAT");
    ::unsetenv("COLONIES_LOG_LEVEL");
    ::unsetenv("COLONIES_VERBOSE");
    Settings s;
    std::string error;
    ASSERT_TRUE(settings_from_env(s, error));
    EXPECT_EQ(s.level, Level::Info);
    EXPECT_EQ(s.format, Format::Text);

    ::setenv("COLONIES_LOG_FORMAT", "json", 1);
    ::setenv("COLONIES_LOG_LEVEL", "warn", 1);
    ASSERT_TRUE(settings_from_env(s, error));
    EXPECT_EQ(s.format, Format::Json);
    EXPECT_EQ(s.level, Level::Warn);

    ::setenv("COLONIES_VERBOSE", "true", 1);  // wins over the level
    ASSERT_TRUE(settings_from_env(s, error));
    EXPECT_EQ(s.level, Level::Debug);

    ::setenv("COLONIES_LOG_FORMAT", "xml", 1);
    EXPECT_FALSE(settings_from_env(s, error));
    EXPECT_NE(error.find("COLONIES_LOG_FORMAT must be text or json"), std::string::npos);
    ::setenv("COLONIES_LOG_FORMAT", "text", 1);
    ::setenv("COLONIES_LOG_LEVEL", "loud", 1);
    EXPECT_FALSE(settings_from_env(s, error));
    EXPECT_NE(error.find("COLONIES_LOG_LEVEL"), std::string::npos);
    ::unsetenv("COLONIES_LOG_FORMAT");
    ::unsetenv("COLONIES_LOG_LEVEL");
    ::unsetenv("COLONIES_VERBOSE");
}

TEST(Log, LevelsFilter) {
    configure({Level::Info, Format::Text});
    EXPECT_FALSE(enabled(Level::Debug));
    EXPECT_TRUE(enabled(Level::Info));
    EXPECT_TRUE(enabled(Level::Error));
    set_level(Level::Debug);
    EXPECT_TRUE(enabled(Level::Debug));
    set_level(Level::Error);
    EXPECT_FALSE(enabled(Level::Warn));
    configure({});
}

}  // namespace
}  // namespace colonies::log
