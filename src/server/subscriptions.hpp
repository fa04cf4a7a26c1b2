// Real-time subscribers of /pubsub (protocol.md 6.11): who wants to hear about which process
// state changes. Publishing happens after the change is durable. Thread-safe; a subscriber's
// `deliver` must not block (it posts to its connection).
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/types.hpp"

namespace colonies::server {

struct Subscription {
    std::string processid;     // set: one process (subscribeprocessmsg)
    std::string colonyname;    // processes of this colony (subscribeprocessesmsg)
    std::string executortype;  // "" = any (process subscriptions: the process's own)
    ProcessState state = ProcessState::Waiting;
    std::function<void(const Process&)> deliver;
};

bool matches(const Subscription& s, const Process& p);

class Subscriptions {
  public:
    uint64_t add(Subscription s);
    void remove(uint64_t id);
    // Every matching subscriber gets the process (broadcast: 6.11 quirk).
    void publish(const Process& p) const;
    size_t size() const;
    // Drops every subscriber (server shutdown, as Waiters::clear).
    void clear();
    bool empty() const { return size() == 0; }

  private:
    mutable std::mutex mu_;
    uint64_t next_ = 1;
    std::unordered_map<uint64_t, Subscription> subs_;
};

}  // namespace colonies::server
