/* Links the installed runtime the way a deployed model does. */
#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <stdio.h>

int main(void) {
  printf("runtime policy rejected: %s\n",
         mkrtSetPolicy("no-such-policy") == MKRT_ERROR_INVALID_ARGUMENT ? "yes"
                                                                        : "no");
  printf("sites: %lld\n", (long long)mkrtGetNumSites());
  return 0;
}
