// Workflow messages (protocol.md 5.7, 6.9) and graph resolution.
#include <algorithm>
#include <map>
#include <set>

#include "core/json_text.hpp"
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/graphs.hpp"
#include "services/op_util.hpp"
#include "services/transitions.hpp"

namespace colonies::services {
namespace {

constexpr int kMaxGraphCount = 100;

ProcessState graph_state_of(const std::vector<Process>& ps) {
    std::vector<ProcessState> states;
    states.reserve(ps.size());
    for (const auto& p : ps) states.push_back(p.state);
    return graph_state(states);
}

void store_graph_state(OpContext& ctx, ProcessGraph& g, ProcessState s) {
    if (g.state == s) return;
    if (g.state == ProcessState::Waiting && s != ProcessState::Waiting && g.starttime.is_zero())
        g.starttime = ctx.now;
    if (is_final(s)) g.endtime = ctx.now;
    g.state = s;
    ctx.tx.save_graph(g);
}

// Validates a workflow before anything is created: names present and unique, dependencies
// known, no cycle (6.9.1 quirks: upstream stores first and answers 500).
Status validate_workflow(const WorkflowSpec& w) {
    if (w.functionspecs.empty())
        return bad_request("Failed to submit workflow, the workflow has no function specs");
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < w.functionspecs.size(); ++i) {
        const auto& name = w.functionspecs[i].nodename;
        if (name.empty()) return bad_request("Nodename is missing, check function spec for errors");
        if (!index.emplace(name, i).second) return bad_request("Duplicate nodename: " + name);
    }
    for (const auto& f : w.functionspecs)
        for (const auto& d : f.conditions.dependencies)
            if (!index.count(d))
                return bad_request(
                    "Failed to submit workflow, invalid dependencies, are you depending on a "
                    "nodename that does not exits?");
    // Depth-first search for a back edge; 0 new, 1 on the stack, 2 done.
    std::vector<int> mark(w.functionspecs.size(), 0);
    std::vector<std::string> path;
    std::function<bool(size_t)> cyclic = [&](size_t i) {
        mark[i] = 1;
        path.push_back(w.functionspecs[i].nodename);
        for (const auto& d : w.functionspecs[i].conditions.dependencies) {
            size_t j = index[d];
            if (mark[j] == 1) {
                path.push_back(d);
                return true;
            }
            if (mark[j] == 0 && cyclic(j)) return true;
        }
        mark[i] = 2;
        path.pop_back();
        return false;
    };
    for (size_t i = 0; i < w.functionspecs.size(); ++i) {
        if (mark[i] == 0 && cyclic(i)) {
            std::string chain;
            for (const auto& n : path) chain += (chain.empty() ? "" : " <- ") + n;
            return bad_request("Failed to submit workflow, the dependencies form a cycle: " +
                               chain);
        }
    }
    return ok_status();
}

// Depth-first from the roots, children in stored order (4.9 `processids`).
std::vector<std::string> reachable(const ProcessGraph& g,
                                   const std::map<std::string, const Process*>& by_id) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    std::function<void(const std::string&)> visit = [&](const std::string& id) {
        if (!seen.insert(id).second) return;
        out.push_back(id);
        auto it = by_id.find(id);
        if (it == by_id.end()) return;
        for (const auto& c : it->second->children) visit(c);
    };
    for (const auto& r : g.rootprocessids) visit(r);
    return out;
}

const char* node_colour(ProcessState s) {
    switch (s) {
        case ProcessState::Running:
            return "#4689cd";
        case ProcessState::Success:
            return "#92d050";
        case ProcessState::Failed:
            return "#cb4239";
        case ProcessState::Cancelled:
            return "#f5a623";
        default:
            return "#eee8d8";
    }
}

// Dashboard view (4.9): nodes by depth (longest path from a root), each level centred.
void add_visualisation(ProcessGraph& g, const std::vector<Process>& ps) {
    std::map<std::string, const Process*> by_id;
    for (const auto& p : ps) by_id[p.processid] = &p;
    std::map<std::string, int> depth;
    std::function<int(const std::string&)> depth_of = [&](const std::string& id) -> int {
        if (auto it = depth.find(id); it != depth.end()) return it->second;
        depth[id] = 0;  // guards against malformed links
        int d = 0;
        if (auto it = by_id.find(id); it != by_id.end())
            for (const auto& parent : it->second->parents) d = std::max(d, depth_of(parent) + 1);
        return depth[id] = d;
    };
    std::map<int, std::vector<std::string>> levels;
    for (const auto& id : g.processids) levels[depth_of(id)].push_back(id);
    size_t widest = 0;
    for (const auto& [_, ids] : levels) widest = std::max(widest, ids.size());
    constexpr int kBox = 150, kGap = 50;
    g.nodes.clear();
    g.edges.clear();
    for (const auto& [d, ids] : levels) {
        int offset = static_cast<int>((widest - ids.size()) * (kBox + kGap) / 2);
        for (size_t i = 0; i < ids.size(); ++i) {
            const Process* p = by_id.count(ids[i]) ? by_id[ids[i]] : nullptr;
            if (!p) continue;
            std::string type = p->parents.empty() ? "input" : p->children.empty() ? "output" : "";
            g.nodes.push_back(boost::json::object{
                {"id", p->processid},
                {"data", {{"label", p->spec.nodename}}},
                {"position", {{"x", offset + static_cast<int>(i) * (kBox + kGap)}, {"y", 80 * d}}},
                {"type", type},
                {"style", {{"color", ""}, {"background", node_colour(p->state)}}}});
            for (const auto& c : p->children)
                g.edges.push_back(
                    boost::json::object{{"id", p->processid + "-" + c},
                                        {"source", p->processid},
                                        {"target", c},
                                        {"animated", p->state == ProcessState::Running}});
        }
    }
}

Result<ProcessGraph> visible_graph(OpContext& ctx, const std::string& id, Error not_found_error) {
    auto g = ctx.tx.graph(id);
    if (!g) return not_found_error;
    if (auto s = require_member(ctx.tx, g->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    return std::move(*g);
}

Result<std::string> graph_id(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processgraphid");
    if (!f.ok()) return invalid_json(ctx);
    return id;
}

// A new graph process from a normalised spec.
Process new_graph_process(OpContext& ctx, FunctionSpec spec, const std::string& graphid,
                          const GraphOrigin& origin) {
    Process p;
    p.processid = crypto::generate_private_key();
    p.initiatorid = origin.initiatorid;
    p.initiatorname = origin.initiatorname;
    p.submissiontime = ctx.now;
    p.prioritytime = priority_time(ctx.now.ns, spec.priority);
    if (spec.maxwaittime > 0) p.waitdeadline = ctx.now.plus_seconds(spec.maxwaittime);
    p.processgraphid = graphid;
    p.spec = std::move(spec);
    return p;
}

}  // namespace

SpecRequirements requirements_of_spec(const FunctionSpec& spec) {
    SpecRequirements r;
    if (auto c = parse_cpu_millis(spec.conditions.cpu)) r.cpu_millis = *c;
    if (auto m = parse_memory_bytes(spec.conditions.mem)) r.mem_bytes = *m;
    if (auto s = parse_memory_bytes(spec.conditions.storage)) r.storage_bytes = *s;
    return r;
}

void fill_inputs(OpContext& ctx, Process& p) {
    if (p.parents.empty()) return;
    boost::json::array in;
    for (const auto& id : p.parents)
        if (auto parent = ctx.tx.process(id))
            for (const auto& v : parent->out) in.push_back(v);
    p.in = std::move(in);
}

void resolve_graph(OpContext& ctx, const Process& changed) {
    if (changed.processgraphid.empty()) return;
    auto g = ctx.tx.graph(changed.processgraphid);
    if (!g) return;
    auto ps = ctx.tx.processes_of_graph(g->processgraphid);
    std::map<std::string, Process*> by_id;
    for (auto& p : ps) by_id[p.processid] = &p;

    if (changed.state == ProcessState::Failed && !changed.children.empty()) {
        // 6.9.5: the graph cannot complete; nothing of it may run any more. Finished processes
        // refuse the cascade and keep their state. Quirk 6.11: the cascaded get events, upstream's
        // do not.
        for (auto& p : ps) transition(ctx, p, ProcessEvent::Cascade);
    } else if (changed.state == ProcessState::Success) {
        for (const auto& cid : changed.children) {
            auto it = by_id.find(cid);
            if (it == by_id.end()) continue;
            Process& c = *it->second;
            bool ready = std::all_of(c.parents.begin(), c.parents.end(), [&](const auto& pid) {
                auto pit = by_id.find(pid);
                return pit != by_id.end() && pit->second->state == ProcessState::Success;
            });
            // Refused unless the child is WAITING for its parents.
            if (ready) transition(ctx, c, ProcessEvent::ParentsDone);
        }
    }
    store_graph_state(ctx, *g, graph_state_of(ps));
}

Result<WorkflowSpec> parse_stored_workflow(const std::string& text, const std::string& prefix) {
    boost::system::error_code ec;
    auto v = read_json_text(text, ec);
    if (ec) return bad_request(prefix + ": " + ec.message());
    if (!v.is_object()) return bad_request(prefix + ": expected an object");
    auto w = workflow_spec_from_json(v);
    if (!w) return bad_request(prefix + ": " + w.error().message);
    return w;
}

Status check_workflow(WorkflowSpec w) {
    if (auto s = validate_workflow(w); !s) return s;
    for (auto& f : w.functionspecs) {
        f.conditions.colonyname = w.colonyname;
        if (auto r = normalize_function_spec(f); !r) return r.error();
    }
    return ok_status();
}

Result<ProcessGraph> create_graph(OpContext& ctx, WorkflowSpec w, const GraphOrigin& origin) {
    if (auto s = validate_workflow(w); !s) return s.error();
    std::vector<SpecRequirements> reqs;
    for (auto& f : w.functionspecs) {
        f.conditions.colonyname = w.colonyname;
        auto r = normalize_function_spec(f);
        if (!r) return r.error();
        reqs.push_back(*r);
    }

    ProcessGraph g;
    g.processgraphid = crypto::generate_private_key();
    g.initiatorid = origin.initiatorid;
    g.initiatorname = origin.initiatorname;
    g.colonyname = w.colonyname;
    g.submissiontime = ctx.now;

    std::vector<Process> ps;
    std::map<std::string, size_t> by_name;
    for (auto& f : w.functionspecs) {
        by_name[f.nodename] = ps.size();
        ps.push_back(new_graph_process(ctx, f, g.processgraphid, origin));
    }
    for (auto& p : ps) {
        p.waitforparents = !p.spec.conditions.dependencies.empty();
        if (!p.waitforparents) {
            g.rootprocessids.push_back(p.processid);
            if (origin.root_in) p.in = *origin.root_in;
            if (origin.root_args) {
                p.spec.args = *origin.root_args;
                p.spec.kwargs = {};
            }
        }
        for (const auto& d : p.spec.conditions.dependencies) {
            Process& parent = ps[by_name[d]];
            p.parents.push_back(parent.processid);
            parent.children.push_back(p.processid);
        }
        g.processids.push_back(p.processid);
    }
    for (size_t i = 0; i < ps.size(); ++i) {
        ctx.tx.save_process(ps[i], reqs[i]);
        if (ps[i].waitforparents) continue;
        ctx.fx.ready.push_back(ready_of(ps[i], reqs[i]));
        ctx.fx.events.push_back(ps[i]);
    }
    ctx.tx.save_graph(g);
    return g;
}

boost::json::array leaf_outputs(OpContext& ctx, const ProcessGraph& g) {
    auto ps = ctx.tx.processes_of_graph(g.processgraphid);
    std::map<std::string, const Process*> by_id;
    for (const auto& p : ps) by_id[p.processid] = &p;
    boost::json::array out;
    for (const auto& id : reachable(g, by_id)) {
        auto it = by_id.find(id);
        if (it == by_id.end() || !it->second->children.empty()) continue;
        for (const auto& v : it->second->out) out.push_back(v);
    }
    return out;
}

OpResult op_submit_workflow(OpContext& ctx, const boost::json::object& msg) {
    auto w = required_object<WorkflowSpec>(ctx, msg, "spec", workflow_spec_from_json,
                                           "Failed to submit workflow, msg.WorkflowSpec is nil");
    if (!w) return w.error();
    if (auto s = require_member(ctx.tx, w->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    GraphOrigin origin{ctx.caller, initiator_name(ctx.tx, ctx.caller, w->colonyname), {}, {}};
    auto g = create_graph(ctx, std::move(*w), origin);
    if (!g) return g.error();
    // The reply shows the graph as submitted: zero times (4.9).
    ProcessGraph reply = std::move(*g);
    reply.submissiontime = Time::zero();
    return to_json(reply);
}

OpResult op_get_graph(OpContext& ctx, const boost::json::object& msg) {
    auto id = graph_id(ctx, msg);
    if (!id) return id.error();
    auto g = visible_graph(ctx, *id, internal_error("Failed to get processgraph, graph is nil"));
    if (!g) return g.error();
    auto ps = ctx.tx.processes_of_graph(*id);
    std::map<std::string, const Process*> by_id;
    for (const auto& p : ps) by_id[p.processid] = &p;
    g->processids = reachable(*g, by_id);
    add_visualisation(*g, ps);
    return to_json(*g);
}

OpResult op_get_graphs(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto count = f.integer("count");
    auto state = f.integer("state");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    if (count > kMaxGraphCount)
        return bad_request("Count is larger than MaxCount limit <" +
                           std::to_string(kMaxGraphCount) + ">");
    auto wanted = parse_process_state(state);
    if (!wanted) return bad_request("invalid msg.State");
    if (count <= 0) return boost::json::value(boost::json::array{});
    auto gs = ctx.tx.graphs(colony, *wanted, static_cast<int>(count));
    for (auto& g : gs) {
        auto ps = ctx.tx.processes_of_graph(g.processgraphid);
        std::map<std::string, const Process*> by_id;
        for (const auto& p : ps) by_id[p.processid] = &p;
        g.processids = reachable(g, by_id);
    }
    return to_json(gs);
}

OpResult op_remove_graph(OpContext& ctx, const boost::json::object& msg) {
    auto id = graph_id(ctx, msg);
    if (!id) return id.error();
    auto g = visible_graph(ctx, *id, internal_error("Failed to remove processgraph, graph is nil"));
    if (!g) return g.error();
    if (g->state == ProcessState::Running)
        return bad_request("Failed to remove processgraph, cannot remove a running processgraph");
    ctx.tx.remove_graph(*id);
    return empty_reply();
}

OpResult op_remove_all_graphs(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto state = f.integer("state");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_colony_owner(ctx.tx, colony, ctx.caller); !s) return s.error();
    if (state == 1) return bad_request("not possible to remove running processgraphs");
    auto wanted = parse_process_state(state);  // -1: every state
    if (!wanted && state != -1) return bad_request("invalid state when deleting all processgraphs");
    ctx.tx.remove_graphs(colony, wanted);
    return empty_reply();
}

OpResult op_cancel_graph(OpContext& ctx, const boost::json::object& msg) {
    auto id = graph_id(ctx, msg);
    if (!id) return id.error();
    auto g = visible_graph(ctx, *id, internal_error("Failed to cancel processgraph, graph is nil"));
    if (!g) return g.error();
    if (is_final(g->state))
        return bad_request("Failed to cancel processgraph, the processgraph has already finished");
    // Finished processes refuse the cancel and keep their state. Quirk 6.11: the cancelled get
    // events, upstream's do not.
    for (auto& p : ctx.tx.processes_of_graph(*id)) transition(ctx, p, ProcessEvent::Cancel);
    store_graph_state(ctx, *g, ProcessState::Cancelled);
    return empty_reply();
}

OpResult op_add_child(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto graphid = f.str("processgraphid");
    auto parentid = f.str("parentprocessid");
    auto childid = f.str("childprocessid");
    auto insert = f.boolean("insert");
    if (!f.ok()) return invalid_json(ctx);
    auto spec = required_object<FunctionSpec>(
        ctx, msg, "spec", function_spec_from_json,
        "Failed to add child to processgraph, msg.FunctionSpec is nil");
    if (!spec) return spec.error();
    auto parent = ctx.tx.process(parentid);
    if (!parent) return not_found("Failed to add child, parent process " + parentid + " not found");
    const std::string colony = parent->spec.conditions.colonyname;
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    if (parent->state != ProcessState::Running)
        return bad_request("Process with Id " + parentid + " is not running");
    if (parent->assignedexecutorid != ctx.caller)
        return bad_request("Process with Id " + parentid + " is not assigned to executor with Id " +
                           ctx.caller);
    if (parent->processgraphid.empty() || parent->processgraphid != graphid)
        return bad_request("Process with Id " + parentid + " does not belong to a processgraph");
    spec->conditions.colonyname = colony;
    auto req = normalize_function_spec(*spec);
    if (!req) return req.error();

    GraphOrigin origin{ctx.caller, initiator_name(ctx.tx, ctx.caller, colony), {}, {}};
    Process child = new_graph_process(ctx, std::move(*spec), graphid, origin);
    child.waitforparents = true;
    child.parents = {parentid};
    if (insert) {
        // The child runs between the parent and the parent's old children.
        child.children = parent->children;
        for (const auto& cid : parent->children) {
            auto c = ctx.tx.process(cid);
            if (!c) continue;
            std::replace(c->parents.begin(), c->parents.end(), parentid, child.processid);
            ctx.tx.save_process(*c, requirements_of_spec(c->spec));
        }
        parent->children = {child.processid};
    } else {
        parent->children.push_back(child.processid);
        if (!childid.empty()) {
            auto c = ctx.tx.process(childid);
            if (!c || c->processgraphid != graphid)
                return not_found("Failed to add child, process " + childid +
                                 " not found in the graph");
            child.children = {childid};
            c->parents.push_back(child.processid);
            ctx.tx.save_process(*c, requirements_of_spec(c->spec));
        }
    }
    ctx.tx.save_process(*parent, requirements_of_spec(parent->spec));
    ctx.tx.save_process(child, *req);
    return to_json(child);
}

}  // namespace colonies::services
