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

uint64_t ChannelSubscriptions::add(const std::string& processid, const std::string& name,
                                   const std::string& colonyname, Deliver deliver) {
    std::lock_guard lk(mu_);
    const uint64_t id = next_++;
    subs_.emplace(id, Entry{processid, name, colonyname, std::move(deliver)});
    by_process_.emplace(processid, id);
    return id;
}

void ChannelSubscriptions::remove(uint64_t id) {
    std::lock_guard lk(mu_);
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    auto [lo, hi] = by_process_.equal_range(it->second.processid);
    for (auto p = lo; p != hi; ++p)
        if (p->second == id) {
            by_process_.erase(p);
            break;
        }
    subs_.erase(it);
}

void ChannelSubscriptions::set_colony(uint64_t id, const std::string& colonyname) {
    std::lock_guard lk(mu_);
    if (auto it = subs_.find(id); it != subs_.end()) it->second.colonyname = colonyname;
}

void ChannelSubscriptions::publish(const services::ChannelNews& news) const {
    std::vector<Deliver> targets;
    {
        std::lock_guard lk(mu_);
        auto [lo, hi] = by_process_.equal_range(news.processid);
        for (auto p = lo; p != hi; ++p) {
            const Entry& e = subs_.at(p->second);
            if (news.ended || e.name == news.name) targets.push_back(e.deliver);
        }
    }
    for (const auto& deliver : targets) deliver(news);
}

void ChannelSubscriptions::end_colony(const std::string& colonyname) const {
    std::vector<std::pair<Deliver, services::ChannelNews>> targets;
    {
        std::lock_guard lk(mu_);
        for (const auto& [_, e] : subs_)
            if (e.colonyname == colonyname)
                targets.emplace_back(e.deliver,
                                     services::ChannelNews{e.processid, "", 0, std::nullopt, true});
    }
    for (const auto& [deliver, news] : targets) deliver(news);
}

size_t ChannelSubscriptions::size() const {
    std::lock_guard lk(mu_);
    return subs_.size();
}

}  // namespace colonies::server
