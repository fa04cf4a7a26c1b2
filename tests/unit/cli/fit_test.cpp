// Tables that fit the terminal and id prefixes (issue 19): pure parts, no server.
#include <gtest/gtest.h>

#include "cli/ids.hpp"
#include "cli/output.hpp"
#include "cli/table_fit.hpp"

namespace colonies::cli {
namespace {

size_t widest_line(const std::string& text) {
    size_t best = 0, n = 0;
    for (unsigned char c : text) {
        if (c == '\n') {
            best = std::max(best, n);
            n = 0;
        } else if ((c & 0xC0) != 0x80) {
            ++n;
        }
    }
    return std::max(best, n);
}

// The process listing's table, rendered `width` wide (0: no limit) as `process pss` fits it.
std::string wide_table(size_t width, bool ascii = true) {
    Table t({"ID", "FuncName", "Args", "KwArgs", "End time", "Executor name", "Executor type",
             "Initiator", "Label"});
    t.add_row({"3fc05cf3df4b", "a-rather-long-function-name", "first second third fourth",
               "k:v k2:v2", "2026-12-06 10:00:00", "myexecutor", "cli", "alice", "nightly"});
    fit_table(t, {{3, 8, 7, 6, 2}, {0, 4}, width});
    return t.render(false, ascii);
}

TEST(TableFit, NoLimitKeepsEverything) {
    const std::string out = wide_table(0);
    EXPECT_GT(widest_line(out), 120u);
    EXPECT_NE(out.find("KWARGS"), std::string::npos);
}

TEST(TableFit, DropsTheNamedColumnsFirstThenCutsCells) {
    const std::string out = wide_table(80);
    EXPECT_LE(widest_line(out), 80u) << out;
    for (const char* gone : {"KWARGS", "LABEL", "INITIATOR", "EXECUTOR TYPE"})
        EXPECT_EQ(out.find(gone), std::string::npos) << gone << "\n" << out;
    for (const char* kept : {"ID", "FUNCNAME", "END TIME", "EXECUTOR NAME"})
        EXPECT_NE(out.find(kept), std::string::npos) << kept << "\n" << out;
    EXPECT_NE(out.find("3fc05cf3df4b"), std::string::npos);         // ids whole
    EXPECT_NE(out.find("2026-12-06 10:00:00"), std::string::npos);  // times whole
    // At 60 the function name is cut, ending in "~" with ASCII (an ellipsis otherwise).
    const std::string narrow = wide_table(60);
    EXPECT_LE(widest_line(narrow), 60u) << narrow;
    EXPECT_NE(narrow.find("~"), std::string::npos) << narrow;
    EXPECT_NE(wide_table(60, false).find("…"), std::string::npos);
}

TEST(TableFit, CutCellsKeepColourBalanced) {
    Table t({"A", "B"});
    t.add_row({paint("a very long coloured value indeed", Colour::Red, true), "b"});
    fit_table(t, {{}, {}, 24});
    const std::string out = t.render(true, true);
    EXPECT_LE(widest_line(out), 24u + 40u);  // escapes take no room but count as bytes here
    // Every colour opened is closed before the cell ends.
    size_t opened = 0, closed = 0;
    for (size_t p = 0; (p = out.find("\033[", p)) != std::string::npos; ++p)
        (out.compare(p, 4, "\033[0m") == 0 ? closed : opened)++;
    EXPECT_EQ(opened, closed) << out;
}

TEST(TableFit, KeyValueTablesWrapInsteadOfCutting) {
    KeyValueTable t("Process");
    const std::string id(64, 'a');
    t.add("Id", id);
    fit_table(t, {{}, {}, 40});
    const std::string out = t.render(false, true);
    EXPECT_LE(widest_line(out), 40u) << out;
    std::string joined;  // the id's pieces, read back from the value column
    for (size_t p = 0; (p = out.find("| ", p)) != std::string::npos; ++p) {
        const size_t start = p + 2, end = out.find(' ', start);
        const std::string cell = out.substr(start, end - start);
        if (cell.find_first_not_of('a') == std::string::npos) joined += cell;
    }
    EXPECT_EQ(joined, id) << out;
}

TEST(Ids, ShortAndPrefixes) {
    const std::string a = "3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac";
    const std::string b = "3fc05cf3df4b000000000000000000000000000000000000000000000000000a";
    EXPECT_EQ(short_id(a, false), "3fc05cf3df4b");
    EXPECT_EQ(short_id(a, true), a);
    EXPECT_TRUE(is_full_id(a));
    EXPECT_FALSE(is_id_prefix(a));
    EXPECT_TRUE(is_id_prefix("3fc0"));
    EXPECT_FALSE(is_id_prefix("myname"));
    EXPECT_FALSE(is_id_prefix(""));
    EXPECT_EQ(match_prefix("3fc05cf3df4b4", {a, b}, "process", "x"), a);
    EXPECT_EQ(match_prefix("3FC05CF3DF4B0", {a, b}, "process", "x"), b);  // any case
    try {
        match_prefix("3fc0", {a, b}, "process", "x");
        ADD_FAILURE() << "ambiguous prefix accepted";
    } catch (const CliError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "ambiguous process id 3fc0: 2 ids start with it (3fc05cf3df4b..., "
                  "3fc05cf3df4b...); give more of it");
        EXPECT_EQ(e.code, kExitError);
    }
    EXPECT_THROW(match_prefix("ff", {a, b}, "process", "x"), CliError);
}

}  // namespace
}  // namespace colonies::cli
