# Socket owners (include/portscope/owners.h): the /proc/PID/fd walk and
# inode index, the details of each holder, and the /proc text parsers.
set(PS_OWNERS_SOURCES
  ${CMAKE_SOURCE_DIR}/src/sockets/owners.c
  ${CMAKE_SOURCE_DIR}/src/sockets/owners_index.c
  ${CMAKE_SOURCE_DIR}/src/sockets/owners_proc.c
  ${CMAKE_SOURCE_DIR}/src/sockets/proc_parse.c)
