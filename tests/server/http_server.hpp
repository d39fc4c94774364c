// A small HTTP/1.1 file server for tests and benchmarks: serves a directory on
// 127.0.0.1 (port 0 = ephemeral), with Range, keep-alive, per-request latency
// and fault injection (error statuses, resets, stalls, truncated bodies, lying
// Content-Length, slow first byte) chosen by path prefix and request count.
// Header-only, one thread per connection; it stops when the owner is destroyed.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace yumda::testing {

enum class Fault {
  Status,         // answer STATUS (500, 404, 403, 429, ...) with a short body
  Reset,          // send half the body, then reset the connection (RST)
  Stall,          // send half the body, then go silent for DELAY_MS (0 = until stopped)
  Truncate,       // send half the body with the full Content-Length, then close
  WrongLength,    // declare (and send) only 3/4 of the file as Content-Length, keep-alive
  SlowFirstByte,  // wait DELAY_MS before the response headers
  NoRange,        // ignore Range: answer 200 with the whole file
  Trickle,        // send the body CHUNK bytes every DELAY_MS, never quite silent
};

struct FaultRule {
  std::string prefix;  // request paths starting with this ("" = every path)
  Fault fault = Fault::Status;
  int status = 500;    // for Fault::Status
  int delay_ms = 0;    // for Stall, SlowFirstByte and Trickle
  int first_n = 0;     // only the first N matching requests (0 = no limit)
  int nth = 0;         // only the N-th matching request, 1-based (0 = any)
  int every = 0;       // only every N-th matching request (0 = any)
  std::string headers = "";  // for Fault::Status: extra header lines, each ending in "\r\n"
  int chunk = 1;             // for Fault::Trickle: bytes sent at a time
};

struct RequestRecord {
  std::string method;
  std::string path;  // decoded, without the query
  std::string target;  // as sent, query included
  std::string range;   // Range header, "" when none
  std::map<std::string, std::string> headers;  // names lower-cased
  int status = 0;
  size_t connection = 0;  // which connection (1-based, in accept order)
};

class HttpServer {
 public:
  explicit HttpServer(std::string root, int port = 0) : root_(std::move(root)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("test server: socket failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0) {
      ::close(listen_fd_);
      throw std::runtime_error("test server: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " +
                               std::strerror(errno));
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~HttpServer() { stop(); }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + (path.empty() || path[0] == '/' ? "" : "/") + path;
  }

  void add_fault(const FaultRule& rule) {
    std::lock_guard lock(mu_);
    rules_.push_back({rule, 0});
  }
  void clear_faults() {
    std::lock_guard lock(mu_);
    rules_.clear();
  }
  void set_latency_ms(int ms) { latency_ms_ = ms; }

  size_t connections() const { return connections_.load(); }
  size_t requests() const {
    std::lock_guard lock(mu_);
    return log_.size();
  }
  std::vector<RequestRecord> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

  void stop() {
    if (stopping_.exchange(true)) return;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<Worker> workers;
    {
      std::lock_guard lock(mu_);
      workers.swap(workers_);
    }
    for (auto& w : workers)
      if (w.thread.joinable()) w.thread.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
  }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  struct Rule {
    FaultRule rule;
    int hits;  // matching requests seen so far
  };
  // Closes the socket at scope exit (with RST when asked).
  struct Conn {
    int fd;
    bool reset = false;
    ~Conn() {
      if (reset) {
        linger lg{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      }
      ::close(fd);
    }
  };

  void accept_loop() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      size_t id = ++connections_;
      auto done = std::make_shared<std::atomic<bool>>(false);
      std::lock_guard lock(mu_);
      reap_locked();
      workers_.push_back({std::thread([this, fd, id, done] {
                            try {
                              serve_connection(fd, id);
                            } catch (const std::exception&) {
                              // a malformed request (bad number in a header): drop the connection
                            }
                            *done = true;
                          }),
                          done});
    }
  }

  void reap_locked() {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (*it->done) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Sleeps up to MS (0 = until stopped), waking early when the server stops.
  void nap(int ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stopping_ && (ms == 0 || std::chrono::steady_clock::now() < end))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  bool send_all(int fd, const char* p, size_t n) {
    while (n > 0) {
      pollfd pf{fd, POLLOUT, 0};
      if (stopping_) return false;
      if (::poll(&pf, 1, 50) <= 0) continue;
      ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return false;
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  // Reads one request head into HEAD (leftover bytes stay in BUF). False on
  // close, stop, a 10 s idle keep-alive or a head over 64 KiB.
  bool read_head(int fd, std::string& buf, std::string& head) {
    auto idle_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      if (auto pos = buf.find("\r\n\r\n"); pos != std::string::npos) {
        head = buf.substr(0, pos);
        buf.erase(0, pos + 4);
        return true;
      }
      if (buf.size() > 65536 || stopping_ || std::chrono::steady_clock::now() > idle_until) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char tmp[8192];
      ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
  }

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  static std::string percent_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  // The first rule that matches PATH and whose count says "this one".
  bool pick_fault(const std::string& path, FaultRule& out) {
    std::lock_guard lock(mu_);
    for (auto& r : rules_) {
      if (path.compare(0, r.rule.prefix.size(), r.rule.prefix) != 0) continue;
      int n = ++r.hits;
      if (r.rule.first_n > 0 && n > r.rule.first_n) continue;
      if (r.rule.nth > 0 && n != r.rule.nth) continue;
      if (r.rule.every > 0 && n % r.rule.every != 0) continue;
      out = r.rule;
      return true;
    }
    return false;
  }

  static const char* reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 206: return "Partial Content";
      case 301: return "Moved Permanently";
      case 400: return "Bad Request";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 408: return "Request Timeout";
      case 416: return "Range Not Satisfiable";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  void serve_connection(int fd, size_t conn_id) {
    Conn conn{fd};
    std::string buf;
    for (int served = 0; served < 100000 && !stopping_; ++served) {
      std::string head;
      if (!read_head(fd, buf, head)) return;
      RequestRecord rec;
      rec.connection = conn_id;
      std::istringstream in(head);
      std::string line, version;
      std::getline(in, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::istringstream rl(line);
      rl >> rec.method >> rec.target >> version;
      while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        rec.headers[lower(line.substr(0, colon))] = value;
      }
      if (auto it = rec.headers.find("range"); it != rec.headers.end()) rec.range = it->second;
      // Bodies are not expected (GET/HEAD), but skip one if sent.
      if (auto it = rec.headers.find("content-length"); it != rec.headers.end()) {
        size_t want = std::stoul(it->second);
        if (buf.size() >= want) buf.erase(0, want);
        else return;
      }
      std::string target = rec.target;
      if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
      rec.path = percent_decode(target);
      bool keep_alive = version == "HTTP/1.1" && lower(rec.headers["connection"]) != "close";
      rec.headers.erase("connection");

      if (int ms = latency_ms_.load(); ms > 0) nap(ms);
      FaultRule fault;
      bool faulty = pick_fault(rec.path, fault);
      if (faulty && fault.fault == Fault::SlowFirstByte) nap(fault.delay_ms);
      if (stopping_) return;

      int status = 200;
      std::string body;
      std::string extra;
      if (faulty && fault.fault == Fault::Status) {
        status = fault.status;
        body = std::string(reason(status)) + "\n";
        extra = fault.headers;
      } else if (rec.method != "GET" && rec.method != "HEAD") {
        status = 400;
        body = "bad method\n";
      } else if (rec.path.empty() || rec.path[0] != '/' || rec.path.find("/../") != std::string::npos ||
                 (rec.path.size() >= 3 && rec.path.compare(rec.path.size() - 3, 3, "/..") == 0)) {
        status = 403;
        body = "forbidden\n";
      } else {
        std::string file = root_ + rec.path;
        struct stat st;
        if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
          status = 404;
          body = "not found\n";
        } else {
          std::ifstream f(file, std::ios::binary);
          body.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
          bool ignore_range = faulty && fault.fault == Fault::NoRange;
          size_t start = 0;
          if (!rec.range.empty() && !ignore_range && rec.range.rfind("bytes=", 0) == 0) {
            std::string spec = rec.range.substr(6);
            auto dash = spec.find('-');
            if (dash != std::string::npos && dash > 0) {
              start = std::stoul(spec.substr(0, dash));
              size_t end = body.empty() ? 0 : body.size() - 1;
              if (dash + 1 < spec.size()) end = std::min(end, static_cast<size_t>(std::stoul(spec.substr(dash + 1))));
              if (start >= body.size() || start > end) {
                status = 416;
                extra = "Content-Range: bytes */" + std::to_string(body.size()) + "\r\n";
                body = "";
              } else {
                status = 206;
                extra = "Content-Range: bytes " + std::to_string(start) + "-" + std::to_string(end) + "/" +
                        std::to_string(body.size()) + "\r\n";
                body = body.substr(start, end - start + 1);
              }
            }
          }
          extra += "Accept-Ranges: bytes\r\n";
        }
      }
      rec.status = status;
      {
        std::lock_guard lock(mu_);
        log_.push_back(rec);
      }

      size_t declared = body.size();
      size_t send_n = body.size();
      bool file_fault = faulty && (status == 200 || status == 206);
      if (file_fault && fault.fault == Fault::WrongLength) declared = send_n = body.size() * 3 / 4;
      if (file_fault && (fault.fault == Fault::Reset || fault.fault == Fault::Stall || fault.fault == Fault::Truncate))
        send_n = body.size() / 2;

      std::string resp = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n" +
                         "Content-Length: " + std::to_string(declared) + "\r\n" + extra +
                         (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
      if (!send_all(fd, resp.data(), resp.size())) return;
      if (rec.method == "HEAD") continue;
      if (file_fault && fault.fault == Fault::Trickle) {
        const size_t chunk = static_cast<size_t>(std::max(fault.chunk, 1));
        for (size_t i = 0; i < send_n && !stopping_; i += chunk) {
          if (!send_all(fd, body.data() + i, std::min(chunk, send_n - i))) return;
          nap(fault.delay_ms);
        }
        if (stopping_) return;
        continue;
      }
      if (!send_all(fd, body.data(), send_n)) return;
      if (file_fault) {
        switch (fault.fault) {
          case Fault::Reset:
            conn.reset = true;
            return;
          case Fault::Stall:
            nap(fault.delay_ms);
            return;
          case Fault::Truncate:
            ::shutdown(fd, SHUT_WR);
            return;
          default:
            break;
        }
      }
      if (!keep_alive) return;
    }
  }

  std::string root_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> latency_ms_{0};
  std::atomic<size_t> connections_{0};
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::vector<RequestRecord> log_;
  std::vector<Worker> workers_;
  std::thread acceptor_;
};

}  // namespace yumda::testing
