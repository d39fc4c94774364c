// Finding the paths relocation may rewrite, in pieces: extraction feeds each
// file's bytes here as it writes them, so the relocation stage decides on
// what was found and reads back only the files it rewrites.
#include <cstring>

#include "yumda/relocate.hpp"

namespace yumda {

namespace {

bool path_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
         c == '_' || c == '-' || c == '+' || c == '@' || c == '~' || c == '%';
}

}  // namespace

PathScanner::PathScanner(const PathMap& map) : map_(map) {
  // The byte after the leading '/' of every rule, to skip most slashes fast.
  for (const auto& r : map.rules())
    if (r.from.size() > 1) second_[static_cast<unsigned char>(r.from[1])] = true;
}

void PathScanner::feed(std::string_view piece) {
  const char* const b = piece.data();
  const char* const e = b + piece.size();
  for (size_t i = 0; out_.size + i < sizeof magic_ && i < piece.size(); ++i)
    magic_[out_.size + i] = static_cast<unsigned char>(b[i]);
  if (!out_.has_nul && memchr(b, '\0', piece.size())) out_.has_nul = true;
  const char* p = b;
  auto token_end = [e](const char* t) {
    while (t < e && path_char(static_cast<unsigned char>(*t))) ++t;
    return t;
  };
  if (in_token_) {  // the previous piece ended inside a path
    const char* t = token_end(p);
    token_.append(p, t);
    if (t < e) end_token(static_cast<unsigned char>(*t));
    p = t;
  }
  while (!in_token_ && p < e) {
    p = static_cast<const char*>(memchr(p, '/', static_cast<size_t>(e - p)));
    if (!p) break;
    const char* start = p++;
    const int before = start > b ? static_cast<unsigned char>(start[-1]) : prev_;
    if (before >= 0 && path_char(static_cast<unsigned char>(before))) continue;  // inside a longer path
    if (p < e && !second_[static_cast<unsigned char>(*p)]) continue;
    const char* t = token_end(p);
    token_.assign(start, t);
    token_at_ = out_.size + static_cast<uint64_t>(start - b);
    token_after_nul_ = before == 0;
    in_token_ = true;
    if (t < e) end_token(static_cast<unsigned char>(*t));
    p = t;
  }
  if (!piece.empty()) prev_ = static_cast<unsigned char>(e[-1]);
  out_.size += piece.size();
}

void PathScanner::end_token(int next) {
  in_token_ = false;
  if (token_.size() < 2 || !second_[static_cast<unsigned char>(token_[1])]) return;
  while (token_.size() > 1 && token_.back() == '/') token_.pop_back();
  const PathMap::Rule* rule = map_.rule_for(token_);
  if (!rule || rule->from == "/opt") return;  // /opt paths are already right
  out_.candidates.push_back({token_at_, token_, token_after_nul_ && next == 0});
}

ScannedFile PathScanner::finish() {
  if (in_token_) end_token(-1);
  out_.elf = out_.size >= sizeof magic_ && memcmp(magic_, "\177ELF", sizeof magic_) == 0;
  return std::move(out_);
}

}  // namespace yumda
