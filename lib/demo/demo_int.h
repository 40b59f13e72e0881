/*
 * demo_int.h - what the parts of lib/demo share: the demo's state (network.c
 * builds it, banner.c prints it).
 */
#ifndef DMVGATE_DEMO_INT_H
#define DMVGATE_DEMO_INT_H

#include <dmvgate/demo.h>

#include <limits.h>
#include <sys/types.h>

#define DG__DEMO_NSTATES 4

struct dg__demo_state {
    const char *st, *policy;
};
extern const struct dg__demo_state dg__demo_states[DG__DEMO_NSTATES];

struct proc {
    pid_t pid;
    char name[24];
    char log[PATH_MAX], ready[PATH_MAX];
    char addr[64];
    int status; /* exit status once reaped */
};

struct dg_demo {
    struct dg_demo_options o;
    char dir[PATH_MAX - 64];
    bool made_dir;
    struct proc seed[DG__DEMO_NSTATES], node[DG__DEMO_NSTATES], hub;
    char hub_url[96];
    char policy_name[DG__DEMO_NSTATES][128];
    bool console[DG__DEMO_NSTATES], dashboard[DG__DEMO_NSTATES];
    struct dg_traffic_agency *pool;
    int npool;
    struct dg_traffic_keys keys[DG__DEMO_NSTATES];
    struct dg_traffic_options to;
    struct dg_traffic *traffic;
    uint64_t t0_ns, traffic_start_ns;
    char reviewer_pw[24], supervisor_pw[24], p12_pw[24];
};

#endif
