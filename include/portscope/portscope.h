/* libportscope: everything about TCP and UDP ports.
 *
 * Conventions: public names start with ps_ / PS_; functions return 0 or a
 * count on success and a negative PS_E* code on failure (error.h); the
 * library never prints (log.h) and never exits. Reference documentation is
 * the comment next to each prototype; guides live in docs/. */
#ifndef PORTSCOPE_H
#define PORTSCOPE_H

#include "portscope/version.h"
#include "portscope/error.h"
#include "portscope/log.h"
#include "portscope/registry.h"
#include "portscope/ranges.h"
#include "portscope/knowledge.h"
#include "portscope/sockets.h"
#include "portscope/owners.h"
#include "portscope/netns.h"
#include "portscope/audit.h"
#include "portscope/portspec.h"
#include "portscope/targets.h"
#include "portscope/scanres.h"
#include "portscope/scanout.h"
#include "portscope/scan.h"

#endif
