// The process's log: every line the server and the CLI write to stderr goes through here, to one
// spdlog logger. Two layouts, chosen once at start:
//  * text (the default), logrus' layouts as upstream prints them (cli.md 6.2): on a terminal
//    `INFO[0003] message      Key=value`, otherwise `time="..." level=info msg="..." Key=value`;
//  * JSON lines (COLONIES_LOG_FORMAT=json): `{"time":"...","level":"info","msg":"...","Key":"v"}`,
//    one object per line, every field value a string.
// Levels: debug (COLONIES_VERBOSE=true, -v, or COLONIES_LOG_LEVEL=debug), info (default), warn,
// error. Thread-safe; `enabled` is one atomic load, so a disabled debug line costs nothing more.
// Never pass secrets (private keys, signatures, payloads) as a message or field.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace colonies::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Text, Json };
using Fields = std::vector<std::pair<std::string, std::string>>;

// What COLONIES_LOG_FORMAT and COLONIES_LOG_LEVEL / COLONIES_VERBOSE ask for. A value that
// names no format or level is an error: the text says what was expected.
struct Settings {
    Level level = Level::Info;
    Format format = Format::Text;
};
// Reads the environment; on a bad value returns false and sets `error`.
bool settings_from_env(Settings& out, std::string& error);

void configure(const Settings& s);
void set_level(Level level);
bool enabled(Level level);
Format format();

void write(Level level, std::string_view msg, const Fields& fields = {});
inline void debug(std::string_view msg, const Fields& f = {}) {
    if (enabled(Level::Debug)) write(Level::Debug, msg, f);
}
inline void info(std::string_view msg, const Fields& f = {}) {
    write(Level::Info, msg, f);
}
inline void warn(std::string_view msg, const Fields& f = {}) {
    write(Level::Warn, msg, f);
}
inline void error(std::string_view msg, const Fields& f = {}) {
    write(Level::Error, msg, f);
}

// One line as it would be written (no trailing newline), for tests. `tty`: the terminal layout.
std::string format_line(Format format, bool tty, bool colour, Level level, std::string_view msg,
                        const Fields& fields);

}  // namespace colonies::log
