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
#include "services/operation.hpp"

namespace colonies::server {

struct Subscription {
    std::string processid;     // set: one process (subscribeprocessmsg)
    std::string colonyname;    // processes of this colony (subscribeprocessesmsg)
    std::string executortype;  // "" = any (process subscriptions: the process's own)
    ProcessState state = ProcessState::Waiting;
    std::function<void(const Process&)> deliver;
};

bool matches(const Subscription& s, const Process& p);

// Subscribers of channels (features.md 5.4), by process. A subscriber hears every news of its
// channel and the end of its process's channels, in the order they were published.
class ChannelSubscriptions {
  public:
    using Deliver = std::function<void(const services::ChannelNews&)>;
    uint64_t add(const std::string& processid, const std::string& name,
                 const std::string& colonyname, Deliver deliver);
    void remove(uint64_t id);
    // Known once the subscription is authorised (registration comes first: see pubsub.hpp).
    void set_colony(uint64_t id, const std::string& colonyname);
    void publish(const services::ChannelNews& news) const;
    // The colony is gone and its processes with it: their subscribers hear the end.
    void end_colony(const std::string& colonyname) const;
    size_t size() const;

  private:
    struct Entry {
        std::string processid, name, colonyname;
        Deliver deliver;
    };
    mutable std::mutex mu_;
    uint64_t next_ = 1;
    std::unordered_map<uint64_t, Entry> subs_;
    std::unordered_multimap<std::string, uint64_t> by_process_;
};

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
    ChannelSubscriptions& channels() { return channels_; }
    const ChannelSubscriptions& channels() const { return channels_; }

  private:
    ChannelSubscriptions channels_;
    mutable std::mutex mu_;
    uint64_t next_ = 1;
    std::unordered_map<uint64_t, Subscription> subs_;
};

}  // namespace colonies::server
