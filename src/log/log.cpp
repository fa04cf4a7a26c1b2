#include "log/log.hpp"

#include <unistd.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>

namespace colonies::log {
namespace {

const auto kStart = std::chrono::steady_clock::now();
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::atomic<int> g_format{static_cast<int>(Format::Text)};

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// One logger for the process, made on first use: a line written while statics are being torn
// down (a server stopping) still finds it.
spdlog::logger& logger() {
    static const std::shared_ptr<spdlog::logger> l = [] {
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        auto made = std::make_shared<spdlog::logger>("colonies", std::move(sink));
        made->set_pattern("%v");                // the layout is ours (format_line)
        made->set_level(spdlog::level::trace);  // filtered by enabled() before formatting
        made->flush_on(spdlog::level::trace);
        return made;
    }();
    return *l;
}

spdlog::level::level_enum spd(Level l) {
    switch (l) {
        case Level::Debug:
            return spdlog::level::debug;
        case Level::Info:
            return spdlog::level::info;
        case Level::Warn:
            return spdlog::level::warn;
        case Level::Error:
            break;
    }
    return spdlog::level::err;
}

// logrus' level names and terminal tags.
const char* name_of(Level l) {
    static const char* const names[] = {"debug", "info", "warning", "error"};
    return names[static_cast<int>(l)];
}
const char* tag_of(Level l) {
    static const char* const tags[] = {"DEBU", "INFO", "WARN", "ERRO"};
    return tags[static_cast<int>(l)];
}
const char* colour_of(Level l) {
    static const char* const codes[] = {"\033[38;2;131;148;150m", "\033[38;2;38;139;210m",
                                        "\033[38;2;203;75;22m", "\033[38;2;220;50;47m"};
    return codes[static_cast<int>(l)];
}

bool colour_capable() {
    if (!isatty(STDERR_FILENO)) return false;
    if (!env("NO_COLOR").empty()) return false;
    return env("TERM") != "dumb";
}

// Go's %q is used by logrus for values with characters outside this set (cli.md 6.2).
bool needs_quotes(std::string_view s) {
    for (unsigned char c : s)
        if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '/' || c == '@' ||
              c == '^' || c == '+'))
            return true;
    return false;
}

void append_quoted(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += '"';
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

std::string local_time_text() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char ts[64];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S%z", &tm);
    return ts;
}

// RFC 3339 in UTC with microseconds: JSON lines are read by machines, which sort by it.
std::string utc_time_text() {
    const auto now = std::chrono::system_clock::now();
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char ts[64];
    const size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%06lldZ", static_cast<long long>(us % 1000000));
    return ts;
}

std::string json_line(Level level, std::string_view msg, const Fields& fields) {
    std::string out =
        "{\"time\":\"" + utc_time_text() + "\",\"level\":\"" + name_of(level) + "\",\"msg\":";
    append_json_string(out, msg);
    for (const auto& [k, v] : fields) {
        out += ',';
        append_json_string(out, k);
        out += ':';
        append_json_string(out, v);
    }
    out += '}';
    return out;
}

std::string terminal_line(bool colour, Level level, std::string_view msg, const Fields& fields) {
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - kStart)
            .count();
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%s[%04lld]", tag_of(level), static_cast<long long>(secs));
    auto paint = [&](std::string_view text) {
        if (!colour) return std::string(text);
        return std::string(colour_of(level)) + std::string(text) + "\033[0m";
    };
    std::string out = paint(prefix) + " " + std::string(msg);
    if (!fields.empty()) out += std::string(msg.size() < 44 ? 44 - msg.size() : 1, ' ');
    for (const auto& [k, v] : fields) out += " " + paint(k) + "=" + v;
    return out;
}

std::string logfmt_line(Level level, std::string_view msg, const Fields& fields) {
    std::string out = "time=\"" + local_time_text() + "\" level=" + name_of(level) + " msg=";
    append_quoted(out, msg);
    for (const auto& [k, v] : fields) {
        out += ' ' + k + '=';
        if (!v.empty() && needs_quotes(v))
            append_quoted(out, v);
        else
            out += v;
    }
    return out;
}

}  // namespace

bool settings_from_env(Settings& out, std::string& error) {
    if (const auto f = env("COLONIES_LOG_FORMAT"); !f.empty()) {
        if (f == "json")
            out.format = Format::Json;
        else if (f == "text")
            out.format = Format::Text;
        else {
            error = "COLONIES_LOG_FORMAT must be text or json, got '" + f + "'";
            return false;
        }
    }
    if (const auto l = env("COLONIES_LOG_LEVEL"); !l.empty()) {
        static const std::pair<const char*, Level> names[] = {{"debug", Level::Debug},
                                                              {"info", Level::Info},
                                                              {"warn", Level::Warn},
                                                              {"warning", Level::Warn},
                                                              {"error", Level::Error}};
        bool found = false;
        for (const auto& [n, lv] : names)
            if (l == n) {
                out.level = lv;
                found = true;
            }
        if (!found) {
            error = "COLONIES_LOG_LEVEL must be debug, info, warn or error, got '" + l + "'";
            return false;
        }
    }
    if (env("COLONIES_VERBOSE") == "true") out.level = Level::Debug;
    return true;
}

void configure(const Settings& s) {
    g_format.store(static_cast<int>(s.format), std::memory_order_relaxed);
    set_level(s.level);
}

void set_level(Level level) {
    g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

bool enabled(Level level) {
    return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

Format format() {
    return static_cast<Format>(g_format.load(std::memory_order_relaxed));
}

std::string format_line(Format fmt, bool tty, bool colour, Level level, std::string_view msg,
                        const Fields& fields) {
    if (fmt == Format::Json) return json_line(level, msg, fields);
    if (tty) return terminal_line(colour, level, msg, fields);
    return logfmt_line(level, msg, fields);
}

void write(Level level, std::string_view msg, const Fields& fields) {
    if (!enabled(level)) return;
    static const bool tty = isatty(STDERR_FILENO) != 0;
    static const bool colour = colour_capable();
    const auto line = format_line(format(), tty, colour, level, msg, fields);
    logger().log(spd(level), "{}", line);
}

}  // namespace colonies::log
