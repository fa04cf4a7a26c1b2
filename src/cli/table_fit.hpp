// Tables that fit the terminal (issue 19). Table::print() fits every table to terminal_width():
// columns go from the right until the narrowest the rest can be fits, then the widest cells are
// cut to end in "…" ("~" with ASCII), never below 8 characters (or the header) while another can
// be cut; key-value tables (no header) wrap long values onto more lines instead. fit_table says
// which columns a table can spare first and which must stay whole.
#pragma once
#include <cstddef>
#include <vector>

#include "cli/output.hpp"

namespace colonies::cli {

struct TableFit {
    std::vector<size_t> drop_first;  // columns (0-based) to leave out first, most expendable first
    std::vector<size_t> whole;       // columns never cut (ids, times): whole or not at all
    size_t width = 0;                // 0: terminal_width()
};

// How `t` is fitted when it is rendered or printed next (which uses it up). Not thread-safe
// (the CLI prints from one thread).
void fit_table(const Table& t, TableFit fit);

// The width tables fit in: COLUMNS when it is a number, else the terminal's when stdout is one,
// else 0 (no limit: a pipe or file gets whole rows).
size_t terminal_width();

}  // namespace colonies::cli
