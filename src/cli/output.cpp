#include "cli/output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/context.hpp"
#include "cli/table_fit.hpp"
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

namespace {

// `cell` cut to `max` display columns, the last one an ellipsis; colour escapes are kept (and
// closed) so a cut cell cannot leave the terminal coloured.
std::string fit_cell(const std::string& cell, size_t max, bool ascii) {
    if (width(cell) <= max) return cell;
    if (max == 0) return "";
    std::string out;
    size_t n = 0;
    bool escaped = false;
    for (size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '\033') {
            escaped = true;
            while (i < cell.size() && cell[i] != 'm') out += cell[i++];
            if (i < cell.size()) out += cell[i];
            continue;
        }
        const bool starts = (static_cast<unsigned char>(cell[i]) & 0xC0) != 0x80;
        if (starts && n++ == max - 1) break;
        out += cell[i];
    }
    out += ascii ? "~" : "…";
    return escaped ? out + "\033[0m" : out;
}

// `cell` in pieces of `max` display columns (colour escapes dropped when it must be split).
std::vector<std::string> wrap_cell(const std::string& cell, size_t max) {
    if (width(cell) <= max || max == 0) return {cell};
    std::vector<std::string> pieces(1);
    size_t n = 0;
    for (size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '\033') {
            while (i < cell.size() && cell[i] != 'm') ++i;
            continue;
        }
        const bool starts = (static_cast<unsigned char>(cell[i]) & 0xC0) != 0x80;
        if (starts && n++ == max) {
            pieces.emplace_back();
            n = 1;
        }
        pieces.back() += cell[i];
    }
    return pieces;
}

// A column is not cut below this (or its header, if wider) while another can be cut.
constexpr size_t kMinColumn = 8;

size_t table_width(const std::vector<size_t>& w) {
    size_t total = 1;
    for (size_t x : w) total += x + 3;
    return total;
}

// What the layout needs of a Table (its private parts, lent by its members).
struct TableView {
    const std::string& title;
    const std::vector<std::string>& headers;
    const std::vector<std::vector<std::string>>& rows;
    const std::vector<std::vector<Colour>>& colours;
    TableFit fit;
};

// Fits given for tables about to be printed (cli/table_fit.hpp), used up by render or print.
std::map<const Table*, TableFit>& pending_fits() {
    static std::map<const Table*, TableFit> fits;
    return fits;
}

// Which columns to show and how wide, for `max_width` (0: no limit): first columns go (in
// t.fit.drop_first, then from the right) until the narrowest the rest can be fits, then the widest
// columns are cut one character at a time.
std::vector<std::pair<size_t, size_t>> layout(const TableView& t, size_t max_width) {
    size_t cols = t.headers.size();
    for (const auto& r : t.rows) cols = std::max(cols, r.size());
    std::vector<size_t> w(cols, 0), min(cols, 0);
    for (size_t i = 0; i < t.headers.size(); ++i) w[i] = width(t.headers[i]);
    for (const auto& r : t.rows)
        for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    for (size_t i = 0; i < cols; ++i) {
        const size_t header = i < t.headers.size() ? width(t.headers[i]) : 0;
        min[i] = std::min(w[i], std::max(kMinColumn, header));
        if (std::find(t.fit.whole.begin(), t.fit.whole.end(), i) != t.fit.whole.end())
            min[i] = w[i];
    }
    std::vector<size_t> shown;
    for (size_t i = 0; i < cols; ++i) shown.push_back(i);
    auto widths = [&](const std::vector<size_t>& of) {
        std::vector<size_t> out;
        for (size_t i : shown) out.push_back(of[i]);
        return out;
    };
    std::vector<size_t> order = t.fit.drop_first;
    for (size_t i = cols; i-- > 0;) order.push_back(i);
    for (size_t next = 0; max_width > 0 && shown.size() > 1 && table_width(widths(min)) > max_width;
         ++next) {
        if (next >= order.size()) break;
        std::erase(shown, order[next]);
    }
    std::vector<size_t> fit = widths(w);
    const std::vector<size_t> floor = widths(min);
    while (max_width > 0 && table_width(fit) > max_width) {
        size_t widest = fit.size();
        for (size_t k = 0; k < fit.size(); ++k)
            if (fit[k] > floor[k] && (widest == fit.size() || fit[k] > fit[widest])) widest = k;
        if (widest == fit.size()) break;  // as narrow as it goes
        --fit[widest];
    }
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t k = 0; k < shown.size(); ++k) out.emplace_back(shown[k], fit[k]);
    return out;
}

std::string render_view(const TableView& t, bool colour, bool ascii, size_t max_width) {
    const Box& b = ascii ? kAscii : kRounded;
    const auto cols_w = layout(t, max_width);
    const size_t cols = cols_w.size();
    if (cols == 0) return "";
    std::vector<size_t> w;
    for (const auto& [_, width_of] : cols_w) w.push_back(width_of);
    size_t inner = table_width(w) - 2;  // width between the outer borders
    std::string title = t.title;
    if (max_width > 0 && width(title) + 4 > max_width && max_width > 4)
        title = fit_cell(title, max_width - 4, ascii);
    if (!title.empty() && width(title) + 2 > inner) {  // widen the last column for the title
        w.back() += width(title) + 2 - inner;
        inner = width(title) + 2;
    }

    auto rule = [&](const std::string& l, const std::string& m, const std::string& r) {
        std::string s = l;
        for (size_t i = 0; i < cols; ++i) s += repeat(b.h, w[i] + 2) + (i + 1 < cols ? m : r);
        return s + "\n";
    };
    // One row: a cell too wide is cut, or in a key-value table wrapped onto more lines (its
    // values are ids and paths a person copies).
    auto line = [&](const std::vector<std::string>& cells, const std::vector<Colour>* cs) {
        std::vector<std::vector<std::string>> pieces(cols);
        size_t lines = 1;
        for (size_t k = 0; k < cols; ++k) {
            const size_t i = cols_w[k].first;
            const std::string cell = i < cells.size() ? cells[i] : "";
            pieces[k] = t.headers.empty() ? wrap_cell(cell, w[k])
                                          : std::vector<std::string>{fit_cell(cell, w[k], ascii)};
            lines = std::max(lines, pieces[k].size());
        }
        std::string s;
        for (size_t l = 0; l < lines; ++l) {
            s += b.v;
            for (size_t k = 0; k < cols; ++k) {
                const size_t i = cols_w[k].first;
                const std::string cell = l < pieces[k].size() ? pieces[k][l] : "";
                std::string pad(w[k] - width(cell), ' ');
                Colour c = cs && i < cs->size() ? (*cs)[i] : Colour::None;
                s += " " + paint(cell, c, colour) + pad + " " + b.v;
            }
            s += "\n";
        }
        return s;
    };

    std::string out;
    if (!title.empty()) {
        out += b.tl + repeat(b.h, inner) + b.tr + "\n";
        out += b.v + " " + paint(title, Colour::Bold, colour) +
               std::string(inner - 1 - width(title), ' ') + b.v + "\n";
        out += rule(b.ml, b.tm, b.mr);
    } else {
        out += rule(b.tl, b.tm, b.tr);
    }
    if (!t.headers.empty()) {
        std::vector<std::string> up;
        for (const auto& h : t.headers) up.push_back(upper(h));
        out += line(up, nullptr);
        out += rule(b.ml, b.mm, b.mr);
    }
    for (size_t i = 0; i < t.rows.size(); ++i) out += line(t.rows[i], &t.colours[i]);
    out += rule(b.bl, b.bm, b.br);
    return out;
}

}  // namespace

void fit_table(const Table& t, TableFit fit) {
    pending_fits()[&t] = std::move(fit);
}

// A table's own fit (fit_table), used up; or none: columns then go from the right, nothing is
// whole. Used up, so that a later table at the same address starts clean.
static TableFit fit_of(const Table* t) {
    auto& fits = pending_fits();
    auto it = fits.find(t);
    if (it == fits.end()) return {};
    TableFit fit = std::move(it->second);
    fits.erase(it);
    return fit;
}

std::string Table::render(bool colour, bool ascii) const {
    TableFit fit = fit_of(this);
    const size_t w = fit.width;
    return render_view({title_, headers_, rows_, colours_, std::move(fit)}, colour, ascii, w);
}

size_t terminal_width() {
    const std::string columns = env("COLUMNS");
    if (!columns.empty()) {
        char* end = nullptr;
        const long n = std::strtol(columns.c_str(), &end, 10);
        if (end && *end == '\0' && n > 0) return static_cast<size_t>(n);
    }
    winsize ws{};
    if (isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 0;
}

void Table::print() const {
    TableFit fit = fit_of(this);
    if (rows_.empty()) return;  // cli.md 6.3: empty tables are not printed
    const size_t w = fit.width > 0 ? fit.width : terminal_width();
    std::cout << render_view({title_, headers_, rows_, colours_, std::move(fit)}, stdout_colour(),
                             env("COLONIES_CLI_ASCII") == "true", w)
              << std::flush;
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
