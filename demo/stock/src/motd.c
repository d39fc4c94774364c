/* motd, a stock /usr tool: like real ones, it finds its data file, plugin
 * and helper through paths compiled in at build time (here under /usr), so
 * files merely moved to /opt break it; relocated by yumda, it works. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "motd.h"

#define MOTD_DATA "/usr/share/motd/messages.txt"
#define MOTD_PLUGIN "/usr/lib64/motd/plugins/shout.so"
#define MOTD_HELPER "/usr/libexec/motd/motd-frame"

int main(int argc, char **argv) {
  char message[256] = "", line[512];
  FILE *f = fopen(MOTD_DATA, "r");
  if (!f || !fgets(message, sizeof message, f)) {
    fprintf(stderr, "motd: cannot read %s\n", MOTD_DATA);
    return 2;
  }
  fclose(f);
  message[strcspn(message, "\n")] = '\0';
  void *plugin = dlopen(MOTD_PLUGIN, RTLD_NOW);
  void (*transform)(char *) = plugin ? (void (*)(char *))dlsym(plugin, "motd_transform") : NULL;
  if (!transform) {
    fprintf(stderr, "motd: cannot load the plugin %s\n", MOTD_PLUGIN);
    return 3;
  }
  transform(message);
  motd_format(line, sizeof line, argc > 1 ? argv[1] : "world", message);
  fflush(stdout);
  execl(MOTD_HELPER, MOTD_HELPER, line, (char *)NULL);
  fprintf(stderr, "motd: cannot run %s\n", MOTD_HELPER);
  return 4;
}
