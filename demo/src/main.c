#include <stdio.h>

#include "greet.h"

int main(int argc, char **argv) {
  greet(argc > 1 ? argv[1] : "world");
  FILE *f = fopen("/opt/share/greet/message.txt", "r");
  char line[256];
  if (f && fgets(line, sizeof line, f)) fputs(line, stdout);
  if (f) fclose(f);
  printf("(%s)\n", greet_version());
  return 0;
}
