// Result<T>: a value or an Error. An Error has a kind, which is what code decides on, and the
// HTTP status it travels with (protocol.md 1.4): the kind's own status from the table below,
// unless a server answered with another one, which is then kept as sent so that a reply
// decodes and re-encodes exactly.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace colonies {

enum class ErrorKind : std::uint8_t {
    Invalid,       // bad input or a rule the request breaks
    Unauthorised,  // authentication or authorisation failed
    NotFound,
    Conflict,
    TooLarge,     // the request exceeds a server limit
    Unavailable,  // the server cannot serve this now (e.g. assignments paused)
    Unreachable,  // client side: no connection could be made (refused, unresolvable)
    Transport,    // client side: the connection failed after it was made (reset, closed, TLS)
    Timeout,      // a wait ran out (the server's assign while paused, or a client-side read)
    Internal,
};

struct ErrorKindInfo {
    ErrorKind kind;
    int status;             // the HTTP status on the wire
    std::string_view name;  // short wording for messages and logs
};

// The one table of kinds. Each status appears once but for 502, which the client-side kinds
// share: no server sends them, and a 502 decoded from a proxy is a Transport failure.
inline constexpr std::array<ErrorKindInfo, 10> kErrorKinds{{
    {ErrorKind::Invalid, 400, "invalid request"},
    {ErrorKind::Unauthorised, 403, "unauthorised"},
    {ErrorKind::NotFound, 404, "not found"},
    {ErrorKind::Conflict, 409, "conflict"},
    {ErrorKind::TooLarge, 413, "too large"},
    {ErrorKind::Unavailable, 503, "unavailable"},
    {ErrorKind::Transport, 502, "transport failure"},
    {ErrorKind::Unreachable, 502, "server unreachable"},
    {ErrorKind::Timeout, 408, "timed out"},
    {ErrorKind::Internal, 500, "internal error"},
}};

constexpr const ErrorKindInfo& error_kind_info(ErrorKind k) {
    for (const auto& info : kErrorKinds)
        if (info.kind == k) return info;
    return kErrorKinds.back();
}
constexpr int http_status_of(ErrorKind k) {
    return error_kind_info(k).status;
}
constexpr std::string_view name_of(ErrorKind k) {
    return error_kind_info(k).name;
}

// The kind of a status a server sent: the table's first entry with it, else by class (other
// 4xx are Invalid, anything else Internal).
constexpr ErrorKind error_kind_of_status(int status) {
    for (const auto& info : kErrorKinds)
        if (info.status == status) return info.kind;
    return status >= 400 && status < 500 ? ErrorKind::Invalid : ErrorKind::Internal;
}

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    int status = http_status_of(ErrorKind::Internal);
    std::string message;

    Error() = default;
    Error(ErrorKind k, std::string m) : kind(k), status(http_status_of(k)), message(std::move(m)) {}
    // An error as a server answers (or answered) it: the kind follows from the status, which is
    // kept as given.
    Error(int http_status, std::string m)
        : kind(error_kind_of_status(http_status)), status(http_status), message(std::move(m)) {}

    bool is(ErrorKind k) const { return kind == k; }
};

inline Error bad_request(std::string m) {
    return {ErrorKind::Invalid, std::move(m)};
}
inline Error forbidden(std::string m) {
    return {ErrorKind::Unauthorised, std::move(m)};
}
inline Error not_found(std::string m) {
    return {ErrorKind::NotFound, std::move(m)};
}
inline Error conflict(std::string m) {
    return {ErrorKind::Conflict, std::move(m)};
}
inline Error too_large(std::string m) {
    return {ErrorKind::TooLarge, std::move(m)};
}
inline Error unavailable(std::string m) {
    return {ErrorKind::Unavailable, std::move(m)};
}
inline Error timed_out(std::string m) {
    return {ErrorKind::Timeout, std::move(m)};
}
inline Error internal_error(std::string m) {
    return {ErrorKind::Internal, std::move(m)};
}

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T v) : v_(std::move(v)) {}
    Result(Error e) : v_(std::move(e)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
    return Unit{};
}

}  // namespace colonies
