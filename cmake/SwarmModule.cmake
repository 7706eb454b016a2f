# swarm_add_module(NAME SOURCE...): builds the native protocol module NAME.so
# from SOURCEs against swarm's public API (swarm::module). swarm loads exactly
# <protocol-dir>/NAME.so for a plan that says `protocol: NAME`, so the file has
# no "lib" prefix. Used by swarm's own tree and, installed, by
# find_package(swarm).
function(swarm_add_module name)
  if(NOT ARGN)
    message(FATAL_ERROR "swarm_add_module(${name}): no source files given")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE swarm::module)
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".so")
endfunction()
