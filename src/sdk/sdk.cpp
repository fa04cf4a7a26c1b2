// The installed SDK face (include/colonies/sdk.hpp) over the internal client: converts the plain
// types to the domain types at the boundary, so Boost and the domain headers stay inside the
// shared library (its other symbols are hidden, see src/sdk/CMakeLists.txt).
#include "colonies/sdk.hpp"

#include <boost/json.hpp>

#include "client/client.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"
#include "crypto/crypto.hpp"

namespace colonies::sdk {

namespace json = boost::json;

namespace {

Error error_of(const colonies::Error& e) {
    return Error{e.status, e.message, client::is_connection_failure(e)};
}

template <class T, class U, class F>
Result<T> convert(const colonies::Result<U>& r, F f) {
    if (!r) return error_of(r.error());
    return f(r.value());
}

Status status_of(const colonies::Status& s) {
    if (!s) return error_of(s.error());
    return Done{};
}

std::vector<std::string> texts_of(const json::array& a) {
    std::vector<std::string> out;
    out.reserve(a.size());
    for (const auto& v : a) out.push_back(json::serialize(v));
    return out;
}

// Each element must be a JSON text; `what` names the list in the error.
colonies::Result<json::array> values_of(const std::vector<std::string>& texts,
                                        const std::string& what) {
    json::array a;
    a.reserve(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
        boost::system::error_code ec;
        json::value v = read_json_text(texts[i], ec);
        if (ec)
            return bad_request(what + " " + std::to_string(i) +
                               " is not JSON text (use arg() for a string): " + texts[i]);
        a.push_back(std::move(v));
    }
    return a;
}

colonies::Result<colonies::FunctionSpec> spec_of(const FunctionSpec& s) {
    colonies::FunctionSpec spec;
    spec.funcname = s.funcname;
    auto args = values_of(s.args, "argument");
    if (!args) return args.error();
    spec.args = std::move(args).value();
    for (const auto& [name, text] : s.kwargs) {
        auto v = values_of({text}, "keyword argument " + name);
        if (!v) return v.error();
        spec.kwargs[name] = v->front();
    }
    spec.priority = s.priority;
    spec.maxwaittime = s.maxwaittime;
    spec.maxexectime = s.maxexectime;
    spec.maxretries = s.maxretries;
    spec.conditions.colonyname = s.colonyname;
    spec.conditions.executortype = s.executortype;
    spec.conditions.executornames = s.executornames;
    spec.conditions.executornames_null = s.executornames.empty();
    spec.label = s.label;
    spec.env = s.env;
    return spec;
}

Process process_of(const colonies::Process& p) {
    Process out;
    out.id = p.processid;
    out.state = static_cast<ProcessState>(static_cast<int>(p.state));
    out.colonyname = p.spec.conditions.colonyname;
    out.funcname = p.spec.funcname;
    out.executortype = p.spec.conditions.executortype;
    out.initiatorid = p.initiatorid;
    out.assignedexecutorid = p.assignedexecutorid;
    out.args = texts_of(p.spec.args);
    out.output = texts_of(p.out);
    out.errors = p.errors;
    out.submissiontime = format_rfc3339(p.submissiontime);
    out.retries = p.retries;
    out.json = to_text(to_json(p));
    return out;
}

Colony colony_of(const colonies::Colony& c) {
    return Colony{c.colonyid, c.name, to_text(to_json(c))};
}

Executor executor_of(const colonies::Executor& e) {
    return Executor{e.executorid,
                    e.executorname,
                    e.executortype,
                    e.colonyname,
                    e.state == ExecutorState::Approved,
                    to_text(to_json(e))};
}

}  // namespace

std::string arg(const std::string& text) {
    return json::serialize(json::value(text));
}

std::string as_string(const std::string& json_text) {
    boost::system::error_code ec;
    json::value v = read_json_text(json_text, ec);
    if (ec || !v.is_string()) return json_text;
    return std::string(v.get_string());
}

std::string generate_private_key() {
    return crypto::generate_private_key();
}

Result<std::string> id_of(const std::string& private_key) {
    return convert<std::string>(crypto::id_from_private_key(private_key),
                                [](const std::string& id) { return id; });
}

struct Client::Impl {
    client::Client c;
};

Client::Client(Options opts) {
    client::Options o;
    o.host = std::move(opts.host);
    o.port = opts.port;
    o.tls = opts.tls;
    o.skip_tls_verify = opts.skip_tls_verify;
    o.connect_timeout = std::chrono::seconds(opts.connect_timeout_s);
    impl_ = std::make_unique<Impl>(Impl{client::Client(std::move(o))});
}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Result<std::string> Client::call(const std::string& msgtype, const std::string& msg_json,
                                 const std::string& prvkey, int reply_timeout_s) {
    boost::system::error_code ec;
    json::value msg = read_json_text(msg_json.empty() ? "{}" : msg_json, ec);
    if (ec || !msg.is_object()) return Error{400, "the message is not a JSON object: " + msg_json};
    auto r = impl_->c.call(msgtype, std::move(msg.get_object()), prvkey,
                           std::chrono::seconds(reply_timeout_s));
    return convert<std::string>(r, [](const json::value& v) { return to_text(v); });
}

Result<std::string> Client::version() {
    return convert<std::string>(impl_->c.version(), [](const std::string& v) { return v; });
}

Result<Colony> Client::add_colony(const std::string& name, const std::string& colony_id,
                                  const std::string& prvkey) {
    return convert<Colony>(impl_->c.add_colony(colonies::Colony{colony_id, name}, prvkey),
                           colony_of);
}

Status Client::remove_colony(const std::string& name, const std::string& prvkey) {
    return status_of(impl_->c.remove_colony(name, prvkey));
}

Result<Executor> Client::add_executor(const std::string& colonyname, const std::string& name,
                                      const std::string& type, const std::string& executor_id,
                                      const std::string& prvkey) {
    colonies::Executor e;
    e.executorid = executor_id;
    e.executorname = name;
    e.executortype = type;
    e.colonyname = colonyname;
    return convert<Executor>(impl_->c.add_executor(e, prvkey), executor_of);
}

Status Client::approve_executor(const std::string& colonyname, const std::string& name,
                                const std::string& prvkey) {
    return status_of(impl_->c.approve_executor(colonyname, name, prvkey));
}

Status Client::remove_executor(const std::string& colonyname, const std::string& name,
                               const std::string& prvkey) {
    return status_of(impl_->c.remove_executor(colonyname, name, prvkey));
}

Result<Process> Client::submit(const FunctionSpec& spec, const std::string& prvkey) {
    auto s = spec_of(spec);
    if (!s) return error_of(s.error());
    return convert<Process>(impl_->c.submit(s.value(), prvkey), process_of);
}

Result<Process> Client::get_process(const std::string& id, const std::string& prvkey) {
    return convert<Process>(impl_->c.get_process(id, prvkey), process_of);
}

Result<std::vector<Process>> Client::get_processes(const std::string& colonyname,
                                                   ProcessState state, int count,
                                                   const std::string& prvkey) {
    auto r = impl_->c.get_processes(colonyname, static_cast<colonies::ProcessState>(state), count,
                                    prvkey);
    return convert<std::vector<Process>>(r, [](const std::vector<colonies::Process>& ps) {
        std::vector<Process> out;
        out.reserve(ps.size());
        for (const auto& p : ps) out.push_back(process_of(p));
        return out;
    });
}

Status Client::cancel_process(const std::string& id, const std::string& prvkey) {
    return status_of(impl_->c.cancel_process(id, prvkey));
}

Result<Process> Client::assign(const std::string& colonyname, int timeout_s,
                               const std::string& prvkey) {
    return convert<Process>(impl_->c.assign(colonyname, timeout_s, prvkey), process_of);
}

Status Client::close_successful(const std::string& id, const std::vector<std::string>& output,
                                const std::string& prvkey) {
    auto out = values_of(output, "output");
    if (!out) return error_of(out.error());
    return status_of(impl_->c.close_successful(id, out.value(), prvkey));
}

Status Client::close_failed(const std::string& id, const std::vector<std::string>& errors,
                            const std::string& prvkey) {
    return status_of(impl_->c.close_failed(id, errors, prvkey));
}

Status Client::add_log(const std::string& processid, const std::string& message,
                       const std::string& prvkey) {
    return status_of(impl_->c.add_log(processid, message, prvkey));
}

}  // namespace colonies::sdk
