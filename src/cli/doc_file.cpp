#include "cli/doc_file.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/context.hpp"
#include "cli/spec_file.hpp"
#include "core/json_text.hpp"

namespace colonies::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

boost::json::value plain_scalar(const std::string& s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    errno = 0;
    char* end = nullptr;
    const long long i = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0') return static_cast<int64_t>(i);
    errno = 0;
    const double d = std::strtod(s.c_str(), &end);
    const bool numeric = s.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (errno == 0 && end && *end == '\0' && numeric) return d;
    return boost::json::value(s);
}

boost::json::value convert(const YAML::Node& n, int depth) {
    if (depth > 256) throw CliError("YAML nested too deeply");
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            boost::json::object o;
            for (const auto& kv : n) o[kv.first.as<std::string>()] = convert(kv.second, depth + 1);
            return o;
        }
        case YAML::NodeType::Sequence: {
            boost::json::array a;
            for (const auto& e : n) a.push_back(convert(e, depth + 1));
            return a;
        }
        case YAML::NodeType::Scalar:
            // A quoted scalar has the "!" tag: it stays a string.
            if (n.Tag() == "!") return boost::json::value(n.Scalar());
            return plain_scalar(n.Scalar());
        default:
            return nullptr;
    }
}

}  // namespace

boost::json::value yaml_to_json(const std::string& text, const std::string& name) {
    try {
        return convert(YAML::Load(text), 0);
    } catch (const YAML::Exception& e) {
        throw CliError(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                       std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
}

boost::json::value read_document_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CliError("Failed to read file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return yaml_to_json(text, path);
    boost::system::error_code ec;
    auto v = read_json_text(text, ec);
    if (!ec) return v;
    // Not JSON: YAML, whose errors say more about a YAML file; a broken JSON file reports the
    // JSON error.
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '['))
        return parse_json_text(text, path);
    return yaml_to_json(text, path);
}

}  // namespace colonies::cli
