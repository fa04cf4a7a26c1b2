// Result<T>: a value or an Error{status, message}. The status is the HTTP status the RPC
// layer answers with (protocol.md 1.4), so domain code decides what a client sees.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace colonies {

struct Error {
    int status = 500;
    std::string message;
};

inline Error bad_request(std::string m) { return {400, std::move(m)}; }
inline Error forbidden(std::string m) { return {403, std::move(m)}; }
inline Error not_found(std::string m) { return {404, std::move(m)}; }
inline Error internal_error(std::string m) { return {500, std::move(m)}; }

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
inline Status ok_status() { return Unit{}; }

}  // namespace colonies
