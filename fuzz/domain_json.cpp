// The domain decoders of core/json.hpp (every *_from_json), which read each request's message and
// each reply's payload. Byte 0 picks the decoder, the rest is JSON text (read as the server reads
// requests and the client replies: core/json_text.hpp, up to 10000 levels deep).
// Properties: a decode either succeeds or fails with a 400 naming a field (or "expected
// object"); what decodes re-encodes to a normal form that decodes and re-encodes to itself (the
// server stores and echoes these documents, so a second pass must not change them); a function
// spec that normalises normalises again to the same spec and requirements.
#include <cstdint>

#include "check.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"
#include "core/resources.hpp"

using namespace colonies;
namespace json = boost::json;

namespace {

template <class T>
using Decoder = Result<T> (*)(const json::value&);

void check_error(const Error& e) {
    FUZZ_CHECK(e.status == 400);
    FUZZ_CHECK(e.message == "expected object" || e.message.starts_with("field "));
}

template <class T>
void check(Decoder<T> decode, const json::value& v) {
    auto t = decode(v);
    if (!t) return check_error(t.error());
    const json::value first = to_json(*t);
    auto again = decode(first);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(to_json(*again) == first);
    // The text form too: what goes on the wire parses back to the same value (with the parser
    // the server and the client use).
    boost::system::error_code ec;
    FUZZ_CHECK(read_json_text(to_text(first), ec) == first && !ec);
}

void check_spec(const json::value& v) {
    auto spec = function_spec_from_json(v);
    if (!spec) return check_error(spec.error());
    auto req = normalize_function_spec(*spec);
    if (!req) {
        FUZZ_CHECK(req.error().status == 400);
        return;
    }
    auto stored = function_spec_from_json(to_json(*spec));
    FUZZ_CHECK(stored.ok());
    auto req2 = normalize_function_spec(*stored);
    FUZZ_CHECK(req2.ok());
    FUZZ_CHECK(req2->cpu_millis == req->cpu_millis);
    FUZZ_CHECK(req2->mem_bytes == req->mem_bytes);
    FUZZ_CHECK(req2->storage_bytes == req->storage_bytes);
    FUZZ_CHECK(to_json(*stored) == to_json(*spec));
}

void dispatch(uint8_t which, const json::value& v) {
    switch (which % 13) {
        case 0:
            return check(colony_from_json, v);
        case 1:
            return check(user_from_json, v);
        case 2:
            return check(executor_from_json, v);
        case 3:
            return check(function_spec_from_json, v);
        case 4:
            return check(attribute_from_json, v);
        case 5:
            return check(process_from_json, v);
        case 6:
            return check(workflow_spec_from_json, v);
        case 7:
            return check(process_graph_from_json, v);
        case 8:
            return check(function_from_json, v);
        case 9:
            return check(log_from_json, v);
        case 10:
            return check(statistics_from_json, v);
        case 12:
            return check(location_from_json, v);
        default:
            return check_spec(v);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run([&] {
        if (size < 1) return;
        boost::system::error_code ec;
        json::value v = read_json_text(fuzz::as_text(data + 1, size - 1), ec);
        if (ec) return;
        dispatch(data[0], v);
    });
}
