// Row codecs: what a row of each table's queries holds, read through the small column-reader
// interface both backends implement, and the parameters statements are bound with.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"
#include "store/store.hpp"

namespace colonies::store::sql {

// The current row of a result. NULL reads as "" or 0.
class Row {
  public:
    virtual std::string text(int col) const = 0;
    virtual int64_t integer(int col) const = 0;

  protected:
    ~Row() = default;
};

// A statement parameter: text (viewed, so it must outlive the statement's run) or integer.
struct Param {
    Param(const std::string& s) : text(s.data() ? s.data() : "", s.size()) {}
    Param(const char* s) : text(s) {}
    Param(int64_t v) : integer(v), is_integer(true) {}
    Param(int v) : Param(static_cast<int64_t>(v)) {}
    Param(bool v) : Param(static_cast<int64_t>(v ? 1 : 0)) {}
    std::string_view text;
    int64_t integer = 0;
    bool is_integer = false;
};

Colony read_colony(const Row& r);        // name, colonyid
User read_user(const Row& r);            // colonyname, userid, name, email, phone
Executor read_executor(const Row& r);    // doc, state, lastheard
Function read_function(const Row& r);    // doc
Attribute read_attribute(const Row& r);  // doc
ProcessGraph read_graph(const Row& r);   // doc
Log read_log(const Row& r);
Cron read_cron(
    const Row& r);  // doc, checkat              // processid, colonyname, executorname, message, ts
Log read_log(const Row& r);  // processid, colonyname, executorname, message, ts
IndexedChannelEntry read_channel_entry(const Row& r);  // idx, doc
// doc, and with inline attributes (dialect.hpp) a JSON array of attribute documents.
Process read_process(const Row& r, bool with_attributes);
void add_count(ProcessCounts& c, const Row& r);  // state, count
// generatorid, colonyname, name, workflowspec, triggersize, timeoutsec, firstpack, lastrun,
// initiatorid, initiatorname, queued (as queuesize)
Generator read_generator(const Row& r);
GeneratorArg read_generator_arg(const Row& r);  // generatorargid, generatorid, colonyname, arg
Location read_location(const Row& r);           // doc
File read_file(const Row& r);                   // doc, seqnr
FileLabel read_file_label(const Row& r);        // label, count
Snapshot read_snapshot(const Row& r);           // doc
// Blueprints (features.md 6): each its doc.
BlueprintDefinition read_blueprint_definition(const Row& r);
Blueprint read_blueprint(const Row& r);
BlueprintHistory read_blueprint_history(const Row& r);

}  // namespace colonies::store::sql
