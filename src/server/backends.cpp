#include "server/backends.hpp"

namespace colonies::server {

rpc::Reply body_too_large_reply(size_t max_body_bytes) {
    return rpc::error_reply(too_large("Request body exceeds the server limit of " +
                                      std::to_string(max_body_bytes) + " bytes"));
}

rpc::Reply body_budget_full_reply() {
    return rpc::error_reply(unavailable(
        "Server busy: too many request bodies are being received at once; retry later"));
}

}  // namespace colonies::server
