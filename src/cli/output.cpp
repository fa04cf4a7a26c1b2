#include "cli/output.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>

#include "cli/context.hpp"
#include "log/log.hpp"

namespace colonies::cli {
namespace {

bool colour_capable(int fd) {
    if (!isatty(fd)) return false;
    if (!env("NO_COLOR").empty()) return false;
    const std::string term = env("TERM");
    return term != "dumb";
}

// Display width: one column per UTF-8 code point (good enough for names, ids and box lines);
// colour escapes ("\033[...m") a cell may carry take no room.
size_t width(const std::string& s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\033') {
            while (i < s.size() && s[i] != 'm') ++i;
            continue;
        }
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '\r', ' ');
    std::replace(s.begin(), s.end(), '\t', ' ');
    return s;
}

std::string repeat(const std::string& unit, size_t n) {
    std::string out;
    out.reserve(unit.size() * n);
    for (size_t i = 0; i < n; ++i) out += unit;
    return out;
}

struct Box {
    std::string h, v, tl, tm, tr, ml, mm, mr, bl, bm, br;
};
const Box kRounded{"─", "│", "╭", "┬", "╮", "├", "┼", "┤", "╰", "┴", "╯"};
const Box kAscii{"-", "|", "+", "+", "+", "+", "+", "+", "+", "+", "+"};

}  // namespace

bool stdout_colour() {
    return colour_capable(STDOUT_FILENO);
}
bool stderr_colour() {
    return colour_capable(STDERR_FILENO);
}

std::string paint(const std::string& text, Colour c, bool enabled) {
    if (!enabled || c == Colour::None) return text;
    const char* code = "";
    switch (c) {
        case Colour::Red:
            code = "\033[38;2;220;50;47m";
            break;
        case Colour::Green:
            code = "\033[38;2;133;153;0m";
            break;
        case Colour::Yellow:
            code = "\033[38;2;203;75;22m";
            break;
        case Colour::Blue:
            code = "\033[38;2;38;139;210m";
            break;
        case Colour::Cyan:
            code = "\033[38;2;42;161;152m";
            break;
        case Colour::Gray:
            code = "\033[38;2;131;148;150m";
            break;
        case Colour::Bold:
            code = "\033[1m";
            break;
        case Colour::None:
            break;
    }
    return std::string(code) + text + "\033[0m";
}

Table::Table(std::vector<std::string> headers, std::string title)
    : title_(std::move(title)), headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
    add_row(std::move(cells), std::vector<Colour>(cells.size(), Colour::None));
}

void Table::add_row(std::vector<std::string> cells, std::vector<Colour> colours) {
    for (auto& c : cells) c = one_line(std::move(c));
    colours.resize(cells.size(), Colour::None);
    rows_.push_back(std::move(cells));
    colours_.push_back(std::move(colours));
}

std::string Table::render(bool colour, bool ascii) const {
    const Box& b = ascii ? kAscii : kRounded;
    size_t cols = headers_.size();
    for (const auto& r : rows_) cols = std::max(cols, r.size());
    if (cols == 0) return "";
    std::vector<size_t> w(cols, 0);
    for (size_t i = 0; i < headers_.size(); ++i) w[i] = width(headers_[i]);
    for (const auto& r : rows_)
        for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    size_t inner = 0;  // width between the outer borders
    for (size_t x : w) inner += x + 3;
    inner -= 1;
    if (!title_.empty() && width(title_) + 2 > inner) {  // widen the last column for the title
        w.back() += width(title_) + 2 - inner;
        inner = width(title_) + 2;
    }

    auto rule = [&](const std::string& l, const std::string& m, const std::string& r) {
        std::string s = l;
        for (size_t i = 0; i < cols; ++i) s += repeat(b.h, w[i] + 2) + (i + 1 < cols ? m : r);
        return s + "\n";
    };
    auto line = [&](const std::vector<std::string>& cells, const std::vector<Colour>* cs) {
        std::string s = b.v;
        for (size_t i = 0; i < cols; ++i) {
            std::string cell = i < cells.size() ? cells[i] : "";
            std::string pad(w[i] - width(cell), ' ');
            Colour c = cs && i < cs->size() ? (*cs)[i] : Colour::None;
            s += " " + paint(cell, c, colour) + pad + " " + b.v;
        }
        return s + "\n";
    };

    std::string out;
    if (!title_.empty()) {
        out += b.tl + repeat(b.h, inner) + b.tr + "\n";
        out += b.v + " " + paint(title_, Colour::Bold, colour) +
               std::string(inner - 1 - width(title_), ' ') + b.v + "\n";
        out += rule(b.ml, b.tm, b.mr);
    } else {
        out += rule(b.tl, b.tm, b.tr);
    }
    if (!headers_.empty()) {
        std::vector<std::string> up;
        for (const auto& h : headers_) up.push_back(upper(h));
        out += line(up, nullptr);
        out += rule(b.ml, b.mm, b.mr);
    }
    for (size_t i = 0; i < rows_.size(); ++i) out += line(rows_[i], &colours_[i]);
    out += rule(b.bl, b.bm, b.br);
    return out;
}

void Table::print() const {
    if (rows_.empty()) return;  // cli.md 6.3: empty tables are not printed
    std::cout << render(stdout_colour(), env("COLONIES_CLI_ASCII") == "true") << std::flush;
}

namespace {

void pretty(std::ostream& os, const boost::json::value& v, int indent) {
    const std::string pad(indent * 2, ' '), in((indent + 1) * 2, ' ');
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (o.empty()) {
            os << "{}";
            return;
        }
        os << "{\n";
        size_t i = 0;
        for (const auto& kv : o) {
            os << in << boost::json::serialize(boost::json::string(kv.key())) << ": ";
            pretty(os, kv.value(), indent + 1);
            os << (++i < o.size() ? ",\n" : "\n");
        }
        os << pad << "}";
    } else if (v.is_array()) {
        const auto& a = v.get_array();
        if (a.empty()) {
            os << "[]";
            return;
        }
        os << "[\n";
        for (size_t i = 0; i < a.size(); ++i) {
            os << in;
            pretty(os, a[i], indent + 1);
            os << (i + 1 < a.size() ? ",\n" : "\n");
        }
        os << pad << "]";
    } else {
        os << boost::json::serialize(v);
    }
}

}  // namespace

std::string pretty_json(const boost::json::value& v) {
    std::ostringstream os;
    pretty(os, v, 0);
    return os.str();
}

void print_json(const boost::json::value& v, bool pretty_print) {
    std::cout << (pretty_print ? pretty_json(v) : boost::json::serialize(v)) << "\n" << std::flush;
}

void log_info(const std::string& msg, const Fields& fields) {
    log::info(msg, fields);
}

void log_warn(const std::string& msg, const Fields& fields) {
    log::warn(msg, fields);
}

void log_error(const std::string& msg, const Fields& fields) {
    log::error(msg, fields);
}

// `verbose` is the command's -v; COLONIES_LOG_LEVEL=debug shows these lines too.
void log_debug(bool verbose, const std::string& msg, const Fields& fields) {
    if (verbose || log::enabled(log::Level::Debug)) log::write(log::Level::Debug, msg, fields);
}

std::string table_time(Time t) {
    if (t.is_zero()) return "0001-01-01 00:00:00";
    std::time_t secs = static_cast<std::time_t>(t.ns / 1000000000LL);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string duration_text(int64_t ns) {
    if (ns == 0) return "0s";
    std::string sign = ns < 0 ? "-" : "";
    uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
    auto trim = [](std::string s) {
        if (s.find('.') != std::string::npos) {
            while (!s.empty() && s.back() == '0') s.pop_back();
            if (!s.empty() && s.back() == '.') s.pop_back();
        }
        return s;
    };
    char buf[64];
    if (u < 1000) return sign + std::to_string(u) + "ns";
    if (u < 1000000) {
        std::snprintf(buf, sizeof buf, "%.3f", u / 1e3);
        return sign + trim(buf) + "µs";
    }
    if (u < 1000000000) {
        std::snprintf(buf, sizeof buf, "%.6f", u / 1e6);
        return sign + trim(buf) + "ms";
    }
    uint64_t h = u / 3600000000000ULL, rest = u % 3600000000000ULL;
    uint64_t m = rest / 60000000000ULL;
    uint64_t sns = rest % 60000000000ULL;
    std::snprintf(buf, sizeof buf, "%.9f", sns / 1e9);
    std::string s = trim(buf) + "s";
    if (h > 0) return sign + std::to_string(h) + "h" + std::to_string(m) + "m" + s;
    if (m > 0) return sign + std::to_string(m) + "m" + s;
    return sign + s;
}

std::string value_text(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_bool()) return v.get_bool() ? "true" : "false";
    if (v.is_double()) {  // shortest form that reads back: 1.5, 3
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
        return std::string(buf, r.ptr);
    }
    return boost::json::serialize(v);
}

std::string truncate(const std::string& s, size_t max) {
    if (width(s) <= max) return s;
    std::string out;
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80 && n++ == max) break;
        out += s[i];
    }
    return out + "...";
}

std::vector<std::string> wrap_words(const std::string& s, size_t max) {
    std::vector<std::string> lines;
    std::string line;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        size_t end = i;
        while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) ++end;
        if (end == i) break;
        std::string word = s.substr(i, end - i);
        i = end;
        if (!line.empty() && width(line) + 1 + width(word) > max) {
            lines.push_back(std::move(line));
            line.clear();
        }
        line += line.empty() ? word : " " + word;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

const char* state_text(ProcessState s) {
    switch (s) {
        case ProcessState::Waiting:
            return "Waiting";
        case ProcessState::Running:
            return "Running";
        case ProcessState::Success:
            return "Successful";
        case ProcessState::Failed:
            return "Failed";
        case ProcessState::Cancelled:
            return "Cancelled";
    }
    return "Unknown";
}

Colour state_colour(ProcessState s) {
    switch (s) {
        case ProcessState::Success:
            return Colour::Green;
        case ProcessState::Failed:
            return Colour::Red;
        case ProcessState::Running:
            return Colour::Blue;
        case ProcessState::Waiting:
            return Colour::Yellow;
        default:
            return Colour::Gray;
    }
}

}  // namespace colonies::cli
