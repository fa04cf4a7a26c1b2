#include "executors/os_executor.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <deque>
#include <fstream>
#include <iostream>

#include "crypto/crypto.hpp"
#include "executors/command_runner.hpp"

namespace colonies::executors {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTailLines = 20;       // output lines kept for a failure's errors
constexpr size_t kMaxOutLines = 10000;  // output lines kept for `out`
constexpr auto kLogFlush = std::chrono::milliseconds(200);
constexpr auto kStateCheck = std::chrono::seconds(3);

std::string arg_text(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_double()) {  // shortest form that reads back, like Go's %v: 1.5, 3, 1e+21
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
        return std::string(buf, r.ptr);
    }
    return boost::json::serialize(v);
}

// Sleeps up to `d`, returning early when `stop` is set.
void nap(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
    const auto until = Clock::now() + d;
    while (!stop && Clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

bool exists_error(const Error& e) {
    return e.message.find("already exists") != std::string::npos;
}

}  // namespace

std::string command_line(const FunctionSpec& spec) {
    std::string cmd = spec.funcname;
    for (const auto& a : spec.args) cmd += " " + arg_text(a);
    return cmd;
}

std::vector<std::string> command_env(const std::vector<std::string>& base, const Process& p,
                                     const OsExecutorOptions& opts,
                                     const std::string& executor_id) {
    std::map<std::string, std::string> vars;
    for (const auto& kv : base) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    // Owner keys stay with the executor: submitted commands run with the executor's identity.
    vars.erase("COLONIES_COLONY_PRVKEY");
    vars.erase("COLONIES_SERVER_PRVKEY");
    for (const auto& [k, v] : p.spec.env) vars[k] = v;
    vars["COLONIES_PROCESS_ID"] = p.processid;
    vars["COLONIES_COLONY_NAME"] = opts.colony;
    vars["COLONIES_SERVER_HOST"] = opts.server.host;
    vars["COLONIES_SERVER_PORT"] = std::to_string(opts.server.port);
    vars["COLONIES_TLS"] = opts.server.tls ? "true" : "false";
    vars["COLONIES_EXECUTOR_ID"] = executor_id;
    vars["COLONIES_EXECUTOR_PRVKEY"] = opts.executor_prvkey;
    vars["COLONIES_PRVKEY"] = opts.executor_prvkey;  // so `colonies log add` etc. just work
    vars["COLONIES_EXECUTOR_NAME"] = opts.name;
    vars["COLONIES_EXECUTOR_TYPE"] = opts.type;
    if (!opts.fs_dir.empty()) vars["EXECUTOR_FS_DIR"] = opts.fs_dir;
    std::vector<std::string> out;
    out.reserve(vars.size());
    for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
    return out;
}

OsExecutor::OsExecutor(OsExecutorOptions opts) : opts_(std::move(opts)) {
    if (opts_.parallel < 1) opts_.parallel = 1;
}

OsExecutor::~OsExecutor() {
    // Workers idle in a long-poll cannot be interrupted; the owner exits the process after
    // shutdown(), so they are let go rather than joined.
    for (auto& t : workers_)
        if (t.joinable()) t.detach();
}

void OsExecutor::print(const std::string& line) {
    std::lock_guard<std::mutex> lock(print_mu_);
    if (opts_.print_line) {
        opts_.print_line(line);
    } else {
        std::cout << line << "\n" << std::flush;
    }
}

void OsExecutor::log(const std::string& msg, const OsExecutorOptions::Fields& fields) {
    std::lock_guard<std::mutex> lock(print_mu_);
    if (opts_.log) {
        opts_.log(msg, fields);
        return;
    }
    std::cerr << msg;
    for (const auto& [k, v] : fields) std::cerr << " " << k << "=" << v;
    std::cerr << "\n" << std::flush;
}

std::string OsExecutor::fatal_error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fatal_;
}

Status OsExecutor::register_executor() {
    client::Client c(opts_.server);
    if (opts_.colony_prvkey.empty()) {
        if (opts_.executor_prvkey.empty())
            return bad_request(
                "need a colony owner key to register, or the key of an approved executor");
        auto id = crypto::id_from_private_key(opts_.executor_prvkey);
        if (!id) return id.error();
        executor_id_ = *id;
        return ok_status();
    }
    // A fresh identity per start, as upstream.
    opts_.executor_prvkey = crypto::generate_private_key();
    auto id = crypto::id_from_private_key(opts_.executor_prvkey);
    if (!id) return id.error();
    executor_id_ = *id;
    Executor e;
    e.executorid = executor_id_;
    e.executortype = opts_.type;
    e.executorname = opts_.name;
    e.colonyname = opts_.colony;
    e.lastheardfromtime = Time::now();
    e.blueprintid = opts_.blueprintid;
    e.blueprintgen = opts_.blueprintgen;
    auto added = c.add_executor(e, opts_.colony_prvkey);
    if (!added && exists_error(added.error())) {
        // The name is taken (an earlier run that did not clean up): take it over.
        log("Executor name exists, replacing the old registration", {{"ExecutorName", opts_.name}});
        auto removed = c.remove_executor(opts_.colony, opts_.name, opts_.colony_prvkey);
        if (!removed) return removed.error();
        added = c.add_executor(e, opts_.colony_prvkey);
    }
    if (!added) return added.error();
    auto approved = c.approve_executor(opts_.colony, opts_.name, opts_.colony_prvkey);
    if (!approved) return approved.error();
    log("Added a new executor",
        {{"ExecutorName", opts_.name}, {"ExecutorId", executor_id_}, {"ExecutorType", opts_.type}});
    return ok_status();
}

Status OsExecutor::deregister() {
    if (opts_.colony_prvkey.empty()) return ok_status();
    client::Client c(opts_.server);
    auto s = c.remove_executor(opts_.colony, opts_.name, opts_.colony_prvkey);
    if (s) log("Executor removed", {{"ExecutorName", opts_.name}});
    return s;
}

void OsExecutor::start() {
    for (int i = 0; i < opts_.parallel; ++i) workers_.emplace_back([this, i] { work(i); });
}

void OsExecutor::shutdown(std::chrono::seconds grace) {
    stopping_ = true;
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait_for(lock, grace, [this] { return busy_ == 0; });
}

void OsExecutor::work(int index) {
    client::Client c(opts_.server);
    while (!stopping_) {
        auto p = c.assign(opts_.colony, opts_.assign_timeout_s, opts_.executor_prvkey);
        if (!p) {
            const Error& e = p.error();
            if (e.is(ErrorKind::NotFound)) continue;  // nothing came within the timeout
            if (e.is(ErrorKind::Unreachable) || e.is(ErrorKind::Transport)) {
                log("Connection error, trying to reconnect ...", {{"Error", e.message}});
                nap(std::chrono::seconds(2), stopping_);
            } else if (e.is(ErrorKind::Timeout) || e.is(ErrorKind::Unavailable)) {
                // Assignments paused (408 after the wait, 503 without one), or the reply did
                // not come in time: ask again shortly.
                nap(std::chrono::seconds(1), stopping_);
            } else if (e.is(ErrorKind::Unauthorised) ||
                       e.message.find("executor not found") != std::string::npos) {
                // Removed, rejected or never approved: nothing this executor can do any more.
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    if (fatal_.empty()) fatal_ = e.message;
                }
                if (on_fatal) on_fatal();
                return;
            } else {
                log("Failed to assign a process", {{"Error", e.message}});
                nap(std::chrono::seconds(2), stopping_);
            }
            continue;
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            ++busy_;
        }
        // Claimed while stopping: leave it; unregistering the executor puts it back in the queue.
        if (!stopping_) handle(c, *p);
        {
            std::lock_guard<std::mutex> lock(mu_);
            --busy_;
        }
        idle_cv_.notify_all();
    }
}

void OsExecutor::register_function(client::Client& c, const std::string& funcname) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (funcname.empty() || !functions_.insert(funcname).second) return;
    }
    Function f;
    f.executorname = opts_.name;
    f.executortype = opts_.type;
    f.colonyname = opts_.colony;
    f.funcname = funcname;
    (void)c.add_function(f, opts_.executor_prvkey);  // informational only; errors ignored
}

void OsExecutor::fail_process(client::Client& c, const std::string& id, const std::string& reason) {
    log("Closing process as failed", {{"ProcessID", id}, {"Reason", reason}});
    if (auto s = c.close_failed(id, {reason}, opts_.executor_prvkey); !s)
        log("Failed to close process as failed", {{"Error", s.error().message}});
}

std::unique_ptr<fs::ColonyFs> OsExecutor::fs_start(client::Client& c, const Process& p,
                                                   const FsMounts& m, bool& failed) {
    failed = false;
    if (!m.active()) return nullptr;
    auto fail = [&](const std::string& why) {
        failed = true;
        fail_process(c, p.processid, "ColonyFS: " + why);
        return nullptr;
    };
    if (!opts_.s3) return fail("AWS_S3_ENDPOINT is not set (the executor has no object store)");
    fs::FsOptions o{opts_.server, opts_.colony, opts_.executor_prvkey, *opts_.s3, true, 8};
    auto cfs = fs::ColonyFs::open(std::move(o));
    if (!cfs) return fail(cfs.error().message);
    log("Syncing ColonyFS mounts in", {{"ProcessID", p.processid}, {"FsDir", opts_.fs_dir}});
    if (auto s = fs_before(**cfs, m, opts_.fs_dir, opts_.colony, opts_.executor_prvkey); !s)
        return fail(s.error().message);
    return std::move(*cfs);
}

void OsExecutor::handle(client::Client& c, const Process& p) {
    const std::string& id = p.processid;
    const std::string& key = opts_.executor_prvkey;
    log("Executor was assigned a process", {{"ProcessID", id}});
    register_function(c, p.spec.funcname);
    auto mounts = parse_fs_mounts(p.spec.fs, id);
    if (!mounts) return fail_process(c, id, "ColonyFS: " + mounts.error().message);
    bool fs_failed = false;
    auto cfs = fs_start(c, p, *mounts, fs_failed);
    if (fs_failed) return;

    std::ofstream logfile;
    if (!opts_.logdir.empty()) logfile.open(opts_.logdir + "/" + id + ".log", std::ios::app);

    std::vector<std::string> lines;
    std::deque<std::string> tail;
    std::string pending;  // output not yet sent as a log entry
    auto last_flush = Clock::now(), last_check = Clock::now();
    std::atomic<bool> stop{false};
    bool taken_away = false;  // cancelled or requeued by the server meanwhile

    auto flush = [&] {
        if (pending.empty()) return;
        (void)c.add_log(id, pending, key);  // best effort: the process may have ended meanwhile
        pending.clear();
        last_flush = Clock::now();
    };
    CommandHooks hooks;
    hooks.on_line = [&](const std::string& line) {
        print(line);
        if (logfile) logfile << line << "\n" << std::flush;
        pending += line + "\n";
        if (lines.size() < kMaxOutLines) lines.push_back(line);
        tail.push_back(line);
        if (tail.size() > kTailLines) tail.pop_front();
    };
    hooks.on_tick = [&] {
        if (stopping_) stop = true;
        if (Clock::now() - last_flush >= kLogFlush) flush();
        if (Clock::now() - last_check >= kStateCheck) {
            last_check = Clock::now();
            auto now = c.get_process(id, key);
            if (now &&
                (now->state != ProcessState::Running || now->assignedexecutorid != executor_id_)) {
                taken_away = true;
                stop = true;
            }
        }
    };

    std::optional<Clock::time_point> deadline;
    if (p.spec.maxexectime > 0) deadline = Clock::now() + std::chrono::seconds(p.spec.maxexectime);
    auto r = run_command(command_line(p.spec), command_env(opts_.base_env, p, opts_, executor_id_),
                         deadline, stop, hooks);
    flush();
    if (cfs && !taken_away) {
        // Results go up before the process is closed, so whoever waits for it finds them.
        auto s = fs_after(*cfs, *mounts, opts_.fs_dir, opts_.colony, key);
        if (!s && r.end == CommandResult::End::Exited && r.exit_code == 0)
            return fail_process(c, id, "ColonyFS: " + s.error().message);
        if (!s) log("ColonyFS sync after the command failed", {{"Error", s.error().message}});
    }
    report(c, id, r, lines, tail, taken_away);
}

void OsExecutor::report(client::Client& c, const std::string& id, const CommandResult& r,
                        const std::vector<std::string>& lines, const std::deque<std::string>& tail,
                        bool taken_away) {
    const std::string& key = opts_.executor_prvkey;
    auto fail_with = [&](const std::string& reason) {
        std::vector<std::string> errors{reason};
        errors.insert(errors.end(), tail.begin(), tail.end());
        log("Closing process as failed", {{"ProcessID", id}, {"Reason", reason}});
        if (auto s = c.close_failed(id, errors, key); !s)
            log("Failed to close process as failed", {{"Error", s.error().message}});
    };
    using End = CommandResult::End;
    switch (r.end) {
        case End::Exited:
            if (r.exit_code == 0) {
                boost::json::array out;
                for (auto& l : lines) out.emplace_back(l);
                log("Closing process as successful", {{"ProcessID", id}});
                if (auto s = c.close_successful(id, out, key); !s)
                    log("Failed to close process as successful", {{"Error", s.error().message}});
            } else {
                fail_with("exit status " + std::to_string(r.exit_code));
            }
            break;
        case End::Signalled:
            fail_with("killed by signal " + std::to_string(r.signal));
            break;
        case End::StartFailed:
            fail_with("cannot start the command: " + r.error);
            break;
        case End::TimedOut:
            log("Process exceeded its maxexectime; killed it (the server retries or fails it)",
                {{"ProcessID", id}});
            break;
        case End::Stopped:
            if (taken_away) {
                log("Process was cancelled or reassigned; stopped its command",
                    {{"ProcessID", id}});
            } else {
                fail_with("SIGTERM");
            }
            break;
    }
}

}  // namespace colonies::executors
