// Blueprint and definition files (`colonies blueprint ... --spec`): JSON, or YAML as upstream's
// CLI accepts. A file named *.yaml / *.yml is read as YAML; anything else as JSON, and as YAML
// when it is not JSON. Errors are CliErrors naming the file (and line and column).
#pragma once
#include <boost/json.hpp>
#include <string>

namespace colonies::cli {

// YAML text as JSON: mappings -> objects, sequences -> arrays; plain scalars that read as
// null (null, ~, empty), booleans (true/false), integers or floats become those, every other
// scalar (and every quoted one) a string.
boost::json::value yaml_to_json(const std::string& text, const std::string& name);

// A JSON or YAML document from `path`.
boost::json::value read_document_file(const std::string& path);

}  // namespace colonies::cli
