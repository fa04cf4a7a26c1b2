#include "fs/colonyfs.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "fs/progress.hpp"

namespace colonies::fs {
namespace stdfs = std::filesystem;

namespace {

// Regular files of one directory (not `.cfs`, not our partial downloads), by name.
Result<std::vector<LocalFile>> scan_files(const std::string& dir) {
    std::vector<LocalFile> out;
    std::error_code ec;
    if (!stdfs::is_directory(dir, ec)) return out;
    for (const auto& e : stdfs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file()) continue;
        const std::string name = e.path().filename().string();
        if (name == ".cfs" || name.ends_with(".cfs-part")) continue;
        auto sum = file_checksum(e.path().string());
        if (!sum) return sum.error();
        out.push_back(LocalFile{name, *sum, static_cast<int64_t>(e.file_size())});
    }
    if (ec) return bad_request("cannot read " + dir + ": " + ec.message());
    return out;
}

// Sub-directories below `root`, relative ("a", "a/b").
std::vector<std::string> scan_subdirs(const std::string& root, bool recursive) {
    std::vector<std::string> out;
    std::error_code ec;
    if (recursive) {
        for (const auto& e : stdfs::recursive_directory_iterator(root, ec))
            if (e.is_directory()) out.push_back(stdfs::relative(e.path(), root).string());
    } else {
        for (const auto& e : stdfs::directory_iterator(root, ec))
            if (e.is_directory()) out.push_back(e.path().filename().string());
    }
    return out;
}

std::vector<std::string> label_names(const std::vector<FileLabel>& labels) {
    std::vector<std::string> out;
    for (const auto& l : labels) out.push_back(l.name);
    return out;
}

Status write_empty(const std::string& path) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    return f ? ok_status() : bad_request("cannot write " + path);
}

}  // namespace

Result<std::string> file_checksum(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return bad_request("cannot read " + path);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(in.gcount()));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

struct ColonyFs::Task {
    int64_t bytes = 0;
    std::function<Status(client::Client&, S3Client&, const Progress&)> run;
};

ColonyFs::ColonyFs(FsOptions opts) : opts_(std::move(opts)), client_(opts_.server), s3_(opts_.s3) {}

Result<std::unique_ptr<ColonyFs>> ColonyFs::open(FsOptions opts) {
    std::unique_ptr<ColonyFs> fs(new ColonyFs(std::move(opts)));
    if (auto s = fs->s3_.ensure_bucket(); !s) return s.error();
    return fs;
}

Status ColonyFs::run_tasks(std::vector<Task> tasks, const std::string& message) {
    if (tasks.empty()) return ok_status();
    int64_t total = 0;
    for (const auto& t : tasks) total += t.bytes;
    ProgressBar bar(message, total, static_cast<int64_t>(tasks.size()), opts_.quiet);
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mu;
    Status first = ok_status();
    auto work = [&] {
        client::Client c(opts_.server);
        S3Client s3(s3_);
        const Progress progress = [&bar](int64_t n) { bar.add_bytes(n); };
        while (!failed) {
            const size_t i = next++;
            if (i >= tasks.size()) return;
            auto s = tasks[i].run(c, s3, progress);
            if (!s) {
                std::lock_guard<std::mutex> lock(mu);
                if (!failed.exchange(true)) first = s;
                return;
            }
            bar.add_file();
        }
    };
    const size_t n =
        std::min<size_t>(tasks.size(), static_cast<size_t>(std::max(1, opts_.workers)));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < n; ++i) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    bar.finish();
    return first;
}

Result<std::vector<SyncPlan>> ColonyFs::plan_sync(const std::string& dir_in,
                                                  const std::string& label_in, bool keeplocal) {
    std::error_code ec;
    const std::string dir = stdfs::absolute(dir_in, ec).lexically_normal().string();
    if (!stdfs::is_directory(dir, ec)) return bad_request(dir + " is not a directory");
    const std::string label = normalise_label(label_in);
    // A prefix lookup, filtered by sync_targets: the exact one finds nothing when the label
    // itself has no files, even with sub-labels (features.md 4.2).
    auto remote_labels = client_.get_file_labels(opts_.colony, label, false, opts_.prvkey);
    if (!remote_labels) return remote_labels.error();
    std::vector<SyncPlan> plans;
    for (const auto& t :
         sync_targets(dir, label, scan_subdirs(dir, true), label_names(*remote_labels))) {
        auto local = scan_files(t.dir);
        if (!local) return local.error();
        auto remote = client_.get_file_data(opts_.colony, t.label, opts_.prvkey);
        if (!remote) return remote.error();
        plans.push_back(colonies::fs::plan_sync(t.dir, t.label, *local, *remote, keeplocal));
    }
    return plans;
}

Status ColonyFs::upload_one(client::Client& c, S3Client& s3, const SyncPlan& plan,
                            const PlannedFile& f, const Progress& progress) {
    File file;
    file.colonyname = opts_.colony;
    file.label = plan.label;
    file.name = f.name;
    file.checksum = f.checksum;
    file.checksumalg = "SHA256";
    file.ref.protocol = "s3";
    const auto& cfg = s3.config();
    file.ref.s3object = S3Object{cfg.endpoint,
                                 -1,
                                 cfg.tls,
                                 cfg.accesskey,
                                 cfg.secretkey,
                                 cfg.region,
                                 "",
                                 "",
                                 crypto::generate_private_key(),
                                 cfg.bucket};
    const std::string path = plan.dir + "/" + f.name;
    std::error_code ec;
    file.size = static_cast<int64_t>(stdfs::file_size(path, ec));
    if (ec) return bad_request("cannot read " + path + ": " + ec.message());
    if (file.size > 0)  // empty files have no object (features.md 4.6)
        if (auto s = s3.put_file(file.ref.s3object.object, path, progress); !s) return s;
    auto added = c.add_file(file, opts_.prvkey);
    if (!added) return added.error();
    return ok_status();
}

Status ColonyFs::apply(const SyncPlan& plan) {
    if (plan.empty()) return ok_status();
    std::error_code ec;
    stdfs::create_directories(plan.dir, ec);
    {
        std::ofstream cfs(plan.dir + "/.cfs", std::ios::trunc);
        cfs << to_text(boost::json::object{{"label", plan.label}});
        if (!cfs) return bad_request("cannot write " + plan.dir + "/.cfs");
    }
    auto down = [&plan](const PlannedFile& f) {
        return Task{f.size, [&plan, f](client::Client&, S3Client& s3, const Progress& p) {
                        const std::string path = plan.dir + "/" + f.name;
                        if (f.size == 0) return write_empty(path);
                        return s3.get_file(f.s3object, path, p);
                    }};
    };
    auto up = [this, &plan](const PlannedFile& f) {
        return Task{f.size, [this, &plan, f](client::Client& c, S3Client& s3, const Progress& p) {
                        return upload_one(c, s3, plan, f, p);
                    }};
    };
    std::vector<Task> ups, downs;
    for (const auto& f : plan.upload) ups.push_back(up(f));
    for (const auto& f : plan.conflicts)
        (plan.keeplocal ? ups : downs).push_back(plan.keeplocal ? up(f) : down(f));
    for (const auto& f : plan.download) downs.push_back(down(f));
    if (auto s = run_tasks(std::move(ups), "Uploading " + plan.label); !s) return s;
    return run_tasks(std::move(downs), "Downloading " + plan.dir);
}

Result<std::vector<CleanPlan>> ColonyFs::plan_clean(const std::string& dir_in,
                                                    const std::string& label_in) {
    std::error_code ec;
    const std::string dir = stdfs::absolute(dir_in, ec).lexically_normal().string();
    if (!stdfs::is_directory(dir, ec)) return bad_request(dir + " is not a directory");
    const std::string label = normalise_label(label_in);
    auto labels = client_.get_file_labels(opts_.colony, label, false, opts_.prvkey);
    if (!labels) return labels.error();
    std::vector<std::string> remote_labels;
    const std::string below = (label == "/" ? "" : label) + "/";
    for (const auto& l : *labels)
        if (l.name == label || l.name.compare(0, below.size(), below) == 0)
            remote_labels.push_back(l.name);
    if (remote_labels.empty()) return not_found("Root directory not found in colonyFS");
    std::vector<CleanPlan> plans;
    std::vector<std::string> subdirs = scan_subdirs(dir, true);
    subdirs.insert(subdirs.begin(), "");
    for (const auto& sub : subdirs) {
        const std::string d = sub.empty() ? dir : dir + "/" + sub;
        const std::string l = sub.empty() ? label : (label == "/" ? "" : label) + "/" + sub;
        auto remote = client_.get_file_data(opts_.colony, l, opts_.prvkey);
        if (!remote) return remote.error();
        std::vector<std::string> files, names;
        for (const auto& e : stdfs::directory_iterator(d, ec))
            if (e.is_regular_file()) files.push_back(e.path().filename().string());
        for (const auto& r : *remote) names.push_back(r.name);
        plans.push_back(
            colonies::fs::plan_clean(d, l, files, scan_subdirs(d, false), names, remote_labels));
    }
    return plans;
}

Status ColonyFs::apply(const CleanPlan& plan) {
    std::error_code ec;
    for (const auto& f : plan.files) {
        stdfs::remove(f, ec);
        if (ec) return bad_request("cannot remove " + f + ": " + ec.message());
    }
    for (const auto& d : plan.dirs) {
        stdfs::remove_all(d, ec);
        if (ec) return bad_request("cannot remove " + d + ": " + ec.message());
    }
    return ok_status();
}

Status ColonyFs::download(const File& f, const std::string& dir) {
    std::error_code ec;
    stdfs::create_directories(dir, ec);
    std::vector<Task> tasks;
    tasks.push_back(Task{f.size, [f, dir](client::Client&, S3Client& s3, const Progress& p) {
                             const std::string path = dir + "/" + f.name;
                             if (f.size == 0) return write_empty(path);
                             return s3.get_file(f.ref.s3object.object, path, p);
                         }});
    return run_tasks(std::move(tasks), "Downloading " + f.name);
}

Status ColonyFs::download_snapshot(const Snapshot& snap, const std::string& dir) {
    std::vector<Task> tasks;
    for (const auto& id : snap.fileids) {
        auto f = client_.get_file(opts_.colony, id, opts_.prvkey);
        if (!f) return f.error();
        const std::string target = snapshot_file_dir(dir, snap.label, f->label);
        const std::string path = target + "/" + f->name;
        auto have = file_checksum(path);
        if (have && *have == f->checksum) continue;  // already there
        std::error_code ec;
        stdfs::create_directories(target, ec);
        if (ec) return bad_request("cannot create " + target + ": " + ec.message());
        tasks.push_back(
            Task{f->size, [file = *f, path](client::Client&, S3Client& s3, const Progress& p) {
                     if (file.size == 0) return write_empty(path);
                     return s3.get_file(file.ref.s3object.object, path, p);
                 }});
    }
    return run_tasks(std::move(tasks), "Downloading snapshot " + snap.name);
}

Status ColonyFs::remove_revisions(const std::vector<File>& revisions) {
    for (const auto& f : revisions) {
        if (f.size > 0)
            if (auto s = s3_.remove(f.ref.s3object.object); !s) return s;
        if (auto s = client_.remove_file(opts_.colony, f.fileid, "", "", opts_.prvkey); !s)
            return s;
    }
    return ok_status();
}

Status ColonyFs::remove_label(const std::string& label) {
    auto labels = client_.get_file_labels(opts_.colony, label, false, opts_.prvkey);
    if (!labels) return labels.error();
    std::vector<Task> tasks;
    for (const auto& l : *labels) {
        auto data = client_.get_file_data(opts_.colony, l.name, opts_.prvkey);
        if (!data) return data.error();
        for (const auto& d : *data) {
            tasks.push_back(
                Task{0, [this, label = l.name, name = d.name](client::Client& c, S3Client& s3,
                                                              const Progress&) {
                         auto revs =
                             c.get_file_revisions(opts_.colony, label, name, false, opts_.prvkey);
                         if (!revs) return Status(revs.error());
                         for (const auto& f : *revs)
                             if (f.size > 0)
                                 if (auto s = s3.remove(f.ref.s3object.object); !s) return s;
                         return c.remove_file(opts_.colony, "", label, name, opts_.prvkey);
                     }});
        }
    }
    return run_tasks(std::move(tasks), "Removing " + label);
}

}  // namespace colonies::fs
