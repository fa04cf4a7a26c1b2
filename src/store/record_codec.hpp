// What both stores write into and read out of their rows the same way: JSON documents, the
// executor-name list of a process, location names, and per-state counts.
#pragma once
#include <boost/json.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "core/json_text.hpp"
#include "store/store.hpp"

namespace colonies::store {

// A stored JSON document decoded with `from_json`; StoreError when it does not parse.
template <class T, class F>
T decode_doc(const std::string& text, F from_json) {
    // The parsed tree lives only while the record is decoded, so it goes into a stack arena
    // instead of one malloc/free pair per node. Safe because the decoders copy-assign what they
    // keep (a Boost.JSON container keeps its own storage on assignment).
    unsigned char arena[8192];
    boost::json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    auto v = read_json_text(text, ec, &mr);
    if (ec) throw StoreError("corrupt stored document: " + ec.message());
    auto r = from_json(v);
    if (!r) throw StoreError("corrupt stored document: " + r.error().message);
    return std::move(r).value();
}

// Executor names are stored as "\x1fname1\x1fname2\x1f" so one substring search finds a
// member; "" means any executor.
inline std::string joined_names(const std::vector<std::string>& names) {
    if (names.empty()) return {};
    std::string s = "\x1f";
    for (const auto& n : names) s += n + "\x1f";
    return s;
}

// The form one name is searched for in joined_names' text.
inline std::string name_key(const std::string& name) {
    return "\x1f" + name + "\x1f";
}

// The form a name is searched in (location names match case-insensitively).
inline std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Sets the counter of process state `state` (its wire number) to `n`; other numbers are
// ignored.
inline void set_count(ProcessCounts& c, int64_t state, int64_t n) {
    auto s = parse_process_state(state);
    if (!s) return;
    switch (*s) {
        case ProcessState::Waiting:
            c.waiting = n;
            break;
        case ProcessState::Running:
            c.running = n;
            break;
        case ProcessState::Success:
            c.success = n;
            break;
        case ProcessState::Failed:
            c.failed = n;
            break;
        case ProcessState::Cancelled:
            c.cancelled = n;
            break;
    }
}

}  // namespace colonies::store
