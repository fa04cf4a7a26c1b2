#include "store/sql/rows.hpp"
#include "core/json_text.hpp"

#include "core/json.hpp"
#include "store/record_codec.hpp"

namespace colonies::store::sql {

Colony read_colony(const Row& r) {
    return Colony{r.text(1), r.text(0)};
}

User read_user(const Row& r) {
    return User{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)};
}

Executor read_executor(const Row& r) {
    auto e = decode_doc<Executor>(r.text(0), executor_from_json);
    e.state = static_cast<ExecutorState>(r.integer(1));
    e.lastheardfromtime = Time::from_ns(r.integer(2));
    return e;
}

Function read_function(const Row& r) {
    return decode_doc<Function>(r.text(0), function_from_json);
}

Attribute read_attribute(const Row& r) {
    return decode_doc<Attribute>(r.text(0), attribute_from_json);
}

ProcessGraph read_graph(const Row& r) {
    return decode_doc<ProcessGraph>(r.text(0), process_graph_from_json);
}

Log read_log(const Row& r) {
    return Log{r.text(0), r.text(1), r.text(2), r.text(3), r.integer(4)};
}

Cron read_cron(const Row& r) {
    auto c = decode_doc<Cron>(r.text(0), cron_from_json);
    c.checkat = Time::from_ns(r.integer(1));
    return c;
}

Process read_process(const Row& r, bool with_attributes) {
    auto p = decode_doc<Process>(r.text(0), process_from_json);
    if (!with_attributes) return p;
    const std::string attrs = r.text(1);
    if (attrs.empty()) return p;  // NULL: none
    boost::system::error_code ec;
    auto v = read_json_text(attrs, ec);
    if (ec || !v.is_array()) throw StoreError("corrupt attribute list of " + p.processid);
    for (const auto& doc : v.as_array()) {
        if (!doc.is_string()) throw StoreError("corrupt attribute of " + p.processid);
        p.attributes.push_back(
            decode_doc<Attribute>(std::string(doc.get_string()), attribute_from_json));
    }
    return p;
}

IndexedChannelEntry read_channel_entry(const Row& r) {
    return {r.integer(0), decode_doc<ChannelEntry>(r.text(1), channel_entry_from_json)};
}

void add_count(ProcessCounts& c, const Row& r) {
    set_count(c, r.integer(0), r.integer(1));
}

Generator read_generator(const Row& r) {
    Generator g;
    g.generatorid = r.text(0);
    g.colonyname = r.text(1);
    g.name = r.text(2);
    g.workflowspec = r.text(3);
    g.trigger = r.integer(4);
    g.timeout = r.integer(5);
    g.firstpack = Time::from_ns(r.integer(6));
    g.lastrun = Time::from_ns(r.integer(7));
    g.initiatorid = r.text(8);
    g.initiatorname = r.text(9);
    g.queuesize = r.integer(10);
    return g;
}

GeneratorArg read_generator_arg(const Row& r) {
    return GeneratorArg{r.text(0), r.text(1), r.text(2), r.text(3)};
}

Location read_location(const Row& r) {
    return decode_doc<Location>(r.text(0), location_from_json);
}

File read_file(const Row& r) {
    auto f = decode_doc<File>(r.text(0), file_from_json);
    f.sequencenr = r.integer(1);
    return f;
}

FileLabel read_file_label(const Row& r) {
    return FileLabel{r.text(0), r.integer(1)};
}

Snapshot read_snapshot(const Row& r) {
    return decode_doc<Snapshot>(r.text(0), snapshot_from_json);
}

BlueprintDefinition read_blueprint_definition(const Row& r) {
    return decode_doc<BlueprintDefinition>(r.text(0), blueprint_definition_from_json);
}

Blueprint read_blueprint(const Row& r) {
    return decode_doc<Blueprint>(r.text(0), blueprint_from_json);
}

BlueprintHistory read_blueprint_history(const Row& r) {
    return decode_doc<BlueprintHistory>(r.text(0), blueprint_history_from_json);
}

}  // namespace colonies::store::sql
