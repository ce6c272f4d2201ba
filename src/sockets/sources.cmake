# The socket table (include/portscope/sockets.h): sock_diag over netlink,
# through libmnl, with /proc/net as the fallback. Included by the top-level
# CMakeLists.txt before the library targets exist, so this file only names
# sources and libraries; the top level links PS_SOCKETS_LIBS.
find_package(PkgConfig REQUIRED)
pkg_check_modules(MNL REQUIRED IMPORTED_TARGET libmnl)

set(PS_SOCKETS_SOURCES
  ${CMAKE_SOURCE_DIR}/src/sockets/format.c
  ${CMAKE_SOURCE_DIR}/src/sockets/diag_parse.c
  ${CMAKE_SOURCE_DIR}/src/sockets/diag.c
  ${CMAKE_SOURCE_DIR}/src/sockets/iface.c
  ${CMAKE_SOURCE_DIR}/src/sockets/proc_net.c
  ${CMAKE_SOURCE_DIR}/src/sockets/netns.c)
set(PS_SOCKETS_LIBS PkgConfig::MNL)
