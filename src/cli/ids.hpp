// Short ids in tables and id prefixes on the command line (issue 19). Tables show the first 12
// characters of a 64-hex id (all of it with -i/--ids or --json); commands that take an id take
// any unique prefix of one, which the CLI resolves by listing (no server support needed):
// processes and workflows among the newest 100 of each state of the colony.
#pragma once
#include <string>
#include <vector>

#include "cli/context.hpp"

namespace colonies::cli {

inline constexpr size_t kShortIdLength = 12;

// `id` cut to kShortIdLength characters unless `full`.
std::string short_id(const std::string& id, bool full);
// A whole id: 64 hexadecimal digits.
bool is_full_id(const std::string& s);
// Whether `s` could be the start of an id: 1 to 63 hexadecimal digits.
bool is_id_prefix(const std::string& s);

// The one id of `ids` that starts with `prefix`. CliError (exit 255) when none does, or when
// several do (naming them short, so the person can give more digits). `noun`: "process".
// `where` says what was searched, for the error.
std::string match_prefix(const std::string& prefix, const std::vector<std::string>& ids,
                         const std::string& noun, const std::string& where);

// `id` itself unless it is a prefix (is_id_prefix), which is resolved in the colony.
std::string resolve_process_id(const Context& ctx, const std::string& id);
std::string resolve_workflow_id(const Context& ctx, const std::string& id);

}  // namespace colonies::cli
