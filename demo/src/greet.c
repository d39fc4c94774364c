#include <stdio.h>

#include "greet.h"

const char *greet_version(void) { return "libgreet 1.2.0"; }
void greet(const char *who) { printf("Hello, %s, from a Lambda layer!\n", who); }
