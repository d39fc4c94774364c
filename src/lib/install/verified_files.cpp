#include "install/verified_files.hpp"

#include <sstream>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

constexpr uint64_t kMaxList = 64 << 20;  // a list past this is dropped: it only costs checking again

// Identity without its last field, the ctime.
std::string_view without_ctime(std::string_view id) { return id.substr(0, id.rfind(' ')); }

}  // namespace

// A line of the list: "identity<TAB>what<TAB>file" (the file last: it may
// hold tabs). A list that cannot be read (too big, not a regular file) is
// an empty one.
VerifiedFiles::VerifiedFiles(std::string path) : path_(std::move(path)) {
  std::string text;
  try {
    text = read_cache_file_capped(path_, kMaxList, "the list of verified files");
  } catch (const Error&) {
    return;
  }
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t what = line.find('\t'), file = what == std::string::npos ? what : line.find('\t', what + 1);
    if (file == std::string::npos) continue;
    entries_[{line.substr(file + 1), line.substr(what + 1, file - what - 1)}] = line.substr(0, what);
  }
}

std::string VerifiedFiles::identity(const std::string& file) {
  struct stat st;
  return stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? file_identity(st) : "";
}

bool VerifiedFiles::has(const std::string& file, const std::string& what) const {
  struct stat st;
  return stat(file.c_str(), &st) == 0 && has(file, what, st);
}

bool VerifiedFiles::has(const std::string& file, const std::string& what, const struct stat& st) const {
  if (!S_ISREG(st.st_mode)) return false;
  std::string id = file_identity(st);
  std::lock_guard l(mu_);
  auto it = entries_.find({file, what});
  return it != entries_.end() && it->second == id;
}

void VerifiedFiles::add(const std::string& file, const std::string& what) {
  struct stat st;
  if (stat(file.c_str(), &st) == 0) add(file, what, st);
}

void VerifiedFiles::add(const std::string& file, const std::string& what, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return;
  std::string id = file_identity(st);
  std::lock_guard l(mu_);
  std::string& recorded = entries_[{file, what}];
  changed_ = changed_ || recorded != id;
  recorded = std::move(id);
}

void VerifiedFiles::renew(const std::string& file, const std::string& what) {
  std::string id = identity(file);
  std::lock_guard l(mu_);
  auto it = entries_.find({file, what});
  if (it == entries_.end() || it->second == id) return;
  if (!id.empty() && without_ctime(id) == without_ctime(it->second))
    it->second = std::move(id);
  else
    entries_.erase(it);  // changed by someone else: checked again next time
  changed_ = true;
}

void VerifiedFiles::save() const {
  std::lock_guard l(mu_);
  if (!changed_) return;
  std::string text;
  for (const auto& [key, id] : entries_)
    if (identity(key.first) == id) text += id + "\t" + key.second + "\t" + key.first + "\n";  // still unchanged
  try {
    write_file_atomic(path_, text);
  } catch (const Error&) {
    // A lost list only costs checking again.
  }
}

}  // namespace yumda
