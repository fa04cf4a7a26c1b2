#include "cluster/etcd_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "core/json_text.hpp"
#include "rpc/envelope.hpp"

namespace colonies::cluster {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string b64(const std::string& s) {
    return rpc::base64_encode(s);
}

std::string unb64(const boost::json::value& v) {
    if (!v.is_string()) return {};
    auto r = rpc::base64_decode(v.get_string());
    return r ? *r : std::string();
}

// etcd's gateway writes int64 values as JSON strings.
int64_t int_field(const boost::json::object& o, const char* name) {
    auto it = o.find(name);
    if (it == o.end()) return 0;
    if (it->value().is_string()) return std::strtoll(it->value().get_string().c_str(), nullptr, 10);
    if (it->value().is_int64()) return it->value().get_int64();
    return 0;
}

// The end of the key range holding every key that starts with `prefix`.
std::string prefix_end(std::string prefix) {
    while (!prefix.empty()) {
        auto& c = prefix.back();
        if (static_cast<unsigned char>(c) < 0xff) {
            ++c;
            return prefix;
        }
        prefix.pop_back();
    }
    return std::string(1, '\0');
}

}  // namespace

std::vector<std::string> split_endpoints(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string item = list.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (item.starts_with("http://")) item = item.substr(7);
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

EtcdClient::EtcdClient(std::vector<std::string> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {}

boost::json::object EtcdClient::call(const std::string& path, const boost::json::object& body) {
    std::string last = "no etcd endpoints";
    const std::string payload = boost::json::serialize(body);
    for (const auto& ep : endpoints_) {
        const auto colon = ep.rfind(':');
        if (colon == std::string::npos) {
            last = "bad etcd endpoint '" + ep + "' (want host:port)";
            continue;
        }
        try {
            asio::io_context ioc;
            beast::tcp_stream stream(ioc);
            asio::ip::tcp::resolver resolver(ioc);
            stream.expires_after(timeout_);
            stream.connect(resolver.resolve(ep.substr(0, colon), ep.substr(colon + 1)));
            http::request<http::string_body> req{http::verb::post, path, 11};
            req.set(http::field::host, ep);
            req.set(http::field::content_type, "application/json");
            req.body() = payload;
            req.prepare_payload();
            http::write(stream, req);
            beast::flat_buffer buf;
            http::response<http::string_body> res;
            http::read(stream, buf, res);
            boost::system::error_code ec;
            stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
            if (res.result() != http::status::ok) {
                last = ep + path + ": HTTP " + std::to_string(res.result_int()) + " " + res.body();
                continue;
            }
            auto v = read_json_text(res.body(), ec);
            if (ec || !v.is_object()) {
                last = ep + path + ": not a JSON object";
                continue;
            }
            // The keepalive stream wraps its answer in {"result": ...}.
            auto& o = v.as_object();
            if (auto r = o.find("result"); r != o.end() && r->value().is_object())
                return r->value().as_object();
            return o;
        } catch (const std::exception& e) {
            last = ep + ": " + e.what();
        }
    }
    throw EtcdError("etcd: " + last);
}

int64_t EtcdClient::grant(int64_t ttl_seconds) {
    auto r = call("/v3/lease/grant", {{"TTL", std::to_string(ttl_seconds)}});
    int64_t id = int_field(r, "ID");
    if (id == 0) throw EtcdError("etcd: lease grant returned no id");
    return id;
}

int64_t EtcdClient::keepalive(int64_t lease) {
    auto r = call("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
    return int_field(r, "TTL");
}

void EtcdClient::revoke(int64_t lease) {
    call("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
}

void EtcdClient::put(const std::string& key, const std::string& value, int64_t lease) {
    boost::json::object body{{"key", b64(key)}, {"value", b64(value)}};
    if (lease) body["lease"] = std::to_string(lease);
    call("/v3/kv/put", body);
}

bool EtcdClient::create(const std::string& key, const std::string& value, int64_t lease) {
    boost::json::object put{{"key", b64(key)}, {"value", b64(value)}};
    if (lease) put["lease"] = std::to_string(lease);
    boost::json::object body{
        {"compare", boost::json::array{boost::json::object{
                        {"key", b64(key)}, {"target", "CREATE"}, {"create_revision", "0"}}}},
        {"success", boost::json::array{boost::json::object{{"request_put", put}}}}};
    auto r = call("/v3/kv/txn", body);
    auto it = r.find("succeeded");
    return it != r.end() && it->value().is_bool() && it->value().get_bool();
}

std::optional<std::string> EtcdClient::get(const std::string& key) {
    auto r = call("/v3/kv/range", {{"key", b64(key)}});
    auto it = r.find("kvs");
    if (it == r.end() || !it->value().is_array() || it->value().as_array().empty())
        return std::nullopt;
    const auto& kv = it->value().as_array().front();
    if (!kv.is_object()) return std::nullopt;
    auto v = kv.as_object().find("value");
    return v == kv.as_object().end() ? std::string() : unb64(v->value());
}

std::vector<std::pair<std::string, std::string>> EtcdClient::get_prefix(const std::string& prefix) {
    auto r = call("/v3/kv/range", {{"key", b64(prefix)}, {"range_end", b64(prefix_end(prefix))}});
    std::vector<std::pair<std::string, std::string>> out;
    auto it = r.find("kvs");
    if (it == r.end() || !it->value().is_array()) return out;
    for (const auto& kv : it->value().as_array()) {
        if (!kv.is_object()) continue;
        const auto& o = kv.as_object();
        auto k = o.find("key");
        auto v = o.find("value");
        out.emplace_back(k == o.end() ? "" : unb64(k->value()),
                         v == o.end() ? "" : unb64(v->value()));
    }
    return out;
}

}  // namespace colonies::cluster
