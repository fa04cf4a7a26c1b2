// YAML blueprint files read as JSON (cli/doc_file.hpp).
#include <gtest/gtest.h>

#include "cli/context.hpp"
#include "cli/doc_file.hpp"

using namespace colonies::cli;
namespace json = boost::json;

TEST(DocFile, YamlScalarsMappingsAndSequences) {
    auto v = yaml_to_json(R"(kind: ExecutorDeployment
metadata:
  name: web
spec:
  replicas: 3
  ratio: 0.5
  debug: true
  nothing: ~
  version: "3"
  tag: v1.2
  ports: [80, 443]
  env:
    - {name: A, value: "1"}
)",
                          "web.yaml");
    EXPECT_EQ(json::serialize(v),
              R"({"kind":"ExecutorDeployment","metadata":{"name":"web"},"spec":{"replicas":3,)"
              R"("ratio":5E-1,"debug":true,"nothing":null,"version":"3","tag":"v1.2",)"
              R"("ports":[80,443],"env":[{"name":"A","value":"1"}]}})");
}

TEST(DocFile, YamlErrorsNameTheFileAndLine) {
    try {
        yaml_to_json("a: [1, 2\nb: 3\n", "bad.yaml");
        FAIL() << "accepted";
    } catch (const CliError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("bad.yaml:", 0), 0u) << e.what();
    }
}
