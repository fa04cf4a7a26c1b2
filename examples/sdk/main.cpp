// The Colonies C++ SDK in one program (docs/sdk-cpp.md): register an executor, submit a
// function, take it as that executor, close it with an output and read the result back.
//
// Settings come from the variables `colonies dev` prints:
//   COLONIES_SERVER_HOST, COLONIES_SERVER_PORT, COLONIES_TLS
//   COLONIES_COLONY_NAME, COLONIES_COLONY_PRVKEY (registers the executor)
//   COLONIES_PRVKEY (a member of the colony; submits)
// Exit status 0 when the process came back successful with the expected output.
#include <colonies/sdk.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace sdk = colonies::sdk;

namespace {

std::string setting(const char* name, const char* fallback = nullptr) {
    const char* v = std::getenv(name);
    if (v && *v) return v;
    if (fallback) return fallback;
    std::cerr << name << " is not set\n";
    std::exit(2);
}

// Prints the error of a failed call and exits.
template <class T>
T check(sdk::Result<T> r, const char* what) {
    if (!r) {
        std::cerr << what << " failed: " << r.error().status << " " << r.error().message << "\n";
        std::exit(1);
    }
    return std::move(r).value();
}

}  // namespace

int main() {
    sdk::Options opts;
    opts.host = setting("COLONIES_SERVER_HOST", "localhost");
    opts.port = std::stoi(setting("COLONIES_SERVER_PORT", "50080"));
    opts.tls = setting("COLONIES_TLS", "false") == "true";
    const std::string colony = setting("COLONIES_COLONY_NAME");
    const std::string colony_key = setting("COLONIES_COLONY_PRVKEY");
    const std::string user_key = setting("COLONIES_PRVKEY");

    sdk::Client client(opts);
    std::cout << "server version " << check(client.version(), "version") << "\n";

    // An executor of our own: a fresh key, registered and approved by the colony owner.
    const std::string executor_key = sdk::generate_private_key();
    const std::string executor_id = check(sdk::id_of(executor_key), "id_of");
    const std::string name = "sdk-example-" + executor_id.substr(0, 8);
    check(client.add_executor(colony, name, "sdk-example", executor_id, colony_key),
          "add_executor");
    check(client.approve_executor(colony, name, colony_key), "approve_executor");

    sdk::FunctionSpec spec;
    spec.colonyname = colony;
    spec.funcname = "greet";
    spec.executortype = "sdk-example";
    spec.args = {sdk::arg("world")};
    spec.maxexectime = 60;
    const sdk::Process submitted = check(client.submit(spec, user_key), "submit");
    std::cout << "submitted " << submitted.id << "\n";

    // The executor's side: take the process (waiting up to 10 s), do the work, close it.
    const sdk::Process task = check(client.assign(colony, 10, executor_key), "assign");
    if (task.id != submitted.id) {
        std::cerr << "assigned " << task.id << ", not the process submitted\n";
        return 1;
    }
    const std::string greeting = "hello, " + sdk::as_string(task.args.at(0));
    check(client.add_log(task.id, "greeting " + sdk::as_string(task.args.at(0)), executor_key),
          "add_log");
    check(client.close_successful(task.id, {sdk::arg(greeting)}, executor_key), "close");

    const sdk::Process done = check(client.get_process(submitted.id, user_key), "get_process");
    check(client.remove_executor(colony, name, colony_key), "remove_executor");
    if (done.state != sdk::ProcessState::Success || done.output.size() != 1 ||
        sdk::as_string(done.output[0]) != greeting) {
        std::cerr << "unexpected result: " << done.json << "\n";
        return 1;
    }
    std::cout << "process " << done.id << " successful, output: " << sdk::as_string(done.output[0])
              << "\n";
    return 0;
}
