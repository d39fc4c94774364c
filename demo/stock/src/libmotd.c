#include <stdio.h>
#include "motd.h"
void motd_format(char *out, size_t len, const char *who, const char *message) {
  snprintf(out, len, "Hello, %s: %s", who, message);
}
