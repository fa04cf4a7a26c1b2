// Real-time subscriptions over WebSocket /pubsub (protocol.md 1.6, 6.11), blocking.
#pragma once
#include <functional>
#include <string>

#include "client/client.hpp"

namespace colonies::client {

struct ProcessSubscription {
    std::string colonyname;
    std::string processid;     // set: one process (subscribeprocessmsg), else all of a type
    std::string executortype;  // required for subscribeprocessesmsg
    ProcessState state = ProcessState::Success;
    int64_t timeout_s = 30;
};

// Subscribes and calls `on_event` for each process frame until it returns false or the server
// closes the socket at the subscription's timeout. Errors: the server's error frame, or the
// transport failure (client/transport_error.hpp). Returns how many events were delivered.
Result<int> subscribe(const Options& opts, const ProcessSubscription& sub,
                      const std::string& prvkey,
                      const std::function<bool(const Process&)>& on_event);

// subscribechannelmsg (features.md 5.4).
struct ChannelSubscription {
    std::string processid;
    std::string name;
    int64_t afterseq = 0;  // log position of the first entry wanted
    int64_t timeout_s = 30;
};

// Calls `on_entries` with the backlog (entries from `afterseq`, when there are any), then with
// each new entry, until it returns false, the server ends the subscription (`[]`: the timeout
// passed or the channel ended with its process), or a slow subscriber's error entry (`error` set)
// came. Returns how many entries were delivered.
Result<int> subscribe_channel(
    const Options& opts, const ChannelSubscription& sub, const std::string& prvkey,
    const std::function<bool(const std::vector<ChannelEntry>&)>& on_entries);

// Waits until the process is in `state` (at once if it already is). Timeout (408) when
// `timeout_s` passes.
Result<Process> wait_for_process(const Options& opts, const std::string& colonyname,
                                 const std::string& processid, ProcessState state, int timeout_s,
                                 const std::string& prvkey);

}  // namespace colonies::client
