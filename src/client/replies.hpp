// What the SDK's calls make of a reply's payload, shared by the client_*.cpp files: one
// document, a list (which may come as JSON null when empty, protocol.md 1.3), or nothing but
// success.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace colonies::client::replies {

// An error for a reply the client cannot make sense of (the exchange itself went well).
inline Error bad_reply(const std::string& what) {
    return internal_error("invalid reply from server: " + what);
}

template <class T>
using Decoder = Result<T> (*)(const boost::json::value&);

template <class T>
Result<T> decode_one(Result<boost::json::value> r, Decoder<T> decode) {
    if (!r) return r.error();
    return decode(r.value());
}

template <class T>
Result<std::vector<T>> decode_many(Result<boost::json::value> r, Decoder<T> decode) {
    if (!r) return r.error();
    std::vector<T> out;
    const boost::json::value& v = r.value();
    if (v.is_null()) return out;
    if (!v.is_array()) return bad_reply("expected an array");
    out.reserve(v.get_array().size());
    for (const auto& item : v.get_array()) {
        auto x = decode(item);
        if (!x) return x.error();
        out.push_back(std::move(x).value());
    }
    return out;
}

inline Status to_status(const Result<boost::json::value>& r) {
    if (!r) return r.error();
    return ok_status();
}

}  // namespace colonies::client::replies
