#include "store/sql/dialect.hpp"

#include <cctype>
#include <stdexcept>

namespace colonies::store::sql {
namespace {

struct Token {
    std::string_view name, sqlite, postgres;
};

constexpr Token kTokens[] = {
    {"for_update", "", " FOR UPDATE"},
    {"lock_processes", "", " FOR UPDATE OF processes"},
    {"skip_locked", "", " FOR UPDATE SKIP LOCKED"},
    {"instr", "instr", "strpos"},
    {"greatest", "max", "GREATEST"},
    {"seq", "rowid", "seq"},
    {"seq_key", "", ", seq"},
    {"process_attrs", "",
     ", (SELECT json_agg(a.doc ORDER BY a.seq) FROM attributes a "
     "WHERE a.targetid = processes.processid)"},
    // A process document's submission time in Unix ns (filling a column added later; SQLite
    // keeps about microseconds of it, which orders old rows well enough).
    {"submissiontime_of_doc",
     "COALESCE(CAST((julianday(json_extract(doc, '$.submissiontime')) - 2440587.5) * "
     "86400000000000.0 AS INTEGER), 0)",
     "CASE WHEN doc::json ->> 'submissiontime' >= '1900' THEN "
     "(extract(epoch FROM (doc::json ->> 'submissiontime')::timestamptz) * 1000000000)::bigint "
     "ELSE 0 END"},
};

std::string_view token(Dialect d, std::string_view name) {
    for (const auto& t : kTokens)
        if (t.name == name) return d == Dialect::Sqlite ? t.sqlite : t.postgres;
    throw std::logic_error("unknown SQL token {" + std::string(name) + "}");
}

bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

std::string render(Dialect d, std::string_view in) {
    std::string out;
    out.reserve(in.size() + 64);
    bool quoted = false;
    for (size_t i = 0; i < in.size();) {
        const char c = in[i];
        if (c == '\'') quoted = !quoted;
        if (quoted || (c != '$' && c != '{')) {
            out += c;
            ++i;
            continue;
        }
        if (c == '{') {
            const size_t end = in.find('}', i);
            if (end == std::string_view::npos) throw std::logic_error("unclosed SQL token");
            out += token(d, in.substr(i + 1, end - i - 1));
            i = end + 1;
            continue;
        }
        // A placeholder: $ digits, then an optional ::type.
        size_t j = i + 1;
        while (j < in.size() && std::isdigit(static_cast<unsigned char>(in[j]))) ++j;
        const std::string_view number = in.substr(i + 1, j - i - 1);
        size_t k = j;
        if (in.substr(j, 2) == "::") {
            k = j + 2;
            while (k < in.size() && word_char(in[k])) ++k;
        }
        if (d == Dialect::Sqlite) {
            out += '?';
            out += number;
        } else {
            out += in.substr(i, k - i);
        }
        i = k;
    }
    return out;
}

}  // namespace colonies::store::sql
