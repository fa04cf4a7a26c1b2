// How the CLI talks to people (cli.md 6): tables and JSON on stdout, log lines on stderr.
// Colour escapes only when the stream is a terminal (and NO_COLOR is unset, TERM is not "dumb");
// COLONIES_CLI_ASCII=true draws tables with plain ASCII. Not thread-safe (one thread prints).
#pragma once
#include <boost/json.hpp>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"

namespace colonies::cli {

enum class Colour { None, Red, Green, Yellow, Blue, Cyan, Gray, Bold };

bool stdout_colour();  // stdout is a colour-capable terminal
bool stderr_colour();
std::string paint(const std::string& text, Colour c, bool enabled);

// How process (and workflow) states read and look in tables.
const char* state_text(ProcessState s);
Colour state_colour(ProcessState s);

// An aligned table. Header-less tables with two columns are key-value tables (cli.md 6.3).
class Table {
  public:
    explicit Table(std::vector<std::string> headers = {}, std::string title = "");
    void add_row(std::vector<std::string> cells);
    void add_row(std::vector<std::string> cells, std::vector<Colour> colours);
    bool empty() const { return rows_.empty(); }
    // Renders with box characters (or ASCII), headers in upper case, no trailing spaces.
    std::string render(bool colour, bool ascii) const;
    void print() const;  // to stdout with the terminal's settings

  private:
    std::string title_;
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<std::vector<Colour>> colours_;
};

// A key-value table (no header): add(key, value).
class KeyValueTable : public Table {
  public:
    explicit KeyValueTable(std::string title = "") : Table({}, std::move(title)) {}
    void add(const std::string& key, const std::string& value) {
        add_row({key, value}, {Colour::Cyan, Colour::None});
    }
};

// JSON to stdout followed by a newline; `pretty` indents with 2 spaces (cli.md 6.6).
void print_json(const boost::json::value& v, bool pretty = true);
std::string pretty_json(const boost::json::value& v);

// Log lines on stderr through log/log.hpp, logrus-like (cli.md 6.2): "INFO[0000] message
// Key=value" on a terminal, `time="..." level=info msg="..." Key=value` otherwise, JSON lines
// with COLONIES_LOG_FORMAT=json. Fields keep the given order.
using Fields = std::vector<std::pair<std::string, std::string>>;
void log_info(const std::string& msg, const Fields& fields = {});
void log_warn(const std::string& msg, const Fields& fields = {});
void log_error(const std::string& msg, const Fields& fields = {});
void log_debug(bool verbose, const std::string& msg, const Fields& fields = {});

// "YYYY-MM-DD HH:MM:SS" in local time; zero time as "0001-01-01 00:00:00".
std::string table_time(Time t);
// A Go-style duration text ("9.712ms", "1m2.5s") for nanoseconds.
std::string duration_text(int64_t ns);
// JSON scalar as text: strings verbatim, numbers like 3 or 1.5, booleans, null as "null";
// arrays/objects as compact JSON.
std::string value_text(const boost::json::value& v);
// Cut to `max` characters (code points) plus "..." when longer.
std::string truncate(const std::string& s, size_t max);

// Splits text into lines of at most `max` characters (code points), breaking at runs of
// whitespace; a word longer than `max` gets a line of its own. Empty text gives no lines.
std::vector<std::string> wrap_words(const std::string& s, size_t max);

}  // namespace colonies::cli
