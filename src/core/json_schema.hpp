// The JSON-schema subset blueprint definitions use (features.md 6.3), checked as upstream does:
// `required` names at the top level; per property `type` (string, number, boolean, object,
// array; other names are not checked), `enum` by value, `items` of arrays (path `f[i]`) and
// `properties` of objects (path `f.sub`). Debian packages no C++ JSON-schema validator, and a
// full one would word and decide things differently from upstream. No I/O.
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>

namespace colonies {

// The first violation of `spec` against `schema`, worded as upstream ("required field 'image'
// is missing", "field 'replicas' must be a number, got string", "field 'ports[1].name' must be
// a string, got float64", "field 'size' must be one of [s m], got xl"); nullopt when it fits.
// Keys are checked in `required` order, then in the spec's key order (upstream's order is Go's
// random map order).
std::optional<std::string> schema_violation(const boost::json::object& schema,
                                            const boost::json::object& spec);

}  // namespace colonies
