// What the fetch module's tests share: a served directory and items of
// known content, fast retry options, a reporter that records progress.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "server/http_server.hpp"
#include "test_support.hpp"
#include "yumda/checksum.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"

namespace yumda::fetch_test {

using yumda::testing::Fault;
using yumda::testing::FaultRule;
using yumda::testing::HttpServer;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;
namespace fs = std::filesystem;

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
  return s;
}

// Small timeouts and backoff so fault tests stay fast.
inline FetchOptions fast_options() {
  FetchOptions o;
  o.timeout = 2;
  o.retries = 3;
  o.retry_backoff = 0.01;
  o.retry_backoff_max = 0.05;
  return o;
}

// Deterministic, non-repeating content of SIZE bytes.
inline std::string content(size_t size, unsigned seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

struct Fixture {
  ScratchDir dir;
  std::string served = dir.path + "/srv";
  std::string out = dir.path + "/out";
  Fixture() {
    fs::create_directories(served);
    fs::create_directories(out);
  }
  // Puts NAME (SIZE bytes) into the served directory; returns its content.
  std::string serve(const std::string& name, size_t size, unsigned seed = 1) {
    std::string data = content(size, seed);
    write_text(served + "/" + name, data);
    return data;
  }
  FetchItem item(std::vector<std::string> urls, const std::string& name, const std::string& data,
                 bool checked = true) {
    FetchItem it;
    it.urls = std::move(urls);
    it.dest = out + "/" + name;
    it.label = "pkg-" + name;
    if (checked) {
      it.expected_size = data.size();
      it.checksum_type = "sha256";
      it.checksum = string_digest(data, "sha256");
    }
    return it;
  }
  bool no_part_files() const {
    for (auto& e : fs::recursive_directory_iterator(out))
      if (e.path().extension() == ".part") return false;
    return true;
  }
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline size_t count_requests(const HttpServer& server, const std::string& path) {
  size_t n = 0;
  for (auto& r : server.log()) n += r.path == path;
  return n;
}

struct RecordingReporter : Reporter {
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> progress;
  void download_progress(const std::string& label, uint64_t done, uint64_t total) override {
    progress.emplace_back(label, done, total);
  }
};

}  // namespace yumda::fetch_test
