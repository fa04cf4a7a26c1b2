// JSON mapping of the domain types, field for field as protocol.md section 4 (names, types,
// RFC 3339 nanosecond times, enum integers, "omit" keys left out when empty, arrays echoed as []
// where the spec says so).
//
// Decoding follows upstream's Go decoder (protocol.md 1.2): a missing key or JSON null takes the
// zero value; a value of the wrong type (a string for an int, 1.5 for an int, ...) fails the whole
// decode; unknown keys are ignored. Integers must be JSON integers (int64 or uint64 in range).
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/types.hpp"

namespace colonies {

// Field-by-field reader over one JSON object with Go decoding rules. The first type error is
// remembered; later reads return zero values. Callers check ok() once at the end.
class JsonFields {
  public:
    explicit JsonFields(const boost::json::object& o) : obj_(&o) {}
    std::string str(std::string_view key);
    int64_t integer(std::string_view key);
    double number(std::string_view key);  // int or float JSON number
    bool boolean(std::string_view key);
    Time time(std::string_view key);  // RFC 3339 string; null/missing -> zero; malformed -> error
    std::vector<std::string> strings(std::string_view key);  // null/missing -> {}
    bool is_null(std::string_view key) const;                // missing or null
    // Nested object: nullptr when missing or null; type error when not an object.
    const boost::json::object* object(std::string_view key);
    // Nested array: nullptr when missing or null; type error when not an array.
    const boost::json::array* array(std::string_view key);
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }  // e.g. "field timeout: expected integer"
    // Records an error found by the caller (e.g. in a nested object); the first error wins.
    void set_error(std::string message);

  private:
    void fail(std::string_view key, const char* what);
    const boost::json::value* find(std::string_view key) const;
    const boost::json::object* obj_;
    std::string error_;
};

boost::json::value to_json(const Colony&);
boost::json::value to_json(const User&);
boost::json::value to_json(const Executor&);
boost::json::value to_json(const Conditions&);
boost::json::value to_json(const FunctionSpec&);
boost::json::value to_json(const Attribute&);
boost::json::value to_json(const Process&);
boost::json::value to_json(const WorkflowSpec&);
boost::json::value to_json(const ProcessGraph&);
boost::json::value to_json(const Function&);
boost::json::value to_json(const Log&);
boost::json::value to_json(const Statistics&);
boost::json::value to_json(const Cron&);
boost::json::value to_json(const Generator&);
boost::json::value to_json(const ProcessTransition&);
boost::json::value to_json(const ServerInfo&);  // {"buildversion","buildtime","backends":[...]}
boost::json::value to_json(const Location&);
boost::json::value to_json(const File&);
boost::json::value to_json(const FileData&);
boost::json::value to_json(const FileLabel&);
boost::json::value to_json(const Snapshot&);

template <class T>
boost::json::value to_json(const std::vector<T>& v) {
    boost::json::array a;
    a.reserve(v.size());
    for (const auto& x : v) a.push_back(to_json(x));
    return a;
}

// Decoders: the value must be an object (null -> error "is nil" is the caller's business; here
// null decodes to a default object). Error message names the offending field.
Result<Colony> colony_from_json(const boost::json::value&);
Result<User> user_from_json(const boost::json::value&);
Result<Executor> executor_from_json(const boost::json::value&);
Result<FunctionSpec> function_spec_from_json(const boost::json::value&);
Result<Attribute> attribute_from_json(const boost::json::value&);
Result<Process> process_from_json(const boost::json::value&);
Result<WorkflowSpec> workflow_spec_from_json(const boost::json::value&);
Result<ProcessGraph> process_graph_from_json(const boost::json::value&);
Result<Function> function_from_json(const boost::json::value&);
Result<Log> log_from_json(const boost::json::value&);
Result<Statistics> statistics_from_json(const boost::json::value&);
Result<Cron> cron_from_json(const boost::json::value&);
Result<Generator> generator_from_json(const boost::json::value&);
Result<Location> location_from_json(const boost::json::value&);
Result<ProcessTransition> process_transition_from_json(const boost::json::value&);
Result<File> file_from_json(const boost::json::value&);
Result<FileData> file_data_from_json(const boost::json::value&);
Result<FileLabel> file_label_from_json(const boost::json::value&);
Result<Snapshot> snapshot_from_json(const boost::json::value&);

// Serialise to compact text.
std::string to_text(const boost::json::value&);

}  // namespace colonies
