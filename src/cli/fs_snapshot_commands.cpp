// `colonies fs snapshot create|ls|info|download|remove|removeall` (cli.md 3.18).
#include <iostream>
#include <memory>

#include "cli/fs_support.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

struct SnapFlags {
    std::string id, name, label, dir;
};

void add_selectors(CLI::App* cmd, const std::shared_ptr<SnapFlags>& f) {
    cmd->add_option("-i,--snapshotid", f->id, "snapshot id");
    cmd->add_option("-n,--snapshotname", f->name, "snapshot name");
}

Snapshot selected(const Context& ctx, client::Client& c, const SnapFlags& f) {
    if (f.id.empty() && f.name.empty()) throw CliError("Snapshot Id nor name was provided");
    return check(
        c.get_snapshot(ctx.need_colony(), f.id, f.id.empty() ? f.name : "", ctx.need_prvkey()));
}

void print_snapshot(const Context& ctx, client::Client& c, const Snapshot& s) {
    if (ctx.json) return print_json(to_json(s));
    KeyValueTable t;
    t.add("SnapshotId", s.snapshotid);
    t.add("Name", s.name);
    t.add("Label", s.label);
    t.add("Colony", s.colonyname);
    t.add("Added", table_time(s.added));
    t.print();
    if (s.fileids.empty()) return log_warn("No files in snapshot");
    Table files({"Filename", "FileId", "Added"});
    for (const auto& id : s.fileids) {
        auto f = c.get_file(s.colonyname, id, ctx.need_prvkey());
        // A file removed after the snapshot was taken leaves its id dangling (features.md 4.4).
        if (f)
            files.add_row({f->name, id, table_time(f->added)});
        else
            files.add_row({"(removed)", id, ""});
    }
    files.print();
}

}  // namespace

void add_fs_snapshot_commands(CLI::App* fsg, const Ctx& ctx) {
    auto* snap = fsg->add_subcommand("snapshot", "Manage snapshots of labels");
    snap->require_subcommand(1);
    auto f = std::make_shared<SnapFlags>();

    auto* create = snap->add_subcommand("create", "Freeze the latest files under a label");
    create->add_option("-l,--label", f->label, "label")->required();
    create->add_option("-n,--snapshotname", f->name, "snapshot name");
    create->callback([ctx, f] {
        std::string label = f->label;
        if (label.empty() || label.back() != '/') label += "/";
        if (label.front() != '/') label = "/" + label;
        auto c = ctx->client();
        auto s = check(c.create_snapshot(ctx->need_colony(), label, f->name, ctx->need_prvkey()));
        log_info("Snapshot created", {{"Label", label}, {"SnapshotName", f->name}});
        print_snapshot(*ctx, c, s);
    });

    auto* download = snap->add_subcommand("download", "Download a snapshot's files (S3)");
    add_selectors(download, f);
    download->add_option("-d,--dir", f->dir, "download directory");
    download->callback([ctx, f] {
        auto cfs = open_fs(*ctx, false);
        if (f->dir.empty()) throw CliError("Download dir must be specified");
        auto s = selected(*ctx, cfs->client(), *f);
        check(cfs->download_snapshot(s, f->dir));
    });

    auto* ls = snap->add_subcommand("ls", "List snapshots");
    ls->callback([ctx] {
        auto c = ctx->client();
        auto all = check(c.get_snapshots(ctx->need_colony(), ctx->need_prvkey()));
        if (ctx->json) return print_json(to_json(all));
        if (all.empty()) return log_info("No snapshots found");
        Table t({"Name", "SnapshotId", "Label", "Files", "Added"});
        for (const auto& s : all)
            t.add_row({s.name, s.snapshotid, s.label, std::to_string(s.fileids.size()),
                       table_time(s.added)});
        t.print();
    });

    auto* info = snap->add_subcommand("info", "Show a snapshot and its files");
    add_selectors(info, f);
    info->callback([ctx, f] {
        auto c = ctx->client();
        print_snapshot(*ctx, c, selected(*ctx, c, *f));
    });

    auto* remove = snap->add_subcommand("remove", "Remove a snapshot (not its files)");
    add_selectors(remove, f);
    remove->callback([ctx, f] {
        if (f->id.empty() && f->name.empty()) throw CliError("Snapshot Id nor name was provided");
        auto c = ctx->client();
        check(c.remove_snapshot(ctx->need_colony(), f->id, f->id.empty() ? f->name : "",
                                ctx->need_prvkey()));
        if (f->id.empty())
            log_info("Snapshot removed", {{"SnapshotName", f->name}});
        else
            log_info("Snapshot removed", {{"SnapshotId", f->id}});
    });

    auto* removeall = snap->add_subcommand("removeall", "Remove every snapshot of the colony");
    removeall->callback([ctx] {
        const std::string colony = ctx->need_colony();
        if (!confirm("WARNING!!! Are you sure you want to remove all snapshots in colony <" +
                     colony + ">. This operation cannot be undone! (YES,no): "))
            return;
        auto c = ctx->client();
        check(c.remove_all_snapshots(colony, ctx->need_prvkey()));
        log_info("All snapshots removed");
    });
}

}  // namespace colonies::cli
