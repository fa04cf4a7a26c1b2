#include "core/json_text.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace colonies {

namespace json = boost::json;
using boost::system::error_code;

namespace {

// Builds the tree as Boost.JSON's own parser does (a value_stack), except for floating-point
// numbers, which are read again from their text.
class TreeBuilder {
  public:
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

    // The builder's own work stack starts in a small buffer inside it, as Boost.JSON's does.
    explicit TreeBuilder(json::storage_ptr sp) : stack_({}, scratch_, sizeof scratch_) {
        stack_.reset(std::move(sp));
    }
    json::value release() { return stack_.release(); }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t n, error_code&) {
        stack_.push_array(n);
        return true;
    }
    bool on_object_begin(error_code&) { return true; }
    bool on_object_end(std::size_t n, error_code&) {
        stack_.push_object(n);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, error_code&) {
        stack_.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, error_code&) {
        stack_.push_string(s);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, error_code&) {
        stack_.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, error_code&) {
        stack_.push_key(s);
        return true;
    }
    bool on_number_part(json::string_view s, error_code&) {
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(int64_t i, json::string_view, error_code&) {
        number_.clear();
        stack_.push_int64(i);
        return true;
    }
    bool on_uint64(uint64_t u, json::string_view, error_code&) {
        number_.clear();
        stack_.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, error_code& ec) {
        std::string_view text(s.data(), s.size());
        if (!number_.empty()) {
            number_.append(s.data(), s.size());
            text = number_;
        }
        auto exact = correctly_rounded(d, text);
        number_.clear();
        if (!exact) {
            ec = json::error::exponent_overflow;
            return false;
        }
        stack_.push_double(*exact);
        return true;
    }
    bool on_bool(bool b, error_code&) {
        stack_.push_bool(b);
        return true;
    }
    bool on_null(error_code&) {
        stack_.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, error_code&) { return true; }
    bool on_comment(json::string_view, error_code&) { return true; }

  private:
    // The correctly rounded value of a JSON number's text, or nothing when it is too large for a
    // double. Go refuses such a number ("cannot unmarshal number 1e400 into ... float64"), and
    // Boost.JSON's infinity would be written back as `Infinity`, which is not JSON. A number too
    // small for a double is a zero of its sign, as in Go.
    static std::optional<double> correctly_rounded(double approximate, std::string_view text) {
        double d = 0;
        const char* end = text.data() + text.size();
        auto [ptr, err] = std::from_chars(text.data(), end, d, std::chars_format::general);
        if (err == std::errc() && ptr == end) return d;
        if (err == std::errc::result_out_of_range && std::isfinite(approximate) &&
            std::fabs(approximate) < 1)
            return text.starts_with('-') ? -0.0 : 0.0;
        if (err == std::errc::result_out_of_range) return std::nullopt;
        return approximate;  // not reached: the tokenizer accepted the text as a number
    }

    unsigned char scratch_[4096];  // as Boost.JSON's own parse(), enough for most messages
    json::value_stack stack_;
    std::string number_;  // a number's text split across input pieces
};

json::value parse_document(std::string_view text, error_code& ec, json::storage_ptr sp,
                           std::size_t max_depth, std::size_t& used) {
    json::parse_options options;
    options.max_depth = max_depth;
    json::basic_parser<TreeBuilder> parser(options, std::move(sp));
    used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec) return nullptr;
    if (used < text.size()) {
        ec = json::error::extra_data;
        return nullptr;
    }
    return parser.handler().release();
}

}  // namespace

json::value read_json_text(std::string_view text, error_code& ec, json::storage_ptr sp,
                           std::size_t max_depth) {
    std::size_t used = 0;
    return parse_document(text, ec, std::move(sp), max_depth, used);
}

json::value read_json_text(std::string_view text, error_code& ec, std::size_t& stopped_at) {
    return parse_document(text, ec, {}, 10000, stopped_at);
}

}  // namespace colonies
