// The debug line written for each POST /api request (COLONIES_VERBOSE=true or -v): message
// type, the first characters of the caller's id (ids are public; nothing secret, never the
// payload or signature), HTTP status and time taken. Errors come out at debug level too: a
// client's mistake is not the server's error (storage failures are logged by StoreCall).
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "log/log.hpp"

namespace colonies::server {

// How much of a caller id the line shows: enough to tell executors apart, short enough to read.
inline constexpr size_t kLoggedIdChars = 8;

log::Fields request_fields(std::string_view msgtype, std::string_view caller, int status,
                           std::chrono::nanoseconds took);
void log_request(std::string_view msgtype, std::string_view caller, int status,
                 std::chrono::nanoseconds took);

}  // namespace colonies::server
