// `colonies fs ...` (cli.md 3.18): ColonyFS sync, clean, files and labels; snapshots are in
// fs_snapshot_commands.cpp. Bytes go through fs/colonyfs.hpp; commands marked S3 in cli.md need
// the AWS_S3_* variables and fail before anything else without them (features.md 4.7).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/fs_support.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"

namespace colonies::cli {

std::unique_ptr<fs::ColonyFs> open_fs(const Context& ctx, bool quiet) {
    fs::FsOptions o;
    o.server = ctx.client_options();
    o.colony = ctx.need_colony();
    o.prvkey = ctx.need_prvkey();
    o.s3 = check(fs::s3_config_from_env());
    o.quiet = quiet;
    return check(fs::ColonyFs::open(std::move(o)));
}

std::string kib(int64_t bytes) {
    return std::to_string(bytes / 1024) + " KiB";
}

namespace {

// The label in `<dir>/.cfs`, "" when there is none.
std::string cfs_label(const std::string& dir) {
    std::ifstream in(dir + "/.cfs");
    if (!in) return "";
    std::string text((std::istreambuf_iterator<char>(in)), {});
    boost::system::error_code ec;
    auto v = read_json_text(text, ec);
    if (ec || !v.is_object()) throw CliError("cannot parse " + dir + "/.cfs");
    const auto* l = v.as_object().if_contains("label");
    return l && l->is_string() ? std::string(l->get_string()) : "";
}

bool yes_or_y(const std::string& prompt) {
    std::cout << prompt << std::flush;
    std::string line;
    std::getline(std::cin, line);
    return line == "yes" || line == "y";
}

struct SyncFlags {
    std::string dir, label, driver = "s3";
    bool dry = false, yes = false, keeplocal = true, details = false, quiet = false;
};

// The directory (cwd when not given) and the label (from its .cfs when not given), normalised.
void resolve_dir_and_label(SyncFlags& f) {
    if (f.quiet && !f.yes)
        throw CliError("--quite and --yes flags must be used together, please add --yes");
    std::error_code ec;
    if (std::filesystem::exists(f.dir, ec) && !std::filesystem::is_directory(f.dir, ec))
        throw CliError(f.dir + " is not a directory");
    if (f.dir.empty()) {
        f.dir = std::filesystem::current_path().string();
        if (!f.quiet)
            log_info("No directory specified, using current directory " + f.dir +
                     " as sync directory");
    }
    if (f.label.empty()) f.label = cfs_label(f.dir);
    if (f.label.empty()) throw CliError("No label found in .cfs file, use --label flag");
    f.label = fs::normalise_label(f.label);
    std::filesystem::create_directories(f.dir, ec);
}

void print_sync_details(const std::vector<fs::SyncPlan>& plans, const SyncFlags& f) {
    Table up({"File", "Size", "Label"}, "These files will be uploaded");
    Table down({"File", "Size", "Label"}, "These files will be downloaded to " + f.dir);
    Table conflicts({"File", "Size", "Label"}, f.keeplocal
                                                   ? "These files will be replaced at the server"
                                                   : "These files will be replaced locally");
    for (const auto& p : plans) {
        for (const auto& x : p.upload) up.add_row({x.name, kib(x.size), p.label});
        for (const auto& x : p.download) down.add_row({x.name, kib(x.size), p.label});
        for (const auto& x : p.conflicts) conflicts.add_row({x.name, kib(x.size), p.label});
    }
    for (const Table* t : {&up, &down, &conflicts})
        if (!t->empty()) t->print();
}

void print_sync_summary(const std::vector<fs::SyncPlan>& plans, const SyncFlags& f) {
    size_t up = 0, down = 0, conflicts = 0;
    for (const auto& p : plans) {
        up += p.upload.size();
        down += p.download.size();
        conflicts += p.conflicts.size();
    }
    log_info("Sync plans completed",
             {{"Conflict resolution", f.keeplocal ? "replace-remote" : "replace-local"},
              {"Conflicts", std::to_string(conflicts)},
              {"Download", std::to_string(down)},
              {"Upload", std::to_string(up)}});
    if (f.details)
        print_sync_details(plans, f);
    else
        log_info("Add --syncplans flag to view the sync plan in more detail");
}

void sync(const Context& ctx, SyncFlags f) {
    resolve_dir_and_label(f);
    auto cfs = open_fs(ctx, f.quiet);
    if (!f.quiet) log_info("Calculating sync plans");
    auto plans = check(cfs->plan_sync(f.dir, f.label, f.keeplocal));
    bool nothing = true;
    for (const auto& p : plans) nothing = nothing && p.empty();
    if (nothing) {
        if (!f.quiet)
            log_info("Synchronizing, nothing to do, already synchronized",
                     {{"Label", f.label}, {"SyncDir", f.dir}});
        return;
    }
    if (f.dry) {
        print_sync_summary(plans, f);
        return;
    }
    if (!f.yes) {
        print_sync_summary(plans, f);
        if (!yes_or_y("\nAre you sure you want to continue? (yes,no): ")) return;
    }
    for (const auto& p : plans) check(cfs->apply(p));
}

void clean(const Context& ctx, SyncFlags f) {
    resolve_dir_and_label(f);
    auto cfs = open_fs(ctx, f.quiet);
    if (!f.quiet) log_info("Calculating clean plans");
    auto plans = check(cfs->plan_clean(f.dir, f.label));
    size_t n = 0;
    for (const auto& p : plans) n += p.files.size() + p.dirs.size();
    if (n == 0) {
        if (!f.quiet)
            log_info("Clean, nothing to do, no files to remove ",
                     {{"Label", f.label}, {"SyncDir", f.dir}});
        return;
    }
    auto summary = [&] {
        log_info("Clean plans completed", {{"FilesToRemove", std::to_string(n)}});
        if (!f.details) {
            log_info("Add --cleanplans flag to view the clean plan in more detail");
            return;
        }
        Table t({"File"}, "These files will be removed from local filesystem");
        for (const auto& p : plans) {
            for (const auto& x : p.files) t.add_row({x});
            for (const auto& x : p.dirs) t.add_row({x});
        }
        t.print();
    };
    if (f.dry) return summary();
    if (!f.yes) {
        summary();
        if (!yes_or_y("\nAre you sure you want to continue? (yes,no): ")) return;
    }
    for (const auto& p : plans) check(cfs->apply(p));
}

void add_sync_flags(CLI::App* cmd, const std::shared_ptr<SyncFlags>& f, bool is_sync) {
    cmd->add_option("-d,--dir", f->dir, "local directory (default: the current one)");
    cmd->add_option("-l,--label", f->label, "label (default: from <dir>/.cfs)");
    cmd->add_flag("--dry", f->dry, "only show the plan");
    cmd->add_flag("--yes", f->yes, "do not ask");
    cmd->add_flag("--quite", f->quiet, "no output (needs --yes)");
    if (is_sync) {
        cmd->add_option("--driver", f->driver, "storage driver (s3)");
        cmd->add_flag("--keeplocal", f->keeplocal,
                      "on conflicts keep the local file (default true; --keeplocal=false keeps "
                      "the remote one)");
        cmd->add_flag("--syncplans", f->details, "print the plans in detail");
    } else {
        cmd->add_flag("--cleanplans", f->details, "print the plan in detail");
    }
}

struct FileFlags {
    std::string fileid, label, name, dir;
    bool yes = false;
};

std::vector<File> selected_files(const Context& ctx, client::Client& c, const FileFlags& f,
                                 bool latest) {
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    if (!f.fileid.empty()) return {check(c.get_file(colony, f.fileid, key))};
    if (!f.label.empty() && !f.name.empty())
        return check(c.get_file_revisions(colony, f.label, f.name, latest, key));
    throw CliError("FileId nor filename + label were specified");
}

void print_file_info(const File& f) {
    const std::string stars(30, '*');
    KeyValueTable t;
    t.add("Filename", f.name);
    t.add("FileId", f.fileid);
    t.add("Added", table_time(f.added));
    t.add("Sequence Number", std::to_string(f.sequencenr));
    t.add("Label", f.label);
    t.add("Colony", f.colonyname);
    t.add("Size", kib(f.size));
    t.add("Checksum", f.checksum);
    t.add("Checksum Alg", f.checksumalg);
    t.add("Protocol", f.ref.protocol);
    t.add("S3 Endpoint", f.ref.s3object.server);
    t.add("S3 TLS", f.ref.s3object.tls ? "true" : "false");
    t.add("S3 Region", f.ref.s3object.region);
    t.add("S3 Bucket", f.ref.s3object.bucket);
    t.add("S3 Object", f.ref.s3object.object);
    t.add("S3 Accesskey", stars);
    t.add("S3 Secretkey", stars);
    t.add("Encryption Key", stars);
    t.add("Encryption Alg", "");
    t.print();
}

void list_files(const Context& ctx, std::string label) {
    if (label.empty()) label = cfs_label(std::filesystem::current_path().string());
    if (label.empty()) throw CliError("No label found in .cfs file, use --label flag");
    auto c = ctx.client();
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto data = check(c.get_file_data(colony, label, key));
    if (ctx.json) return print_json(to_json(data));
    if (data.empty()) return log_info("No files found");
    std::sort(data.begin(), data.end(), [](auto& a, auto& b) { return a.name > b.name; });
    Table t({"Filename", "Size", "Latest Id", "Added", "Revisions"});
    for (const auto& d : data) {
        auto revs = check(c.get_file_revisions(colony, label, d.name, false, key));
        if (revs.empty()) throw CliError("Failed to get file info from Colonies server");
        t.add_row({d.name, kib(revs[0].size), revs[0].fileid, table_time(revs[0].added),
                   std::to_string(revs.size())});
    }
    t.print();
}

void add_file_commands(CLI::App* fsg, const Ctx& ctx) {
    auto* ls = fsg->add_subcommand("ls", "List the files of a label");
    auto label = std::make_shared<std::string>();
    ls->add_option("-l,--label", *label, "label (default: from ./.cfs)");
    ls->callback([ctx, label] { list_files(*ctx, *label); });

    auto f = std::make_shared<FileFlags>();
    auto add_selectors = [f](CLI::App* cmd) {
        cmd->add_option("-i,--fileid", f->fileid, "file id (one revision)");
        cmd->add_option("-l,--label", f->label, "label");
        cmd->add_option("-n,--name", f->name, "file name");
    };
    auto* info = fsg->add_subcommand("info", "Show a file's revisions");
    add_selectors(info);
    info->callback([ctx, f] {
        auto c = ctx->client();
        auto files = selected_files(*ctx, c, *f, false);
        if (ctx->json) return print_json(to_json(files));
        for (size_t i = 0; i < files.size(); ++i) {
            if (i) std::cout << "\n";
            print_file_info(files[i]);
        }
    });

    auto* get = fsg->add_subcommand("get", "Download a file (S3)");
    add_selectors(get);
    get->add_option("-d,--dir", f->dir, "download directory");
    get->callback([ctx, f] {
        if (f->dir.empty()) throw CliError("Download directory must be specified");
        auto c = ctx->client();
        auto files = selected_files(*ctx, c, *f, true);
        if (files.size() != 1) throw CliError("Failed to get file info");
        auto cfs = open_fs(*ctx, false);
        check(cfs->download(files[0], f->dir));
    });

    auto* remove = fsg->add_subcommand("remove", "Remove a file: one revision or all (S3)");
    add_selectors(remove);
    remove->add_option("-d,--dir", f->dir, "unused (upstream accepts it)");
    remove->callback([ctx, f] {
        auto cfs = open_fs(*ctx, false);
        auto files = selected_files(*ctx, cfs->client(), *f, false);
        check(cfs->remove_revisions(files));
        log_info("Removed file (local file is not removed)",
                 {{"FileID", f->fileid}, {"Label", f->label}, {"Name", f->name}});
    });
}

void add_label_commands(CLI::App* fsg, const Ctx& ctx) {
    auto* label = fsg->add_subcommand("label", "Manage file labels");
    label->require_subcommand(1);
    auto* ls = label->add_subcommand("ls", "List labels");
    ls->callback([ctx] {
        auto c = ctx->client();
        auto labels = check(c.get_file_labels(ctx->need_colony(), "", false, ctx->need_prvkey()));
        if (ctx->json) return print_json(to_json(labels));
        if (labels.empty()) return log_info("No labels found");
        std::sort(labels.begin(), labels.end(), [](auto& a, auto& b) { return a.name > b.name; });
        Table t({"Label", "Files"});
        for (const auto& l : labels) t.add_row({l.name, std::to_string(l.files)});
        t.print();
    });
    auto* remove = label->add_subcommand("remove", "Remove every file of a label and below (S3)");
    auto f = std::make_shared<FileFlags>();
    remove->add_option("-l,--label", f->label, "label")->required();
    remove->add_flag("--yes", f->yes, "do not ask");
    remove->callback([ctx, f] {
        auto cfs = open_fs(*ctx, false);
        if (!f->yes && !yes_or_y("All files with label <" + f->label +
                                 "*> will be removed. Local files are not removed.\n\nAre you "
                                 "sure you want to continue?  (yes,no): "))
            return;
        check(cfs->remove_label(f->label));
        log_info("Label removed", {{"Label", f->label}});
    });
}

}  // namespace

void add_fs_commands(CLI::App& app, Ctx ctx) {
    auto* fsg = app.add_subcommand("fs", "ColonyFS: files, labels and snapshots in S3");
    fsg->require_subcommand(1);
    auto sf = std::make_shared<SyncFlags>();
    auto* s = fsg->add_subcommand("sync", "Synchronize a directory with a label (S3)");
    add_sync_flags(s, sf, true);
    s->callback([ctx, sf] { sync(*ctx, *sf); });
    auto cf = std::make_shared<SyncFlags>();
    auto* c = fsg->add_subcommand("clean", "Remove local files that are not in ColonyFS (S3)");
    add_sync_flags(c, cf, false);
    c->callback([ctx, cf] { clean(*ctx, *cf); });
    add_file_commands(fsg, ctx);
    add_label_commands(fsg, ctx);
    add_fs_snapshot_commands(fsg, ctx);
}

}  // namespace colonies::cli
