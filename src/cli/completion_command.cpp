// `colonies completion bash|zsh` (issue 19; upstream's Cobra has it, cli.md 1): a completion
// script written from the command tree itself, so it never drifts from the commands. The zsh
// script is the bash one run through zsh's bashcompinit.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/completion.hpp"

namespace colonies::cli {
namespace {

struct Node {
    std::string path;                 // "process pss"; "" for the root
    std::vector<std::string> words;   // subcommands, then options
    std::vector<std::string> valued;  // options that take a value
};

void walk(const CLI::App& app, const std::string& path, std::vector<Node>& out) {
    Node n{path, {}, {}};
    const auto subs = app.get_subcommands([](const CLI::App* a) { return !a->get_name().empty(); });
    for (const CLI::App* sub : subs) n.words.push_back(sub->get_name());
    for (const CLI::Option* o : app.get_options()) {
        std::vector<std::string> names;
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
        for (const auto& s : o->get_snames()) names.push_back("-" + s);
        for (const auto& name : names) {
            n.words.push_back(name);
            if (o->get_type_size() != 0) n.valued.push_back(name);
        }
    }
    out.push_back(n);
    for (const CLI::App* sub : subs)
        walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& w : v) s += (s.empty() ? "" : " ") + w;
    return s;
}

// Global options (of the root) are offered everywhere, as they work in any position.
std::string bash_script(const CLI::App& root) {
    std::vector<Node> nodes;
    walk(root, "", nodes);
    const Node& top = nodes.front();
    std::set<std::string> global_valued(top.valued.begin(), top.valued.end());
    std::string words, paths, valued;
    for (const auto& n : nodes) {
        words += "        \"" + n.path + "\") echo \"" + joined(n.words) + "\" ;;\n";
        if (!n.path.empty()) paths += (paths.empty() ? "" : "|") + ("\"" + n.path + "\"");
        for (const auto& v : n.valued) global_valued.insert(v);
    }
    for (const auto& v : global_valued) valued += (valued.empty() ? "" : "|") + v;
    return "# bash completion for colonies (`colonies completion bash`)\n"
           "_colonies_words() {\n    case \"$1\" in\n" +
           words +
           "    esac\n}\n"
           "_colonies() {\n"
           "    local cur prev path w i\n"
           "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
           "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
           "    case \"$prev\" in\n        " +
           valued +
           ")\n            COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n    esac\n"
           "    path=\"\"\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        w=\"${COMP_WORDS[i]}\"\n"
           "        case \"${path:+$path }$w\" in\n            " +
           paths +
           ") path=\"${path:+$path }$w\" ;;\n        esac\n"
           "    done\n"
           "    local extra=\"\"\n"
           "    [ -n \"$path\" ] && extra=\"$(_colonies_words \"\" | tr ' ' '\\n' | grep '^-')\"\n"
           "    COMPREPLY=($(compgen -W \"$(_colonies_words \"$path\") $extra\" -- \"$cur\"))\n"
           "}\n"
           "complete -o default -F _colonies colonies\n";
}

}  // namespace

void add_completion_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash or zsh)");
    auto shell = std::make_shared<std::string>();
    cmd->add_option("shell", *shell, "bash or zsh")->required();
    cmd->callback([&app, shell] {
        if (*shell == "bash") {
            std::cout << bash_script(app);
        } else if (*shell == "zsh") {
            std::cout << "#compdef colonies\n"
                         "# zsh completion for colonies (`colonies completion zsh`): the bash "
                         "completion through bashcompinit\n"
                         "autoload -U +X bashcompinit && bashcompinit\n"
                      << bash_script(app);
        } else {
            throw CliError("unsupported shell " + *shell + ": use bash or zsh", kExitUsage);
        }
    });
}

}  // namespace colonies::cli
