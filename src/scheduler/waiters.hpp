// Executors long-polling in assignprocessmsg (protocol.md 6.3). Thousands may wait: a waiter is a
// small record with a wake callback, no thread. When a process becomes assignable the registry
// wakes exactly one waiter able to take it (type, name, location, resources: 6.4), so a submit
// costs one store round trip however many executors idle. Thread-safe.
//
// Lost-wakeup rule: a caller reads sequence() before it looks in the store, and passes that value
// to add(); if any process became ready in between, add() refuses and the caller looks again.
#pragma once
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace colonies::scheduler {

// What a newly assignable process needs (from its conditions).
struct ReadyProcess {
    std::string colonyname;
    std::string executortype;
    std::vector<std::string> executornames;  // empty = any
    std::string locationname;                // "" = any
    int64_t cpu_millis = 0;
    int64_t mem_bytes = 0;
};

struct WaiterSpec {
    std::string colonyname;
    std::string executortype;
    std::string executorname;
    std::string locationname;
    int64_t max_cpu_millis = INT64_MAX;
    int64_t max_mem_bytes = INT64_MAX;
};

bool can_take(const WaiterSpec& w, const ReadyProcess& p);

class Waiters {
  public:
    using Wake = std::function<void()>;
    uint64_t sequence() const;
    // nullopt: something became ready since `seen_sequence`; look in the store again.
    std::optional<uint64_t> add(WaiterSpec spec, Wake wake, uint64_t seen_sequence);
    void remove(uint64_t id);
    // Wake one waiter that can take p (the longest waiting). Returns whether one was woken.
    bool notify(const ReadyProcess& p);
    // Wake every waiter of a colony (assignments resumed, colony removed).
    void notify_colony(const std::string& colony);
    size_t size() const;
    // Drops every waiter without waking it (server shutdown: a waiter's wake function may own
    // timers of an io_context that is about to go away).
    void clear();

  private:
    struct Entry {
        uint64_t id;
        WaiterSpec spec;
        Wake wake;
    };
    using List = std::list<Entry>;
    using NameList = std::list<List::iterator>;
    struct Slot {
        List::iterator entry;
        NameList::iterator by_name;
    };
    void erase_locked(std::unordered_map<uint64_t, Slot>::iterator slot);

    mutable std::mutex mu_;
    uint64_t sequence_ = 0;
    uint64_t next_id_ = 1;
    // Per (colony, executortype), oldest first.
    std::unordered_map<std::string, List> by_key_;
    // The same waiters per (colony, executortype, executorname), oldest first: a process that
    // names its executors looks only at those instead of scanning past every other waiter of
    // its type under the lock every long poll takes.
    std::unordered_map<std::string, NameList> by_name_;
    std::unordered_map<uint64_t, Slot> index_;
};

}  // namespace colonies::scheduler
