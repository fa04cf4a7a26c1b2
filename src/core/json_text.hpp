// Reading JSON text. Boost.JSON 1.81 (Debian 12's) reads a number with many digits or a large
// exponent up to one unit in the last place off, so a double the server stores and echoes
// (a location's latitude, say) could change on its way back through the wire. This parser keeps
// Boost.JSON's tokenizer and tree and reads every number that becomes a double (a fraction, an
// exponent, or an integer beyond 64 bits) from its own text with std::from_chars, which rounds
// correctly: what Boost.JSON's serializer writes (the shortest text that reads back exactly)
// parses back to the same double. A number too large for a double is refused, as Go refuses it.
#pragma once
#include <boost/json.hpp>
#include <string_view>

namespace colonies {

// Parses one JSON document filling the whole of `text`; on failure returns null and sets `ec`
// (the same codes as boost::json::parse). Nodes come from `sp`. Nesting is allowed as deep as Go's
// decoder allows (10000 levels; Boost.JSON's own default of 32 would refuse deep user data, such
// as process arguments, that other Colonies servers accept). The parser keeps its own stack, so
// depth costs no machine stack here.
boost::json::value read_json_text(std::string_view text, boost::system::error_code& ec,
                                  boost::json::storage_ptr sp = {}, std::size_t max_depth = 10000);

// The same, also telling how far the parser read (for errors that point at a line and column).
boost::json::value read_json_text(std::string_view text, boost::system::error_code& ec,
                                  std::size_t& stopped_at);

}  // namespace colonies
