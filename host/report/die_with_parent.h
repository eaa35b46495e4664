// For a forked child: it gets SIGTERM when its parent ends, however the parent
// ends (SIGKILL included), so no study child or trainer computes on for nobody.
// Header-only: the runner (host/study) and run_process (host/report) share it.
#pragma once
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

namespace mind1024::host {

// Call first thing in the child, with the parent's pid taken before fork(). The
// signal survives exec (not into a set-uid program). If the parent died before
// prctl, the child ends at once.
inline void die_with_parent(pid_t parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(143);
}

}  // namespace mind1024::host
