#include "server/subscriptions.hpp"

#include <vector>

namespace colonies::server {

bool matches(const Subscription& s, const Process& p) {
    if (p.state != s.state) return false;
    if (!s.executortype.empty() && s.executortype != p.spec.conditions.executortype) return false;
    if (!s.processid.empty()) return s.processid == p.processid;
    return s.colonyname == p.spec.conditions.colonyname;
}

uint64_t Subscriptions::add(Subscription s) {
    std::lock_guard lk(mu_);
    uint64_t id = next_++;
    subs_.emplace(id, std::move(s));
    return id;
}

void Subscriptions::remove(uint64_t id) {
    std::lock_guard lk(mu_);
    subs_.erase(id);
}

void Subscriptions::publish(const Process& p) const {
    std::vector<std::function<void(const Process&)>> targets;
    {
        std::lock_guard lk(mu_);
        for (const auto& [_, s] : subs_)
            if (matches(s, p)) targets.push_back(s.deliver);
    }
    for (const auto& deliver : targets) deliver(p);
}

size_t Subscriptions::size() const {
    std::lock_guard lk(mu_);
    return subs_.size();
}

void Subscriptions::clear() {
    std::unordered_map<uint64_t, Subscription> dropped;
    {
        std::lock_guard lk(mu_);
        dropped.swap(subs_);
    }
}

}  // namespace colonies::server
