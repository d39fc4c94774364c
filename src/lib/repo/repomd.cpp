// repomd.xml: the index of a repo's metadata files. A small scanner is enough:
// rpm-md's repomd is flat (<data type=...> with a few child elements), and we
// only need checksum, location, size and timestamp of each record.
#include <cstdlib>
#include <string_view>

#include "yumda/error.hpp"
#include "yumda/repo.hpp"

namespace yumda {
namespace {

// Value of attribute NAME inside the tag text TAG ("<data type=\"primary\">").
std::string attribute(std::string_view tag, std::string_view name) {
  size_t pos = 0;
  while ((pos = tag.find(name, pos)) != std::string_view::npos) {
    bool word_start = pos > 0 && (tag[pos - 1] == ' ' || tag[pos - 1] == '\t' || tag[pos - 1] == '\n');
    size_t eq = pos + name.size();
    while (eq < tag.size() && (tag[eq] == ' ' || tag[eq] == '\t')) ++eq;
    if (word_start && eq < tag.size() && tag[eq] == '=') {
      size_t q = eq + 1;
      while (q < tag.size() && (tag[q] == ' ' || tag[q] == '\t')) ++q;
      if (q < tag.size() && (tag[q] == '"' || tag[q] == '\'')) {
        size_t end = tag.find(tag[q], q + 1);
        if (end != std::string_view::npos) return std::string(tag.substr(q + 1, end - q - 1));
      }
    }
    pos += name.size();
  }
  return "";
}

// The text between <NAME ...> and </NAME> inside BODY, and that start tag.
bool element(std::string_view body, std::string_view name, std::string_view& tag, std::string_view& text) {
  size_t pos = 0;
  for (;;) {
    pos = body.find('<', pos);
    if (pos == std::string_view::npos) return false;
    std::string_view rest = body.substr(pos + 1);
    if (rest.substr(0, name.size()) == name && rest.size() > name.size() &&
        (rest[name.size()] == '>' || rest[name.size()] == ' ' || rest[name.size()] == '/' ||
         rest[name.size()] == '\t' || rest[name.size()] == '\n')) {
      size_t close = body.find('>', pos);
      if (close == std::string_view::npos) return false;
      tag = body.substr(pos, close - pos + 1);
      if (body[close - 1] == '/') {
        text = {};
        return true;
      }
      std::string end_tag = "</" + std::string(name) + ">";
      size_t end = body.find(end_tag, close);
      if (end == std::string_view::npos) return false;
      text = body.substr(close + 1, end - close - 1);
      return true;
    }
    pos += 1;
  }
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

const RepomdRecord* Repomd::find(const std::string& type) const {
  for (const auto& r : records)
    if (r.type == type) return &r;
  return nullptr;
}

Repomd parse_repomd(const std::string& xml, const std::string& source) {
  std::string_view doc(xml);
  std::string_view tag, body;
  if (!element(doc, "repomd", tag, body))
    throw Error(source + " is not rpm-md repomd.xml (no <repomd> element): the repo's metadata is damaged or the "
                "baseurl points at something else");
  Repomd md;
  std::string_view t, text;
  if (element(body, "revision", t, text)) md.revision = trimmed(text);
  size_t pos = 0;
  for (;;) {
    std::string_view rest = body.substr(pos);
    std::string_view data_tag, data;
    if (!element(rest, "data", data_tag, data)) break;
    RepomdRecord rec;
    rec.type = attribute(data_tag, "type");
    if (element(data, "checksum", t, text)) {
      rec.checksum_type = attribute(t, "type");
      rec.checksum = trimmed(text);
    }
    if (element(data, "location", t, text)) rec.location = attribute(t, "href");
    if (element(data, "size", t, text)) rec.size = std::strtoull(trimmed(text).c_str(), nullptr, 10);
    if (element(data, "timestamp", t, text)) rec.timestamp = std::strtoull(trimmed(text).c_str(), nullptr, 10);
    if (rec.type.empty() || rec.location.empty())
      throw Error(source + " has a <data> record without type or location: the repo's metadata is damaged");
    md.records.push_back(std::move(rec));
    pos = static_cast<size_t>(data.data() + data.size() - body.data());
  }
  return md;
}

}  // namespace yumda
