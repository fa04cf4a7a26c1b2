// Following a process's logs by polling getlogsmsg with `since` = the newest timestamp seen
// (features.md 3.3), shared by `log get --follow` and `function submit --follow`.
#pragma once
#include <chrono>
#include <string>

#include "client/client.hpp"
#include "core/types.hpp"

namespace colonies::cli {

// Prints one log message on stdout: verbatim, plus a newline when it has none.
void print_log_message(const std::string& message);

// Prints the process's log entries as they arrive; when a poll brings nothing, sleeps `idle`
// and checks the process. Returns its final state (SUCCESS, FAILED or CANCELLED) after printing
// what was logged before it ended. Throws CliError on a server error.
ProcessState follow_process(client::Client& c, const std::string& colony,
                            const std::string& processid, const std::string& prvkey,
                            std::chrono::milliseconds idle, int batch = 20);

}  // namespace colonies::cli
