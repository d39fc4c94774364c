// Descriptions of a repo's packages, which its solv cache leaves out: read on
// demand for the packages a verb shows (descriptions.cpp).
#pragma once
#include <string>
#include <vector>

namespace yumda {

struct RepoMetadata;

struct DescriptionKey {
  std::string nevra;     // Nevra::str()
  std::string checksum;  // the package's checksum in the metadata ("" when not known)
};

// The description of each of WANTED in MD's repo ("" for one it lacks, and
// for all when the repo's primary is sqlite), from DIR/descriptions.solv,
// which the first call after a metadata change writes from primary.xml.
// Throws Error as load_repo does when primary.xml is damaged.
std::vector<std::string> read_descriptions(const RepoMetadata& md, const std::string& arch,
                                           const std::vector<DescriptionKey>& wanted);

}  // namespace yumda
