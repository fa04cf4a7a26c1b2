// `colonies attribute add|get` (cli.md 3.14). Only the executor a process is assigned to may
// add attributes to it, while it runs.
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

const char* type_text(AttributeType t) {
    switch (t) {
        case AttributeType::In:
            return "In";
        case AttributeType::Out:
            return "Out";
        case AttributeType::Err:
            return "Err";
        case AttributeType::Env:
            return "Env";
    }
    return "Unknown";
}

struct AddFlags {
    std::string key, value, processid;
};

}  // namespace

void add_attribute_commands(CLI::App& app, Ctx ctx) {
    auto* attribute = app.add_subcommand("attribute", "Add and read process attributes");
    attribute->require_subcommand(1);

    auto* add = attribute->add_subcommand("add", "Add an OUT attribute to a running process");
    auto f = std::make_shared<AddFlags>();
    add->add_option("--key", f->key, "attribute key")->required();
    add->add_option("--value", f->value, "attribute value")->required();
    add->add_option("-p,--processid", f->processid, "process id")->required();
    add->callback([ctx, f] {
        auto c = ctx->client();
        const std::string key = ctx->need_prvkey();
        auto p = check(c.get_process(f->processid, key));
        Attribute a;
        a.targetid = p.processid;
        a.targetcolonyname = p.spec.conditions.colonyname;
        a.targetprocessgraphid = p.processgraphid;
        a.attributetype = AttributeType::Out;
        a.key = f->key;
        a.value = f->value;
        auto added = check(c.add_attribute(a, key));
        if (ctx->json) {
            print_json(to_json(added));
            return;
        }
        log_info("Attribute added", {{"AttributeID", added.attributeid}});
    });

    auto* get = attribute->add_subcommand("get", "Show one attribute");
    auto id = std::make_shared<std::string>();
    get->add_option("--attributeid", *id, "attribute id")->required();
    get->callback([ctx, id] {
        auto c = ctx->client();
        auto a = check(c.get_attribute(*id, ctx->need_prvkey()));
        if (ctx->json) {
            print_json(to_json(a));
            return;
        }
        Table t({"AttributeId", "TargetId", "Key", "Value", "Type"});
        t.add_row({a.attributeid, a.targetid, truncate(a.key, 30), truncate(a.value, 30),
                   type_text(a.attributetype)});
        t.print();
    });
}

}  // namespace colonies::cli
