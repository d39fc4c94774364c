// How a warm install places files from the expanded cache (link_mode= in
// [main], --setopt=link_mode=...).
#pragma once

namespace yumda {

enum class LinkMode {
  kCopy,     // new files, written from the cache (the default)
  kReflink,  // clones of the cache's files (FICLONE) where the file system can, else copies
  kHardlink  // the cache's own inodes: editing a layer file edits the cache (docs/design.md)
};

}  // namespace yumda
