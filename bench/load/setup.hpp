// A bench colony of its own on the server under test: a fresh colony key, users that submit and
// approved executors that assign, all registered through the SDK (the colony is added with the
// server owner key). Registration runs on several threads because W4 needs thousands of
// executors and each one costs two signed round trips.
#pragma once
#include <string>
#include <vector>

#include "client/client.hpp"
#include "options.hpp"

namespace colonies::bench {

struct Member {
    std::string name;
    std::string prvkey;
    std::string id;
};

Member fresh_member(const std::string& name);

struct BenchColony {
    std::string name;
    Member owner;  // the colony key
    std::string executortype;
};

// Client settings for the index-th client (spread over --ports when several are given).
client::Options client_options(const Options& o, size_t index = 0);

// Adds colony "bench-<random>" signed with the server owner key. Throws std::runtime_error.
BenchColony create_colony(const Options& o, const std::string& executortype = "bench");
// Removes it (and everything in it) unless --keep; errors are logged, not thrown.
void remove_colony(const Options& o, const BenchColony& c);

// `n` approved executors of the colony's type named "<prefix>-<i>", registered on `threads`
// threads. Throws std::runtime_error on the first failure.
std::vector<Member> add_executors(const Options& o, const BenchColony& c, const std::string& prefix,
                                  int n, int threads = 8);
// `n` users of the colony (they may submit but are never assigned anything).
std::vector<Member> add_users(const Options& o, const BenchColony& c, const std::string& prefix,
                              int n);

// A spec for the colony's executors with no time limits; args = [submit start ns, last].
// `last` marks the node whose close completes a unit of work (always true outside workflows).
FunctionSpec bench_spec(const BenchColony& c, int64_t submit_start_ns, bool last = true);

// Text of an SDK error for logs.
std::string describe(const Error& e);

}  // namespace colonies::bench
