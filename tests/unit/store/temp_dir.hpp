// A fresh directory under /tmp for one test, removed with everything in it afterwards.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <string>

namespace colonies::store {

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/colonies-store-XXXXXX";
        path_ = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

}  // namespace colonies::store
