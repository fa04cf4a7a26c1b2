#include "cli/spec_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/context.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"

namespace colonies::cli {

boost::json::value parse_json_text(const std::string& text, const std::string& name) {
    boost::system::error_code ec;
    size_t used = 0;
    auto v = read_json_text(text, ec, used);
    if (ec) {
        // Point at the character the parser stopped on, counted from 1 like editors do.
        size_t line = 1, col = 1;
        for (size_t i = 0; i < used && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw CliError(name + ":" + std::to_string(line) + ":" + std::to_string(col) +
                       ": invalid JSON: " + ec.message());
    }
    return v;
}

boost::json::value read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CliError("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw CliError("cannot read " + path);
    return parse_json_text(ss.str(), path);
}

FunctionSpec read_function_spec(const std::string& path, const std::string& colony) {
    auto v = read_json_file(path);
    if (v.is_array())
        throw CliError(
            "It looks like you are trying to submit a workflow, try to use colonies workflow "
            "submit --spec instead");
    if (!v.is_object()) throw CliError(path + ": a function spec must be a JSON object");
    auto spec = function_spec_from_json(v);
    if (!spec) throw CliError(path + ": invalid function spec: " + spec.error().message);
    if (spec->conditions.colonyname.empty()) spec->conditions.colonyname = colony;
    return std::move(spec).value();
}

WorkflowSpec read_workflow_spec(const std::string& path, const std::string& colony) {
    auto v = read_json_file(path);
    if (v.is_object()) {
        if (function_spec_from_json(v))
            throw CliError(
                "It looks like you are trying to submit a function spec, try to use colonies "
                "function submit --spec instead");
        throw CliError(path + ": a workflow must be a JSON array of function specs");
    }
    if (!v.is_array()) throw CliError(path + ": a workflow must be a JSON array of function specs");
    WorkflowSpec wf;
    wf.colonyname = colony;
    size_t i = 0;
    for (const auto& item : v.get_array()) {
        if (!item.is_object())
            throw CliError(path + ": function spec " + std::to_string(i) + " is not an object");
        auto spec = function_spec_from_json(item);
        if (!spec)
            throw CliError(path + ": invalid function spec " + std::to_string(i) + ": " +
                           spec.error().message);
        if (spec->conditions.colonyname.empty()) spec->conditions.colonyname = colony;
        wf.functionspecs.push_back(std::move(spec).value());
        ++i;
    }
    if (wf.functionspecs.empty()) throw CliError(path + ": the workflow has no function specs");
    return wf;
}

}  // namespace colonies::cli
