// A small parser for yum.conf / dnf.conf / *.repo files (INI, as dnf reads it).
#pragma once
#include <string>
#include <vector>

namespace yumda::ini {

struct Entry {
  std::string key;
  std::string value;   // continuation lines joined with '\n'
  std::string origin;  // "FILE:LINE" of the key
};

struct Section {
  std::string name;
  std::string origin;  // "FILE:LINE" of the [header]
  std::vector<Entry> entries;  // in file order
};

// Parses TEXT, naming SOURCE (a path or "<built-in>/...") in messages.
// Understands [section], key=value (spaces around '=' allowed), full-line '#'
// and ';' comments, blank lines, and continuation lines: a line starting with
// whitespace right under a key=value line adds a line to that value (dnf's
// multi-line baseurl/gpgkey). Anything else, a key outside a section, or a
// section given twice throws UsageError "SOURCE:LINE: what (fix)".
std::vector<Section> parse(const std::string& text, const std::string& source);

}  // namespace yumda::ini
