// Shared inputs of the micro benchmarks: a realistic submitted Process (as a W2 submit makes)
// and a temporary SQLite store that removes its directory when done.
#pragma once
#include <memory>
#include <string>

#include "core/types.hpp"
#include "store/store.hpp"

namespace colonies::bench {

// A WAITING process of `colony`/`type` with a fresh id and a spec like the load generator's.
Process sample_process(const std::string& colony = "bench", const std::string& type = "bench");

class TempStore {
  public:
    TempStore();  // a fresh durable store (WAL, synchronous=FULL) in a new /var/tmp directory
    ~TempStore();
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }

  private:
    std::string dir_;
    std::unique_ptr<store::Store> store_;
};

}  // namespace colonies::bench
