// Colonies++ C++ SDK: the installed public face (docs/sdk-cpp.md).
//
// A Client makes signed RPC calls to a Colonies server (Colonies++ or the Go reference) over
// HTTP(S) keep-alive. One Client holds one connection and is not thread-safe: give each thread
// its own. Every call takes the private key that signs it; the server recovers the caller from
// the signature, so the key decides what the call may do (server owner, colony owner, user,
// executor).
//
// Only standard types cross this header: JSON values the protocol leaves free (function
// arguments, outputs) travel as JSON text, and every result carries the server's JSON document
// as text too, for fields this header does not name. Errors are values (Result<T>), never
// exceptions: the server's HTTP status and message, or a connection failure.
//
// Needs C++17 or later. Link with the CMake package (`find_package(ColoniesSDK)`, target
// ColoniesSDK::sdk) or pkg-config (`colonies-sdk`).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#if defined(__GNUC__)
#define COLONIES_SDK_API __attribute__((visibility("default")))
#else
#define COLONIES_SDK_API
#endif

namespace colonies::sdk {

// What went wrong: the HTTP status and message the server answered (upstream's texts, e.g. 404
// when an assign found nothing to do), or, for a request that got no reply, `connection`
// set: status 502 (no connection, or it broke) or 408 (the reply did not come in time).
struct Error {
    int status = 500;
    std::string message;
    bool connection = false;
};

// A value or an Error. Reading value() of a failed Result is a programming error (it throws
// std::bad_variant_access).
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

// The result of a call that returns nothing but success.
struct Done {};
using Status = Result<Done>;

struct Options {
    std::string host = "localhost";
    int port = 50080;
    bool tls = false;
    bool skip_tls_verify = false;  // TLS without checking the certificate (tests only)
    int connect_timeout_s = 10;
};

// Wire numbers of protocol.md (Cancelled is ours; upstream has four states).
enum class ProcessState : int { Waiting = 0, Running = 1, Success = 2, Failed = 3, Cancelled = 4 };

// What to run (upstream's FunctionSpec, the fields most programs set). `args` are JSON texts,
// one per argument: `"\"hello\""` is the string hello, `"42"` the number; arg() makes the
// text of a string.
struct FunctionSpec {
    std::string colonyname;
    std::string funcname;
    std::string executortype;
    std::vector<std::string> executornames;  // empty: any executor of the type
    std::vector<std::string> args;
    std::map<std::string, std::string> kwargs;  // name -> JSON text
    std::map<std::string, std::string> env;
    std::string label;
    int64_t priority = 0;
    int64_t maxwaittime = 0;  // seconds; 0: no limit
    int64_t maxexectime = 0;  // seconds; 0: no limit
    int64_t maxretries = 0;
};

struct Process {
    std::string id;
    ProcessState state = ProcessState::Waiting;
    std::string colonyname;
    std::string funcname;
    std::string executortype;
    std::string initiatorid;
    std::string assignedexecutorid;
    std::vector<std::string> args;    // JSON texts
    std::vector<std::string> output;  // JSON texts (closesuccessful's `out`)
    std::vector<std::string> errors;
    std::string submissiontime;  // RFC 3339
    int64_t retries = 0;
    std::string json;  // the whole document as the server sent it
};

struct Colony {
    std::string id;
    std::string name;
    std::string json;
};

struct Executor {
    std::string id;
    std::string name;
    std::string type;
    std::string colonyname;
    bool approved = false;
    std::string json;
};

// The JSON text of a string (quoted and escaped): spec.args.push_back(arg("hello")).
COLONIES_SDK_API std::string arg(const std::string& text);
// The string a JSON text holds (as_string("\"hello\"") == "hello"); the text itself when it is
// not a JSON string.
COLONIES_SDK_API std::string as_string(const std::string& json_text);

// A fresh private key (64 hex) and the id (64 hex) others know it by. Errors: 400 for a key that
// is not one.
COLONIES_SDK_API std::string generate_private_key();
COLONIES_SDK_API Result<std::string> id_of(const std::string& private_key);

class COLONIES_SDK_API Client {
  public:
    explicit Client(Options opts);
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    // Any message: `msg_json` is the message object without `msgtype` (e.g.
    // R"({"processid": "..."})"); the reply payload as JSON text. For what has no method below.
    Result<std::string> call(const std::string& msgtype, const std::string& msg_json,
                             const std::string& prvkey, int reply_timeout_s = 60);

    Result<std::string> version();  // the server's build version (unsigned)

    // Server owner key.
    Result<Colony> add_colony(const std::string& name, const std::string& colony_id,
                              const std::string& prvkey);
    Status remove_colony(const std::string& name, const std::string& prvkey);

    // Colony owner key: register an executor (the id of its own key) and approve it.
    Result<Executor> add_executor(const std::string& colonyname, const std::string& name,
                                  const std::string& type, const std::string& executor_id,
                                  const std::string& prvkey);
    Status approve_executor(const std::string& colonyname, const std::string& name,
                            const std::string& prvkey);
    Status remove_executor(const std::string& colonyname, const std::string& name,
                           const std::string& prvkey);

    // Users and executors of the colony.
    Result<Process> submit(const FunctionSpec& spec, const std::string& prvkey);
    Result<Process> get_process(const std::string& id, const std::string& prvkey);
    Result<std::vector<Process>> get_processes(const std::string& colonyname, ProcessState state,
                                               int count, const std::string& prvkey);
    Status cancel_process(const std::string& id, const std::string& prvkey);

    // Executors: wait up to `timeout_s` seconds for a process to run (404 when none came), then
    // close it with its output (JSON texts) or its errors.
    Result<Process> assign(const std::string& colonyname, int timeout_s, const std::string& prvkey);
    Status close_successful(const std::string& id, const std::vector<std::string>& output,
                            const std::string& prvkey);
    Status close_failed(const std::string& id, const std::vector<std::string>& errors,
                        const std::string& prvkey);
    Status add_log(const std::string& processid, const std::string& message,
                   const std::string& prvkey);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace colonies::sdk
