#include "server/request_log.hpp"

#include <cstdio>

namespace colonies::server {

log::Fields request_fields(std::string_view msgtype, std::string_view caller, int status,
                           std::chrono::nanoseconds took) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3fms", static_cast<double>(took.count()) / 1e6);
    return {{"MsgType", std::string(msgtype)},
            {"Caller", caller.empty() ? std::string("-") : std::string(caller)},
            {"Status", std::to_string(status)},
            {"Duration", ms}};
}

void log_request(std::string_view msgtype, std::string_view caller, int status,
                 std::chrono::nanoseconds took) {
    log::debug("API request", request_fields(msgtype, caller, status, took));
}

}  // namespace colonies::server
