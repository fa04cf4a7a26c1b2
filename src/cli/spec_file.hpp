// JSON spec files given to `--spec` (function submit, executor add). Errors are CliErrors whose
// message names the file and, for syntax errors, the line and column (cli.md 6.4).
#pragma once
#include <boost/json.hpp>
#include <string>

#include "core/types.hpp"

namespace colonies::cli {

// Parses a JSON text; on a syntax error throws CliError "<name>:<line>:<column>: <reason>".
boost::json::value parse_json_text(const std::string& text, const std::string& name);

// Reads and parses a file; throws CliError when it cannot be read or does not parse.
boost::json::value read_json_file(const std::string& path);

// A FunctionSpec file: an object (an array is a workflow: error with a hint), decoded with the
// protocol's rules; an empty conditions.colonyname becomes `colony`.
FunctionSpec read_function_spec(const std::string& path, const std::string& colony);

// A workflow file (`workflow submit`, `cron add`, `generator add`): a JSON array of
// FunctionSpecs (an object is a function spec: error with a hint), as a WorkflowSpec of
// `colony`; an empty
// conditions.colonyname becomes `colony`.
WorkflowSpec read_workflow_spec(const std::string& path, const std::string& colony);

}  // namespace colonies::cli
