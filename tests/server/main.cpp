// yumda-test-server: serves a directory on 127.0.0.1 for integration tests and
// benchmarks, with optional added latency and injected faults. Prints the port
// on stdout (one line), then serves until SIGTERM or SIGINT.
//
//   yumda-test-server --root DIR [--port N] [--latency-ms MS]
//                     [--fault KIND[,prefix=/P][,status=N][,ms=N][,first=N][,nth=N][,every=N][,bytes=N]]...
//   KIND: status, reset, stall, truncate, wrong-length, slow-first-byte, no-range,
//         trickle (BYTES, default 1, every MS: a slow server for progress output)
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "http_server.hpp"

namespace {

using yumda::testing::Fault;
using yumda::testing::FaultRule;

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "yumda-test-server: " << why << "\n"
            << "usage: yumda-test-server --root DIR [--port N] [--latency-ms MS]\n"
               "         [--fault KIND[,prefix=/P][,status=N][,ms=N][,first=N][,nth=N][,every=N][,bytes=N]]...\n"
               "  KIND: status, reset, stall, truncate, wrong-length, slow-first-byte, no-range, trickle\n";
  std::exit(2);
}

int to_int(const std::string& s, const std::string& what) {
  try {
    size_t used = 0;
    int v = std::stoi(s, &used);
    if (used == s.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  usage("bad number for " + what + ": '" + s + "'");
}

FaultRule parse_fault(const std::string& text) {
  std::stringstream in(text);
  std::string kind;
  std::getline(in, kind, ',');
  FaultRule r;
  if (kind == "status") r.fault = Fault::Status;
  else if (kind == "reset") r.fault = Fault::Reset;
  else if (kind == "stall") r.fault = Fault::Stall;
  else if (kind == "truncate") r.fault = Fault::Truncate;
  else if (kind == "wrong-length") r.fault = Fault::WrongLength;
  else if (kind == "slow-first-byte") r.fault = Fault::SlowFirstByte;
  else if (kind == "no-range") r.fault = Fault::NoRange;
  else if (kind == "trickle") r.fault = Fault::Trickle;
  else usage("unknown fault kind '" + kind + "'");
  std::string kv;
  while (std::getline(in, kv, ',')) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) usage("fault option '" + kv + "' is not KEY=VALUE");
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "prefix") r.prefix = v;
    else if (k == "status") r.status = to_int(v, k);
    else if (k == "ms") r.delay_ms = to_int(v, k);
    else if (k == "first") r.first_n = to_int(v, k);
    else if (k == "nth") r.nth = to_int(v, k);
    else if (k == "every") r.every = to_int(v, k);
    else if (k == "bytes") r.chunk = to_int(v, k);
    else usage("unknown fault option '" + k + "'");
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root;
  int port = 0, latency = 0;
  std::vector<FaultRule> faults;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--root") root = value();
    else if (a == "--port") port = to_int(value(), a);
    else if (a == "--latency-ms") latency = to_int(value(), a);
    else if (a == "--fault") faults.push_back(parse_fault(value()));
    else if (a == "-h" || a == "--help") usage("serves a directory over HTTP/1.1 for tests");
    else usage("unknown argument '" + a + "'");
  }
  if (root.empty()) usage("--root is required");

  // Block the stop signals before any thread starts, so they all inherit the
  // mask and only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    yumda::testing::HttpServer server(root, port);
    server.set_latency_ms(latency);
    for (auto& f : faults) server.add_fault(f);
    std::cout << server.port() << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    std::cerr << "yumda-test-server: served " << server.requests() << " requests on " << server.connections()
              << " connections\n";
  } catch (const std::exception& e) {
    std::cerr << "yumda-test-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
