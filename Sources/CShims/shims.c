#include "cshims.h"
#include <sys/ioctl.h>
#include <sys/prctl.h>

int cshims_ioctl_ptr(int fd, unsigned long request, void *arg) {
    return ioctl(fd, request, arg);
}

int cshims_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0);
}
