// Small helpers shared by the operation files: decoding request fields with upstream's errors.
#pragma once
#include <string>

#include "core/json.hpp"
#include "services/operation.hpp"

namespace colonies::services {

inline Error invalid_json(const OpContext& ctx) {
    return bad_request(std::string(ctx.error_prefix) + ", invalid JSON");
}

inline boost::json::value empty_reply() {
    return boost::json::object{};
}

// Decode a required nested object `key`: null/missing -> 400 nil_message; bad -> invalid JSON.
template <class T, class F>
Result<T> required_object(const OpContext& ctx, const boost::json::object& msg, const char* key,
                          F from_json, const std::string& nil_message) {
    auto it = msg.find(key);
    if (it == msg.end() || it->value().is_null()) return bad_request(nil_message);
    if (!it->value().is_object()) return invalid_json(ctx);
    auto r = from_json(it->value());
    if (!r) return invalid_json(ctx);
    return r;
}

}  // namespace colonies::services
