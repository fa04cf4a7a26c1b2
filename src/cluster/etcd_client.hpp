// A small etcd v3 client over etcd's JSON gateway (POST /v3/...; keys and values base64), enough
// for leases, a leader key and a member directory. Synchronous, one short connection per call
// with a timeout; endpoints ("host:port") are tried in order until one answers.
#pragma once
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace colonies::cluster {

struct EtcdError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class EtcdClient {
  public:
    explicit EtcdClient(std::vector<std::string> endpoints,
                        std::chrono::milliseconds timeout = std::chrono::seconds(2));

    int64_t grant(int64_t ttl_seconds);  // a new lease id
    // Refreshes a lease; its remaining TTL in seconds, 0 when the lease is gone.
    int64_t keepalive(int64_t lease);
    void revoke(int64_t lease);
    void put(const std::string& key, const std::string& value, int64_t lease = 0);
    // Creates `key` only if absent; true if this call created it.
    bool create(const std::string& key, const std::string& value, int64_t lease);
    std::optional<std::string> get(const std::string& key);
    std::vector<std::pair<std::string, std::string>> get_prefix(const std::string& prefix);

    // One gateway call; throws EtcdError when no endpoint answers 200 with a JSON object.
    boost::json::object call(const std::string& path, const boost::json::object& body);

  private:
    std::vector<std::string> endpoints_;
    std::chrono::milliseconds timeout_;
};

// "a:1,b:2" -> {"a:1", "b:2"} (spaces trimmed, empty entries dropped).
std::vector<std::string> split_endpoints(const std::string& list);

}  // namespace colonies::cluster
