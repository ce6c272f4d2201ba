/* The probe modules built into the engine. A new probe type is a new file
 * in this folder and one line here. */
#include <stddef.h>

#include "scan/engine.h"

const struct ps__probe_module *const ps__probe_modules[] = {
    &ps__probe_connect,
    &ps__probe_syn,
    &ps__probe_udp,
    NULL,
};
