// The HTTP request path in front of every handler: Boost.Beast's request_parser<string_body>
// with the server's settings (src/server/server.cpp: header limit 64 KiB, body limit 64 MiB by
// default, the header read before the body, a body budget charged by Content-Length or chunk by
// chunk). Byte 0 sets how many bytes arrive per read (as from a socket), the rest is the stream.
// No sockets: the bytes are fed to the parser as Beast's read algorithms would.
// Properties: the parse ends with a request, the end of the stream, or an error the server
// answers with a status line (an HTTP parse error: 400/413/431, or over budget: 503); a request
// read whole has a body within the limit and of its Content-Length, and written back out (with
// Content-Length framing) it parses again to the same method, target, version, fields and body.
#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstring>
#include <sstream>

#include "check.hpp"

using namespace colonies;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// As src/server/server.cpp and server.hpp (ServerOptions::max_body_bytes) configure them.
constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr uint64_t kBodyLimit = 64ull << 20;
constexpr uint64_t kBodyBudget = 2 * kBodyLimit;
const boost::system::error_code kOverBudget =
    boost::system::errc::make_error_code(boost::system::errc::no_buffer_space);

using Parser = http::request_parser<http::string_body>;

struct Stream {
    std::string_view bytes;
    size_t step;
    // Appends the next read's bytes to buf; false at the end of the stream.
    bool read(beast::flat_buffer& buf) {
        if (bytes.empty()) return false;
        const size_t n = std::min(step, bytes.size());
        auto dst = buf.prepare(n);
        std::memcpy(dst.data(), bytes.data(), n);
        buf.commit(n);
        bytes.remove_prefix(n);
        return true;
    }
};

// Beast's read loop: put what is buffered, read more when the parser needs more; at the end of
// the stream put_eof. Stops when `done` says so or on an error.
template <class Done>
boost::system::error_code pump(Parser& p, Stream& s, beast::flat_buffer& buf, Done done) {
    boost::system::error_code ec;
    while (!done()) {
        if (buf.size() == 0 && !s.read(buf)) {
            p.put_eof(ec);
            return ec ? ec : http::error::end_of_stream;
        }
        buf.consume(p.put(buf.data(), ec));
        if (ec == http::error::need_more) {
            ec = {};
            if (!s.read(buf)) {
                p.put_eof(ec);
                return ec ? ec : http::error::end_of_stream;
            }
        } else if (ec) {
            return ec;
        }
    }
    return ec;
}

// The server's read_request without the socket: header, budget, body.
boost::system::error_code read_request(Parser& p, Stream& s, uint64_t header_limit,
                                       uint64_t& budget) {
    beast::flat_buffer buf;
    p.body_limit(kBodyLimit);
    p.header_limit(static_cast<uint32_t>(header_limit));
    p.eager(false);
    auto ec = pump(p, s, buf, [&] { return p.is_header_done(); });
    if (ec) return ec;
    auto charge = [&budget](uint64_t n) {
        if (n > kBodyBudget - budget) return false;
        budget += n;
        return true;
    };
    if (auto length = p.content_length(); length && !charge(*length)) return kOverBudget;
    auto on_chunk = [&](std::uint64_t size, boost::string_view,
                        boost::system::error_code& chunk_ec) {
        if (!charge(size)) chunk_ec = kOverBudget;
    };
    p.on_chunk_header(on_chunk);
    p.eager(true);
    return pump(p, s, buf, [&] { return p.is_done(); });
}

bool is_http_error(const boost::system::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category();
}

bool is_framing(const http::fields::value_type& f) {
    return f.name() == http::field::transfer_encoding || f.name() == http::field::content_length;
}

// The request as the server sees it, written back with its own framing (Content-Length or
// none): Beast's serializer takes chunking from the first Transfer-Encoding field only, while
// the parser (rightly) combines them all, so the original framing may not survive a rewrite.
void check_round_trip(const http::request<http::string_body>& req) {
    http::request<http::string_body> out;
    out.method_string(req.method_string());
    out.target(req.target());
    out.version(req.version());
    size_t fields = 0;
    for (const auto& f : req) {
        if (is_framing(f)) continue;
        out.insert(f.name_string(), f.value());
        ++fields;
    }
    out.body() = req.body();
    out.prepare_payload();
    std::ostringstream os;
    try {
        os << out;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "writing the request back failed: %s\n", e.what());
        FUZZ_CHECK(false);
    }
    const std::string text = os.str();
    Parser again;
    Stream s{text, text.size()};
    uint64_t budget = 0;
    // Trailers join the header when written back, so the header may grow.
    auto ec = read_request(again, s, 4 * kHeaderLimit, budget);
    if (ec) std::fprintf(stderr, "re-parse: %s\n", ec.message().c_str());
    FUZZ_CHECK(!ec);
    const auto& r = again.get();
    FUZZ_CHECK(r.method_string() == req.method_string());
    FUZZ_CHECK(r.target() == req.target());
    FUZZ_CHECK(r.version() == req.version());
    FUZZ_CHECK(r.body() == req.body());
    FUZZ_CHECK(std::count_if(r.begin(), r.end(), [](const auto& f) { return !is_framing(f); }) ==
               static_cast<std::ptrdiff_t>(fields));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run([&] {
        if (size < 1) return;
        Stream s{fuzz::as_text(data + 1, size - 1), size_t{data[0]} + 1};
        Parser p;
        uint64_t budget = 0;
        const auto ec = read_request(p, s, kHeaderLimit, budget);
        if (ec) {
            FUZZ_CHECK(ec == kOverBudget || is_http_error(ec));
            return;
        }
        FUZZ_CHECK(p.is_done());
        const auto& req = p.get();
        FUZZ_CHECK(req.body().size() <= kBodyLimit);
        FUZZ_CHECK(budget <= kBodyBudget);
        if (auto length = p.content_length()) FUZZ_CHECK(req.body().size() == *length);
        check_round_trip(req);
    });
}
