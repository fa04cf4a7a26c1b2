#include "cluster/cluster.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>

#include "cluster/etcd_client.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"

namespace colonies::cluster {
namespace {

constexpr size_t kMaxPayload = 7900;  // PostgreSQL refuses NOTIFY payloads of 8000 bytes
constexpr auto kGatherTime = std::chrono::microseconds(500);  // Relay::send_loop

boost::json::object ready_json(const scheduler::ReadyProcess& r) {
    boost::json::array names;
    for (const auto& n : r.executornames) names.push_back(boost::json::string(n));
    return {{"c", r.colonyname},   {"t", r.executortype}, {"n", std::move(names)},
            {"l", r.locationname}, {"cpu", r.cpu_millis}, {"mem", r.mem_bytes}};
}

std::optional<scheduler::ReadyProcess> ready_from(const boost::json::value& v) {
    if (!v.is_object()) return std::nullopt;
    JsonFields f(v.as_object());
    scheduler::ReadyProcess r;
    r.colonyname = f.str("c");
    r.executortype = f.str("t");
    r.locationname = f.str("l");
    r.cpu_millis = f.integer("cpu");
    r.mem_bytes = f.integer("mem");
    if (auto it = v.as_object().find("n"); it != v.as_object().end() && it->value().is_array())
        for (const auto& n : it->value().as_array())
            if (n.is_string()) r.executornames.emplace_back(n.get_string());
    if (!f.ok()) return std::nullopt;
    return r;
}

// A channel's news: p processid, n name, i index, x ended, e the entry (left out when too large).
boost::json::object channel_json(const services::ChannelNews& c, bool with_entry) {
    boost::json::object o{{"p", c.processid}, {"n", c.name}, {"i", c.index}, {"x", c.ended}};
    if (with_entry && c.entry) o["e"] = to_json(*c.entry);
    return o;
}

std::optional<services::ChannelNews> channel_from(const boost::json::value& v) {
    if (!v.is_object()) return std::nullopt;
    JsonFields f(v.as_object());
    services::ChannelNews c;
    c.processid = f.str("p");
    c.name = f.str("n");
    c.index = f.integer("i");
    c.ended = f.boolean("x");
    if (!f.ok()) return std::nullopt;
    if (auto it = v.as_object().find("e"); it != v.as_object().end()) {
        auto e = channel_entry_from_json(it->value());
        if (!e) return std::nullopt;
        c.entry = std::move(*e);
    }
    return c;
}

std::string node_json(const server::ClusterNode& n) {
    return boost::json::serialize(server::to_json(n));
}

std::optional<server::ClusterNode> node_from(const std::string& text) {
    boost::system::error_code ec;
    auto v = read_json_text(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    JsonFields f(v.as_object());
    server::ClusterNode n;
    n.name = f.str("name");
    n.host = f.str("host");
    n.port = f.integer("port");
    n.peerport = f.integer("peerport");
    n.relayport = f.integer("relayport");
    n.apiport = f.integer("apiport");
    if (!f.ok()) return std::nullopt;
    return n;
}

// ---- leadership on etcd ----

class Election {
  public:
    explicit Election(const ClusterOptions& o) : o_(o), etcd_(o.etcd_endpoints) {}
    ~Election() { stop(); }

    void start() {
        thread_ = std::thread([this] { loop(); });
    }
    void stop() {
        {
            std::lock_guard lk(mu_);
            if (stopping_) return;
            stopping_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
        // Hand leadership over now rather than when the lease runs out.
        if (lease_) {
            try {
                etcd_.revoke(lease_);
            } catch (const std::exception&) {
            }
        }
        leader_.store(false);
    }
    bool is_leader() const { return leader_.load(); }
    server::ClusterView view() const {
        std::lock_guard lk(mu_);
        return view_;
    }

  private:
    // The leader key is looked at often (a follower takes over soon after the old lease ends);
    // the lease is refreshed every third of its TTL.
    void loop() {
        const auto refresh = std::chrono::milliseconds(o_.lease_ttl_seconds * 1000 / 3);
        const auto tick =
            std::min<std::chrono::milliseconds>(refresh, std::chrono::milliseconds(250));
        auto last_refresh = std::chrono::steady_clock::time_point{};
        for (;;) {
            const auto now = std::chrono::steady_clock::now();
            const bool refresh_due = now - last_refresh >= refresh;
            if (refresh_due) last_refresh = now;
            step(refresh_due);
            std::unique_lock lk(mu_);
            if (cv_.wait_for(lk, tick, [this] { return stopping_; })) return;
        }
    }

    void step(bool refresh) {
        const std::string leader_key = o_.prefix + "leader";
        const std::string member_key = o_.prefix + "members/" + o_.self.name;
        try {
            if (lease_ && refresh && etcd_.keepalive(lease_) <= 0) lease_ = 0;  // expired
            if (!lease_) {
                lease_ = etcd_.grant(o_.lease_ttl_seconds);
                etcd_.put(member_key, node_json(o_.self), lease_);
            }
            etcd_.create(leader_key, o_.self.name, lease_);
            const std::string leader = etcd_.get(leader_key).value_or("");
            server::ClusterView v;
            for (const auto& [key, value] : etcd_.get_prefix(o_.prefix + "members/"))
                if (auto n = node_from(value)) {
                    if (n->name == leader) v.leader = *n;
                    v.nodes.push_back(std::move(*n));
                }
            if (v.leader.name.empty()) v.leader.name = leader;
            set(std::move(v), leader == o_.self.name, "");
        } catch (const std::exception& e) {
            // No etcd, no leadership: someone else may hold it.
            set(server::ClusterView{}, false, e.what());
        }
    }

    void set(server::ClusterView v, bool leading, const std::string& error) {
        {
            std::lock_guard lk(mu_);
            view_ = std::move(v);
        }
        const bool was = leader_.exchange(leading);
        if (!o_.log) return;
        if (leading && !was) o_.log("This server is now the cluster leader");
        if (!leading && was) o_.log("This server is no longer the cluster leader");
        if (error != last_error_) {
            if (!error.empty())
                o_.log("Cluster: " + error);
            else
                o_.log("Cluster: etcd reachable again");
            last_error_ = error;
        }
    }

    const ClusterOptions& o_;
    EtcdClient etcd_;
    int64_t lease_ = 0;
    std::atomic<bool> leader_{false};
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    server::ClusterView view_;
    std::string last_error_;
    std::thread thread_;
};

// ---- wake-ups through PostgreSQL LISTEN/NOTIFY ----

class Relay {
  public:
    Relay(const ClusterOptions& o, std::string origin)
        : o_(o),
          origin_(std::move(origin)),
          conninfo_(store::postgres_conninfo(*o.relay)),
          channel_("colonies_events_" + o.relay->schema),
          listener_name_(listener_name(o.relay->schema)) {}
    ~Relay() { stop(); }

    // Returns once this server listens (or after 2 s without the database), so that the servers
    // already running hear its announcement before its own clients can ask for anything.
    void start(std::function<void(server::RemoteChange)> sink) {
        sink_ = std::move(sink);
        listener_ = std::thread([this] { listen_loop(); });
        sender_ = std::thread([this] { send_loop(); });
        std::unique_lock lk(mu_);
        cv_.wait_for(lk, std::chrono::seconds(2), [this] { return listening_ || stopping_; });
    }
    void stop() {
        {
            std::lock_guard lk(mu_);
            if (stopping_) return;
            stopping_ = true;
        }
        cv_.notify_all();
        if (listener_.joinable()) listener_.join();
        if (sender_.joinable()) sender_.join();
    }
    // Only queued here: the sender thread encodes, so the I/O thread that committed pays a copy
    // and no JSON.
    void publish(const services::Effects& fx) {
        {
            std::lock_guard lk(mu_);
            // A database that is down must not grow this queue without bound; the receivers'
            // periodic re-check covers what is dropped.
            if (queue_.size() > 10000) return;
            queue_.push_back(fx);
        }
        cv_.notify_all();
    }

  private:
    bool stopping() {
        std::lock_guard lk(mu_);
        return stopping_;
    }
    void pause(std::chrono::milliseconds d) {
        std::unique_lock lk(mu_);
        cv_.wait_for(lk, d, [this] { return stopping_; });
    }
    // The application_name of every relay listener of this schema, which other servers look
    // for: short and fixed, as PostgreSQL cuts names at 63 bytes (FNV-1a of the schema).
    static std::string listener_name(const std::string& schema) {
        uint32_t h = 2166136261u;
        for (unsigned char c : schema) h = (h ^ c) * 16777619u;
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", h);
        return std::string("colonies-relay-") + hex;
    }

    // Whether another server listens on this schema's channel: a notification nobody else hears
    // is work for nothing on both sides (a lone server sent 1.7 per W2 process). Yes when a
    // listener with this schema's name shows in pg_stat_activity or another server was heard
    // since the last look (one starting announces itself); looked at most once a second, before a
    // send. Any doubt (the query fails) counts as yes. Every role sees other sessions'
    // application_name (PostgreSQL hides their queries and states only).
    bool others_listen(PGconn* conn) {
        const auto now = std::chrono::steady_clock::now();
        if (now - others_checked_ < std::chrono::seconds(1)) return others_.load();
        others_checked_ = now;
        const uint64_t heard_before = heard_at_check_;
        const std::string own = std::to_string(listener_pid_.load());
        const char* params[2] = {listener_name_.c_str(), own.c_str()};
        PGresult* r = PQexecParams(conn,
                                   "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                   "current_database() AND pid <> $2::int AND "
                                   "application_name = $1",
                                   2, nullptr, params, nullptr, nullptr, 0);
        bool others = true;
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            others = std::atoi(PQgetvalue(r, 0, 0)) > 0;
        PQclear(r);
        heard_at_check_ = foreign_heard_.load();
        others_ = others || heard_at_check_ != heard_before;
        return others_.load();
    }

    static PGconn* connect(const std::string& info) {
        PGconn* c = PQconnectdb(info.c_str());
        if (PQstatus(c) == CONNECTION_OK) return c;
        PQfinish(c);
        return nullptr;
    }

    // Whatever was published while the previous notifications were on their way goes as one
    // change (fewer, fuller payloads: each NOTIFY wakes every listening server), and all its
    // payloads in one round trip.
    void send_loop() {
        PGconn* conn = nullptr;
        for (;;) {
            std::deque<services::Effects> taken;
            {
                std::unique_lock lk(mu_);
                cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
                // Whatever the next half millisecond brings goes in the same round: each round
                // wakes every listening server, and under load one change per round was the
                // rule (3 servers, W2: 1.04-1.06x the rate for 0.5 ms more per wake-up).
                cv_.wait_for(lk, kGatherTime, [this] { return stopping_; });
                if (stopping_) break;
                taken.swap(queue_);
            }
            const auto payloads = encode_change(origin_, merged(std::move(taken)));
            for (int attempt = 0; attempt < 3 && !payloads.empty(); ++attempt) {
                if (!conn) conn = connect(conninfo_);
                if (!conn) {
                    pause(std::chrono::milliseconds(200));
                    continue;
                }
                if (!others_listen(conn)) break;
                if (notify_all(conn, payloads)) break;
                PQfinish(conn);
                conn = nullptr;
            }
        }
        if (conn) PQfinish(conn);
    }

    static services::Effects merged(std::deque<services::Effects> all) {
        services::Effects out = std::move(all.front());
        auto append = [](auto& to, auto& from) {
            to.insert(to.end(), std::make_move_iterator(from.begin()),
                      std::make_move_iterator(from.end()));
        };
        for (size_t i = 1; i < all.size(); ++i) {
            auto& fx = all[i];
            append(out.ready, fx.ready);
            append(out.events, fx.events);
            append(out.removed_colonies, fx.removed_colonies);
            append(out.rekeyed_colonies, fx.rekeyed_colonies);
            append(out.resumed_colonies, fx.resumed_colonies);
            append(out.channels, fx.channels);
        }
        return out;
    }

    // One pipeline of pg_notify calls: one write and one sync for all of them.
    bool notify_all(PGconn* conn, const std::vector<std::string>& payloads) {
        bool ok = PQenterPipelineMode(conn) == 1;
        for (size_t i = 0; ok && i < payloads.size(); ++i) {
            const char* params[2] = {channel_.c_str(), payloads[i].c_str()};
            ok = PQsendQueryParams(conn, "SELECT pg_notify($1, $2)", 2, nullptr, params, nullptr,
                                   nullptr, 0) == 1;
        }
        ok = ok && PQpipelineSync(conn) == 1;
        if (!ok) return false;
        for (size_t i = 0; i < payloads.size(); ++i) {
            while (PGresult* r = PQgetResult(conn)) {
                ok = ok && PQresultStatus(r) == PGRES_TUPLES_OK;
                PQclear(r);
            }
            if (PQstatus(conn) != CONNECTION_OK) return false;
        }
        if (PGresult* sync = PQgetResult(conn)) PQclear(sync);
        return PQexitPipelineMode(conn) == 1 && ok;
    }

    void listen_loop() {
        PGconn* conn = nullptr;
        bool warned = false;
        while (!stopping()) {
            if (!conn) {
                conn = connect(conninfo_ + " application_name=" + listener_name_);
                if (conn && !listen_and_announce(conn)) {
                    PQfinish(conn);
                    conn = nullptr;
                }
                if (!conn) {
                    if (!warned && o_.log) o_.log("Cluster: cannot listen for events; retrying");
                    warned = true;
                    pause(std::chrono::seconds(1));
                    continue;
                }
                warned = false;
            }
            pollfd pfd{PQsocket(conn), POLLIN, 0};
            int n = ::poll(&pfd, 1, 250);
            if (n < 0) continue;
            if (n > 0 && !PQconsumeInput(conn)) {
                PQfinish(conn);
                conn = nullptr;
                continue;
            }
            while (PGnotify* note = PQnotifies(conn)) {
                // Our own notifications come back too: known by their first bytes, unparsed.
                if (!sent_by(origin_, note->extra)) {
                    foreign_heard_++;
                    others_ = true;
                    if (auto change = decode_change(origin_, note->extra))
                        sink_(std::move(*change));
                }
                PQfreemem(note);
            }
        }
        if (conn) PQfinish(conn);
    }

    // LISTEN, then tell the servers already listening that one more does.
    bool listen_and_announce(PGconn* conn) {
        char* ch = PQescapeIdentifier(conn, channel_.data(), channel_.size());
        const std::string channel = ch ? ch : "";
        if (ch) PQfreemem(ch);
        PGresult* r = PQexec(conn, ("LISTEN " + channel).c_str());
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) return false;
        listener_pid_ = PQbackendPID(conn);
        // Known as ours by sent_by (origin first); decodes to a change with nothing in it.
        const std::string hello =
            boost::json::serialize(boost::json::object{{"o", origin_}, {"hello", true}});
        const char* params[2] = {channel_.c_str(), hello.c_str()};
        r = PQexecParams(conn, "SELECT pg_notify($1, $2)", 2, nullptr, params, nullptr, nullptr, 0);
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        {
            std::lock_guard lk(mu_);
            listening_ = true;
        }
        cv_.notify_all();
        return ok;
    }

    const ClusterOptions& o_;
    std::string origin_, conninfo_, channel_, listener_name_;
    std::atomic<bool> others_{true};          // another server listens (doubt counts as yes)
    std::atomic<uint64_t> foreign_heard_{0};  // notifications heard from other servers
    std::atomic<int> listener_pid_{0};        // our listener's backend, not another server's
    std::chrono::steady_clock::time_point others_checked_{};  // sender thread only
    uint64_t heard_at_check_ = 0;                             // sender thread only
    bool listening_ = false;                                  // under mu_
    std::function<void(server::RemoteChange)> sink_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<services::Effects> queue_;
    bool stopping_ = false;
    std::thread listener_, sender_;
};

class Link final : public server::ClusterLink {
  public:
    explicit Link(ClusterOptions o) : o_(std::move(o)) {
        std::random_device rd;
        origin_ = o_.self.name + "/" + std::to_string(rd()) + std::to_string(rd());
        if (!o_.etcd_endpoints.empty()) election_ = std::make_unique<Election>(o_);
        if (o_.relay) relay_ = std::make_unique<Relay>(o_, origin_);
    }
    ~Link() override { stop(); }

    bool is_leader() const override { return !election_ || election_->is_leader(); }
    server::ClusterView view() const override {
        if (!election_) return server::ClusterView{{o_.self}, o_.self};
        return election_->view();
    }
    void publish(const services::Effects& fx) override {
        if (relay_) relay_->publish(fx);
    }
    void start(std::function<void(server::RemoteChange)> sink) override {
        if (election_) election_->start();
        if (relay_) relay_->start(std::move(sink));
    }
    void stop() override {
        if (election_) election_->stop();
        if (relay_) relay_->stop();
    }

  private:
    ClusterOptions o_;
    std::string origin_;
    std::unique_ptr<Election> election_;
    std::unique_ptr<Relay> relay_;
};

}  // namespace

std::vector<std::string> encode_change(const std::string& origin, const services::Effects& fx) {
    std::vector<std::string> out;
    boost::json::array ready, events, reload, removed, rekeyed, resumed, channels;
    auto flush = [&] {
        if (ready.empty() && events.empty() && reload.empty() && removed.empty() &&
            rekeyed.empty() && resumed.empty() && channels.empty())
            return;
        boost::json::object o{{"o", origin},
                              {"r", std::move(ready)},
                              {"e", std::move(events)},
                              {"i", std::move(reload)}};
        // Only when there are any: the payloads of other changes stay as they were.
        if (!removed.empty()) o["x"] = std::move(removed);
        if (!rekeyed.empty()) o["k"] = std::move(rekeyed);
        if (!resumed.empty()) o["u"] = std::move(resumed);
        if (!channels.empty()) o["ch"] = std::move(channels);
        out.push_back(boost::json::serialize(o));
        ready = {};
        events = {};
        reload = {};
        removed = {};
        rekeyed = {};
        resumed = {};
        channels = {};
    };
    size_t size = 64 + origin.size();
    auto add = [&](boost::json::array& to, boost::json::value v) {
        const size_t n = boost::json::serialize(v).size() + 1;
        if (size + n > kMaxPayload) {
            flush();
            size = 64 + origin.size();
        }
        size += n;
        to.push_back(std::move(v));
    };
    for (const auto& c : fx.removed_colonies) add(removed, boost::json::string(c));
    for (const auto& c : fx.rekeyed_colonies) add(rekeyed, boost::json::string(c));
    for (const auto& c : fx.resumed_colonies) add(resumed, boost::json::string(c));
    for (const auto& r : fx.ready) add(ready, ready_json(r));
    for (const auto& p : fx.events) {
        boost::json::value v = to_json(p);
        if (boost::json::serialize(v).size() + 128 + origin.size() > kMaxPayload)
            add(reload, boost::json::string(p.processid));  // the receiver reads it
        else
            add(events, std::move(v));
    }
    for (const auto& c : fx.channels) {
        boost::json::value v = channel_json(c, true);
        if (boost::json::serialize(v).size() + 128 + origin.size() > kMaxPayload)
            v = channel_json(c, false);  // the receivers read the entry from the store
        add(channels, std::move(v));
    }
    flush();
    return out;
}

bool sent_by(const std::string& origin, std::string_view payload) {
    // encode_change writes the origin first: `{"o":"<origin>",`.
    std::string prefix = boost::json::serialize(boost::json::object{{"o", origin}});
    prefix.back() = ',';
    return payload.substr(0, prefix.size()) == prefix;
}

std::optional<server::RemoteChange> decode_change(const std::string& self,
                                                  const std::string& payload) {
    boost::system::error_code ec;
    auto v = read_json_text(payload, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    auto origin = o.find("o");
    if (origin == o.end() || !origin->value().is_string() || origin->value().get_string() == self)
        return std::nullopt;
    server::RemoteChange c;
    auto each = [&](const char* key, auto fn) {
        auto it = o.find(key);
        if (it != o.end() && it->value().is_array())
            for (const auto& item : it->value().as_array()) fn(item);
    };
    each("r", [&](const boost::json::value& x) {
        if (auto r = ready_from(x)) c.ready.push_back(std::move(*r));
    });
    each("e", [&](const boost::json::value& x) {
        if (auto p = process_from_json(x)) c.events.push_back(std::move(p).value());
    });
    each("i", [&](const boost::json::value& x) {
        if (x.is_string()) c.reload.emplace_back(x.get_string());
    });
    each("x", [&](const boost::json::value& x) {
        if (x.is_string()) c.removed_colonies.emplace_back(x.get_string());
    });
    each("k", [&](const boost::json::value& x) {
        if (x.is_string()) c.rekeyed_colonies.emplace_back(x.get_string());
    });
    each("u", [&](const boost::json::value& x) {
        if (x.is_string()) c.resumed_colonies.emplace_back(x.get_string());
    });
    each("ch", [&](const boost::json::value& x) {
        if (auto n = channel_from(x)) c.channels.push_back(std::move(*n));
    });
    return c;
}

std::shared_ptr<server::ClusterLink> make_cluster_link(ClusterOptions opts) {
    return std::make_shared<Link>(std::move(opts));
}

}  // namespace colonies::cluster
